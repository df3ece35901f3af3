"""A fake Stripe API (the v1 payments subset OmniCRM uses) over HTTP, in memory.

It speaks the wire protocol of ``api.stripe.com`` so that the official ``stripe`` Python library
(16.x) runs against it unchanged. Build the client like this — ``base_addresses`` takes the plain
``http://127.0.0.1:PORT`` (no trailing slash: the library concatenates it with ``/v1/...``; it
does not insist on https), and ``max_network_retries=0`` so a dropped connection surfaces at once
as ``stripe.APIConnectionError`` instead of being retried::

    client = stripe.StripeClient(
        fake.api_key,
        base_addresses={"api": fake.url},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=2),
    )

(:meth:`FakeStripe.client` builds exactly that.)

Modelled from the real service:

- Requests: ``Authorization: Bearer <secret key>`` (else 401 ``invalid_request_error``, "Invalid
  API Key provided: sk_test_****..."). POST bodies are ``application/x-www-form-urlencoded`` and
  GET/DELETE parameters are in the query string, both in bracket notation (``metadata[k]=v``,
  ``expand[0]=latest_charge``, ``created[gte]=...``), parsed into nested dicts and lists (the keys
  under ``metadata`` stay a dict even when they are digits). Every value arrives as a string:
  integers and booleans ("true"/"false") are parsed per parameter and a bad one is a 400
  (``parameter_invalid_integer``). An empty string unsets an optional field (``metadata=""`` clears
  all metadata, ``metadata[k]=""`` one key; updates merge metadata keys). A parameter the fake does
  not know is refused with 400 ``parameter_unknown`` ("Received unknown parameter: x"), as Stripe
  refuses a misspelt one — so a client sending something not modelled here fails loudly.
- Responses are Stripe's JSON objects (``id``, ``object``, ``created`` unix seconds,
  ``livemode: false``, ``metadata``...). Lists are ``{"object": "list", "data", "has_more",
  "url"}`` newest first with ``limit`` (default 10, 1..100), ``starting_after``/``ending_before``
  (an unknown cursor is a 400) and ``created`` (exact or ``[gt|gte|lt|lte]``). ``expand[]`` works
  for the id fields Stripe lets you expand (``latest_charge``, ``customer``, ``payment_method``,
  ``data.latest_charge``, ``latest_charge.balance_transaction``...); others are a 400.
- Errors: ``{"error": {"type", "code", "message", "param", "decline_code", "doc_url",
  "payment_intent"...}}`` with the real statuses: 400 ``invalid_request_error`` (bad or missing
  parameters, and a missing object named in a parameter: ``resource_missing``), 404
  ``resource_missing`` for an object in the URL ("No such payment_intent: 'pi_x'"), 401, 402
  ``card_error`` (the body carries the ``payment_intent``/``setup_intent`` and ``payment_method``
  involved and the failed ``charge``), 404 for an unknown URL. Each response has a ``Request-Id``.
- ``Idempotency-Key`` on POST (the library sends one on every POST, generated if not given): the
  same key with the same endpoint and parameters replays the saved status and body with
  ``Idempotent-Replayed: true`` and applies nothing; other parameters or another endpoint give 400
  ``idempotency_error``; a key whose first request is still running gives 409
  ``idempotency_error`` (code ``idempotency_key_in_use``). As Stripe documents, a result is saved
  only once the endpoint ran: successes and card errors (402) are saved, parameter errors (400/404)
  are not, so a corrected retry with the same key runs. Keys never expire (Stripe: 24 hours).
- Test cards by their magic ids, accepted wherever a PaymentMethod id is: each use creates a new
  ``pm_...`` (``exp_month`` 12, ``exp_year`` this year + 3, country US, credit) as Stripe does.
  ``pm_card_visa`` (4242) and ``pm_card_mastercard`` (4444) succeed; ``pm_card_chargeDeclined``
  (0002, ``generic_decline``) and ``pm_card_chargeDeclinedInsufficientFunds`` (9995,
  ``insufficient_funds``) decline — also when attached to a customer or set up through a
  SetupIntent (Stripe checks the card then), so to keep a card on file that declines later use
  ``pm_card_chargeCustomerFail`` (0341) or :meth:`FakeStripe.add_card`;
  ``pm_card_authenticationRequired`` (3184) and ``pm_card_threeDSecure2Required`` (3220) need 3-D
  Secure on every payment (off-session: 402 ``authentication_required``);
  ``pm_card_authenticationRequiredOnSetup`` (3155) needs it on-session and for setup, but not for
  off-session payments once set up (SetupIntent, or a PaymentIntent with ``setup_future_usage``).
  The ``pm_card_visa_chargeDeclined*`` spellings are accepted too.
- PaymentIntents: ``amount`` >= 50 (``amount_too_small``) and <= 99999999, lowercase currency,
  statuses ``requires_payment_method`` -> ``requires_confirmation`` -> ``requires_action`` ->
  ``succeeded`` | ``canceled``; a decline leaves ``requires_payment_method`` with
  ``last_payment_error`` (holding the PaymentMethod) and ``payment_method`` null, and a failed
  charge. A payment method attached to a customer may only be used with that customer. With
  ``automatic_payment_methods`` (Stripe's default when ``payment_method_types`` is not given) and
  redirects allowed, confirming server-side needs a ``return_url`` — Stripe refuses it otherwise;
  pass ``payment_method_types[]=card``, ``automatic_payment_methods[allow_redirects]=never`` or a
  ``return_url``. A successful charge makes a ``txn_`` balance transaction (fee 2.9% + 30,
  rounded half up) and a refund a negative one (no fee returned).
- Events (``evt_...`` with ``api_version`` = the stripe library's ``stripe.api_version``,
  ``request: {id, idempotency_key}``, ``data.object`` = a snapshot) for what Stripe emits here:
  ``customer.created/updated``, ``payment_method.attached/detached``,
  ``setup_intent.created/requires_action/succeeded/setup_failed``,
  ``payment_intent.created/requires_action/succeeded/payment_failed/canceled``,
  ``charge.succeeded/failed/refunded``, ``refund.created``. Nothing is delivered: tests post them
  to the app with :meth:`FakeStripe.webhook`, signed as Stripe signs (``Stripe-Signature:
  t=<unix>,v1=<hex HMAC-SHA256 of "t.payload">``).

Deviations kept on purpose: cards only (other ``payment_method_types`` are a 400), automatic
capture only, every currency is treated as two-decimal with the same 50 minimum; objects are
searchable at once (Stripe's search lags up to a minute — set ``search_lag`` seconds to model
that) and ``/v1/payment_intents/search`` understands only ``metadata['KEY']:'VALUE'``; Stripe.js
is stood in for by the tests: they call the confirm endpoints with the secret key and finish a
3-D Secure challenge with :meth:`FakeStripe.complete_action`; the SetupIntent confirm does not ask
for a ``return_url``; the confirmation limit, disputes, payouts and webhook delivery are not
modelled; error messages are Stripe's where known, close paraphrases otherwise.

Failure knobs for tests: ``fail_next(method, path_prefix, kind)`` (one shot): ``"http_500"``
answers 500 ``api_error`` without applying (nor saving under the idempotency key), ``"drop_before"``
closes the connection without an answer and applies nothing, ``"drop_after"`` applies the request
(and saves its result under the idempotency key) and then closes the connection without an answer;
``down = True`` drops every connection; ``delay = seconds`` waits before applying each request
(after claiming its idempotency key: ``in_progress()`` lists such keys, for 409 tests; a client
that times out meanwhile gets ``APIConnectionError`` and the request is still applied);
``clock`` (unix seconds, ``None`` = now) dates new objects; ``search_lag`` (seconds) hides new
objects from search. ``requests`` lists every request an endpoint handled (not replays, 401s or
knob failures) as ``(method, path, params)``; ``count(method, path)`` counts them. Helpers:
``add_card``, ``complete_action``, ``make_event``, ``sign``, ``webhook``, ``events_of``,
``client()``, ``reset()``; the stored objects are in ``customers``, ``payment_methods``,
``setup_intents``, ``payment_intents``, ``charges``, ``refunds``, ``balance_transactions`` (dicts
by id) and ``events`` (a list, oldest first). A bug in the fake answers 500 and lands in
``crashes``; the ``fake_stripe`` fixture fails the test if there is any.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import operator
import re
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

from tests.fakes._server import LocalServer

Params = dict[str, Any]
Obj = dict[str, Any]

API_VERSION: str = stripe.api_version
KINDS = (
    "customer",
    "payment_method",
    "setup_intent",
    "payment_intent",
    "charge",
    "refund",
    "balance_transaction",
    "event",
)
PREFIXES = {
    "cus": "customer",
    "pm": "payment_method",
    "seti": "setup_intent",
    "pi": "payment_intent",
    "ch": "charge",
    "re": "refund",
    "txn": "balance_transaction",
    "evt": "event",
}
# How "No such X: 'id'" names each kind, as Stripe words it.
MISSING_NAMES = {
    "customer": "customer",
    "payment_method": "PaymentMethod",
    "setup_intent": "setupintent",
    "payment_intent": "payment_intent",
    "charge": "charge",
    "refund": "refund",
    "balance_transaction": "balance transaction",
    "event": "event",
}
# kind -> expandable field path -> kind it expands to (None: decided by the id's prefix).
EXPANDABLE: dict[str, dict[str, str | None]] = {
    "customer": {"invoice_settings.default_payment_method": "payment_method"},
    "payment_method": {"customer": "customer"},
    "setup_intent": {"customer": "customer", "payment_method": "payment_method"},
    "payment_intent": {
        "customer": "customer",
        "payment_method": "payment_method",
        "latest_charge": "charge",
    },
    "charge": {
        "customer": "customer",
        "payment_intent": "payment_intent",
        "balance_transaction": "balance_transaction",
    },
    "refund": {
        "charge": "charge",
        "payment_intent": "payment_intent",
        "balance_transaction": "balance_transaction",
    },
    "balance_transaction": {"source": None},
    "event": {},
}
BEHAVIOURS = ("succeed", "decline", "insufficient_funds", "3ds", "3ds_setup")


@dataclass(frozen=True)
class MagicCard:
    brand: str
    last4: str
    behaviour: str
    declines_check: bool  # the card check made on attach/setup declines it


TEST_CARDS: dict[str, MagicCard] = {
    "pm_card_visa": MagicCard("visa", "4242", "succeed", False),
    "pm_card_mastercard": MagicCard("mastercard", "4444", "succeed", False),
    "pm_card_chargeDeclined": MagicCard("visa", "0002", "decline", True),
    "pm_card_visa_chargeDeclined": MagicCard("visa", "0002", "decline", True),
    "pm_card_chargeDeclinedInsufficientFunds": MagicCard(
        "visa", "9995", "insufficient_funds", True
    ),
    "pm_card_visa_chargeDeclinedInsufficientFunds": MagicCard(
        "visa", "9995", "insufficient_funds", True
    ),
    "pm_card_chargeCustomerFail": MagicCard("visa", "0341", "decline", False),
    "pm_card_authenticationRequired": MagicCard("visa", "3184", "3ds", False),
    "pm_card_threeDSecure2Required": MagicCard("visa", "3220", "3ds", False),
    "pm_card_authenticationRequiredOnSetup": MagicCard("visa", "3155", "3ds_setup", False),
}
DECLINES = {
    "decline": ("generic_decline", "Your card was declined."),
    "insufficient_funds": ("insufficient_funds", "Your card has insufficient funds."),
}
PI_CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
PI_CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
RETURN_URL_MESSAGE = (
    "This PaymentIntent is configured to accept payment methods enabled in your Dashboard, "
    "because some of these payment methods might redirect your customer off of your page, you "
    "must provide a `return_url`. If you don't want to accept redirect-based payment methods, "
    "set `automatic_payment_methods[enabled]` to `true` and "
    "`automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and "
    "Payment Intents."
)
MISSING_KEY_MESSAGE = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)
ALPHANUM = string.ascii_letters + string.digits
CREATED_OPS: dict[str, Callable[[int, int], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)\Z")
_SEARCH = re.compile(r"\s*metadata\[(['\"])(.+?)\1\]\s*:\s*(['\"])(.*?)\3\s*")


class StripeApiError(Exception):
    """An error answered as Stripe does: an HTTP status and ``{"error": {...}}``."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error: Obj = {"type": error_type, "message": message}
        if code:
            self.error["code"] = code
            self.error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param:
            self.error["param"] = param
        self.error.update({key: value for key, value in extra.items() if value is not None})

    def body(self) -> Obj:
        return {"error": copy.deepcopy(self.error)}


def _invalid(
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    status: int = 400,
    **extra: Any,
) -> StripeApiError:
    return StripeApiError(status, "invalid_request_error", message, code=code, param=param, **extra)


def _no_such(kind: str, obj_id: str, param: str | None) -> StripeApiError:
    """A missing object: 404 when it is the one in the URL (param None), else 400."""
    return _invalid(
        f"No such {MISSING_NAMES[kind]}: '{obj_id}'",
        param=param or "id",
        code="resource_missing",
        status=400 if param else 404,
    )


def _new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_" + "".join(secrets.choice(ALPHANUM) for _ in range(length))


def _money(amount: int, currency: str) -> str:
    symbol = {"usd": "$", "eur": "€", "gbp": "£"}.get(currency, "")
    text = f"{symbol}{Decimal(amount) / 100:,.2f}"
    return text if symbol else f"{text} {currency}"


def _fee(amount: int) -> int:
    """Stripe's standard card pricing: 2.9% + 30, rounded half up."""
    return int((Decimal(amount) * Decimal("0.029") + 30).quantize(Decimal(1), ROUND_HALF_UP))


# ---- form parsing --------------------------------------------------------------------------------
def parse_form(text: str) -> Params:
    """Parse Stripe's bracket-notation form/query encoding into nested dicts and lists:
    ``a[b][0]=x&a[b][1]=y&m[k]=v`` -> ``{"a": {"b": ["x", "y"]}, "m": {"k": "v"}}``."""
    root: Params = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        match = _KEY.match(key)
        if match is None:
            raise _invalid(f"Invalid parameter name: {key}", param=key)
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for index, part in enumerate(parts):
            name = part if part != "" else str(len(node))
            if index == len(parts) - 1:
                if isinstance(node.get(name), dict):
                    raise _invalid(f"Invalid hash: {key}", param=key)
                node[name] = value
            else:
                child = node.setdefault(name, {})
                if not isinstance(child, dict):
                    raise _invalid(f"Invalid hash: {key}", param=key)
                node = child
    return {key: _listify(value, key) for key, value in root.items()}


def _listify(value: Any, key: str) -> Any:
    """Dicts whose keys are all indexes are arrays (``expand[0]``) — except metadata's keys."""
    if not isinstance(value, dict):
        return value
    items = {k: _listify(v, k) for k, v in value.items()}
    if key != "metadata" and items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


# ---- parameter helpers -----------------------------------------------------------------------
def _check(params: Params, allowed: set[str]) -> None:
    for name in params:
        if name not in allowed and name != "expand":
            raise _invalid(
                f"Received unknown parameter: {name}", param=name, code="parameter_unknown"
            )


def _opt_str(params: Params, name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _invalid(f"Invalid string: {value!r}", param=name)
    return value


def _req_str(params: Params, name: str) -> str:
    value = _opt_str(params, name)
    if value is None:
        raise _invalid(f"Missing required param: {name}.", param=name, code="parameter_missing")
    return value


def _to_int(value: Any, name: str) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
        raise _invalid(f"Invalid integer: {value}", param=name, code="parameter_invalid_integer")
    return int(value)


def _opt_int(params: Params, name: str) -> int | None:
    value = params.get(name)
    return None if value is None or value == "" else _to_int(value, name)


def _opt_bool(params: Params, name: str) -> bool | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if value not in ("true", "false"):
        raise _invalid(f"Invalid boolean: {value}", param=name)
    return bool(value == "true")


def _enum(params: Params, name: str, choices: tuple[str, ...]) -> str | None:
    value = _opt_str(params, name)
    if value is not None and value not in choices:
        listed = ", ".join(choices[:-1]) + f", or {choices[-1]}" if len(choices) > 1 else choices[0]
        raise _invalid(f"Invalid {name}: must be one of {listed}", param=name)
    return value


def _metadata(current: dict[str, str], value: Any) -> dict[str, str]:
    """Merge ``metadata`` as Stripe does: "" clears everything, a key set to "" is removed."""
    if value is None:
        return current
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise _invalid("Invalid object", param="metadata")
    merged = dict(current)
    for key, item in value.items():
        if not isinstance(item, str):
            raise _invalid(f"Invalid string: {item!r}", param=f"metadata[{key}]")
        if len(key) > 40:
            raise _invalid("Metadata keys can have up to 40 characters", param=f"metadata[{key}]")
        if len(item) > 500:
            raise _invalid(
                "Metadata values can have up to 500 characters", param=f"metadata[{key}]"
            )
        if item == "":
            merged.pop(key, None)
        else:
            merged[key] = item
    if len(merged) > 50:
        raise _invalid("Metadata can have up to 50 keys", param="metadata")
    return merged


def _created_filter(value: Any) -> Callable[[Obj], bool]:
    if value is None or value == "":
        return lambda obj: True
    if isinstance(value, str):
        exact = _to_int(value, "created")
        return lambda obj: bool(obj["created"] == exact)
    if not isinstance(value, dict):
        raise _invalid("Invalid created", param="created")
    bounds: list[tuple[Callable[[int, int], bool], int]] = []
    for op, raw in value.items():
        if op not in CREATED_OPS:
            raise _invalid(
                f"Received unknown parameter: created[{op}]",
                param=f"created[{op}]",
                code="parameter_unknown",
            )
        bounds.append((CREATED_OPS[op], _to_int(raw, f"created[{op}]")))
    return lambda obj: all(compare(obj["created"], bound) for compare, bound in bounds)


def _expand_paths(params: Params) -> list[str]:
    value = params.get("expand")
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        raise _invalid("Invalid array", param="expand")
    return list(items)


def _check_expand(kind: str | None, is_list: bool, path: str) -> None:
    """Refuse (before anything is applied) an expansion Stripe would refuse."""
    rest = path
    if is_list:
        if not rest.startswith("data."):
            raise _invalid(f"This property cannot be expanded ({path}).", param="expand")
        rest = rest[len("data.") :]
    current = kind
    while rest:
        fields = EXPANDABLE.get(current or "", {})
        for field, target in fields.items():
            if rest == field or rest.startswith(field + "."):
                rest = rest[len(field) + 1 :]
                if rest and target is None:
                    raise _invalid(f"This property cannot be expanded ({path}).", param="expand")
                current = target
                break
        else:
            raise _invalid(f"This property cannot be expanded ({path}).", param="expand")


@dataclass
class _Card:
    """What the fake knows about a card beyond its JSON: how it behaves, whether it is set up."""

    behaviour: str
    declines_check: bool = False
    set_up: bool = False


@dataclass
class _Keyed:
    """What an Idempotency-Key was first used for, and its saved result once done."""

    method: str
    path: str
    params: Params
    status: int | None = None  # None while the first request is running
    body: Obj | None = None
    request_id: str = ""


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Callable[..., Obj]
    kind: str | None
    is_list: bool = False


class FakeStripe(LocalServer):
    """In-memory Stripe customers, payment methods, setup/payment intents, charges, refunds,
    balance transactions and events behind a threaded stdlib HTTP server."""

    def __init__(self, api_key: str | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.api_key = api_key or STRIPE_TEST_KEY
        self.requests: list[tuple[str, str, Params]] = []
        self.crashes: list[Exception] = []  # exceptions raised by the fake's own code
        self.down = False
        self.delay = 0.0
        self.clock: int | None = None
        self.search_lag = 0.0
        self._objects: dict[str, dict[str, Obj]] = {kind: {} for kind in KINDS}
        self._seq: dict[str, int] = {}
        self._indexed_at: dict[str, float] = {}
        self._cards: dict[str, _Card] = {}
        self._keys: dict[str, _Keyed] = {}
        self._failures: list[tuple[str, str, str]] = []
        self._context: Obj = {"id": None, "idempotency_key": None}
        self._lock = threading.RLock()
        self._routes = self._build_routes()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def do_POST(self) -> None:
                fake._serve(self, "POST")

            def do_DELETE(self) -> None:
                fake._serve(self, "DELETE")

        self._listen(host, port, Handler)

    def client(self, **options: Any) -> stripe.StripeClient:
        """A ``stripe.StripeClient`` pointed at this fake (``options`` override the defaults)."""
        settings: Params = {
            "base_addresses": {"api": self.url},
            "max_network_retries": 0,
            "http_client": stripe.RequestsClient(timeout=2),
        }
        settings.update(options)
        return stripe.StripeClient(self.api_key, **settings)

    # ---- stored objects ----------------------------------------------------------------------
    @property
    def customers(self) -> dict[str, Obj]:
        return self._objects["customer"]

    @property
    def payment_methods(self) -> dict[str, Obj]:
        return self._objects["payment_method"]

    @property
    def setup_intents(self) -> dict[str, Obj]:
        return self._objects["setup_intent"]

    @property
    def payment_intents(self) -> dict[str, Obj]:
        return self._objects["payment_intent"]

    @property
    def charges(self) -> dict[str, Obj]:
        return self._objects["charge"]

    @property
    def refunds(self) -> dict[str, Obj]:
        return self._objects["refund"]

    @property
    def balance_transactions(self) -> dict[str, Obj]:
        return self._objects["balance_transaction"]

    @property
    def events(self) -> list[Obj]:
        """Every event recorded, oldest first."""
        return list(self._objects["event"].values())

    def events_of(self, event_type: str) -> list[Obj]:
        return [event for event in self.events if event["type"] == event_type]

    # ---- test knobs and helpers --------------------------------------------------------------
    def fail_next(self, method: str, path_prefix: str, kind: str) -> None:
        """Make the next ``method`` request whose path starts with ``path_prefix`` fail:
        ``"http_500"``, ``"drop_before"`` or ``"drop_after"`` (one shot)."""
        if kind not in ("http_500", "drop_before", "drop_after"):
            raise ValueError(f"unknown failure kind {kind!r}")
        with self._lock:
            self._failures.append((method.upper(), path_prefix, kind))

    def count(self, method: str, path: str) -> int:
        """How many ``method path`` requests were handled (replays and failures excluded)."""
        with self._lock:
            return sum(1 for m, p, _ in self.requests if m == method.upper() and p == path)

    def in_progress(self) -> list[str]:
        """Idempotency keys whose first request is still being processed (see ``delay``)."""
        with self._lock:
            return [key for key, keyed in self._keys.items() if keyed.status is None]

    def reset(self) -> None:
        """Forget every object, event, request, idempotency key and knob."""
        with self._lock:
            for store in self._objects.values():
                store.clear()
            self._seq.clear()
            self._indexed_at.clear()
            self._cards.clear()
            self._keys.clear()
            self._failures.clear()
            self.requests.clear()
            self.crashes.clear()
            self.down = False
            self.delay = 0.0
            self.clock = None
            self.search_lag = 0.0

    def add_card(
        self,
        customer_id: str,
        *,
        brand: str = "visa",
        last4: str = "4242",
        exp_month: int = 12,
        exp_year: int | None = None,
        behaviour: str = "succeed",
    ) -> str:
        """Create a card already attached to ``customer_id`` (no card check, no event) and return
        its ``pm_`` id. ``behaviour``: succeed, decline, insufficient_funds, 3ds (every payment
        needs 3-D Secure) or 3ds_setup (only on-session ones, since it counts as set up)."""
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}")
        with self._lock:
            if customer_id not in self._live_customers():
                raise KeyError(customer_id)
            pm = self._new_card(
                brand=brand,
                last4=last4,
                exp_month=exp_month,
                exp_year=exp_year,
                behaviour=behaviour,
                declines_check=False,
            )
            pm["customer"] = customer_id
            self._cards[pm["id"]].set_up = True
            return str(pm["id"])

    def complete_action(self, intent_id: str, succeed: bool = True) -> list[Obj]:
        """Stand for the customer passing (or failing) the 3-D Secure challenge in Stripe.js on a
        PaymentIntent or SetupIntent in ``requires_action``; returns the events it created."""
        with self._lock:
            before = len(self._objects["event"])
            self._context = {"id": None, "idempotency_key": None}
            if intent_id.startswith("seti_"):
                intent = self.setup_intents[intent_id]
                if intent["status"] != "requires_action":
                    raise ValueError(f"{intent_id} is {intent['status']}, not requires_action")
                if succeed:
                    self._finish_setup(intent, intent["payment_method"])
                else:
                    pm = self.payment_methods[intent["payment_method"]]
                    intent.update(
                        status="requires_payment_method",
                        payment_method=None,
                        next_action=None,
                        last_setup_error={
                            "type": "invalid_request_error",
                            "code": "setup_intent_authentication_failure",
                            "message": (
                                "The latest attempt to set up the payment method has failed "
                                "because authentication failed."
                            ),
                            "payment_method": copy.deepcopy(pm),
                        },
                    )
                    self._event("setup_intent.setup_failed", intent)
            else:
                intent = self.payment_intents[intent_id]
                if intent["status"] != "requires_action":
                    raise ValueError(f"{intent_id} is {intent['status']}, not requires_action")
                if succeed:
                    self._succeed_payment(intent, authenticated=True)
                else:
                    pm = self.payment_methods[intent["payment_method"]]
                    intent.update(
                        status="requires_payment_method",
                        payment_method=None,
                        next_action=None,
                        last_payment_error={
                            "type": "invalid_request_error",
                            "code": "payment_intent_authentication_failure",
                            "doc_url": (
                                "https://stripe.com/docs/error-codes/"
                                "payment-intent-authentication-failure"
                            ),
                            "message": (
                                "The provided PaymentMethod has failed authentication. You can "
                                "provide payment_method_data or a new PaymentMethod to attempt to "
                                "fulfill this PaymentIntent again."
                            ),
                            "payment_method": copy.deepcopy(pm),
                        },
                    )
                    self._event("payment_intent.payment_failed", intent)
            return copy.deepcopy(list(self._objects["event"].values())[before:])

    def make_event(self, event_type: str, obj: Obj) -> Obj:
        """Build and record an event of ``event_type`` about ``obj`` (any object)."""
        with self._lock:
            self._context = {"id": None, "idempotency_key": None}
            return copy.deepcopy(self._event(event_type, obj))

    @staticmethod
    def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
        """The ``Stripe-Signature`` header Stripe would send with ``payload`` (``timestamp``
        defaults to the real time, which is what the library checks the tolerance against)."""
        moment = int(time.time()) if timestamp is None else int(timestamp)
        signed = f"{moment}.".encode() + payload
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        return f"t={moment},v1={digest}"

    def webhook(
        self, event: Obj, secret: str, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of Stripe's webhook POST carrying ``event``."""
        payload = json.dumps(event, indent=2).encode()
        return payload, {
            "Stripe-Signature": self.sign(payload, secret, timestamp),
            "Content-Type": "application/json",
        }

    # ---- HTTP --------------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(handler.path)
        path = split.path
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if self.down:
            self._drop(handler)
            return
        request_id = _new_id("req", 14)
        headers = {"Request-Id": request_id}
        auth = handler.headers.get("Authorization") or ""
        if not auth.startswith("Bearer ") or auth[len("Bearer ") :].strip() != self.api_key:
            given = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else ""
            message = f"Invalid API Key provided: {self._mask(given)}" if given else None
            error = _invalid(message or MISSING_KEY_MESSAGE, status=401)
            self._reply(handler, 401, error.body(), headers)
            return
        failure = self._take_failure(method, path)
        if failure == "drop_before":
            self._drop(handler)
            return
        if failure == "http_500":
            error = StripeApiError(
                500,
                "api_error",
                "Sorry, something went wrong. We've already been notified of the problem, but "
                "if you need any help, you can reach us at support.stripe.com/contact.",
            )
            self._reply(handler, 500, error.body(), headers)
            return
        try:
            query = body.decode() if method == "POST" else split.query
            params = parse_form(query)
        except (StripeApiError, UnicodeDecodeError) as exc:
            error = exc if isinstance(exc, StripeApiError) else _invalid("Invalid request body")
            self._reply(handler, error.status, error.body(), headers)
            return
        key = handler.headers.get("Idempotency-Key") if method == "POST" else None
        if key:
            headers["Idempotency-Key"] = key
            with self._lock:
                keyed = self._keys.get(key)
                if keyed is None:
                    self._keys[key] = _Keyed(method, path, copy.deepcopy(params))
            if keyed is not None:
                status, answer, extra = self._replay(key, keyed, path, params)
                if failure == "drop_after":
                    self._drop(handler)
                else:
                    self._reply(handler, status, answer, {**headers, **extra})
                return
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            status, answer = self._apply(method, path, params, request_id, key)
            keyed = self._keys.get(key) if key else None
            if key and keyed is not None:
                if status < 300 or status == 402:
                    keyed.status, keyed.body, keyed.request_id = status, answer, request_id
                else:
                    del self._keys[key]
        if failure == "drop_after":
            self._drop(handler)
            return
        self._reply(handler, status, answer, headers)

    def _replay(
        self, key: str, keyed: _Keyed, path: str, params: Params
    ) -> tuple[int, Obj, dict[str, str]]:
        with self._lock:
            if keyed.status is None:
                error = StripeApiError(
                    409,
                    "idempotency_error",
                    "There is currently another in-progress request using this Idempotent Key "
                    "(that probably means you submitted twice, and the other request is still "
                    f"going through): {key}. Please try again later.",
                    code="idempotency_key_in_use",
                )
                return 409, error.body(), {}
            if keyed.path != path:
                error = StripeApiError(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used for the same endpoint they "
                    f"were first used for ('{keyed.path}' vs '{path}'). Try using a key other "
                    f"than '{key}' if you meant to execute a different request.",
                )
                return 400, error.body(), {}
            if keyed.params != params:
                error = StripeApiError(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than '{key}' if you "
                    "meant to execute a different request.",
                )
                return 400, error.body(), {}
            assert keyed.body is not None
            extra = {"Idempotent-Replayed": "true", "Original-Request": keyed.request_id}
            return keyed.status, copy.deepcopy(keyed.body), extra

    def _apply(
        self, method: str, path: str, params: Params, request_id: str, key: str | None
    ) -> tuple[int, Obj]:
        """Run one request on its endpoint (lock held); record it."""
        self._context = {"id": request_id, "idempotency_key": key}
        try:
            for route in self._routes:
                match = route.pattern.fullmatch(path)
                if match is None or route.method != method:
                    continue
                self.requests.append((method, path, copy.deepcopy(params)))
                expand = _expand_paths(params)
                for item in expand:
                    _check_expand(route.kind, route.is_list, item)
                result = copy.deepcopy(route.handler(params, *match.groups()))
                for item in expand:
                    self._expand(result, item.split("."))
                return 200, result
            self.requests.append((method, path, copy.deepcopy(params)))
            raise _invalid(
                f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
                "or we can help at https://support.stripe.com/.",
                status=404,
            )
        except StripeApiError as exc:
            return exc.status, exc.body()
        except Exception as exc:  # a bug in the fake: answer it loudly, not as a dropped line
            self.crashes.append(exc)
            error = StripeApiError(500, "api_error", f"fake Stripe crashed: {exc!r}")
            return 500, error.body()
        finally:
            self._context = {"id": None, "idempotency_key": None}

    def _take_failure(self, method: str, path: str) -> str | None:
        with self._lock:
            for index, (m, prefix, kind) in enumerate(self._failures):
                if m == method and path.startswith(prefix):
                    del self._failures[index]
                    return kind
        return None

    @staticmethod
    def _drop(handler: BaseHTTPRequestHandler) -> None:
        """Close the connection without an answer: the client sees it at once."""
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(2)  # socket.SHUT_RDWR

    @staticmethod
    def _reply(
        handler: BaseHTTPRequestHandler, status: int, body: Obj, headers: dict[str, str]
    ) -> None:
        payload = json.dumps(body).encode()
        with contextlib.suppress(OSError):
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.send_header("Stripe-Version", API_VERSION)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)

    @staticmethod
    def _mask(key: str) -> str:
        if len(key) <= 12:
            return "*" * len(key)
        return key[:8] + "*" * (len(key) - 12) + key[-4:]

    def _build_routes(self) -> list[_Route]:
        table: list[tuple[str, str, Callable[..., Obj], str | None, bool]] = [
            ("POST", "/v1/customers", self._create_customer, "customer", False),
            ("GET", "/v1/customers", self._list_customers, "customer", True),
            ("GET", "/v1/customers/{id}", self._get_customer, "customer", False),
            ("POST", "/v1/customers/{id}", self._update_customer, "customer", False),
            ("DELETE", "/v1/customers/{id}", self._delete_customer, None, False),
            (
                "GET",
                "/v1/customers/{id}/payment_methods",
                self._list_customer_payment_methods,
                "payment_method",
                True,
            ),
            ("GET", "/v1/payment_methods", self._list_payment_methods, "payment_method", True),
            ("GET", "/v1/payment_methods/{id}", self._get_payment_method, "payment_method", False),
            ("POST", "/v1/payment_methods/{id}/attach", self._attach, "payment_method", False),
            ("POST", "/v1/payment_methods/{id}/detach", self._detach, "payment_method", False),
            ("POST", "/v1/setup_intents", self._create_setup_intent, "setup_intent", False),
            ("GET", "/v1/setup_intents/{id}", self._get_setup_intent, "setup_intent", False),
            (
                "POST",
                "/v1/setup_intents/{id}/confirm",
                self._confirm_setup_intent,
                "setup_intent",
                False,
            ),
            ("POST", "/v1/payment_intents", self._create_payment_intent, "payment_intent", False),
            ("GET", "/v1/payment_intents", self._list_payment_intents, "payment_intent", True),
            (
                "GET",
                "/v1/payment_intents/search",
                self._search_payment_intents,
                "payment_intent",
                True,
            ),
            ("GET", "/v1/payment_intents/{id}", self._get_payment_intent, "payment_intent", False),
            (
                "POST",
                "/v1/payment_intents/{id}",
                self._update_payment_intent,
                "payment_intent",
                False,
            ),
            (
                "POST",
                "/v1/payment_intents/{id}/confirm",
                self._confirm_payment_intent,
                "payment_intent",
                False,
            ),
            (
                "POST",
                "/v1/payment_intents/{id}/cancel",
                self._cancel_payment_intent,
                "payment_intent",
                False,
            ),
            ("POST", "/v1/refunds", self._create_refund, "refund", False),
            ("GET", "/v1/refunds", self._list_refunds, "refund", True),
            ("GET", "/v1/refunds/{id}", self._get_refund, "refund", False),
            ("GET", "/v1/charges", self._list_charges, "charge", True),
            ("GET", "/v1/charges/{id}", self._get_charge, "charge", False),
            (
                "GET",
                "/v1/balance_transactions",
                self._list_balance_transactions,
                "balance_transaction",
                True,
            ),
            (
                "GET",
                "/v1/balance_transactions/{id}",
                self._get_balance_transaction,
                "balance_transaction",
                False,
            ),
            ("GET", "/v1/events", self._list_events, "event", True),
            ("GET", "/v1/events/{id}", self._get_event, "event", False),
        ]
        return [
            _Route(method, re.compile(template.replace("{id}", "([^/]+)")), handler, kind, is_list)
            for method, template, handler, kind, is_list in table
        ]

    # ---- object plumbing (lock held) ---------------------------------------------------------
    def _now(self) -> int:
        return int(self.clock) if self.clock is not None else int(time.time())

    def _store(self, obj: Obj) -> Obj:
        self._objects[obj["object"]][obj["id"]] = obj
        self._seq[obj["id"]] = len(self._seq)
        self._indexed_at[obj["id"]] = time.monotonic()
        return obj

    def _order(self, obj: Obj) -> tuple[int, int]:
        return (int(obj["created"]), self._seq.get(obj["id"], 0))

    def _get(self, kind: str, obj_id: str, param: str | None = None) -> Obj:
        obj = self._objects[kind].get(obj_id)
        if obj is None or obj.get("deleted"):
            raise _no_such(kind, obj_id, param)
        return obj

    def _live_customers(self) -> dict[str, Obj]:
        return {k: v for k, v in self.customers.items() if not v.get("deleted")}

    def _event(self, event_type: str, obj: Obj) -> Obj:
        event = {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self._now(),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": dict(self._context),
            "type": event_type,
        }
        return self._store(event)

    def _expand(self, obj: Any, path: list[str]) -> None:
        if not path or not isinstance(obj, dict):
            return
        if obj.get("object") in ("list", "search_result"):
            for item in obj["data"]:
                self._expand(item, path[1:])
            return
        fields = EXPANDABLE.get(str(obj.get("object")), {})
        for field in fields:
            parts = field.split(".")
            if path[: len(parts)] != parts:
                continue
            holder = obj
            for part in parts[:-1]:
                holder = holder.get(part) or {}
            value = holder.get(parts[-1])
            if isinstance(value, str):
                kind = PREFIXES.get(value.split("_", 1)[0])
                target = self._objects[kind].get(value) if kind else None
                if target is not None:
                    holder[parts[-1]] = value = copy.deepcopy(target)
            self._expand(value, path[len(parts) :])
            return

    def _page(self, kind: str, items: list[Obj], params: Params, url: str) -> Obj:
        limit = _opt_int(params, "limit")
        limit = 10 if limit is None else limit
        if limit < 1:
            raise _invalid("This value must be greater than or equal to 1.", param="limit")
        if limit > 100:
            raise _invalid("This value must be less than or equal to 100.", param="limit")
        created = _created_filter(params.get("created"))
        items = sorted(
            (o for o in items if created(o)),
            key=self._order,
            reverse=True,
        )
        after = _opt_str(params, "starting_after")
        before = _opt_str(params, "ending_before")
        if after and before:
            raise _invalid(
                "You may only specify one of these parameters: ending_before, starting_after."
            )
        if after:
            cursor = self._order(self._get(kind, after, "starting_after"))
            rest = [o for o in items if self._order(o) < cursor]
            page, has_more = rest[:limit], len(rest) > limit
        elif before:
            cursor = self._order(self._get(kind, before, "ending_before"))
            newer = [o for o in items if self._order(o) > cursor]
            page, has_more = newer[-limit:], len(newer) > limit
        else:
            page, has_more = items[:limit], len(items) > limit
        return {"object": "list", "data": page, "has_more": has_more, "url": url}

    # ---- customers ---------------------------------------------------------------------------
    def _create_customer(self, params: Params) -> Obj:
        _check(
            params,
            {"email", "name", "description", "phone", "metadata", "payment_method"}
            | {"invoice_settings"},
        )
        metadata = _metadata({}, params.get("metadata"))
        pm_ref = _opt_str(params, "payment_method")
        default = self._default_pm_param(params)
        if default and default != pm_ref:
            raise self._not_customers_pm(default)
        pm_id = self._resolve_pm(pm_ref, "payment_method") if pm_ref else None
        if pm_id:
            self._check_attachable(pm_id, None)
        customer = self._store(
            {
                "id": _new_id("cus", 14),
                "object": "customer",
                "address": None,
                "balance": 0,
                "created": self._now(),
                "currency": None,
                "default_source": None,
                "delinquent": False,
                "description": _opt_str(params, "description"),
                "discount": None,
                "email": _opt_str(params, "email"),
                "invoice_prefix": "".join(secrets.choice("ABCDEF0123456789") for _ in range(8)),
                "invoice_settings": {
                    "custom_fields": None,
                    "default_payment_method": pm_id if default else None,
                    "footer": None,
                    "rendering_options": None,
                },
                "livemode": False,
                "metadata": metadata,
                "name": _opt_str(params, "name"),
                "next_invoice_sequence": 1,
                "phone": _opt_str(params, "phone"),
                "preferred_locales": [],
                "shipping": None,
                "tax_exempt": "none",
                "test_clock": None,
            }
        )
        self._event("customer.created", customer)
        if pm_id:
            self._attach_to(pm_id, customer["id"])
        return customer

    def _default_pm_param(self, params: Params) -> str | None:
        settings = params.get("invoice_settings")
        if settings is None:
            return None
        if not isinstance(settings, dict):
            raise _invalid("Invalid object", param="invoice_settings")
        for name in settings:
            if name != "default_payment_method":
                raise _invalid(
                    f"Received unknown parameter: invoice_settings[{name}]",
                    param=f"invoice_settings[{name}]",
                    code="parameter_unknown",
                )
        value = settings.get("default_payment_method")
        if value is not None and not isinstance(value, str):
            raise _invalid("Invalid string", param="invoice_settings[default_payment_method]")
        return value

    @staticmethod
    def _not_customers_pm(pm_id: str) -> StripeApiError:
        return _invalid(
            f"The customer does not have a payment method with the ID {pm_id}. The payment "
            "method must be attached to the customer.",
            param="invoice_settings[default_payment_method]",
            code="resource_missing",
        )

    def _get_customer(self, params: Params, customer_id: str) -> Obj:
        _check(params, set())
        customer = self.customers.get(customer_id)
        if customer is None:
            raise _no_such("customer", customer_id, None)
        return customer

    def _update_customer(self, params: Params, customer_id: str) -> Obj:
        _check(params, {"email", "name", "description", "phone", "metadata", "invoice_settings"})
        customer = self._get("customer", customer_id)
        metadata = _metadata(customer["metadata"], params.get("metadata"))
        default = self._default_pm_param(params)
        if default:
            pm = self.payment_methods.get(default)
            if pm is None or pm["customer"] != customer_id:
                raise self._not_customers_pm(default)
        for name in ("email", "name", "description", "phone"):
            if name in params:
                customer[name] = _opt_str(params, name)
        customer["metadata"] = metadata
        if default is not None:
            customer["invoice_settings"]["default_payment_method"] = default or None
        self._event("customer.updated", customer)
        return customer

    def _delete_customer(self, params: Params, customer_id: str) -> Obj:
        _check(params, set())
        self._get("customer", customer_id)
        for pm in self.payment_methods.values():
            if pm["customer"] == customer_id:
                pm["customer"] = None
        stub = {"id": customer_id, "object": "customer", "deleted": True}
        self.customers[customer_id] = stub
        return stub

    def _list_customers(self, params: Params) -> Obj:
        _check(params, {"limit", "starting_after", "ending_before", "created", "email"})
        email = _opt_str(params, "email")
        items = [c for c in self._live_customers().values() if email is None or c["email"] == email]
        return self._page("customer", items, params, "/v1/customers")

    # ---- payment methods ---------------------------------------------------------------------
    def _new_card(
        self,
        *,
        brand: str,
        last4: str,
        exp_month: int = 12,
        exp_year: int | None = None,
        behaviour: str,
        declines_check: bool,
    ) -> Obj:
        year = exp_year if exp_year is not None else datetime.now(UTC).year + 3
        fingerprint = hashlib.sha256(f"{brand}:{last4}".encode()).hexdigest()[:16]
        pm = self._store(
            {
                "id": _new_id("pm"),
                "object": "payment_method",
                "allow_redisplay": "unspecified",
                "billing_details": {
                    "address": {
                        "city": None,
                        "country": None,
                        "line1": None,
                        "line2": None,
                        "postal_code": None,
                        "state": None,
                    },
                    "email": None,
                    "name": None,
                    "phone": None,
                },
                "card": {
                    "brand": brand,
                    "checks": {
                        "address_line1_check": None,
                        "address_postal_code_check": None,
                        "cvc_check": "pass",
                    },
                    "country": "US",
                    "display_brand": brand,
                    "exp_month": exp_month,
                    "exp_year": year,
                    "fingerprint": fingerprint,
                    "funding": "credit",
                    "last4": last4,
                    "networks": {"available": [brand], "preferred": None},
                    "three_d_secure_usage": {"supported": True},
                    "wallet": None,
                },
                "created": self._now(),
                "customer": None,
                "livemode": False,
                "metadata": {},
                "type": "card",
            }
        )
        self._cards[pm["id"]] = _Card(behaviour, declines_check)
        return pm

    def _resolve_pm(self, ref: str, param: str | None) -> str:
        """A PaymentMethod id, or a test card's magic id (which makes a new PaymentMethod)."""
        card = TEST_CARDS.get(ref)
        if card is not None:
            pm = self._new_card(
                brand=card.brand,
                last4=card.last4,
                behaviour=card.behaviour,
                declines_check=card.declines_check,
            )
            return str(pm["id"])
        self._get("payment_method", ref, param)
        return ref

    def _card_check(self, pm_id: str) -> None:
        """The check Stripe runs when a card is attached or set up: a declining test card fails."""
        card = self._cards[pm_id]
        if card.declines_check:
            decline_code, message = DECLINES[card.behaviour]
            raise StripeApiError(
                402,
                "card_error",
                message,
                code="card_declined",
                decline_code=decline_code,
                payment_method=copy.deepcopy(self.payment_methods[pm_id]),
            )

    def _check_attachable(self, pm_id: str, customer_id: str | None) -> None:
        owner = self.payment_methods[pm_id]["customer"]
        if owner is not None and owner != customer_id:
            raise _invalid(
                "The payment method you provided has already been attached to a customer.",
                param="payment_method",
            )
        if owner is None:
            self._card_check(pm_id)

    def _attach_to(self, pm_id: str, customer_id: str) -> Obj:
        pm = self.payment_methods[pm_id]
        if pm["customer"] != customer_id:
            pm["customer"] = customer_id
            self._event("payment_method.attached", pm)
        return pm

    def _get_payment_method(self, params: Params, pm_ref: str) -> Obj:
        _check(params, set())
        return self.payment_methods[self._resolve_pm(pm_ref, None)]

    def _attach(self, params: Params, pm_ref: str) -> Obj:
        _check(params, {"customer"})
        customer_id = _req_str(params, "customer")
        self._get("customer", customer_id, "customer")
        pm_id = self._resolve_pm(pm_ref, None)
        self._check_attachable(pm_id, customer_id)
        return self._attach_to(pm_id, customer_id)

    def _detach(self, params: Params, pm_ref: str) -> Obj:
        _check(params, set())
        pm = self._get("payment_method", pm_ref)
        customer_id = pm["customer"]
        if customer_id is None:
            raise _invalid(
                "The payment method you provided is not attached to a customer so detachment "
                "is impossible."
            )
        pm["customer"] = None
        self._event("payment_method.detached", pm)
        customer = self.customers.get(customer_id) or {}
        settings = customer.get("invoice_settings") or {}
        if settings.get("default_payment_method") == pm["id"]:
            settings["default_payment_method"] = None
            self._event("customer.updated", customer)
        return pm

    def _list_payment_methods(self, params: Params) -> Obj:
        _check(params, {"limit", "starting_after", "ending_before", "customer", "type"})
        customer_id = _opt_str(params, "customer")
        if customer_id is not None:
            self._get("customer", customer_id, "customer")
        return self._pm_list(params, customer_id, "/v1/payment_methods")

    def _list_customer_payment_methods(self, params: Params, customer_id: str) -> Obj:
        _check(params, {"limit", "starting_after", "ending_before", "type"})
        self._get("customer", customer_id)
        return self._pm_list(params, customer_id, f"/v1/customers/{customer_id}/payment_methods")

    def _pm_list(self, params: Params, customer_id: str | None, url: str) -> Obj:
        pm_type = _opt_str(params, "type")
        items = [
            pm
            for pm in self.payment_methods.values()
            if (customer_id is None or pm["customer"] == customer_id)
            and (pm_type is None or pm["type"] == pm_type)
        ]
        return self._page("payment_method", items, params, url)

    # ---- setup intents -----------------------------------------------------------------------
    def _create_setup_intent(self, params: Params) -> Obj:
        _check(
            params,
            {"customer", "usage", "payment_method_types", "automatic_payment_methods"}
            | {"payment_method", "confirm", "metadata", "description", "return_url"},
        )
        customer_id = _opt_str(params, "customer")
        if customer_id:
            self._get("customer", customer_id, "customer")
        usage = _enum(params, "usage", ("off_session", "on_session")) or "off_session"
        types, automatic = self._payment_method_types(params)
        metadata = _metadata({}, params.get("metadata"))
        confirm = bool(_opt_bool(params, "confirm"))
        pm_ref = _opt_str(params, "payment_method")
        if confirm and not pm_ref:
            raise self._missing_pm("SetupIntent")
        pm_id = self._resolve_pm(pm_ref, "payment_method") if pm_ref else None
        seti_id = _new_id("seti")
        intent = self._store(
            {
                "id": seti_id,
                "object": "setup_intent",
                "application": None,
                "automatic_payment_methods": automatic,
                "cancellation_reason": None,
                "client_secret": f"{seti_id}_secret_{_new_id('x', 25)[2:]}",
                "created": self._now(),
                "customer": customer_id,
                "description": _opt_str(params, "description"),
                "last_setup_error": None,
                "latest_attempt": None,
                "livemode": False,
                "mandate": None,
                "metadata": metadata,
                "next_action": None,
                "payment_method": pm_id,
                "payment_method_types": types,
                "single_use_mandate": None,
                "status": "requires_confirmation" if pm_id else "requires_payment_method",
                "usage": usage,
            }
        )
        self._event("setup_intent.created", intent)
        if confirm and pm_id:
            self._confirm_setup(intent, pm_id)
        return intent

    def _get_setup_intent(self, params: Params, seti_id: str) -> Obj:
        _check(params, {"client_secret"})
        return self._get("setup_intent", seti_id)

    def _confirm_setup_intent(self, params: Params, seti_id: str) -> Obj:
        _check(params, {"payment_method", "return_url", "client_secret"})
        intent = self._get("setup_intent", seti_id)
        if intent["status"] not in PI_CONFIRMABLE:
            raise _invalid(
                f"You cannot confirm this SetupIntent because it has a status of "
                f"{intent['status']}.",
                code="setup_intent_unexpected_state",
            )
        pm_ref = _opt_str(params, "payment_method") or intent["payment_method"]
        if not pm_ref:
            raise self._missing_pm("SetupIntent")
        self._confirm_setup(intent, self._resolve_pm(pm_ref, "payment_method"))
        return intent

    def _confirm_setup(self, intent: Obj, pm_id: str) -> None:
        owner = self.payment_methods[pm_id]["customer"]
        if owner is not None and owner != intent["customer"]:
            raise _invalid(
                "The provided PaymentMethod was previously attached to a different Customer.",
                param="payment_method",
            )
        intent["payment_method"] = pm_id
        card = self._cards[pm_id]
        if card.declines_check and owner is None:
            decline_code, message = DECLINES[card.behaviour]
            intent.update(
                status="requires_payment_method",
                payment_method=None,
                last_setup_error={
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": decline_code,
                    "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                    "message": message,
                    "payment_method": copy.deepcopy(self.payment_methods[pm_id]),
                },
            )
            self._event("setup_intent.setup_failed", intent)
            raise StripeApiError(
                402,
                "card_error",
                message,
                code="card_declined",
                decline_code=decline_code,
                setup_intent=copy.deepcopy(intent),
                payment_method=copy.deepcopy(self.payment_methods[pm_id]),
            )
        if card.behaviour in ("3ds", "3ds_setup"):
            intent.update(status="requires_action", next_action=self._sdk_action(intent))
            self._event("setup_intent.requires_action", intent)
            return
        self._finish_setup(intent, pm_id)

    def _finish_setup(self, intent: Obj, pm_id: str) -> None:
        if intent["customer"]:
            self._attach_to(pm_id, intent["customer"])
        self._cards[pm_id].set_up = True
        intent.update(
            status="succeeded", payment_method=pm_id, next_action=None, last_setup_error=None
        )
        self._event("setup_intent.succeeded", intent)

    @staticmethod
    def _sdk_action(intent: Obj) -> Obj:
        source = _new_id("src")
        return {
            "type": "use_stripe_sdk",
            "use_stripe_sdk": {
                "type": "three_d_secure_redirect",
                "source": source,
                "stripe_js": f"https://hooks.stripe.com/redirect/authenticate/{source}"
                f"?client_secret={intent['client_secret']}",
            },
        }

    @staticmethod
    def _missing_pm(what: str) -> StripeApiError:
        return _invalid(
            f"You cannot confirm this {what} because it's missing a payment method. Update the "
            f"{what} with a payment method and then confirm it again.",
            param="payment_method",
            code="payment_intent_unexpected_state"
            if what == "PaymentIntent"
            else "setup_intent_unexpected_state",
        )

    def _payment_method_types(self, params: Params) -> tuple[list[str], Obj | None]:
        types = params.get("payment_method_types")
        automatic = params.get("automatic_payment_methods")
        if types is not None and automatic is not None:
            raise _invalid(
                "You may only specify one of these parameters: automatic_payment_methods, "
                "payment_method_types."
            )
        if types is not None:
            if not isinstance(types, list) or not types:
                raise _invalid("Invalid array", param="payment_method_types")
            for index, item in enumerate(types):
                if item != "card":
                    raise _invalid(
                        f"The payment method type {item!r} is not modelled by the fake Stripe "
                        "(cards only).",
                        param=f"payment_method_types[{index}]",
                    )
            return ["card"], None
        if automatic is None:
            return ["card"], {"allow_redirects": "always", "enabled": True}
        if not isinstance(automatic, dict):
            raise _invalid("Invalid object", param="automatic_payment_methods")
        _check(automatic, {"enabled", "allow_redirects"})
        enabled = _opt_bool(automatic, "enabled")
        if enabled is None:
            raise _invalid(
                "Missing required param: automatic_payment_methods[enabled].",
                param="automatic_payment_methods[enabled]",
                code="parameter_missing",
            )
        redirects = _enum(automatic, "allow_redirects", ("always", "never")) or "always"
        if not enabled:
            return ["card"], None
        return ["card"], {"allow_redirects": redirects, "enabled": True}

    # ---- payment intents ---------------------------------------------------------------------
    def _create_payment_intent(self, params: Params) -> Obj:
        _check(
            params,
            {"amount", "currency", "customer", "payment_method", "confirm", "off_session"}
            | {"description", "receipt_email", "metadata", "payment_method_types"}
            | {"automatic_payment_methods", "setup_future_usage", "return_url"}
            | {"statement_descriptor_suffix", "capture_method", "confirmation_method"},
        )
        amount = self._amount(params)
        currency = _req_str(params, "currency").lower()
        if not re.fullmatch(r"[a-z]{3}", currency):
            raise _invalid(f"Invalid currency: {currency}.", param="currency")
        if amount < 50:
            raise _invalid(
                f"Amount must be at least {_money(50, currency)} {currency}",
                param="amount",
                code="amount_too_small",
            )
        customer_id = _opt_str(params, "customer")
        if customer_id:
            self._get("customer", customer_id, "customer")
        confirm = bool(_opt_bool(params, "confirm"))
        off_session = self._off_session(params)
        if off_session and not confirm:
            raise _invalid(
                "The off_session parameter can only be used when confirm=true.",
                param="off_session",
            )
        types, automatic = self._payment_method_types(params)
        for name, allowed in (
            ("capture_method", "automatic"),
            ("confirmation_method", "automatic"),
        ):
            value = _opt_str(params, name)
            if value not in (None, allowed):
                raise _invalid(f"{name}={value} is not modelled by the fake Stripe.", param=name)
        future = _enum(params, "setup_future_usage", ("off_session", "on_session"))
        metadata = _metadata({}, params.get("metadata"))
        return_url = _opt_str(params, "return_url")
        pm_ref = _opt_str(params, "payment_method")
        if confirm and not pm_ref:
            raise self._missing_pm("PaymentIntent")
        if confirm:
            self._check_return_url(automatic, return_url)
        pm_id = self._resolve_pm(pm_ref, "payment_method") if pm_ref else None
        if pm_id:
            self._check_pm_owner(pm_id, customer_id)
        pi_id = _new_id("pi")
        intent = self._store(
            {
                "id": pi_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_capturable": 0,
                "amount_details": {"tip": {}},
                "amount_received": 0,
                "application": None,
                "application_fee_amount": None,
                "automatic_payment_methods": automatic,
                "canceled_at": None,
                "cancellation_reason": None,
                "capture_method": "automatic",
                "client_secret": f"{pi_id}_secret_{_new_id('x', 25)[2:]}",
                "confirmation_method": "automatic",
                "created": self._now(),
                "currency": currency,
                "customer": customer_id,
                "description": _opt_str(params, "description"),
                "last_payment_error": None,
                "latest_charge": None,
                "livemode": False,
                "metadata": metadata,
                "next_action": None,
                "on_behalf_of": None,
                "payment_method": pm_id,
                "payment_method_options": {
                    "card": {
                        "installments": None,
                        "mandate_options": None,
                        "network": None,
                        "request_three_d_secure": "automatic",
                    }
                },
                "payment_method_types": types,
                "processing": None,
                "receipt_email": _opt_str(params, "receipt_email"),
                "return_url": return_url,
                "review": None,
                "setup_future_usage": future,
                "shipping": None,
                "statement_descriptor": None,
                "statement_descriptor_suffix": _opt_str(params, "statement_descriptor_suffix"),
                "status": "requires_confirmation" if pm_id else "requires_payment_method",
                "transfer_data": None,
                "transfer_group": None,
            }
        )
        self._event("payment_intent.created", intent)
        if confirm and pm_id:
            self._confirm(intent, pm_id, off_session)
        return intent

    @staticmethod
    def _amount(params: Params) -> int:
        if _opt_str(params, "amount") is None:
            raise _invalid(
                "Missing required param: amount.", param="amount", code="parameter_missing"
            )
        amount = _to_int(params["amount"], "amount")
        if amount > 99_999_999:
            raise _invalid(
                "Amount must be no more than $999,999.99", param="amount", code="amount_too_large"
            )
        if amount < 0:
            raise _invalid(
                "This value must be greater than or equal to 1.",
                param="amount",
                code="parameter_invalid_integer",
            )
        return amount

    @staticmethod
    def _off_session(params: Params) -> bool:
        value = params.get("off_session")
        if value in (None, "", "false"):
            return False
        if value in ("true", "one_off", "recurring"):
            return True
        raise _invalid(f"Invalid boolean: {value}", param="off_session")

    @staticmethod
    def _check_return_url(automatic: Obj | None, return_url: str | None) -> None:
        if automatic and automatic.get("allow_redirects") != "never" and not return_url:
            raise _invalid(RETURN_URL_MESSAGE, param="return_url")

    def _check_pm_owner(self, pm_id: str, customer_id: str | None) -> None:
        owner = self.payment_methods[pm_id]["customer"]
        if owner is None or owner == customer_id:
            return
        if customer_id is None:
            raise _invalid(
                f"The provided PaymentMethod {pm_id} is attached to customer {owner}; pass that "
                "customer in the `customer` parameter of the PaymentIntent.",
                param="payment_method",
            )
        raise _invalid(
            f"The provided PaymentMethod {pm_id} belongs to a different Customer than "
            f"{customer_id}.",
            param="payment_method",
        )

    def _get_payment_intent(self, params: Params, pi_id: str) -> Obj:
        _check(params, {"client_secret"})
        return self._get("payment_intent", pi_id)

    def _update_payment_intent(self, params: Params, pi_id: str) -> Obj:
        _check(params, {"amount", "description", "metadata", "receipt_email"})
        intent = self._get("payment_intent", pi_id)
        metadata = _metadata(intent["metadata"], params.get("metadata"))
        if "amount" in params:
            if intent["status"] not in PI_CONFIRMABLE:
                raise _invalid(
                    f"This PaymentIntent's amount could not be updated because it has a status "
                    f"of {intent['status']}.",
                    param="amount",
                    code="payment_intent_unexpected_state",
                )
            amount = self._amount(params)
            if amount < 50:
                raise _invalid(
                    f"Amount must be at least {_money(50, intent['currency'])} "
                    f"{intent['currency']}",
                    param="amount",
                    code="amount_too_small",
                )
            intent["amount"] = amount
        for name in ("description", "receipt_email"):
            if name in params:
                intent[name] = _opt_str(params, name)
        intent["metadata"] = metadata
        return intent

    def _confirm_payment_intent(self, params: Params, pi_id: str) -> Obj:
        _check(
            params,
            {"payment_method", "off_session", "return_url", "receipt_email"}
            | {"setup_future_usage", "client_secret"},
        )
        intent = self._get("payment_intent", pi_id)
        if intent["status"] not in PI_CONFIRMABLE:
            raise _invalid(
                f"You cannot confirm this PaymentIntent because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
                "be confirmed: requires_confirmation, requires_payment_method, requires_action.",
                code="payment_intent_unexpected_state",
                payment_intent=copy.deepcopy(intent),
            )
        off_session = self._off_session(params)
        future = _enum(params, "setup_future_usage", ("off_session", "on_session"))
        return_url = _opt_str(params, "return_url") or intent["return_url"]
        pm_ref = _opt_str(params, "payment_method") or intent["payment_method"]
        if not pm_ref:
            raise self._missing_pm("PaymentIntent")
        self._check_return_url(intent["automatic_payment_methods"], return_url)
        pm_id = self._resolve_pm(pm_ref, "payment_method")
        self._check_pm_owner(pm_id, intent["customer"])
        if "receipt_email" in params:
            intent["receipt_email"] = _opt_str(params, "receipt_email")
        if future is not None:
            intent["setup_future_usage"] = future
        intent["return_url"] = return_url
        self._confirm(intent, pm_id, off_session)
        return intent

    def _confirm(self, intent: Obj, pm_id: str, off_session: bool) -> None:
        intent["payment_method"] = pm_id
        card = self._cards[pm_id]
        needs_auth = card.behaviour == "3ds" or (
            card.behaviour == "3ds_setup" and (not off_session or not card.set_up)
        )
        if needs_auth and off_session:
            self._fail_payment(
                intent,
                code="authentication_required",
                decline_code="authentication_required",
                message="Your card was declined. This transaction requires authentication.",
            )
        if needs_auth:
            intent.update(
                status="requires_action",
                next_action=self._sdk_action(intent),
                last_payment_error=None,
            )
            self._event("payment_intent.requires_action", intent)
            return
        if card.behaviour in DECLINES:
            decline_code, message = DECLINES[card.behaviour]
            self._fail_payment(
                intent, code="card_declined", decline_code=decline_code, message=message
            )
        self._succeed_payment(intent, authenticated=False)

    def _charge(self, intent: Obj, *, failure: tuple[str, str] | None, authenticated: bool) -> Obj:
        pm = self.payment_methods[intent["payment_method"]]
        card = pm["card"]
        charge_id = _new_id("ch")
        succeeded = failure is None
        charge = {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"] if succeeded else 0,
            "amount_refunded": 0,
            "application": None,
            "application_fee": None,
            "application_fee_amount": None,
            "balance_transaction": None,
            "billing_details": copy.deepcopy(pm["billing_details"]),
            "calculated_statement_descriptor": "OMNICRM",
            "captured": succeeded,
            "created": self._now(),
            "currency": intent["currency"],
            "customer": intent["customer"],
            "description": intent["description"],
            "disputed": False,
            "failure_balance_transaction": None,
            "failure_code": failure[0] if failure else None,
            "failure_message": failure[1] if failure else None,
            "fraud_details": {},
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "on_behalf_of": None,
            "outcome": (
                {
                    "network_status": "approved_by_network",
                    "reason": None,
                    "risk_level": "normal",
                    "seller_message": "Payment complete.",
                    "type": "authorized",
                }
                if succeeded
                else {
                    "network_status": "declined_by_network",
                    "reason": failure[0] if failure else None,
                    "risk_level": "normal",
                    "seller_message": "The bank did not return any further details with this "
                    "decline.",
                    "type": "issuer_declined",
                }
            ),
            "paid": succeeded,
            "payment_intent": intent["id"],
            "payment_method": pm["id"],
            "payment_method_details": {
                "type": "card",
                "card": {
                    "brand": card["brand"],
                    "checks": copy.deepcopy(card["checks"]),
                    "country": card["country"],
                    "exp_month": card["exp_month"],
                    "exp_year": card["exp_year"],
                    "fingerprint": card["fingerprint"],
                    "funding": card["funding"],
                    "last4": card["last4"],
                    "network": card["brand"],
                    "three_d_secure": (
                        {"authentication_flow": "challenge", "result": "authenticated"}
                        if authenticated
                        else None
                    ),
                },
            },
            "receipt_email": intent["receipt_email"],
            "receipt_url": f"https://pay.stripe.com/receipts/payment/{_new_id('x', 40)[2:]}",
            "refunded": False,
            "shipping": None,
            "status": "succeeded" if succeeded else "failed",
            "transfer_data": None,
            "transfer_group": None,
        }
        if succeeded:
            txn = self._balance_transaction(
                amount=intent["amount"],
                currency=intent["currency"],
                txn_type="charge",
                source=charge_id,
                fee=_fee(intent["amount"]),
                description=intent["description"],
            )
            charge["balance_transaction"] = txn["id"]
        return self._store(charge)

    def _succeed_payment(self, intent: Obj, *, authenticated: bool) -> None:
        charge = self._charge(intent, failure=None, authenticated=authenticated)
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            latest_charge=charge["id"],
            last_payment_error=None,
            next_action=None,
        )
        pm_id = intent["payment_method"]
        if intent["setup_future_usage"] and intent["customer"]:
            self._attach_to(pm_id, intent["customer"])
            self._cards[pm_id].set_up = True
        self._event("charge.succeeded", charge)
        self._event("payment_intent.succeeded", intent)

    def _fail_payment(self, intent: Obj, *, code: str, decline_code: str, message: str) -> None:
        """A declined attempt: failed charge, intent back to requires_payment_method, 402."""
        pm = copy.deepcopy(self.payment_methods[intent["payment_method"]])
        charge = self._charge(intent, failure=(code, message), authenticated=False)
        error: Obj = {
            "type": "card_error",
            "charge": charge["id"],
            "code": code,
            "decline_code": decline_code,
            "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
            "message": message,
            "payment_method": pm,
        }
        intent.update(
            status="requires_payment_method",
            payment_method=None,
            latest_charge=charge["id"],
            last_payment_error=error,
            next_action=None,
        )
        self._event("charge.failed", charge)
        self._event("payment_intent.payment_failed", intent)
        raise StripeApiError(
            402,
            "card_error",
            message,
            code=code,
            charge=charge["id"],
            decline_code=decline_code,
            payment_intent=copy.deepcopy(intent),
            payment_method=copy.deepcopy(pm),
        )

    def _cancel_payment_intent(self, params: Params, pi_id: str) -> Obj:
        _check(params, {"cancellation_reason"})
        intent = self._get("payment_intent", pi_id)
        reason = _enum(
            params,
            "cancellation_reason",
            ("duplicate", "fraudulent", "requested_by_customer", "abandoned"),
        )
        if intent["status"] not in PI_CANCELABLE:
            raise _invalid(
                f"You cannot cancel this PaymentIntent because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
                f"be canceled: {', '.join(PI_CANCELABLE)}.",
                code="payment_intent_unexpected_state",
                payment_intent=copy.deepcopy(intent),
            )
        intent.update(
            status="canceled",
            canceled_at=self._now(),
            cancellation_reason=reason,
            next_action=None,
        )
        self._event("payment_intent.canceled", intent)
        return intent

    def _list_payment_intents(self, params: Params) -> Obj:
        _check(params, {"limit", "starting_after", "ending_before", "created", "customer"})
        customer_id = _opt_str(params, "customer")
        items = [
            pi
            for pi in self.payment_intents.values()
            if customer_id is None or pi["customer"] == customer_id
        ]
        return self._page("payment_intent", items, params, "/v1/payment_intents")

    def _search_payment_intents(self, params: Params) -> Obj:
        _check(params, {"query", "limit", "page"})
        query = _req_str(params, "query")
        match = _SEARCH.fullmatch(query)
        if match is None:
            raise _invalid(
                f"The fake Stripe understands only queries of the form "
                f"metadata['KEY']:'VALUE', not: {query}",
                param="query",
            )
        key, value = match.group(2), match.group(4)
        limit = _opt_int(params, "limit")
        limit = 10 if limit is None else limit
        if not 1 <= limit <= 100:
            raise _invalid("This value must be between 1 and 100.", param="limit")
        page = _opt_str(params, "page")
        offset = 0
        if page is not None:
            if not re.fullmatch(r"page_\d+", page):
                raise _invalid(f"Invalid page: {page}", param="page")
            offset = int(page[len("page_") :])
        now = time.monotonic()
        found = sorted(
            (
                pi
                for pi in self.payment_intents.values()
                if pi["metadata"].get(key) == value
                and now - self._indexed_at.get(pi["id"], 0.0) >= self.search_lag
            ),
            key=self._order,
            reverse=True,
        )
        data = found[offset : offset + limit]
        has_more = len(found) > offset + limit
        return {
            "object": "search_result",
            "data": data,
            "has_more": has_more,
            "next_page": f"page_{offset + limit}" if has_more else None,
            "url": "/v1/payment_intents/search",
        }

    # ---- refunds, charges, balance transactions, events --------------------------------------
    def _create_refund(self, params: Params) -> Obj:
        _check(params, {"payment_intent", "charge", "amount", "reason", "metadata"})
        pi_id = _opt_str(params, "payment_intent")
        charge_id = _opt_str(params, "charge")
        if pi_id is None and charge_id is None:
            raise _invalid(
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                code="parameter_missing",
            )
        if pi_id is not None:
            intent = self._get("payment_intent", pi_id, "payment_intent")
            if intent["status"] != "succeeded":
                raise _invalid(
                    "This PaymentIntent does not have a successful charge to refund.",
                    param="payment_intent",
                )
            if charge_id is not None and charge_id != intent["latest_charge"]:
                raise _invalid(
                    f"The charge {charge_id} does not belong to PaymentIntent {pi_id}.",
                    param="charge",
                )
            charge_id = intent["latest_charge"]
        assert charge_id is not None
        charge = self._get("charge", charge_id, "charge")
        if charge["status"] != "succeeded":
            raise _invalid(f"Charge {charge_id} has not succeeded; it cannot be refunded.")
        left = charge["amount"] - charge["amount_refunded"]
        if left <= 0:
            raise _invalid(
                f"Charge {charge_id} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = _opt_int(params, "amount")
        if amount is None:
            amount = left
        if amount <= 0:
            raise _invalid(
                "Invalid positive integer", param="amount", code="parameter_invalid_integer"
            )
        if amount > left:
            raise _invalid(
                f"Refund amount ({_money(amount, charge['currency'])}) is greater than unrefunded "
                f"amount on charge ({_money(left, charge['currency'])})",
                param="amount",
            )
        reason = _enum(params, "reason", ("duplicate", "fraudulent", "requested_by_customer"))
        metadata = _metadata({}, params.get("metadata"))
        refund_id = _new_id("re")
        txn = self._balance_transaction(
            amount=-amount,
            currency=charge["currency"],
            txn_type="refund",
            source=refund_id,
            fee=0,
            description=f"REFUND FOR CHARGE ({charge['description'] or charge_id})",
        )
        refund = self._store(
            {
                "id": refund_id,
                "object": "refund",
                "amount": amount,
                "balance_transaction": txn["id"],
                "charge": charge_id,
                "created": self._now(),
                "currency": charge["currency"],
                "destination_details": {"card": {"type": "refund"}, "type": "card"},
                "metadata": metadata,
                "payment_intent": charge["payment_intent"],
                "reason": reason,
                "receipt_number": None,
                "source_transfer_reversal": None,
                "status": "succeeded",
                "transfer_reversal": None,
            }
        )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        self._event("charge.refunded", charge)
        self._event("refund.created", refund)
        return refund

    def _balance_transaction(
        self,
        *,
        amount: int,
        currency: str,
        txn_type: str,
        source: str,
        fee: int,
        description: str | None,
    ) -> Obj:
        now = self._now()
        return self._store(
            {
                "id": _new_id("txn"),
                "object": "balance_transaction",
                "amount": amount,
                "available_on": now,
                "created": now,
                "currency": currency,
                "description": description,
                "exchange_rate": None,
                "fee": fee,
                "fee_details": (
                    [
                        {
                            "amount": fee,
                            "application": None,
                            "currency": currency,
                            "description": "Stripe processing fees",
                            "type": "stripe_fee",
                        }
                    ]
                    if fee
                    else []
                ),
                "net": amount - fee,
                "reporting_category": txn_type,
                "source": source,
                "status": "available",
                "type": txn_type,
            }
        )

    def _get_refund(self, params: Params, refund_id: str) -> Obj:
        _check(params, set())
        return self._get("refund", refund_id)

    def _list_refunds(self, params: Params) -> Obj:
        _check(
            params,
            {"limit", "starting_after", "ending_before", "created", "payment_intent", "charge"},
        )
        pi_id = _opt_str(params, "payment_intent")
        charge_id = _opt_str(params, "charge")
        items = [
            r
            for r in self.refunds.values()
            if (pi_id is None or r["payment_intent"] == pi_id)
            and (charge_id is None or r["charge"] == charge_id)
        ]
        return self._page("refund", items, params, "/v1/refunds")

    def _get_charge(self, params: Params, charge_id: str) -> Obj:
        _check(params, set())
        return self._get("charge", charge_id)

    def _list_charges(self, params: Params) -> Obj:
        _check(
            params,
            {"limit", "starting_after", "ending_before", "created", "customer", "payment_intent"},
        )
        customer_id = _opt_str(params, "customer")
        pi_id = _opt_str(params, "payment_intent")
        items = [
            c
            for c in self.charges.values()
            if (customer_id is None or c["customer"] == customer_id)
            and (pi_id is None or c["payment_intent"] == pi_id)
        ]
        return self._page("charge", items, params, "/v1/charges")

    def _get_balance_transaction(self, params: Params, txn_id: str) -> Obj:
        _check(params, set())
        return self._get("balance_transaction", txn_id)

    def _list_balance_transactions(self, params: Params) -> Obj:
        _check(
            params,
            {"limit", "starting_after", "ending_before", "created", "type", "source", "currency"},
        )
        txn_type = _opt_str(params, "type")
        source = _opt_str(params, "source")
        currency = _opt_str(params, "currency")
        items = [
            t
            for t in self.balance_transactions.values()
            if (txn_type is None or t["type"] == txn_type)
            and (source is None or t["source"] == source)
            and (currency is None or t["currency"] == currency)
        ]
        return self._page("balance_transaction", items, params, "/v1/balance_transactions")

    def _get_event(self, params: Params, event_id: str) -> Obj:
        _check(params, set())
        return self._get("event", event_id)

    def _list_events(self, params: Params) -> Obj:
        _check(params, {"limit", "starting_after", "ending_before", "created", "type", "types"})
        event_type = _opt_str(params, "type")
        types = params.get("types")
        if types is not None and not isinstance(types, list):
            raise _invalid("Invalid array", param="types")
        items = [
            e
            for e in self._objects["event"].values()
            if (event_type is None or self._type_matches(e["type"], event_type))
            and (types is None or e["type"] in types)
        ]
        return self._page("event", items, params, "/v1/events")

    @staticmethod
    def _type_matches(actual: str, wanted: str) -> bool:
        """``type`` filters take a ``*`` wildcard (``payment_intent.*``), as Stripe's do."""
        if "*" in wanted:
            return re.fullmatch(re.escape(wanted).replace(r"\*", ".*"), actual) is not None
        return actual == wanted


STRIPE_TEST_KEY = "sk_test_omnicrm_fake"
STRIPE_WEBHOOK_SECRET = "whsec_omnicrm_fake"
STRIPE_PUBLISHABLE_KEY = "pk_test_omnicrm_fake"


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    """A running fake Stripe for one test: ``fake_stripe.url`` is the ``api`` base address and
    ``fake_stripe.api_key`` the secret key it accepts (``STRIPE_TEST_KEY``)."""
    with FakeStripe(STRIPE_TEST_KEY) as fake:
        yield fake
        assert not fake.crashes, f"the fake Stripe itself crashed: {fake.crashes!r}"
