"""The payment gateway seam: who takes the money.

``ManualGateway`` is the embedded default: staff record cash, bank, voucher and terminal
payments taken elsewhere; nothing is sent anywhere. ``StripeGateway`` (on when
``STRIPE_SECRET_KEY`` is set) charges saved cards through Stripe with the official library; see
``stripe_gateway.py``. A gateway answers a charge with an :class:`Outcome`, never an exception
for a declined card or a lost answer: those are states of the payment (``failed``,
``unknown``), kept so that the reconciler and the webhook can finish them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

from omnicrm.core.errors import DomainError, ValidationFailed

OutcomeStatus = Literal["succeeded", "pending", "requires_action", "failed", "unknown"]

# ISO 4217 currencies Stripe counts in whole units (no minor unit).
ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()  # noqa: SIM905
)


class GatewayUnavailable(DomainError):
    """The gateway could not be reached or refused our credentials: nothing was changed."""

    status, code = 503, "gateway_unavailable"


class GatewayRefused(DomainError):
    """The gateway refused the request (a refund it will not make, a card it will not save)."""

    status, code = 409, "gateway_refused"


@dataclass(frozen=True)
class Outcome:
    """What the gateway said about a charge."""

    status: OutcomeStatus
    reference: str | None = None  # the gateway's payment (a PaymentIntent ``pi_…``)
    client_secret: str | None = None  # for the browser to finish 3-D Secure
    failure_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class CardDetails:
    """What may be kept of a card: its token and what can be shown, never its number."""

    reference: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    customer_reference: str | None = None


@dataclass(frozen=True)
class GatewayCharge:
    """One charge in the gateway's records (reconciliation reads these)."""

    charge_reference: str
    payment_reference: str | None  # its PaymentIntent
    key: str | None  # our ``gateway_key`` from its metadata, when we made it
    amount: Decimal
    amount_refunded: Decimal
    currency: str
    status: str
    created: datetime


@dataclass(frozen=True)
class SetupIntent:
    reference: str
    client_secret: str


class Gateway(Protocol):
    @property
    def name(self) -> str: ...

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
    ) -> Outcome: ...

    def refund(self, *, reference: str | None, amount: Decimal, currency: str, key: str) -> str: ...


@dataclass(frozen=True)
class ManualGateway:
    """Money taken elsewhere and recorded by staff: each payment and refund gets a reference
    of its own."""

    name: str = "manual"

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
        return Outcome("succeeded", reference=f"manual-{uuid.uuid4().hex[:16]}")

    def refund(self, *, reference: str | None, amount: Decimal, currency: str, key: str) -> str:
        return f"manual-refund-{uuid.uuid4().hex[:16]}"


MANUAL = ManualGateway()


def to_minor(amount: Decimal, currency: str, field: str = "amount") -> int:
    """``amount`` in the currency's minor units (cents), refused when it has finer parts."""
    exponent = 0 if currency.upper() in ZERO_DECIMAL else 2
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValidationFailed.field(
            field, f"{currency} amounts have at most {exponent} decimal places at the gateway"
        )
    return int(scaled)


def from_minor(value: int, currency: str) -> Decimal:
    exponent = 0 if currency.upper() in ZERO_DECIMAL else 2
    return Decimal(value).scaleb(-exponent)
