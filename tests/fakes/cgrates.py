"""A fake CGRateS engine speaking JSON-RPC over HTTP (``POST /jsonrpc``), in memory.

Wire format as in docs/cgrates.md (v0.10/master API)::

    {"method": "APIerSv2.SetAccount", "params": [{...}], "id": 1}
    -> {"id": 1, "result": "OK" | {...}, "error": null | "MESSAGE"}

Like the real server, keys are case-sensitive Go field names and unknown or wrongly-cased keys
are silently ignored (``{"tenant": ...}`` leaves Tenant empty and still answers "OK"; CGRateS
issue #1082) — which is why the playbooks read accounts back.

Semantics follow the v0.10 sources (``apier/v1/accounts.go``, ``engine/account.go``,
``engine/action.go``, ``engine/action_plan.go``, ``engine/cdrs.go``) where callers depend on them:

- Balances are found by ``Uuid``, else ``ID``, else by the other fields given (ExpiryTime,
  Weight, Blocker, Disabled); expired balances are never matched. A top-up (``*topup``, and
  ``*topup_reset`` with Overwrite) of a balance that exists changes **only its value**: not its
  expiry, weight or blocker (issue #814); a new balance takes every field given. ``Value`` goes
  through ``math.Abs`` and 0 is refused (MANDATORY_IE_MISSING) by AddBalance/DebitBalance.
  SetBalance (``*set_balance``) replaces every field given, and ignores a top-level ``Value`` of
  0 (``Balance.Value`` 0 counts). The ``*default`` balance keeps only a value.
- ExecuteAction on an account that does not exist answers "OK" and does nothing, as the real
  ``ActionTiming.Execute`` does; a failing action answers PARTIALLY_EXECUTED and saves nothing.
- SetActionPlan only stores the plan (Overwrite also unbinds every account bound to the old one,
  as the real one does); ``*asap`` timings run when SetAccount binds an account through
  ``ActionPlanIDs`` — the real scheduler pops that task shortly after, here it runs at once, with
  or without balances on the account (the empty-balance-list bug of issue #847 is fixed upstream
  and not reproduced). Other timings run only when a test calls :meth:`run_action_plan`.
- CDRsV1.ProcessEvent with ``*rals`` debits like ``Responder.Debit``: unit balances of the ToR by
  weight (highest first, then soonest expiry), then money balances, at the per-unit price of the
  tariff a test loaded for the Subject (:meth:`load_tariff`, standing for a rating plan). What
  money balances cannot pay goes negative on ``*default`` **whatever AllowNegative says** (the
  real engine only logs a warning); only a ``Blocker`` balance that runs out stops the debit
  (INSUFFICIENT_CREDIT_BALANCE_BLOCKER), as does a missing tariff (RATING_PLAN_NOT_FOUND) or
  account (ACCOUNT_NOT_FOUND / ACCOUNT_DISABLED). A stopped debit changes no balance and the CDR
  is stored with ``Cost: -1`` and the error in ``ExtraInfo`` — ProcessEvent still answers "OK".
  An event whose CGRID (sha1 of OriginID + OriginHost) and RunID were seen before answers
  "EXISTS" and changes nothing. ``*prepaid`` is rated like ``*pseudoprepaid`` here; the real
  engine first polls for session costs (``session_cost_retries``, Fibonacci sleeps, ~12 s).
- CDRsV1.GetCDRs answers "SERVER_ERROR: NOT_FOUND" when nothing matches, not an empty list.

Deviations kept on purpose: APIerSv1.GetAccount answers the engine.Account shape, as
APIerSv2.GetAccount does (real CGRateS answers APIerSv1 in its old structure, cgrates/cgrates#830;
the plays' tests read it this way); a missing Tenant is not refused; DebitBalance does not create
a missing account; ``*generic`` balances, destinations, categories and shared groups are not
modelled.

Failure knobs for tests: ``fail_next(method, error)`` makes the next call of ``method`` answer
that error (one shot), ``down = True`` answers HTTP 503 to everything, ``delay = seconds`` waits
before handling each request (the request is still applied: a client that timed out cannot know).
"""

from __future__ import annotations

import calendar
import contextlib
import copy
import hashlib
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Params = dict[str, Any]

DEFAULT_TENANT = "cgrates.org"
ZERO_TIME = "0001-01-01T00:00:00Z"
BALANCE_TYPES = ("*monetary", "*data", "*voice", "*sms", "*mms", "*generic")
# CGRateS RateUnit of a tariff price (per MB, per minute, per message) unless a test says.
DEFAULT_RATE_UNITS = {"*data": 1_048_576, "*voice": 60 * 1_000_000_000, "*sms": 1}
DEBIT_REQUEST_TYPES = {"*prepaid", "*pseudoprepaid", "*postpaid", "prepaid", "postpaid"}
ACCOUNT_ACTIONS = {"*enable_account", "*disable_account", "*allow_negative", "*deny_negative"}
NO_OP_ACTIONS = {"*log", "*cdrlog", "*http_post", "*http_post_async", "*publish_balance"}
MONEY = Decimal("0.0001")


class RpcError(Exception):
    """An error answered in the JSON-RPC ``error`` field (the message is the whole error)."""


class _DebitStopped(Exception):
    """Rating refused the debit: the CDR is stored with Cost -1 and this as ExtraInfo."""


def _canonical(method: str) -> str:
    """``ApierV1.X``/``ApierV2.X`` are aliases of ``APIerSv1.X``/``APIerSv2.X``."""
    service, _, name = method.partition(".")
    service = {"ApierV1": "APIerSv1", "ApierV2": "APIerSv2", "CdrsV1": "CDRsV1"}.get(
        service, service
    )
    return f"{service}.{name}"


def _now() -> datetime:
    return datetime.now(UTC)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _expiration_date(expiry: Any, now: datetime | None = None) -> str:
    """Resolve a Balance ``ExpiryTime`` as CGRateS does, to an RFC 3339 string."""
    now = now or _now()
    if expiry in (None, "", "*unlimited"):
        return ZERO_TIME
    if not isinstance(expiry, str):
        raise RpcError(f"SERVER_ERROR: cannot parse ExpiryTime {expiry!r}")
    if expiry == "*month_end":
        last_day = calendar.monthrange(now.year, now.month)[1]
        return _rfc3339(now.replace(day=last_day, hour=23, minute=59, second=59, microsecond=0))
    if expiry == "*daily":
        return _rfc3339(now + timedelta(days=1))
    match = re.fullmatch(r"\+(\d+)h", expiry)
    if match:
        return _rfc3339(now + timedelta(hours=int(match.group(1))))
    try:
        datetime.fromisoformat(expiry.replace("Z", "+00:00"))
    except ValueError:
        raise RpcError(f"SERVER_ERROR: cannot parse ExpiryTime {expiry!r}") from None
    return expiry


def _parse_time(text: Any) -> datetime | None:
    if not text or not isinstance(text, str) or text.startswith("0001-01-01"):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RpcError(f"SERVER_ERROR: cannot parse time {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _number(params: Params, key: str) -> float:
    """A float64 field: Go's decoder refuses strings ("5120") where a number is expected."""
    value = params.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RpcError(
            f"json: cannot unmarshal {type(value).__name__} into Go struct field .{key} "
            "of type float64"
        )
    return float(value)


def _string_field(item: Params, key: str, struct: str) -> str:
    """A Go string field: a JSON number or bool there is an unmarshal error."""
    value = item.get(key, "")
    if not isinstance(value, str):
        kind = "bool" if isinstance(value, bool) else "number"
        raise RpcError(
            f"json: cannot unmarshal {kind} into Go struct field {struct}.{key} of type string"
        )
    return value


def _as_float(value: Any) -> float:
    """utils.IfaceAsFloat64: numbers and numeric strings."""
    if isinstance(value, bool):
        raise RpcError(f"cannot convert field: {value!r} to float64")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RpcError(f"cannot convert field: {value!r} to float64") from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise RpcError(f"cannot convert field: {value!r} to bool")


_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9}


def _duration(value: Any) -> int:
    """utils.IfaceAsDuration: a number or digit string is nanoseconds (bytes, messages), else a
    Go duration such as "1m30s"."""
    if isinstance(value, bool):
        raise RpcError(f"cannot convert field: {value!r} to time.Duration")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        if re.fullmatch(r"-?\d+", value):
            return int(value)
        parts = _GO_DURATION.findall(value)
        if parts and "".join(n + u for n, u in parts) == value:
            units = {**_NS, "h": 3600 * 10**9}
            return int(sum(Decimal(n) * units[u] for n, u in parts))
    raise RpcError(f'time: invalid duration "{value}"')


def _balance_filter(spec: Any) -> Params:
    """engine.NewBalanceFilter over a ``Balance`` map: the fields given, parsed."""
    if not isinstance(spec, dict):
        return {}
    result: Params = {}
    for key in ("ID", "Uuid"):
        if key in spec:
            result[key] = str(spec[key])
    if "Value" in spec:
        result["Value"] = abs(_as_float(spec["Value"]))
    if "ExpiryTime" in spec:
        result["ExpirationDate"] = _expiration_date(spec["ExpiryTime"])
    if "Weight" in spec:
        result["Weight"] = _as_float(spec["Weight"])
    for key in ("Blocker", "Disabled"):
        if key in spec:
            result[key] = _as_bool(spec[key])
    return result


def _expired(balance: Params, at: datetime) -> bool:
    expiry = _parse_time(balance["ExpirationDate"])
    return expiry is not None and expiry <= at


def _matches(balance: Params, flt: Params) -> bool:
    """Balance.MatchFilter: Uuid, else ID, decides alone; else every other field given."""
    if flt.get("Uuid"):
        return bool(balance["Uuid"] == flt["Uuid"])
    if flt.get("ID"):
        return bool(balance["ID"] == flt["ID"])
    if "ExpirationDate" in flt and _parse_time(balance["ExpirationDate"]) != _parse_time(
        flt["ExpirationDate"]
    ):
        return False
    return all(balance[key] == flt[key] for key in ("Weight", "Blocker", "Disabled") if key in flt)


def _new_balance(flt: Params, value: float) -> Params:
    """A balance created from a filter (a ``*default`` one keeps only its value)."""
    balance: Params = {
        "Uuid": str(uuid.uuid4()),
        "ID": flt.get("ID", ""),
        "Value": value,
        "ExpirationDate": ZERO_TIME,
        "Weight": 0.0,
        "DestinationIDs": {},
        "RatingSubject": "",
        "Categories": {},
        "SharedGroups": {},
        "Timings": None,
        "TimingIDs": {},
        "Disabled": False,
        "Factor": None,
        "Blocker": False,
    }
    if balance["ID"] != "*default":
        for key in ("ExpirationDate", "Weight", "Blocker", "Disabled"):
            if key in flt:
                balance[key] = flt[key]
    return balance


def _modify_balance(balance: Params, flt: Params) -> None:
    """BalanceFilter.ModifyBalance: every field given replaces the balance's."""
    fields = ("Value",) if balance["ID"] == "*default" else tuple(flt)
    for key in fields:
        if key in flt and key != "Uuid":
            balance[key] = flt[key]


def _usable(balance: Params, at: datetime) -> bool:
    """Account.getBalancesForPrefix: enabled, not expired, and holding something or a Blocker."""
    return (
        not balance["Disabled"]
        and not _expired(balance, at)
        and (balance["Value"] > 0 or balance["Blocker"])
    )


def _debit_order(balance: Params) -> tuple[float, datetime]:
    expiry = _parse_time(balance["ExpirationDate"]) or datetime.max.replace(tzinfo=UTC)
    return (-balance["Weight"], expiry)


class FakeCGRateS:
    """In-memory CGRateS accounts, actions, plans, thresholds and CDRs behind a threaded stdlib
    HTTP server."""

    def __init__(self) -> None:
        # "tenant:account" -> account dict, shaped like CGRateS's engine.Account JSON.
        self.accounts: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, Params]] = []
        self.down = False
        self.delay = 0.0
        # ActionsId -> the TPAction dicts as sent; plan Id -> {"Id", "ActionPlan", "AccountIDs"}.
        self.actions: dict[str, list[Params]] = {}
        self.action_plans: dict[str, dict[str, Any]] = {}
        self.thresholds: dict[str, Params] = {}  # "tenant:ID" -> ThresholdProfile
        self.cdrs: list[Params] = []  # stored CDRs, in order
        # "tenant:subject" -> ToR -> (price per rate unit, rate unit in CGRateS units)
        self.tariffs: dict[str, dict[str, tuple[Decimal, int]]] = {}
        self._processed: set[str] = set()  # "CGRID:RunID" already through ProcessEvent
        self._failures: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._methods: dict[str, Callable[[Params], Any]] = {
            "APIerSv2.SetAccount": self._set_account,
            "APIerSv1.GetAccount": self._get_account,
            "APIerSv2.GetAccount": self._get_account,
            "APIerSv2.GetAccounts": self._get_accounts,
            "APIerSv1.RemoveAccount": self._remove_account,
            "APIerSv1.AddBalance": self._add_balance,
            "APIerSv1.SetBalance": self._set_balance,
            "APIerSv1.DebitBalance": self._debit_balance,
            "APIerSv2.SetActions": self._set_actions,
            "APIerSv1.ExecuteAction": self._execute_action,
            "APIerSv1.SetActionPlan": self._set_action_plan,
            "APIerSv1.SetThresholdProfile": self._set_threshold_profile,
            "APIerSv1.GetThresholdProfile": self._get_threshold_profile,
            "CDRsV1.ProcessEvent": self._process_event,
            "CDRsV1.GetCDRs": self._get_cdrs,
        }
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                if fake.down:
                    self._reply(503, b"service unavailable", "text/plain")
                    return
                if self.path.split("?")[0] != "/jsonrpc":
                    self._reply(404, b"404 page not found", "text/plain")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    request = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    self._reply(400, b"invalid JSON", "text/plain")
                    return
                if fake.delay:
                    time.sleep(fake.delay)
                reply = fake.handle(request)
                # A client that gave up waiting is gone; the call was applied all the same.
                with contextlib.suppress(OSError):
                    self._reply(200, json.dumps(reply).encode(), "application/json")

            def _reply(self, status: int, payload: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jsonrpc"
        self._thread: threading.Thread | None = None

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeCGRateS:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeCGRateS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- test knobs and helpers --------------------------------------------------------------
    def fail_next(self, method: str, error: str) -> None:
        """Make the next call of ``method`` (aliases accepted) answer ``error``."""
        with self._lock:
            self._failures.setdefault(_canonical(method), []).append(error)

    def account(self, account: str, tenant: str = DEFAULT_TENANT) -> dict[str, Any] | None:
        return self.accounts.get(f"{tenant}:{account}")

    def balance(
        self, account: str, balance_id: str, tenant: str = DEFAULT_TENANT
    ) -> dict[str, Any] | None:
        acc = self.account(account, tenant)
        if acc is None:
            return None
        for balances in acc["BalanceMap"].values():
            for balance in balances:
                if balance["ID"] == balance_id:
                    return balance
        return None

    def methods_called(self) -> list[str]:
        return [method for method, _ in self.calls]

    def load_tariff(
        self,
        subject: str,
        prices: Mapping[str, Decimal | str | int],
        *,
        rate_units: Mapping[str, int] | None = None,
        tenant: str = DEFAULT_TENANT,
    ) -> None:
        """Stand-in for a rating plan of ``subject``: ``prices`` per ToR, each per rate unit
        (default 1 MB of ``*data``, 1 minute of ``*voice``, 1 ``*sms``), charged pro rata."""
        units = {**DEFAULT_RATE_UNITS, **dict(rate_units or {})}
        with self._lock:
            self.tariffs[f"{tenant}:{subject}"] = {
                tor: (Decimal(str(price)), units[tor]) for tor, price in prices.items()
            }

    def run_action_plan(self, plan_id: str) -> None:
        """What the scheduler does when the plan's time comes: run its actions on every account
        bound to it."""
        with self._lock:
            plan = self.action_plans[plan_id]
            for timing in sorted(plan["ActionPlan"], key=lambda t: -float(t.get("Weight", 0))):
                for key in sorted(plan["AccountIDs"]):
                    self._run_actions(key, str(timing["ActionsId"]))

    # ---- JSON-RPC ----------------------------------------------------------------------------
    def handle(self, request: Any) -> dict[str, Any]:
        if not isinstance(request, dict):
            return {"id": None, "result": None, "error": "rpc: invalid request"}
        request_id = request.get("id")
        method = str(request.get("method") or "")
        raw = request.get("params")
        params: Params = (
            raw[0] if isinstance(raw, list) and raw and isinstance(raw[0], dict) else {}
        )
        with self._lock:
            self.calls.append((method, params))
            name = _canonical(method)
            handler = self._methods.get(name)
            if handler is None:
                return {
                    "id": request_id,
                    "result": None,
                    "error": f"rpc: can't find method {method}",
                }
            queued = self._failures.get(name)
            if queued:
                return {"id": request_id, "result": None, "error": queued.pop(0)}
            try:
                result = handler(params)
            except RpcError as exc:
                return {"id": request_id, "result": None, "error": str(exc)}
        return {"id": request_id, "result": result, "error": None}

    # ---- accounts (methods are called with the lock held) ------------------------------------
    @staticmethod
    def _key(params: Params) -> str:
        account = params.get("Account")
        if not account:
            raise RpcError("MANDATORY_IE_MISSING: [Account]")
        # A missing/wrongly-cased Tenant is ignored, not refused: the account lands under "".
        return f"{params.get('Tenant') or ''}:{account}"

    def _new_account(self, key: str) -> dict[str, Any]:
        return {
            "ID": key,
            "BalanceMap": {},
            "UnitCounters": None,
            "ActionTriggers": None,
            "AllowNegative": False,
            "Disabled": False,
            "UpdateTime": _rfc3339(_now()),
        }

    def _touch(self, key: str) -> None:
        self.accounts[key]["UpdateTime"] = _rfc3339(_now())

    def _set_account(self, params: Params) -> str:
        key = self._key(params)
        plan_ids = params.get("ActionPlanIDs") or []
        for plan_id in plan_ids:
            if plan_id not in self.action_plans:
                raise RpcError("SERVER_ERROR: NOT_FOUND")
        account = self.accounts.setdefault(key, self._new_account(key))
        options = params.get("ExtraOptions") or {}
        for option in ("AllowNegative", "Disabled"):
            if option in options:
                account[option] = bool(options[option])
        if params.get("ActionPlansOverwrite"):
            for plan_id, plan in self.action_plans.items():
                if plan_id not in plan_ids:
                    plan["AccountIDs"].discard(key)
        for plan_id in plan_ids:
            plan = self.action_plans[plan_id]
            timings = plan["ActionPlan"]
            asap = [t for t in timings if t.get("Time") == "*asap"]
            for timing in sorted(asap, key=lambda t: -float(t.get("Weight", 0))):
                self._run_actions(key, str(timing["ActionsId"]))
            if len(asap) != len(timings):  # all *asap: nothing left to schedule
                plan["AccountIDs"].add(key)
        return "OK"

    def _get_account(self, params: Params) -> dict[str, Any]:
        account = self.accounts.get(self._key(params))
        if account is None:
            raise RpcError("NOT_FOUND")
        return json.loads(json.dumps(account))  # a copy, as it would be on the wire

    def _get_accounts(self, params: Params) -> list[dict[str, Any]] | None:
        tenant = params.get("Tenant")
        if not tenant:
            raise RpcError("MANDATORY_IE_MISSING: [Tenant]")
        ids = [i for i in params.get("AccountIDs") or [] if i]
        keys = [f"{tenant}:{i}" for i in ids] or sorted(
            k for k in self.accounts if k.startswith(f"{tenant}:")
        )
        if not keys:
            return None  # the real one leaves its reply nil: JSON null
        offset = min(max(int(params.get("Offset") or 0), 0), len(keys))
        limit = int(params.get("Limit") or 0)
        keys = keys[offset : offset + limit] if limit else keys[offset:]
        wanted = params.get("Filter") or {}
        found = []
        for key in keys:
            account = self.accounts.get(key)
            if account is None or any(account[k] != v for k, v in wanted.items() if k in account):
                continue
            found.append(json.loads(json.dumps(account)))
        return found

    def _remove_account(self, params: Params) -> str:
        key = self._key(params)
        if self.accounts.pop(key, None) is None:
            raise RpcError("NOT_FOUND")
        for plan in self.action_plans.values():
            plan["AccountIDs"].discard(key)
        return "OK"

    # ---- balances ----------------------------------------------------------------------------
    def _account_for_balance(self, params: Params, *, create: bool) -> str:
        key = self._key(params)
        if params.get("BalanceType") not in BALANCE_TYPES:
            raise RpcError("MANDATORY_IE_MISSING: [BalanceType]")
        if key not in self.accounts:
            if not create:
                raise RpcError("ACCOUNT_NOT_FOUND")
            self.accounts[key] = self._new_account(key)
        return key

    def _top_up(
        self, account: Params, balance_type: str, flt: Params, value: float, *, reset: bool
    ) -> None:
        """Account.debitBalanceAction with a signed value (a top-up is a negative debit): every
        live balance matching the filter changes value, and only value; none -> a new one."""
        now = _now()
        found = False
        for balance in account["BalanceMap"].get(balance_type, []):
            if not _expired(balance, now) and _matches(balance, flt):
                balance["Value"] = (0.0 if reset else balance["Value"]) + value
                found = True
        if not found:
            account["BalanceMap"].setdefault(balance_type, []).append(_new_balance(flt, value))

    def _set_one_balance(self, account: Params, balance_type: str, flt: Params) -> None:
        """Account.setBalanceAction: find by Uuid (must exist) or ID in any type, else create."""
        now = _now()
        live = [
            b
            for balances in account["BalanceMap"].values()
            for b in balances
            if not _expired(b, now)
        ]
        if flt.get("Uuid"):
            matches = [b for b in live if b["Uuid"] == flt["Uuid"]]
            if not matches:
                raise RpcError(f"cannot find balance with uuid: <{flt['Uuid']}>")
        else:
            matches = [b for b in live if b["ID"] == flt.get("ID")]
        if matches:
            _modify_balance(matches[0], flt)
        else:
            balance = _new_balance({}, 0.0)
            _modify_balance(balance, flt)
            account["BalanceMap"].setdefault(balance_type, []).append(balance)

    def _add_balance(self, params: Params) -> str:
        return self._modify(params, sign=1.0, create=True)

    def _debit_balance(self, params: Params) -> str:
        return self._modify(params, sign=-1.0, create=False)

    def _modify(self, params: Params, *, sign: float, create: bool) -> str:
        value = abs(_number(params, "Value"))
        if value == 0:
            raise RpcError("MANDATORY_IE_MISSING: [Value]")
        key = self._account_for_balance(params, create=create)
        flt = _balance_filter(params.get("Balance"))
        self._top_up(
            self.accounts[key],
            params["BalanceType"],
            flt,
            sign * value,
            reset=bool(params.get("Overwrite")),
        )
        self._touch(key)
        return "OK"

    def _set_balance(self, params: Params) -> str:
        value = abs(_number(params, "Value"))
        flt = _balance_filter(params.get("Balance"))
        if value:
            flt["Value"] = value
        if not flt.get("ID") and not flt.get("Uuid"):
            raise RpcError("MANDATORY_IE_MISSING: [BalanceID or BalanceUUID]")
        key = self._account_for_balance(params, create=True)
        self._set_one_balance(self.accounts[key], params["BalanceType"], flt)
        self._touch(key)
        return "OK"

    # ---- actions and plans -------------------------------------------------------------------
    def _set_actions(self, params: Params) -> str:
        actions_id = params.get("ActionsId")
        actions = params.get("Actions")
        missing = [k for k, v in (("ActionsId", actions_id), ("Actions", actions)) if not v]
        if missing:
            raise RpcError(f"MANDATORY_IE_MISSING: [{' '.join(missing)}]")
        assert isinstance(actions, list)
        stored = []
        for item in actions:
            fields = {
                key: _string_field(item, key, "TPAction")
                for key in (
                    "Identifier",
                    "BalanceId",
                    "BalanceUuid",
                    "BalanceType",
                    "Units",
                    "ExpiryTime",
                    "BalanceWeight",
                    "BalanceBlocker",
                    "BalanceDisabled",
                )
            }
            weight = _number(item, "Weight")
            required = ["Identifier", "Weight"] + (["Units"] if fields["BalanceType"] else [])
            absent = [k for k in required if not (weight if k == "Weight" else fields[k])]
            if absent:
                raise RpcError(
                    f"MANDATORY_IE_MISSING:Action:{fields['Identifier']}:[{' '.join(absent)}]"
                )
            if fields["Units"]:
                self._action_units(fields)  # refused now, as the real one parses it here
            stored.append({**fields, "Weight": weight})
        if actions_id in self.actions and not params.get("Overwrite"):
            raise RpcError("EXISTS")
        self.actions[str(actions_id)] = stored
        return "OK"

    @staticmethod
    def _action_units(action: Params) -> float:
        text = action["Units"]
        if action["BalanceType"] == "*voice":
            return abs(float(_duration(text)))
        try:
            return abs(float(text))
        except ValueError:
            raise RpcError(f'strconv.ParseFloat: parsing "{text}": invalid syntax') from None

    def _run_actions(self, key: str, actions_id: str) -> None:
        """ActionTiming.Execute for one account: all actions or none (PARTIALLY_EXECUTED)."""
        actions = self.actions.get(actions_id)
        if actions is None:
            raise RpcError("NOT_FOUND")
        if key not in self.accounts:
            return  # the real one logs "Could not get account id ... Skipping!" and answers OK
        account = copy.deepcopy(self.accounts[key])
        try:
            for item in sorted(actions, key=lambda a: -a["Weight"]):
                if self._apply_action(account, item):
                    self.accounts.pop(key)  # *remove_account
                    return
        except RpcError:
            raise RpcError("PARTIALLY_EXECUTED") from None
        self.accounts[key] = account
        self._touch(key)

    def _apply_action(self, account: Params, item: Params) -> bool:
        """Apply one action to the account copy; True when the account is to be removed."""
        identifier = item["Identifier"]
        balance_type = item["BalanceType"]
        flt: Params = {}
        if item["BalanceId"]:
            flt["ID"] = item["BalanceId"]
        if item["BalanceUuid"]:
            flt["Uuid"] = item["BalanceUuid"]
        if item["ExpiryTime"]:
            flt["ExpirationDate"] = _expiration_date(item["ExpiryTime"])
        if item["BalanceWeight"]:
            flt["Weight"] = _as_float(item["BalanceWeight"])
        for key in ("Blocker", "Disabled"):
            if item[f"Balance{key}"]:
                flt[key] = _as_bool(item[f"Balance{key}"])
        if identifier in ("*topup", "*topup_reset", "*debit", "*debit_reset", "*set_balance"):
            if balance_type not in BALANCE_TYPES:
                raise RpcError("MANDATORY_IE_MISSING: [BalanceType]")
            units = self._action_units(item)
            if identifier == "*set_balance":
                self._set_one_balance(account, balance_type, {**flt, "Value": units})
            else:
                sign = 1.0 if identifier.startswith("*topup") else -1.0
                reset = identifier.endswith("_reset")
                self._top_up(account, balance_type, flt, sign * units, reset=reset)
        elif identifier in ACCOUNT_ACTIONS:
            field, value = {
                "*enable_account": ("Disabled", False),
                "*disable_account": ("Disabled", True),
                "*allow_negative": ("AllowNegative", True),
                "*deny_negative": ("AllowNegative", False),
            }[identifier]
            account[field] = value
        elif identifier == "*remove_account":
            return True
        elif identifier not in NO_OP_ACTIONS:
            raise RpcError(f"unsupported action {identifier}")
        return False

    def _execute_action(self, params: Params) -> str:
        tenant, account = params.get("Tenant"), params.get("Account")
        if not tenant or not account:
            return "OK"  # an account-less run: none of the balance actions can apply
        self._run_actions(f"{tenant}:{account}", str(params.get("ActionsId") or ""))
        return "OK"

    def _set_action_plan(self, params: Params) -> str:
        plan_id = params.get("Id")
        timings = params.get("ActionPlan")
        missing = [k for k, v in (("Id", plan_id), ("ActionPlan", timings)) if not v]
        if missing:
            raise RpcError(f"MANDATORY_IE_MISSING: [{' '.join(missing)}]")
        assert isinstance(timings, list)
        for timing in timings:
            absent = [k for k in ("ActionsId", "Time", "Weight") if not timing.get(k)]
            if absent:
                raise RpcError(
                    f"MANDATORY_IE_MISSING:Action:{timing.get('ActionsId', '')}:"
                    f"[{' '.join(absent)}]"
                )
        if plan_id in self.action_plans and not params.get("Overwrite"):
            raise RpcError("EXISTS")
        for timing in timings:
            if timing["ActionsId"] not in self.actions:
                raise RpcError(f"BROKEN_REFERENCE:{timing['ActionsId']}")
            moment = str(timing["Time"])
            if moment not in ("*asap", "*every_minute", "*hourly") and not re.fullmatch(
                r"\d{1,2}:\d{1,2}:\d{1,2}", moment
            ):
                raise RpcError(f"UNSUPPORTED_FORMAT:{moment}")
        # A new plan object: accounts bound to the old one are unbound, as in the real one.
        self.action_plans[str(plan_id)] = {
            "Id": plan_id,
            "ActionPlan": [
                {
                    key: timing[key]
                    for key in (
                        "ActionsId",
                        "Years",
                        "Months",
                        "MonthDays",
                        "WeekDays",
                        "Time",
                        "Weight",
                    )
                    if key in timing
                }
                for timing in timings
            ],
            "AccountIDs": set(),
        }
        return "OK"

    # ---- thresholds --------------------------------------------------------------------------
    def _set_threshold_profile(self, params: Params) -> str:
        missing = [k for k in ("Tenant", "ID") if not params.get(k)]
        if missing:
            raise RpcError(f"MANDATORY_IE_MISSING: [{' '.join(missing)}]")
        profile: Params = {
            "Tenant": params["Tenant"],
            "ID": params["ID"],
            "FilterIDs": list(params.get("FilterIDs") or []),
            "ActivationInterval": params.get("ActivationInterval"),
            "MaxHits": int(_number(params, "MaxHits")),
            "MinHits": int(_number(params, "MinHits")),
            "MinSleep": int(_number(params, "MinSleep")),  # a Go duration: nanoseconds
            "Blocker": bool(params.get("Blocker", False)),
            "Weight": _number(params, "Weight"),
            "ActionIDs": list(params.get("ActionIDs") or []),
            "Async": bool(params.get("Async", False)),
        }
        self.thresholds[f"{params['Tenant']}:{params['ID']}"] = profile
        return "OK"

    def _get_threshold_profile(self, params: Params) -> Params:
        profile = self.thresholds.get(f"{params.get('Tenant')}:{params.get('ID')}")
        if profile is None:
            raise RpcError("NOT_FOUND")
        return copy.deepcopy(profile)

    # ---- CDRs --------------------------------------------------------------------------------
    @staticmethod
    def _flags(params: Params) -> dict[str, bool]:
        flags = {"*rals": False, "*store": True, "*rerate": False}  # store_cdrs defaults true
        for flag in params.get("Flags") or []:
            name, _, value = str(flag).partition(":")
            if name in flags:
                flags[name] = value != "false"
        return flags

    def _process_event(self, params: Params) -> str:
        flags = self._flags(params)
        tenant = params.get("Tenant") or DEFAULT_TENANT
        event = params.get("Event")
        if not isinstance(event, dict):
            event = {}
        origin_id = str(event.get("OriginID", ""))
        origin_host = str(event.get("OriginHost", ""))
        run_id = str(event.get("RunID") or "*default")
        cgrid = str(
            event.get("CGRID") or hashlib.sha1((origin_id + origin_host).encode()).hexdigest()
        )
        if f"{cgrid}:{run_id}" in self._processed and not flags["*rerate"]:
            raise RpcError("EXISTS")
        self._processed.add(f"{cgrid}:{run_id}")
        setup = _parse_time(event.get("SetupTime"))
        answer = _parse_time(event.get("AnswerTime")) or setup
        account = str(event.get("Account", ""))
        cdr: Params = {
            "CGRID": cgrid,
            "RunID": run_id,
            "OrderID": len(self.cdrs) + 1,
            "OriginHost": origin_host,
            "Source": str(event.get("Source", "")),
            "OriginID": origin_id,
            "ToR": str(event.get("ToR") or "*voice"),
            "RequestType": str(event.get("RequestType") or "*rated"),
            "Tenant": tenant,
            "Category": str(event.get("Category") or "call"),
            "Account": account,
            "Subject": str(event.get("Subject") or account),
            "Destination": str(event.get("Destination", "")),
            "SetupTime": _rfc3339(setup) if setup else ZERO_TIME,
            "AnswerTime": _rfc3339(answer) if answer else ZERO_TIME,
            "Usage": max(_duration(event.get("Usage", 0)), 0),
            "ExtraFields": {},
            "ExtraInfo": "",
            "Partial": False,
            "PreRated": False,
            "CostSource": "",
            "Cost": -1.0,
            "CostDetails": None,
        }
        if flags["*rals"] and cdr["RequestType"] != "*none":
            try:
                self._rate(cdr, answer or _now())
            except _DebitStopped as stopped:
                cdr["ExtraInfo"] = str(stopped)
        if flags["*store"]:
            self.cdrs.append(cdr)
        return "OK"

    def _rate(self, cdr: Params, at: datetime) -> None:
        """Responder.Debit (or GetCost for *rated) of one CDR; fills Cost and CostDetails."""
        key = f"{cdr['Tenant']}:{cdr['Account']}"
        debit = cdr["RequestType"] in DEBIT_REQUEST_TYPES
        stored = self.accounts.get(key)
        if debit and stored is None:
            raise _DebitStopped("ACCOUNT_NOT_FOUND")
        if debit and stored is not None and stored["Disabled"]:
            raise _DebitStopped("ACCOUNT_DISABLED")
        account = copy.deepcopy(stored) if debit and stored else self._new_account(key)
        tor, remaining = cdr["ToR"], cdr["Usage"]
        charges: list[Params] = []  # (balance, units debited, usage covered, money)

        def charge(balance: Params, units: float, usage: int, cost: Decimal) -> None:
            charges.append({"balance": balance, "units": units, "usage": usage, "cost": cost})

        for balance in sorted(
            (b for b in account["BalanceMap"].get(tor, []) if _usable(b, at)), key=_debit_order
        ):
            take = min(remaining, max(int(balance["Value"]), 0))
            if take:
                balance["Value"] -= take
                remaining -= take
                charge(balance, float(take), take, Decimal(0))
            if balance["Blocker"] and remaining > 0:
                raise _DebitStopped("INSUFFICIENT_CREDIT_BALANCE_BLOCKER")
        cost = Decimal(0)
        if remaining > 0:
            tariff = self.tariffs.get(f"{cdr['Tenant']}:{cdr['Subject']}", {}).get(tor)
            if tariff is None:
                raise _DebitStopped("RATING_PLAN_NOT_FOUND")
            price, rate_unit = tariff
            cost = (price * remaining / rate_unit).quantize(MONEY, rounding=ROUND_HALF_UP)
            left = cost
            for balance in sorted(
                (b for b in account["BalanceMap"].get("*monetary", []) if _usable(b, at)),
                key=_debit_order,
            ):
                take = min(left, max(Decimal(str(balance["Value"])), Decimal(0)))
                if take:
                    balance["Value"] = float(Decimal(str(balance["Value"])) - take)
                    left -= take
                    charge(balance, float(take), int(remaining * take / cost), take)
                if balance["Blocker"] and left > 0:
                    raise _DebitStopped("INSUFFICIENT_CREDIT_BALANCE_BLOCKER")
            if left > 0 and debit:
                # What balances cannot pay goes negative on *default, AllowNegative or not.
                money = account["BalanceMap"].setdefault("*monetary", [])
                default = next((b for b in money if b["ID"] == "*default"), None)
                if default is None:
                    default = _new_balance({"ID": "*default"}, 0.0)
                    money.append(default)
                default["Value"] = float(Decimal(str(default["Value"])) - left)
                charge(default, float(left), int(remaining * left / cost), left)
        if debit:
            self.accounts[key] = account
            self._touch(key)
        cdr["Cost"] = float(cost)
        cdr["CostSource"] = "*cdrs"
        cdr["CostDetails"] = self._event_cost(cdr, account, charges, cost)

    @staticmethod
    def _event_cost(
        cdr: Params, account: Params, charges: list[Params], cost: Decimal
    ) -> dict[str, Any]:
        """An engine.EventCost: one charging interval, an increment per balance touched, the
        Accounting that says how much each balance gave, and the account after the debit."""
        accounting = {
            f"acc{i}": {
                "AccountID": account["ID"],
                "BalanceUUID": item["balance"]["Uuid"],
                "RatingID": "",
                "Units": item["units"],
                "ExtraChargeID": "",
            }
            for i, item in enumerate(charges)
        }
        return {
            "CGRID": cdr["CGRID"],
            "RunID": cdr["RunID"],
            "StartTime": cdr["AnswerTime"],
            "Usage": cdr["Usage"],
            "Cost": float(cost),
            "Charges": [
                {
                    "RatingID": "",
                    "Increments": [
                        {
                            "Usage": item["usage"],
                            "Cost": float(item["cost"]),
                            "AccountingID": f"acc{i}",
                            "CompressFactor": 1,
                        }
                        for i, item in enumerate(charges)
                    ],
                    "CompressFactor": 1,
                }
            ],
            "AccountSummary": {
                "Tenant": account["ID"].partition(":")[0],
                "ID": account["ID"].partition(":")[2],
                "BalanceSummaries": [
                    {
                        "UUID": b["Uuid"],
                        "ID": b["ID"],
                        "Type": balance_type,
                        "Value": b["Value"],
                        "Disabled": b["Disabled"],
                    }
                    for balance_type, balances in account["BalanceMap"].items()
                    for b in balances
                ],
                "AllowNegative": account["AllowNegative"],
                "Disabled": account["Disabled"],
            },
            "Rating": {},
            "Accounting": accounting,
            "RatingFilters": {},
            "Rates": {},
            "Timings": {},
        }

    def _get_cdrs(self, params: Params) -> list[Params]:
        filters = {
            "CGRIDs": "CGRID",
            "RunIDs": "RunID",
            "OriginIDs": "OriginID",
            "OriginHosts": "OriginHost",
            "ToRs": "ToR",
            "RequestTypes": "RequestType",
            "Tenants": "Tenant",
            "Categories": "Category",
            "Accounts": "Account",
            "Subjects": "Subject",
        }
        start = _parse_time(params.get("SetupTimeStart"))
        end = _parse_time(params.get("SetupTimeEnd"))
        found = []
        for cdr in self.cdrs:
            if any(
                params.get(key) and cdr[field] not in params[key] for key, field in filters.items()
            ):
                continue
            setup = _parse_time(cdr["SetupTime"])
            if start and (setup is None or setup < start):
                continue
            if end and (setup is None or setup >= end):
                continue
            found.append(cdr)
        offset = int(params.get("Offset") or 0)
        limit = params.get("Limit")
        found = found[offset : offset + int(limit)] if limit else found[offset:]
        if not found:
            raise RpcError("SERVER_ERROR: NOT_FOUND")
        return copy.deepcopy(found)


@pytest.fixture
def fake_cgrates() -> Iterator[FakeCGRateS]:
    """A running fake CGRateS for one test; ``fake_cgrates.url`` is its JSON-RPC endpoint."""
    with FakeCGRateS() as fake:
        yield fake
