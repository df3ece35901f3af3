"""The internal ledger: a charging account per service, its balances, and every movement.

A balance's ``value`` is a running total kept for reads and for the atomic "enough left?" check;
the movements are the record. Each movement stores the amount (signed) and the value it left,
so ``value == sum(amount)`` and each ``value_after`` follow from the ones before: ``ledger.verify``
checks both. Movements are never updated or deleted.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from omnicrm.charging.ports import BalanceType, Cause, RecordOutcome, UsageType
from omnicrm.core.db import Base, utcnow
from omnicrm.core.fields import enum_column
from omnicrm.core.money import Money


class ChargingAccount(Base):
    """One per service: its ``service_uuid`` names it, as in CGRateS."""

    __tablename__ = "charging_account"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("service.service_id", ondelete="SET NULL"), unique=True
    )
    allow_negative: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChargingBalance(Base):
    __tablename__ = "charging_balance"
    __table_args__ = (UniqueConstraint("account", "balance_type", "balance_id"),)

    balance_pk: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(
        ForeignKey("charging_account.account", ondelete="CASCADE"), index=True
    )
    balance_type: Mapped[BalanceType] = mapped_column(enum_column(BalanceType))
    balance_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    expiry: Mapped[datetime | None] = mapped_column()
    weight: Mapped[int] = mapped_column(Integer, default=10)
    blocker: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BalanceMovement(Base):
    __tablename__ = "balance_movement"
    __table_args__ = (Index("ix_balance_movement_balance", "balance_pk", "movement_id"),)

    movement_id: Mapped[int] = mapped_column(primary_key=True)
    balance_pk: Mapped[int] = mapped_column(
        ForeignKey("charging_balance.balance_pk", ondelete="CASCADE")
    )
    amount: Mapped[Decimal] = mapped_column(Money())
    value_after: Mapped[Decimal] = mapped_column(Money())
    cause: Mapped[Cause] = mapped_column(enum_column(Cause))
    reference: Mapped[str] = mapped_column(String(200))
    # A top-up's Idempotency-Key (scoped to its caller) and request fingerprint.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    balance: Mapped[ChargingBalance] = relationship(lazy="joined")


class UsageRecord(Base):
    """One rated usage record (a CDR), kept with its outcome. Its ``record_id`` is the sender's
    id: a record sent again is a duplicate and changes nothing."""

    __tablename__ = "usage_record"
    __table_args__ = (Index("ix_usage_record_service_start", "service_id", "start_time"),)

    usage_pk: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[str] = mapped_column(String(100), unique=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("service.service_id", ondelete="SET NULL")
    )
    usage_type: Mapped[UsageType] = mapped_column(enum_column(UsageType))
    units: Mapped[Decimal] = mapped_column(Money())
    start_time: Mapped[datetime] = mapped_column()
    destination: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[RecordOutcome] = mapped_column(enum_column(RecordOutcome))
    from_allowance: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    charged: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    arrears: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    reason: Mapped[str | None] = mapped_column(String(200))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThresholdCrossing(Base):
    """A threshold that fired for an account in one period (``period_end``; far in the future
    for a balance that never expires): the unique key makes each level fire once per period,
    whichever batch crosses it first."""

    __tablename__ = "threshold_crossing"
    __table_args__ = (
        UniqueConstraint("account", "threshold", "period_end", name="uq_threshold_crossing_once"),
    )

    crossing_id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(ForeignKey("charging_account.account", ondelete="CASCADE"))
    threshold: Mapped[str] = mapped_column(String(40))  # "data:80", "monetary:below"
    period_end: Mapped[datetime] = mapped_column()
    value: Mapped[Decimal] = mapped_column(Money())  # the balance when it fired
    crossed_at: Mapped[datetime] = mapped_column(default=utcnow)
