"""Payments (the report's GetDeposit) and their refunds. What a payment paid is recorded by
billing (``invoice_settlement`` rows named ``payment:<id>``) or by charging (a top-up)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omnicrm.activity.audit import auditable
from omnicrm.core.db import Base, utcnow
from omnicrm.core.fields import enum_column
from omnicrm.core.money import Money


class PaymentMethod(enum.StrEnum):
    card = "card"
    cash = "cash"
    bank_transfer = "bank_transfer"
    voucher = "voucher"


class PaymentStatus(enum.StrEnum):
    succeeded = "succeeded"
    partially_refunded = "partially_refunded"
    refunded = "refunded"


@auditable(object_type="payment", customer_id_attr="customer_id")
class Payment(Base):
    __tablename__ = "payment"

    payment_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    # A top-up of this service's balance (prepaid), else invoices are settled.
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.service_id"))
    # The invoice the payer named (else the oldest open ones).
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.invoice_id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod))
    status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus, length=20), default=PaymentStatus.succeeded, index=True
    )
    gateway: Mapped[str] = mapped_column(String(16), default="manual")
    gateway_reference: Mapped[str | None] = mapped_column(String(100))
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    amount_refunded: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    # What was left after the invoices: account credit for the next invoice.
    credit: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    note: Mapped[str | None] = mapped_column(String(300))
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


@auditable(object_type="refund")
class Refund(Base):
    __tablename__ = "payment_refund"

    refund_id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.payment_id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    reason: Mapped[str] = mapped_column(String(500))
    gateway_reference: Mapped[str | None] = mapped_column(String(100))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DunningAction(enum.StrEnum):
    reminder = "reminder"
    suspend = "suspend"
    termination_request = "termination_request"


@auditable(object_type="dunning", customer_id_attr="customer_id")
class DunningStep(Base):
    """One dunning step taken for an overdue invoice (each step once per invoice: the
    database decides when two scheduler runs overlap). Audited: it shows on the customer's
    activity."""

    __tablename__ = "dunning_step"
    __table_args__ = (UniqueConstraint("invoice_id", "step", name="uq_dunning_step_once"),)

    dunning_step_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.invoice_id"))
    step: Mapped[int] = mapped_column()  # its place in DUNNING_STEPS
    action: Mapped[DunningAction] = mapped_column(enum_column(DunningAction, length=24))
    days_overdue: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DunningHold(Base):
    """A service dunning suspended, until a payment clears the debt (then it is resumed, and
    only services held here are)."""

    __tablename__ = "dunning_hold"

    hold_id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.service_id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    dunning_step_id: Mapped[int] = mapped_column(ForeignKey("dunning_step.dunning_step_id"))
    suspended_at: Mapped[datetime] = mapped_column(default=utcnow)
    resumed_at: Mapped[datetime | None] = mapped_column()
