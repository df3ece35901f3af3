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
    # A gateway payment on its way: the card needs the customer (3-D Secure), or the gateway
    # did not answer (reconciliation finds out), or it was declined. Nothing is applied until
    # it succeeds.
    pending = "pending"
    requires_action = "requires_action"
    unknown = "unknown"
    failed = "failed"
    succeeded = "succeeded"
    partially_refunded = "partially_refunded"
    refunded = "refunded"


# What is still open on a gateway payment: the webhook, the reconciler or a retry settles it.
UNSETTLED = (PaymentStatus.pending, PaymentStatus.requires_action, PaymentStatus.unknown)
# What has money in it (and can be refunded).
PAID = (PaymentStatus.succeeded, PaymentStatus.partially_refunded, PaymentStatus.refunded)


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
    gateway_reference: Mapped[str | None] = mapped_column(String(100), index=True)
    # Sent to the gateway as its idempotency key and in the charge's metadata: how a payment
    # whose answer was lost is found there again.
    gateway_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("payment_card.card_id"))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(String(300))
    # Numbered when the money is in (a declined or unknown payment has no receipt).
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True)
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
    # The gateway's refund (``re_…``): one row per refund there, also for those made in its
    # dashboard and mirrored from the webhook.
    gateway_reference: Mapped[str | None] = mapped_column(String(100), unique=True)
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


class GatewayCustomer(Base):
    """The customer's record at a gateway (a Stripe customer ``cus_…``)."""

    __tablename__ = "payment_gateway_customer"
    __table_args__ = (
        UniqueConstraint("customer_id", "gateway", name="uq_gateway_customer_once"),
        UniqueConstraint("gateway", "reference", name="uq_gateway_customer_reference"),
    )

    gateway_customer_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"))
    gateway: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@auditable(object_type="payment_card", customer_id_attr="customer_id")
class PaymentCard(Base):
    """A saved card: the gateway's token and what may be shown (brand, last 4, expiry), never
    a card number. Removed cards are kept (payments name them), marked ``removed_at``."""

    __tablename__ = "payment_card"

    card_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    gateway: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(100), unique=True)  # pm_…
    brand: Mapped[str] = mapped_column(String(24))
    last4: Mapped[str] = mapped_column(String(4))
    exp_month: Mapped[int] = mapped_column()
    exp_year: Mapped[int] = mapped_column()
    is_default: Mapped[bool] = mapped_column(default=False)
    expiry_reminded_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column()


class GatewayEvent(Base):
    """A webhook event processed (in the transaction of its effect): a redelivery finds its
    row and changes nothing."""

    __tablename__ = "payment_gateway_event"
    __table_args__ = (UniqueConstraint("gateway", "event_id", name="uq_gateway_event_once"),)

    gateway_event_id: Mapped[int] = mapped_column(primary_key=True)
    gateway: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReconciliationStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Reconciliation(Base):
    """One comparison of the gateway's records with our payments over a period."""

    __tablename__ = "payment_reconciliation"

    reconciliation_id: Mapped[int] = mapped_column(primary_key=True)
    gateway: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[datetime] = mapped_column()
    period_end: Mapped[datetime] = mapped_column()
    status: Mapped[ReconciliationStatus] = mapped_column(
        enum_column(ReconciliationStatus), default=ReconciliationStatus.queued
    )
    gateway_records: Mapped[int] = mapped_column(default=0)
    payments_checked: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)
    mismatches: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column()


class ReconciliationKind(enum.StrEnum):
    missing_here = "missing_here"  # the gateway took money we have no payment for
    missing_at_gateway = "missing_at_gateway"  # our payment has no charge there
    amount_differs = "amount_differs"
    refund_differs = "refund_differs"
    status_differs = "status_differs"
    resolved = "resolved"  # an unknown or pending payment settled from the gateway's record


class ReconciliationItem(Base):
    __tablename__ = "payment_reconciliation_item"

    item_id: Mapped[int] = mapped_column(primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(
        ForeignKey("payment_reconciliation.reconciliation_id"), index=True
    )
    kind: Mapped[ReconciliationKind] = mapped_column(enum_column(ReconciliationKind, length=24))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.payment_id"))
    gateway_reference: Mapped[str | None] = mapped_column(String(100))
    our_amount: Mapped[Decimal | None] = mapped_column(Money())
    gateway_amount: Mapped[Decimal | None] = mapped_column(Money())
    our_status: Mapped[str | None] = mapped_column(String(24))
    gateway_status: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(300))
