"""The charging seam: what OmniCRM asks of a charging backend, whichever one runs.

``CHARGING_BACKEND`` picks who keeps balances. CGRateS (``cgrates``, ``charging/cgrates.py``)
implements the whole :class:`ChargingBackend`. The internal ledger (``internal``, the embedded
default, ``charging/ledger.py``) implements its accounts and balances; rating over it is
``charging/rating.py``. The use cases reach either through ``charging/backends.py``: an add-on's
named action (``Action_<slug>``) is its balances added (CGRateS defines and executes the
action), allowances renew through the scheduler on both (``charging/allowances.py``), and
thresholds are the products' levels checked by OmniCRM on both (``charging/thresholds.py``), so
CGRateS's action plans and ThresholdS stay available to a deployment but the API does not need
them. A service's charging account is its ``service_uuid``. Amounts are ``Decimal`` in the units
of the balance type: money in the service's currency, data in MB, voice in minutes, SMS in
messages (a backend converts at its edge; CGRateS wants bytes and durations).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from omnicrm.core.errors import DomainError


class BalanceType(enum.StrEnum):
    monetary = "monetary"
    data = "data"
    voice = "voice"
    sms = "sms"


class Cause(enum.StrEnum):
    """Why a balance moved (every movement names one)."""

    topup = "topup"
    allowance = "allowance"
    usage = "usage"
    adjustment = "adjustment"
    expiry = "expiry"
    addon = "addon"


class UsageType(enum.StrEnum):
    data = "data"
    voice = "voice"
    sms = "sms"


@dataclass(frozen=True)
class BalanceSpec:
    """A balance to add to or set on an account. ``balance_id`` names it (allowances are named
    after the product so a renewal finds the one it renews); without one a top-up joins the
    account's existing unnamed balance of the same type, extending its expiry."""

    balance_type: BalanceType
    value: Decimal
    balance_id: str | None = None
    expiry: datetime | None = None
    weight: int = 10
    blocker: bool = False


@dataclass(frozen=True)
class Balance:
    balance_type: BalanceType
    balance_id: str
    value: Decimal
    expiry: datetime | None
    weight: int
    blocker: bool


@dataclass(frozen=True)
class Rate:
    """What one unit of usage costs past the allowances (``None``: the product does not rate it,
    so such usage is rejected)."""

    per_mb: Decimal | None = None
    per_minute: Decimal | None = None
    per_sms: Decimal | None = None


@dataclass(frozen=True)
class UsageRecord:
    record_id: str
    account: str
    usage_type: UsageType
    units: Decimal  # MB, minutes or messages
    start_time: datetime
    destination: str | None = None


class RecordOutcome(enum.StrEnum):
    rated = "rated"
    rejected = "rejected"
    duplicate = "duplicate"
    arrears = "arrears"  # postpaid: could not be paid from balances, billed later


@dataclass(frozen=True)
class RatedRecord:
    record_id: str
    outcome: RecordOutcome
    from_allowance: Decimal = Decimal(0)  # units drawn from unit balances
    charged: Decimal = Decimal(0)  # money debited from the monetary balance
    arrears: Decimal = Decimal(0)  # money left for the invoice (postpaid)
    reason: str | None = None


@dataclass(frozen=True)
class Threshold:
    """Fire when a balance type falls to ``percent`` of its allowance used (data/voice/sms), or a
    monetary balance below ``below`` (money)."""

    threshold_id: str
    balance_type: BalanceType
    percent_used: Decimal | None = None
    below: Decimal | None = None


@dataclass
class AccountOptions:
    allow_negative: bool = False
    disabled: bool = False
    action_plan_ids: list[str] = field(default_factory=list)


class ChargingError(DomainError):
    """The backend refused or failed a call; ``str()`` says what and why (502: the API's
    request was valid, the charging engine behind it failed it)."""

    status, code = 502, "charging_failed"


class ChargingUnavailable(ChargingError):
    """The backend could not be reached in time (after bounded retries)."""

    status, code = 503, "charging_unavailable"


class ChargingBackend(Protocol):
    name: str

    def create_account(self, account: str, options: AccountOptions | None = None) -> None: ...

    def remove_account(self, account: str) -> None: ...

    def add_balance(self, account: str, spec: BalanceSpec, *, cause: Cause, reference: str) -> None:
        """Add ``spec.value`` (a top-up onto an existing balance of the same id extends its
        expiry to the later of the two)."""

    def set_balance(self, account: str, spec: BalanceSpec, *, cause: Cause, reference: str) -> None:
        """Set the named balance to exactly ``spec.value`` (an allowance renewal)."""

    def debit_balance(
        self, account: str, spec: BalanceSpec, *, cause: Cause, reference: str
    ) -> None: ...

    def balances(self, account: str) -> list[Balance]: ...

    def execute_action(self, account: str, action_id: str) -> None: ...

    def set_action_plan(self, plan_id: str, actions_id: str, *, month_day: int) -> None: ...

    def set_thresholds(self, account: str, thresholds: Sequence[Threshold]) -> None: ...

    def rate(
        self, records: Sequence[UsageRecord], rates: dict[str, Rate], *, postpaid: set[str]
    ) -> list[RatedRecord]:
        """Rate and debit a batch: unit balances of the record's type first (highest weight,
        then soonest expiry), then ``rates[account]`` against the monetary balance. ``postpaid``
        names the accounts whose unpaid usage is kept as arrears instead of rejected."""
