"""What charging tells the domains above it (provisioning applies a sold add-on to the
network)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from omnicrm.core.events import Event


@dataclass(frozen=True)
class AddonSold(Event):
    """An add-on was sold onto a live service: its price taken from the service's monetary
    balance (``account``, movement ``reference``) and its balances added. ``prepaid``: the
    balance could not go below zero, so the price was paid from it; otherwise (postpaid) it
    is owed, for billing to invoice."""

    service_id: int
    addon_product_id: int
    account: str = ""
    reference: str = ""
    price: Decimal = Decimal(0)
    prepaid: bool = True


@dataclass(frozen=True)
class ThresholdCrossed(Event):
    """A service's balance reached one of its product's threshold levels, for the first time
    this period: ``threshold`` names it (``data:80``, ``sms:exhausted``, ``monetary:below``),
    ``value`` is the balance then; ``play`` is set when the product runs a play at that level."""

    service_id: int
    customer_id: int
    account: str
    threshold: str
    balance_type: str
    percent_used: int | None
    below: Decimal | None
    value: Decimal
    play: str | None
