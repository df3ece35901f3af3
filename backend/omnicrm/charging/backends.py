"""The balances OmniCRM changes, on whichever backend ``CHARGING_BACKEND`` names.

Every change OmniCRM makes (a top-up, an allowance, an add-on and its price) is written to the
internal ledger in the request's transaction: with ``internal`` that ledger *is* the balance;
with ``cgrates`` it is the journal of what OmniCRM asked (``GET /crm/service/<id>/ledger``) and
the same change is then made in CGRateS, which holds the balances that count (balances are read
from it, usage is debited inside it). The journal is written first, so a refused CGRateS call
rolls it back with the request; only a commit that fails after CGRateS took the change leaves
the two apart (the request answers 5xx and the change is in CGRateS alone).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from omnicrm.charging.cgrates import CGRatesBackend
from omnicrm.charging.ledger import Idempotency, InsufficientBalance, InternalLedger
from omnicrm.charging.models import BalanceMovement, ChargingAccount
from omnicrm.charging.ports import AccountOptions, Balance, BalanceSpec, BalanceType, Cause
from omnicrm.extensions import get_settings


def remote_backend() -> CGRatesBackend | None:
    """The external engine that holds the balances, or None when the internal ledger does."""
    settings = get_settings()
    if settings.charging_backend != "cgrates":
        return None
    return CGRatesBackend(settings.cgrates_url, tenant=settings.cgrates_tenant)


class Charging:
    """One unit of work's view of the charging backend (see the module's docstring)."""

    def __init__(self, session: Session, remote: CGRatesBackend | None = None) -> None:
        self.session = session
        self.ledger = InternalLedger(session)
        self.remote = remote

    @classmethod
    def configured(cls, session: Session) -> Charging:
        return cls(session, remote_backend())

    @property
    def name(self) -> str:
        return self.remote.name if self.remote else self.ledger.name

    def open_account(
        self, account: str, options: AccountOptions, *, service_id: int
    ) -> ChargingAccount:
        """The account, opened on both sides the first time. The journal of a remote backend
        never refuses a change: the remote one decides."""
        existed = self.session.get(ChargingAccount, account) is not None
        local = options if self.remote is None else AccountOptions(allow_negative=True)
        row = self.ledger.create_account(account, local, service_id=service_id)
        if self.remote is not None and not existed:
            self.remote.create_account(account, options)
        return row

    def lock_account(self, account: str) -> None:
        """Serialise OmniCRM's changes to one account (a sale checks, then debits)."""
        self.ledger.lock_account(account)

    def balances(self, account: str) -> list[Balance]:
        if self.session.get(ChargingAccount, account) is None:
            return []  # never opened: nothing to ask the remote backend
        if self.remote is None:
            return self.ledger.balances(account)
        return sorted(
            self.remote.balances(account),
            key=lambda b: (b.balance_type.value, -b.weight, b.expiry is None, b.expiry or 0),
        )

    def add(
        self,
        account: str,
        spec: BalanceSpec,
        *,
        cause: Cause,
        reference: str,
        user_id: int | None = None,
        idempotency: Idempotency | None = None,
    ) -> BalanceMovement:
        movement = self.ledger.add_balance(
            account,
            spec,
            cause=cause,
            reference=reference,
            user_id=user_id,
            idempotency=idempotency,
        )
        if self.remote is not None:
            self.remote.add_balance(account, spec, cause=cause, reference=reference)
        return movement

    def add_by_action(
        self,
        account: str,
        action_id: str,
        specs: list[BalanceSpec],
        *,
        cause: Cause,
        reference: str,
        user_id: int | None = None,
        idempotency: Idempotency | None = None,
    ) -> None:
        """Add named balances as one action (an add-on: ``Action_<slug>``): journalled one
        movement each; CGRateS defines the action and executes it on the account."""
        for index, spec in enumerate(specs):
            self.ledger.add_balance(
                account,
                spec,
                cause=cause,
                reference=reference,
                user_id=user_id,
                idempotency=idempotency if index == 0 else None,
            )
        if self.remote is not None and specs:
            self.remote.top_up_by_action(account, action_id, specs)

    def set(self, account: str, spec: BalanceSpec, *, cause: Cause, reference: str) -> None:
        self.ledger.set_balance(account, spec, cause=cause, reference=reference)
        if self.remote is not None:
            self.remote.set_balance(account, spec, cause=cause, reference=reference)

    def charge(
        self,
        account: str,
        amount: Decimal,
        *,
        cause: Cause,
        reference: str,
        allow_negative: bool,
        user_id: int | None = None,
        idempotency: Idempotency | None = None,
    ) -> BalanceMovement:
        """Take ``amount`` of money. Without overdraft, less money than that is a 409 and
        nothing changes (the internal ledger's debit refuses it; CGRateS's DebitBalance would
        go below zero, so its balances are read first under the account lock)."""
        spec = BalanceSpec(BalanceType.monetary, amount)
        if self.remote is not None and not allow_negative:
            money = [
                b for b in self.remote.balances(account) if b.balance_type == spec.balance_type
            ]
            held = sum((b.value for b in money), Decimal(0))
            if held < amount:
                raise InsufficientBalance(
                    f"monetary balance holds {held}, less than {amount}",
                    extra={"balance_id": "*default"},
                )
        movement = self.ledger.debit_balance(
            account,
            spec,
            cause=cause,
            reference=reference,
            user_id=user_id,
            idempotency=idempotency,
        )
        if self.remote is not None:
            self.remote.debit_balance(account, spec, cause=cause, reference=reference)
        return movement
