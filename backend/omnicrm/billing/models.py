"""Billing: transactions (everything that costs money), the invoices they roll up into, the
gap-free numbering of invoices, each service's billing cursor and the billing runs.

Amounts are net (``retail_amount``, signed: a credit is negative) with the tax of the line
beside it (``tax_amount``, rounded half-up per line). A transaction is never deleted: it is
voided with a reason. An issued invoice is never deleted either: it is voided by a credit note.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ForeignKey, Index, Integer, String, Table, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column

from omnicrm.activity.audit import auditable
from omnicrm.core.db import Base, utcnow
from omnicrm.core.fields import enum_column
from omnicrm.core.money import Money, Percent


class TransactionKind(enum.StrEnum):
    setup = "setup"  # a sale's one-off fee
    recurring = "recurring"  # a period's charge, in advance (prorated when partial)
    promo = "promo"  # a promotion's discount on a recurring charge
    proration = "proration"  # a credit or charge for part of a billed period
    usage = "usage"  # postpaid usage beyond the allowances, in arrears
    addon = "addon"  # an add-on sold onto a service
    charge = "charge"  # a manual charge by staff
    credit = "credit"  # a manual credit by staff


class InvoiceKind(enum.StrEnum):
    invoice = "invoice"
    credit_note = "credit_note"


class InvoiceStatus(enum.StrEnum):
    draft = "draft"
    issued = "issued"
    partially_paid = "partially_paid"
    paid = "paid"
    overdue = "overdue"
    void = "void"


class RunStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


_OPEN = text("invoice_id IS NULL AND NOT void AND NOT paid_from_balance")


@auditable(object_type="transaction", customer_id_attr="customer_id")
class Transaction(Base):
    __tablename__ = "billing_transaction"
    __table_args__ = (
        # The billing run's "what is left to invoice" for one customer.
        Index(
            "ix_billing_transaction_uninvoiced",
            "customer_id",
            postgresql_where=_OPEN,
            sqlite_where=_OPEN,
        ),
    )

    transaction_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.service_id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.contract_id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.invoice_id"), index=True)
    billing_run_id: Mapped[int | None] = mapped_column(ForeignKey("billing_run.billing_run_id"))
    kind: Mapped[TransactionKind] = mapped_column(enum_column(TransactionKind), index=True)
    description: Mapped[str] = mapped_column(String(300))
    # The part of a period a recurring line covers: [period_start, period_end).
    period_start: Mapped[date | None] = mapped_column()
    period_end: Mapped[date | None] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    wholesale_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    retail_amount: Mapped[Decimal] = mapped_column(Money())
    tax_percentage: Mapped[Decimal] = mapped_column(Percent(), default=Decimal(0))
    tax_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    # Already paid from the service's prepaid balance when it happened: never invoiced.
    paid_from_balance: Mapped[bool] = mapped_column(default=False)
    # What caused it, unique: "recurring:<service>:<date>", "setup:<charge>", ... A second
    # attempt to bill the same thing (a re-run, a concurrent run) is refused by the database.
    source: Mapped[str | None] = mapped_column(String(160), unique=True)
    void: Mapped[bool] = mapped_column(default=False)
    void_reason: Mapped[str | None] = mapped_column(String(500))
    voided_at: Mapped[datetime | None] = mapped_column()
    voided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # A manual charge's Idempotency-Key (scoped to the caller) and its request's fingerprint.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @property
    def total(self) -> Decimal:
        return self.retail_amount + self.tax_amount


@auditable(object_type="invoice", customer_id_attr="customer_id")
class Invoice(Base):
    __tablename__ = "invoice"

    invoice_id: Mapped[int] = mapped_column(primary_key=True)
    # "INV-2026-000123" (credit notes "CN-2026-000007"): given when issued, gap-free per year.
    invoice_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    kind: Mapped[InvoiceKind] = mapped_column(enum_column(InvoiceKind), default=InvoiceKind.invoice)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    status: Mapped[InvoiceStatus] = mapped_column(
        enum_column(InvoiceStatus), default=InvoiceStatus.draft, index=True
    )
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    issue_date: Mapped[date | None] = mapped_column()
    due_date: Mapped[date | None] = mapped_column(index=True)
    # The span its lines cover (None when no line has a period).
    period_start: Mapped[date | None] = mapped_column()
    period_end: Mapped[date | None] = mapped_column()
    subtotal: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    amount_paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    # A credit note names the invoice it voids (one each).
    credit_note_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoice.invoice_id"), unique=True
    )
    void_reason: Mapped[str | None] = mapped_column(String(500))
    voided_at: Mapped[datetime | None] = mapped_column()
    voided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    billing_run_id: Mapped[int | None] = mapped_column(ForeignKey("billing_run.billing_run_id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def amount_due(self) -> Decimal:
        if self.status in (InvoiceStatus.void, InvoiceStatus.draft):
            return Decimal(0)
        return max(self.total - self.amount_paid, Decimal(0))

    @property
    def paid(self) -> bool:
        return self.status == InvoiceStatus.paid


class InvoiceSequence(Base):
    """The last number given in a series ("INV", "CN") and year. Taken with a row lock in the
    issuing transaction, so a rolled-back issue gives its numbers back: no gaps."""

    __tablename__ = "invoice_sequence"

    series: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Settlement(Base):
    """Money applied to an invoice (positive) or taken back from it by a refund (negative),
    with the reference of the payment that did it; ``invoice.amount_paid`` is their sum."""

    __tablename__ = "invoice_settlement"

    settlement_id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.invoice_id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    reference: Mapped[str] = mapped_column(String(64), index=True)  # "payment:<id>"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BillingCursor(Base):
    """How far a service is billed: recurring charges exist for every day before
    ``billed_through``; postpaid usage rated before ``usage_billed_until`` is on a transaction."""

    __tablename__ = "billing_cursor"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.service_id", ondelete="CASCADE"), primary_key=True
    )
    billed_through: Mapped[date] = mapped_column()
    usage_billed_until: Mapped[datetime | None] = mapped_column()
    # The promotion the service got when it went live (a promo product of its tariff).
    promo_product_id: Mapped[int | None] = mapped_column(
        ForeignKey("product.product_id", ondelete="SET NULL")
    )
    promo_percent: Mapped[Decimal | None] = mapped_column(Percent())
    promo_amount: Mapped[Decimal | None] = mapped_column(Money())
    promo_until: Mapped[date | None] = mapped_column()


class BillingRun(Base):
    """One billing run (a job): what it was asked, how far it got, what it wrote."""

    __tablename__ = "billing_run"

    billing_run_id: Mapped[int] = mapped_column(primary_key=True)
    period_end: Mapped[date] = mapped_column()
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.customer_id"))
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus), default=RunStatus.queued, index=True
    )
    customer_count: Mapped[int] = mapped_column(default=0)  # customers to go through
    processed: Mapped[int] = mapped_column(default=0)
    transactions_created: Mapped[int] = mapped_column(default=0)
    invoices_created: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


TRANSACTIONS = cast(Table, Transaction.__table__)
INVOICES = cast(Table, Invoice.__table__)
CURSORS = cast(Table, BillingCursor.__table__)


def _names() -> None:
    """Display names beside ids, read with the row (one correlated subquery each). Built from
    the tables, not the mapped classes, so importing this module configures no mapper."""
    from omnicrm.customers.models import Customer
    from omnicrm.services.models import Service

    customers = Customer.__table__.c
    services = Service.__table__.c
    lines = Transaction.__table__.c
    invoices = Invoice.__table__.c
    numbered = Invoice.__table__.alias("numbered")

    def customer_of(column: Any) -> Any:
        return column_property(
            select(customers.customer_name)
            .where(customers.customer_id == column)
            .correlate_except(Customer.__table__)
            .scalar_subquery()
        )

    Transaction.customer_name = customer_of(lines.customer_id)  # type: ignore[attr-defined]
    Transaction.service_name = column_property(  # type: ignore[attr-defined]
        select(services.service_name)
        .where(services.service_id == lines.service_id)
        .correlate_except(Service.__table__)
        .scalar_subquery()
    )
    Transaction.invoice_number = column_property(  # type: ignore[attr-defined]
        select(numbered.c.invoice_number)
        .where(numbered.c.invoice_id == lines.invoice_id)
        .scalar_subquery()
    )
    Invoice.customer_name = customer_of(invoices.customer_id)  # type: ignore[attr-defined]


_names()
