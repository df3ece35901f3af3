"""Stripe, through the official ``stripe`` library (on when ``STRIPE_SECRET_KEY`` is set).

Cards are saved as Stripe PaymentMethods on a Stripe customer (a SetupIntent lets the browser's
Stripe Elements collect the card; we keep its token, brand, last 4 and expiry). A payment is a
PaymentIntent confirmed at once with a saved card; every create call carries our payment's
``gateway_key`` as its idempotency key and in its metadata, so a retry never charges twice and
a payment whose answer was lost is found again (:meth:`StripeGateway.find`). Webhook payloads
are checked with Stripe's signature scheme (HMAC-SHA256 over ``t.payload``, a tolerance on
``t``) before anything in them is believed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe

from omnicrm.core.errors import DomainError
from omnicrm.extensions import get_settings
from omnicrm.payments.gateway import (
    CardDetails,
    GatewayCharge,
    GatewayRefused,
    GatewayUnavailable,
    Outcome,
    SetupIntent,
    from_minor,
    to_minor,
)

KEY_FIELD = "omnicrm_key"  # our payment's gateway_key, in the PaymentIntent's metadata
# Errors after which the request may or may not have been applied at Stripe.
UNCERTAIN = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)


class BadSignature(DomainError):
    status, code = 400, "bad_signature"


def _unavailable(error: stripe.StripeError) -> GatewayUnavailable:
    # The library's message never carries a key or a card number; the request id helps support.
    return GatewayUnavailable(
        f"Stripe: {error.user_message or type(error).__name__}",
        extra={"gateway_request_id": error.request_id} if error.request_id else None,
    )


def plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as a plain dict (StripeObject is not a dict; webhooks bring dicts)."""
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    result: dict[str, Any] = obj.to_dict()
    return result


def card_details(method: dict[str, Any]) -> CardDetails:
    card = method["card"]
    return CardDetails(
        reference=method["id"],
        brand=str(card.get("brand") or "card"),
        last4=str(card.get("last4") or ""),
        exp_month=int(card["exp_month"]),
        exp_year=int(card["exp_year"]),
        customer_reference=method.get("customer"),
    )


def intent_outcome(intent: dict[str, Any]) -> Outcome:
    """A PaymentIntent's state as an outcome of ours."""
    status = intent["status"]
    error = intent.get("last_payment_error") or {}
    if status == "succeeded":
        return Outcome("succeeded", reference=intent["id"])
    if status in ("requires_action", "requires_confirmation"):
        return Outcome(
            "requires_action",
            reference=intent["id"],
            client_secret=intent.get("client_secret"),
            failure_code=error.get("code"),
        )
    if status == "processing":
        return Outcome("pending", reference=intent["id"])
    return Outcome(  # requires_payment_method (declined) or canceled
        "failed",
        reference=intent["id"],
        failure_code=error.get("decline_code")
        or error.get("code")
        or intent.get("cancellation_reason")
        or status,
        failure_message=(error.get("message") or f"the payment is {status}")[:300],
    )


class StripeGateway:
    name = "stripe"

    def __init__(
        self,
        secret_key: str,
        *,
        api_base: str = "https://api.stripe.com",
        timeout: float = 30.0,
        max_network_retries: int = 2,
        webhook_secret: str = "",
        webhook_tolerance: int = 300,
        publishable_key: str = "",
    ) -> None:
        # Typed loosely: we pass plain dicts and read plain dicts (see :func:`plain`).
        self.client: Any = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base},
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=timeout),
        )
        self.webhook_secret = webhook_secret
        self.webhook_tolerance = webhook_tolerance
        self.publishable_key = publishable_key

    # --- customers and cards -------------------------------------------------------------------
    def create_customer(self, *, customer_id: int, name: str, email: str | None, key: str) -> str:
        params: dict[str, Any] = {"name": name, "metadata": {"omnicrm_customer_id": customer_id}}
        if email:
            params["email"] = email
        try:
            created = plain(self.client.v1.customers.create(params, {"idempotency_key": key}))
        except stripe.StripeError as error:
            raise _unavailable(error) from error
        return str(created["id"])

    def setup_intent(self, customer_reference: str) -> SetupIntent:
        try:
            intent = plain(
                self.client.v1.setup_intents.create(
                    {"customer": customer_reference, "usage": "off_session"}
                )
            )
        except stripe.StripeError as error:
            raise _unavailable(error) from error
        return SetupIntent(reference=intent["id"], client_secret=intent["client_secret"])

    def attach(self, *, token: str, customer_reference: str) -> CardDetails:
        """Attach a card token (from a SetupIntent or Elements) to the customer, unless Stripe
        already has it there; its details as Stripe holds them."""
        try:
            method = plain(self.client.v1.payment_methods.retrieve(token))
            if method.get("customer") != customer_reference:
                if method.get("customer"):
                    raise GatewayRefused("the card belongs to another Stripe customer")
                method = plain(
                    self.client.v1.payment_methods.attach(token, {"customer": customer_reference})
                )
        except stripe.CardError as error:
            raise GatewayRefused(f"Stripe refused the card: {error.user_message}") from error
        except stripe.InvalidRequestError as error:
            raise GatewayRefused(f"Stripe: {error.user_message}") from error
        except stripe.StripeError as error:
            raise _unavailable(error) from error
        if method.get("type") != "card":
            raise GatewayRefused("only cards can be saved")
        return card_details(method)

    def card(self, reference: str) -> CardDetails:
        try:
            return card_details(plain(self.client.v1.payment_methods.retrieve(reference)))
        except stripe.StripeError as error:
            raise _unavailable(error) from error

    def detach(self, reference: str) -> None:
        try:
            self.client.v1.payment_methods.detach(reference)
        except stripe.InvalidRequestError:
            return  # already detached (or gone): what we wanted
        except stripe.StripeError as error:
            raise _unavailable(error) from error

    def set_default(self, *, customer_reference: str, card_reference: str) -> None:
        try:
            self.client.v1.customers.update(
                customer_reference,
                {"invoice_settings": {"default_payment_method": card_reference}},
            )
        except stripe.StripeError as error:
            raise _unavailable(error) from error

    # --- money -----------------------------------------------------------------------------------
    def charge(
        self,
        *,
        amount: Decimal,
        currency: str,
        key: str,
        customer_reference: str | None = None,
        card_reference: str | None = None,
        off_session: bool = True,
        description: str = "",
    ) -> Outcome:
        params: dict[str, Any] = {
            "amount": to_minor(amount, currency),
            "currency": currency.lower(),
            "customer": customer_reference,
            "payment_method": card_reference,
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": {KEY_FIELD: key},
            "description": description[:1000],
        }
        if off_session:
            params["off_session"] = True
        try:
            intent = plain(self.client.v1.payment_intents.create(params, {"idempotency_key": key}))
        except stripe.CardError as error:
            intent = plain(error.error.payment_intent if error.error else None)
            if error.code == "authentication_required" and intent.get("id"):
                # The bank wants the customer: the intent can still be confirmed on-session.
                return Outcome(
                    "requires_action",
                    reference=intent["id"],
                    client_secret=intent.get("client_secret"),
                    failure_code="authentication_required",
                    failure_message=(error.user_message or "")[:300] or None,
                )
            return Outcome(
                "failed",
                reference=intent.get("id"),
                failure_code=getattr(error.error, "decline_code", None) or error.code,
                failure_message=(error.user_message or "the card was declined")[:300],
            )
        except UNCERTAIN:
            return Outcome("unknown")  # the reconciler finds out (by the key in the metadata)
        except stripe.InvalidRequestError as error:
            return Outcome(
                "failed",
                failure_code=error.code or "invalid_request",
                failure_message=(error.user_message or "Stripe refused the payment")[:300],
            )
        except stripe.StripeError as error:
            raise _unavailable(error) from error
        return intent_outcome(intent)

    def intent(self, reference: str) -> Outcome:
        try:
            return intent_outcome(plain(self.client.v1.payment_intents.retrieve(reference)))
        except stripe.InvalidRequestError:
            return Outcome("failed", reference=reference, failure_code="not_at_gateway")
        except stripe.StripeError as error:
            raise _unavailable(error) from error

    def find(self, key: str) -> Outcome | None:
        """The PaymentIntent made for our payment ``key`` (None: Stripe never got it)."""
        try:
            found = plain(
                self.client.v1.payment_intents.search(
                    {"query": f"metadata['{KEY_FIELD}']:'{key}'", "limit": 1}
                )
            )
        except stripe.StripeError as error:
            raise _unavailable(error) from error
        return intent_outcome(found["data"][0]) if found["data"] else None

    def refund(self, *, reference: str | None, amount: Decimal, currency: str, key: str) -> str:
        if not reference:
            raise GatewayRefused("the payment has no Stripe PaymentIntent to refund")
        try:
            refund = plain(
                self.client.v1.refunds.create(
                    {"payment_intent": reference, "amount": to_minor(amount, currency)},
                    {"idempotency_key": key},
                )
            )
        except stripe.InvalidRequestError as error:
            raise GatewayRefused(f"Stripe refused the refund: {error.user_message}") from error
        except stripe.StripeError as error:
            raise _unavailable(error) from error
        return str(refund["id"])

    def charges(self, start: datetime, end: datetime) -> Iterator[GatewayCharge]:
        """Every charge created in [start, end), paging through Stripe's list."""
        params = {
            "created": {"gte": int(start.timestamp()), "lt": int(end.timestamp())},
            "limit": 100,
        }
        try:
            page = self.client.v1.charges.list(params)
            for item in page.auto_paging_iter():
                charge = plain(item)
                currency = str(charge["currency"]).upper()
                yield GatewayCharge(
                    charge_reference=charge["id"],
                    payment_reference=charge.get("payment_intent"),
                    key=(charge.get("metadata") or {}).get(KEY_FIELD),
                    amount=from_minor(charge["amount"], currency),
                    amount_refunded=from_minor(charge.get("amount_refunded") or 0, currency),
                    currency=currency,
                    status=charge["status"],
                    created=datetime.fromtimestamp(charge["created"], UTC),
                )
        except stripe.StripeError as error:
            raise _unavailable(error) from error

    # --- webhooks --------------------------------------------------------------------------------
    def verify(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The event in a webhook payload, once its signature and timestamp check out."""
        if not self.webhook_secret:
            raise BadSignature("no STRIPE_WEBHOOK_SECRET is set: webhooks are not accepted")
        try:
            stripe.WebhookSignature.verify_header(
                payload, signature, self.webhook_secret, self.webhook_tolerance
            )
        except stripe.SignatureVerificationError as error:
            raise BadSignature(f"the Stripe-Signature does not verify: {error}") from error
        try:
            event = json.loads(payload)
        except ValueError as error:
            raise BadSignature("the payload is not JSON") from error
        if not isinstance(event, dict) or event.get("object") != "event" or "id" not in event:
            raise BadSignature("the payload is not a Stripe event")
        return event


_cache: dict[tuple[Any, ...], StripeGateway] = {}
_cache_lock = threading.Lock()


def configured() -> StripeGateway | None:
    """The Stripe gateway the settings describe, or None when no secret key is set. One per
    configuration, so its HTTP connections are reused."""
    settings = get_settings()
    if not settings.stripe_secret_key:
        return None
    config = (
        settings.stripe_secret_key,
        settings.stripe_api_base,
        settings.stripe_timeout_seconds,
        settings.stripe_max_network_retries,
        settings.stripe_webhook_secret,
        settings.stripe_webhook_tolerance_seconds,
        settings.stripe_publishable_key,
    )
    with _cache_lock:
        gateway = _cache.get(config)
        if gateway is None:
            gateway = _cache[config] = StripeGateway(
                settings.stripe_secret_key,
                api_base=settings.stripe_api_base,
                timeout=settings.stripe_timeout_seconds,
                max_network_retries=settings.stripe_max_network_retries,
                webhook_secret=settings.stripe_webhook_secret,
                webhook_tolerance=settings.stripe_webhook_tolerance_seconds,
                publishable_key=settings.stripe_publishable_key,
            )
        return gateway
