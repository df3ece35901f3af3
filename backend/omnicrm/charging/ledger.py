"""The internal ledger (``CHARGING_BACKEND=internal``): balances and movements in our database.

Every change is one movement row written in the same transaction as the balance it changes.
The balance row is locked (``FOR UPDATE`` on PostgreSQL) and its value changed by one
``UPDATE ... SET value = value + :amount ... RETURNING value``, so concurrent top-ups and debits
on one balance serialise in the database and none is lost; a debit that would go below zero
(without overdraft) matches no row and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.charging.models import BalanceMovement, ChargingAccount, ChargingBalance
from omnicrm.charging.ports import AccountOptions, Balance, BalanceSpec, BalanceType, Cause
from omnicrm.core.db import utcnow
from omnicrm.core.errors import Conflict, NotFound


class InsufficientBalance(Conflict):
    code = "insufficient_balance"


@dataclass(frozen=True)
class Idempotency:
    """A caller's scoped ``Idempotency-Key`` and the fingerprint of its request."""

    key: str
    request_hash: str


def default_balance_id(account: str, balance_type: BalanceType) -> str:
    """Where an unnamed top-up goes: one balance per kind (named as the CGRateS backend does)."""
    if balance_type == BalanceType.monetary:
        return "*default"
    return f"{account}-topup-{balance_type.value}"


class InternalLedger:
    name = "internal"

    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- accounts -------------------------------------------------------------------------
    def create_account(
        self, account: str, options: AccountOptions | None = None, *, service_id: int | None = None
    ) -> ChargingAccount:
        """The account, created if missing (a concurrent creator's row is reused)."""
        existing = self.session.get(ChargingAccount, account)
        if existing is not None:
            if options is not None:
                existing.allow_negative = options.allow_negative
                existing.disabled = options.disabled
            return existing
        options = options or AccountOptions()
        row = ChargingAccount(
            account=account,
            service_id=service_id,
            allow_negative=options.allow_negative,
            disabled=options.disabled,
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            found = self.session.get(ChargingAccount, account)
            if found is None:
                raise
            return found
        return row

    def lock_account(self, account: str) -> None:
        """Hold the account's row until the transaction ends (``FOR UPDATE``)."""
        self.session.scalars(
            select(ChargingAccount.account)
            .where(ChargingAccount.account == account)
            .with_for_update()
        ).one_or_none()

    def remove_account(self, account: str) -> None:
        row = self.session.get(ChargingAccount, account)
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    # ---- balances -------------------------------------------------------------------------
    def balances(self, account: str, *, now: datetime | None = None) -> list[Balance]:
        """Live balances, highest weight (used first) then soonest expiry first."""
        now = now or utcnow()
        rows = self.session.scalars(
            select(ChargingBalance)
            .where(ChargingBalance.account == account)
            .where((ChargingBalance.expiry.is_(None)) | (ChargingBalance.expiry > now))
            .order_by(
                ChargingBalance.balance_type,
                ChargingBalance.weight.desc(),
                ChargingBalance.expiry.is_(None),
                ChargingBalance.expiry,
            )
        )
        return [
            Balance(
                balance_type=row.balance_type,
                balance_id=row.balance_id,
                value=row.value,
                expiry=row.expiry,
                weight=row.weight,
                blocker=row.blocker,
            )
            for row in rows
        ]

    def add_balance(
        self,
        account: str,
        spec: BalanceSpec,
        *,
        cause: Cause,
        reference: str,
        user_id: int | None = None,
        idempotency: Idempotency | None = None,
    ) -> BalanceMovement:
        """Add ``spec.value``; onto an existing balance the expiry becomes the later of the two
        (no expiry on either side: none)."""
        return self._move(
            account, spec, spec.value, cause, reference, user_id, idempotency, extend=True
        )

    def debit_balance(
        self,
        account: str,
        spec: BalanceSpec,
        *,
        cause: Cause,
        reference: str,
        user_id: int | None = None,
        idempotency: Idempotency | None = None,
    ) -> BalanceMovement:
        return self._move(account, spec, -spec.value, cause, reference, user_id, idempotency)

    def set_balance(
        self, account: str, spec: BalanceSpec, *, cause: Cause, reference: str
    ) -> BalanceMovement:
        """Set the balance to exactly ``spec.value`` (an allowance renewal): one movement of the
        difference, with the given expiry."""
        row = self._locked_balance(account, spec)
        movement = self._move(
            account, spec, spec.value - row.value, cause, reference, None, None, set_expiry=True
        )
        return movement

    # ---- checks ---------------------------------------------------------------------------
    def verify(self, account: str) -> list[str]:
        """Problems with the account's ledger (none expected): each balance's value must equal
        the sum of its movements, and each movement's ``value_after`` the running sum."""
        problems: list[str] = []
        for balance in self.session.scalars(
            select(ChargingBalance).where(ChargingBalance.account == account)
        ):
            running = Decimal(0)
            for movement in self.session.scalars(
                select(BalanceMovement)
                .where(BalanceMovement.balance_pk == balance.balance_pk)
                .order_by(BalanceMovement.movement_id)
            ):
                running += movement.amount
                if movement.value_after != running:
                    problems.append(
                        f"{balance.balance_id}: movement {movement.movement_id} left "
                        f"{movement.value_after}, its running sum is {running}"
                    )
            if balance.value != running:
                problems.append(
                    f"{balance.balance_id}: value {balance.value}, movements sum to {running}"
                )
        return problems

    # ---- internals ------------------------------------------------------------------------
    def _move(
        self,
        account: str,
        spec: BalanceSpec,
        amount: Decimal,
        cause: Cause,
        reference: str,
        user_id: int | None,
        idempotency: Idempotency | None,
        *,
        extend: bool = False,
        set_expiry: bool = False,
    ) -> BalanceMovement:
        owner = self.session.get(ChargingAccount, account)
        if owner is None:
            raise NotFound(f"charging account {account} does not exist")
        row = self._locked_balance(account, spec)
        expiry = row.expiry
        if set_expiry:
            expiry = spec.expiry
        elif extend and amount > 0:
            expiry = None if expiry is None or spec.expiry is None else max(expiry, spec.expiry)
        stmt = (
            update(ChargingBalance)
            .where(ChargingBalance.balance_pk == row.balance_pk)
            .values(value=ChargingBalance.value + amount, expiry=expiry, updated_at=utcnow())
            .returning(ChargingBalance.value)
            .execution_options(synchronize_session=False)
        )
        if amount < 0 and not owner.allow_negative:
            stmt = stmt.where(ChargingBalance.value + amount >= 0)
        value_after = self.session.scalar(stmt)
        if value_after is None:
            raise InsufficientBalance(
                f"{spec.balance_type.value} balance {row.balance_id} holds less than {-amount}",
                extra={"balance_id": row.balance_id},
            )
        movement = BalanceMovement(
            balance_pk=row.balance_pk,
            amount=amount,
            value_after=value_after,
            cause=cause,
            reference=reference,
            user_id=user_id,
            idempotency_key=idempotency.key if idempotency else None,
            request_hash=idempotency.request_hash if idempotency else None,
        )
        self.session.add(movement)
        self.session.flush()
        self.session.expire(row)
        return movement

    def _locked_balance(self, account: str, spec: BalanceSpec) -> ChargingBalance:
        """The balance row (created if missing), locked for this transaction."""
        balance_id = spec.balance_id or default_balance_id(account, spec.balance_type)
        query = (
            select(ChargingBalance)
            .where(ChargingBalance.account == account)
            .where(ChargingBalance.balance_type == spec.balance_type)
            .where(ChargingBalance.balance_id == balance_id)
            .with_for_update()
        )
        row = self.session.scalars(query).one_or_none()
        if row is not None:
            return row
        try:
            with self.session.begin_nested():
                self.session.add(
                    ChargingBalance(
                        account=account,
                        balance_type=spec.balance_type,
                        balance_id=balance_id,
                        value=Decimal(0),
                        expiry=spec.expiry,
                        weight=spec.weight,
                        blocker=spec.blocker,
                    )
                )
        except IntegrityError:
            pass  # another transaction created it first: use theirs
        return self.session.scalars(query.execution_options(populate_existing=True)).one()
