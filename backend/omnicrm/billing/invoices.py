"""Invoices: issuing (gap-free numbers, due dates, the "invoice issued" e-mail), voiding with a
credit note, overdue marking, the pro-forma and the account statement."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, String, Text, and_, case, cast, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from omnicrm.billing.errors import InvoiceStateError
from omnicrm.billing.models import (
    TRANSACTIONS,
    Invoice,
    InvoiceKind,
    InvoiceSequence,
    InvoiceStatus,
    Settlement,
    Transaction,
    TransactionKind,
)
from omnicrm.core.db import utcnow
from omnicrm.core.errors import NotFound
from omnicrm.core.money import format_money
from omnicrm.core.query import order_by
from omnicrm.customers.models import Customer
from omnicrm.notifications.use_cases import queue_emails

SERIES = {InvoiceKind.invoice: "INV", InvoiceKind.credit_note: "CN"}
OPEN_STATUSES = (InvoiceStatus.issued, InvoiceStatus.partially_paid, InvoiceStatus.overdue)
INVOICE_SORTS = {
    "invoice_id": Invoice.invoice_id,
    "issue_date": Invoice.issue_date,
    "due_date": Invoice.due_date,
    "total": Invoice.total,
}


def number(series: str, year: int, n: int) -> str:
    return f"{series}-{year}-{n:06d}"


def take_numbers(session: Session, *, series: str, year: int, count: int) -> int:
    """Reserve ``count`` consecutive numbers of ``series`` in ``year``; the first is the
    returned value + 1. The sequence row stays locked until the caller's transaction ends, so
    concurrent issuers queue, and a rollback gives the numbers back (no gaps)."""
    dialect = session.get_bind().dialect.name
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        maker(InvoiceSequence)
        .values(series=series, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["series", "year"])
    )
    last = session.execute(
        update(InvoiceSequence)
        .where(InvoiceSequence.series == series, InvoiceSequence.year == year)
        .values(last_number=InvoiceSequence.last_number + count)
        .returning(InvoiceSequence.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(last) - count


def _number_expr(session: Session, series: str, year: int, base: int, rank: Any) -> Any:
    """SQL for ``number(series, year, base + rank)``."""
    prefix = literal(f"{series}-{year}-", type_=String)
    if session.get_bind().dialect.name == "postgresql":
        return prefix.concat(func.lpad(cast(base + rank, Text), 6, "0"))
    return prefix.concat(func.printf("%06d", base + rank))


def issue_invoices(session: Session, *, which: Any, day: date, payment_terms_days: int) -> int:
    """Issue the drafts among the invoices ``which`` selects (an SQL condition): numbered in
    id order from the year's sequence, dated ``day``, due ``payment_terms_days`` later (nothing
    due: paid at once), and the customer told by e-mail. Returns how many were issued."""
    drafts = and_(which, Invoice.status == InvoiceStatus.draft)
    kinds = Counter(
        session.scalars(
            select(Invoice.kind).where(drafts).order_by(Invoice.invoice_id).with_for_update()
        )
    )
    for kind, count in kinds.items():
        series = SERIES[kind]
        base = take_numbers(session, series=series, year=day.year, count=count)
        ranked = (
            select(
                Invoice.invoice_id.label("invoice_id"),
                func.row_number().over(order_by=Invoice.invoice_id).label("rank"),
            )
            .where(drafts, Invoice.kind == kind)
            .subquery()
        )
        session.execute(
            update(Invoice)
            .where(Invoice.invoice_id == ranked.c.invoice_id)
            .values(
                invoice_number=_number_expr(session, series, day.year, base, ranked.c.rank),
                status=case(
                    (Invoice.kind == InvoiceKind.credit_note, InvoiceStatus.issued),
                    (Invoice.total <= 0, InvoiceStatus.paid),
                    else_=InvoiceStatus.issued,
                ),
                issue_date=day,
                due_date=day + timedelta(days=payment_terms_days),
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
    if kinds:
        _mail_issued(session, and_(which, Invoice.issue_date == day))
    return sum(kinds.values())


def _mail_issued(session: Session, which: Any) -> None:
    rows = session.execute(
        select(
            Invoice.invoice_id,
            Invoice.customer_id,
            Invoice.invoice_number,
            Invoice.kind,
            Invoice.total,
            Invoice.currency,
            Invoice.due_date,
            Customer.customer_name,
            Customer.email,
        )
        .join(Customer, Customer.customer_id == Invoice.customer_id)
        .where(which, Invoice.invoice_number.is_not(None), Customer.email.is_not(None))
        .order_by(Invoice.invoice_id)
    ).all()
    messages: dict[str, list[dict[str, Any]]] = {"invoice_issued": [], "credit_note_issued": []}
    for row in rows:
        if not row.email:
            continue
        template = "credit_note_issued" if row.kind == InvoiceKind.credit_note else "invoice_issued"
        messages[template].append(
            {
                "to": row.email,
                "customer_id": row.customer_id,
                "context": {
                    "invoice_id": row.invoice_id,
                    "invoice_number": row.invoice_number,
                    "customer_name": row.customer_name,
                    "total": format_money(row.total),
                    "currency": row.currency,
                    "due_date": row.due_date.isoformat() if row.due_date else None,
                },
            }
        )
    for template, batch in messages.items():
        queue_emails(session, template, batch)


def get_invoice(session: Session, *, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} not found")
    return invoice


def lines_of(session: Session, invoice_id: int) -> list[Transaction]:
    return list(
        session.scalars(
            select(Transaction)
            .where(Transaction.invoice_id == invoice_id)
            .order_by(
                Transaction.service_id,
                Transaction.period_start.asc().nulls_last(),
                Transaction.transaction_id,
            )
        )
    )


def tax_summary(lines: list[Transaction]) -> list[dict[str, Any]]:
    """Net and tax per tax rate, over the non-void lines."""
    rates: dict[Decimal, list[Decimal]] = {}
    for row in lines:
        if row.void:
            continue
        net_tax = rates.setdefault(row.tax_percentage, [Decimal(0), Decimal(0)])
        net_tax[0] += row.retail_amount
        net_tax[1] += row.tax_amount
    return [
        {"tax_percentage": rate, "net": net, "tax": tax}
        for rate, (net, tax) in sorted(rates.items())
    ]


def invoice_view(session: Session, invoice: Invoice) -> dict[str, Any]:
    """The invoice with its lines and tax summary (the detail answer, the PDF's data)."""
    lines = lines_of(session, invoice.invoice_id)
    credited_by = session.scalar(
        select(Invoice.invoice_id).where(Invoice.credit_note_for_id == invoice.invoice_id)
    )
    return {
        "invoice": invoice,
        "lines": lines,
        "tax_summary": tax_summary(lines),
        "credited_by_id": credited_by,
    }


def invoices_query(
    *,
    customer_id: int | None = None,
    status: list[str] | None = None,
    kind: str | None = None,
    billing_run_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str | None = None,
    sort: str = "-invoice_id",
) -> Select[Any]:
    stmt = select(Invoice)
    if customer_id is not None:
        stmt = stmt.where(Invoice.customer_id == customer_id)
    if status:
        stmt = stmt.where(Invoice.status.in_([InvoiceStatus(s) for s in status]))
    if kind:
        stmt = stmt.where(Invoice.kind == InvoiceKind(kind))
    if billing_run_id is not None:
        stmt = stmt.where(Invoice.billing_run_id == billing_run_id)
    if date_from is not None:
        stmt = stmt.where(Invoice.issue_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Invoice.issue_date <= date_to)
    if q:
        stmt = stmt.where(Invoice.invoice_number.ilike(f"%{q.strip()}%"))
    return stmt.order_by(*order_by(sort, INVOICE_SORTS, Invoice.invoice_id))


def _locked(session: Session, invoice_id: int) -> Invoice:
    invoice = session.scalar(
        select(Invoice)
        .where(Invoice.invoice_id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} not found")
    return invoice


def issue_one(session: Session, *, invoice_id: int, day: date, payment_terms_days: int) -> Invoice:
    invoice = _locked(session, invoice_id)
    if invoice.status != InvoiceStatus.draft:
        raise InvoiceStateError(
            f"invoice {invoice_id} is {invoice.status.value}: only a draft can be issued"
        )
    issue_invoices(
        session,
        which=Invoice.invoice_id == invoice_id,
        day=day,
        payment_terms_days=payment_terms_days,
    )
    session.refresh(invoice)
    return invoice


def void_invoice(
    session: Session,
    *,
    invoice_id: int,
    reason: str,
    user_id: int | None,
    day: date,
) -> Invoice:
    """Void an invoice. A draft is discarded: its lines go back to be invoiced next time. An
    issued one is cancelled by a credit note (numbered in its own series) that reverses each
    line; its lines stay on it and are never invoiced again. Other invoices never change."""
    invoice = _locked(session, invoice_id)
    if invoice.kind == InvoiceKind.credit_note:
        raise InvoiceStateError(f"invoice {invoice_id} is a credit note: it cannot be voided")
    if invoice.status == InvoiceStatus.void:
        raise InvoiceStateError(f"invoice {invoice_id} is already void")
    if invoice.amount_paid > 0:
        raise InvoiceStateError(
            f"invoice {invoice_id} has {format_money(invoice.amount_paid)} paid on it: refund "
            "the payments first"
        )
    was_draft = invoice.status == InvoiceStatus.draft
    invoice.status = InvoiceStatus.void
    invoice.void_reason = reason
    invoice.voided_at = utcnow()
    invoice.voided_by_user_id = user_id
    if was_draft:
        session.execute(
            update(Transaction)
            .where(Transaction.invoice_id == invoice_id)
            .values(invoice_id=None)
            .execution_options(synchronize_session=False)
        )
        session.flush()
        return invoice
    note = Invoice(
        kind=InvoiceKind.credit_note,
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        status=InvoiceStatus.draft,
        credit_note_for_id=invoice.invoice_id,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        subtotal=-invoice.subtotal,
        tax_total=-invoice.tax_total,
        total=-invoice.total,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(note)
    session.flush()
    reversals = [
        {
            "customer_id": row.customer_id,
            "service_id": row.service_id,
            "contract_id": row.contract_id,
            "invoice_id": note.invoice_id,
            "kind": row.kind,
            "description": f"Reversal: {row.description}"[:300],
            "period_start": row.period_start,
            "period_end": row.period_end,
            "currency": row.currency,
            "wholesale_amount": -row.wholesale_amount,
            "retail_amount": -row.retail_amount,
            "tax_percentage": row.tax_percentage,
            "tax_amount": -row.tax_amount,
            "paid_from_balance": False,
            "source": None,
            "void": False,
            "created_by_user_id": user_id,
            "created_at": utcnow(),
        }
        for row in lines_of(session, invoice_id)
        if not row.void
    ]
    if reversals:
        session.execute(TRANSACTIONS.insert(), reversals)
    issue_invoices(
        session, which=Invoice.invoice_id == note.invoice_id, day=day, payment_terms_days=0
    )
    session.flush()
    return invoice


def mark_overdue(session: Session, *, day: date) -> int:
    """Issued invoices past their due date with money due become overdue; how many."""
    result = session.execute(
        update(Invoice)
        .where(
            Invoice.kind == InvoiceKind.invoice,
            Invoice.status.in_((InvoiceStatus.issued, InvoiceStatus.partially_paid)),
            Invoice.due_date < day,
            Invoice.total > Invoice.amount_paid,
        )
        .values(status=InvoiceStatus.overdue, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def statement(
    session: Session, *, customer_id: int, date_from: date, date_to: date
) -> dict[str, Any]:
    """The report's A34: what the customer owed on ``date_from`` (every invoice and credit
    note issued before it, less what was paid on them), each document issued and each payment
    or refund applied in the period with the running balance, and what is owed at the end of
    ``date_to``."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    issued = (Invoice.customer_id == customer_id, Invoice.invoice_number.is_not(None))
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    billed = session.scalar(
        select(func.coalesce(func.sum(Invoice.total), 0)).where(
            *issued, Invoice.issue_date < date_from
        )
    )
    paid = session.scalar(
        select(func.coalesce(func.sum(Settlement.amount), 0)).where(
            Settlement.customer_id == customer_id, Settlement.created_at < start
        )
    )
    balance = Decimal(billed or 0) - Decimal(paid or 0)
    opening_balance = balance
    entries: list[tuple[date, int, dict[str, Any]]] = []
    for doc in session.scalars(
        select(Invoice).where(
            *issued, Invoice.issue_date >= date_from, Invoice.issue_date <= date_to
        )
    ):
        assert doc.issue_date is not None
        kind = "credit_note" if doc.kind == InvoiceKind.credit_note else "invoice"
        entries.append((doc.issue_date, doc.invoice_id, {
            "date": doc.issue_date, "kind": kind, "invoice_id": doc.invoice_id,
            "reference": doc.invoice_number,
            "description": (
                f"Credit note for invoice {doc.credit_note_for_id}"
                if kind == "credit_note" else f"Invoice, due {doc.due_date}"
            ),
            "amount": doc.total,
        }))  # fmt: skip
    rows = session.execute(
        select(Settlement, Invoice.invoice_number)
        .join(Invoice, Invoice.invoice_id == Settlement.invoice_id)
        .where(
            Settlement.customer_id == customer_id,
            Settlement.created_at >= start,
            Settlement.created_at < end,
        )
    ).all()
    for settled, invoice_number in rows:
        day = settled.created_at.date()
        paying = settled.amount > 0
        entries.append((day, settled.invoice_id, {
            "date": day, "kind": "payment" if paying else "refund",
            "invoice_id": settled.invoice_id, "reference": settled.reference,
            "description": f"{'Paid on' if paying else 'Refunded from'} {invoice_number}",
            "amount": -settled.amount,
        }))  # fmt: skip
    lines = []
    for _, _, entry in sorted(entries, key=lambda e: (e[0], e[2]["kind"] != "invoice", e[1])):
        amount = entry.pop("amount")
        balance += amount
        lines.append(
            {
                **entry,
                "debit": amount if amount > 0 else Decimal(0),
                "credit": -amount if amount < 0 else Decimal(0),
                "balance": balance,
            }
        )
    return {
        "customer_id": customer_id,
        "customer_name": customer.customer_name,
        "currency": customer.currency,
        "date_from": date_from,
        "date_to": date_to,
        "opening_balance": opening_balance,
        "closing_balance": balance,
        "lines": lines,
    }


# --- payments against invoices (called by the payments domain) ------------------------------


def settle(
    session: Session,
    *,
    customer_id: int,
    amount: Decimal,
    currency: str,
    reference: str,
    invoice_id: int | None = None,
    day: date,
) -> tuple[list[tuple[int, Decimal]], Decimal]:
    """Apply ``amount`` to the customer's open invoices in ``currency``, oldest due first (or
    to the one named), each locked; what is left becomes account credit: a ``credit``
    transaction the next invoice takes. Returns ((invoice id, applied) ..., credit)."""
    stmt = (
        select(Invoice)
        .where(
            Invoice.customer_id == customer_id,
            Invoice.kind == InvoiceKind.invoice,
            Invoice.currency == currency,
            Invoice.status.in_(OPEN_STATUSES),
            Invoice.total > Invoice.amount_paid,
        )
        .order_by(Invoice.due_date, Invoice.invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invoice_id is not None:
        stmt = stmt.where(Invoice.invoice_id == invoice_id)
    applied: list[tuple[int, Decimal]] = []
    left = amount
    for invoice in session.scalars(stmt):
        if left <= 0:
            break
        part = min(left, invoice.total - invoice.amount_paid)
        _move(session, invoice, part, reference, day)
        applied.append((invoice.invoice_id, part))
        left -= part
    if left > 0:
        session.add(
            Transaction(
                customer_id=customer_id,
                kind=TransactionKind.credit,
                description=f"Account credit: {reference}",
                currency=currency,
                retail_amount=-left,
                tax_percentage=Decimal(0),
                tax_amount=Decimal(0),
                source=f"{reference}:credit",
                created_at=utcnow(),
            )
        )
    session.flush()
    return applied, left


def unsettle(
    session: Session,
    *,
    reference: str,
    amount: Decimal,
    customer_id: int,
    currency: str,
    day: date,
) -> Decimal:
    """Take ``amount`` back from what ``reference`` paid (a refund): from the invoices it
    settled, newest first (they are due again), then from the account credit it left (a
    ``charge`` transaction offsets it). Returns what came from invoices."""
    rows = session.execute(
        select(Settlement.invoice_id, func.sum(Settlement.amount))
        .where(Settlement.reference == reference)
        .group_by(Settlement.invoice_id)
        .order_by(Settlement.invoice_id.desc())
    ).all()
    left, from_invoices = amount, Decimal(0)
    for invoice_id, held in rows:
        if left <= 0:
            break
        part = min(left, Decimal(held))
        if part <= 0:
            continue
        invoice = _locked(session, invoice_id)
        _move(session, invoice, -part, reference, day)
        from_invoices += part
        left -= part
    if left > 0:
        session.add(
            Transaction(
                customer_id=customer_id,
                kind=TransactionKind.charge,
                description=f"Refund of account credit: {reference}",
                currency=currency,
                retail_amount=left,
                tax_percentage=Decimal(0),
                tax_amount=Decimal(0),
                created_at=utcnow(),
            )
        )
    session.flush()
    return from_invoices


def _move(session: Session, invoice: Invoice, amount: Decimal, reference: str, day: date) -> None:
    """Change what is paid on ``invoice`` by ``amount`` and set its status from the result."""
    invoice.amount_paid += amount
    late = invoice.due_date is not None and invoice.due_date < day
    if invoice.amount_paid >= invoice.total:
        invoice.status = InvoiceStatus.paid
    elif late:
        invoice.status = InvoiceStatus.overdue  # still late while anything is left
    elif invoice.amount_paid > 0:
        invoice.status = InvoiceStatus.partially_paid
    else:
        invoice.status = InvoiceStatus.issued
    invoice.updated_at = utcnow()
    session.add(
        Settlement(
            invoice_id=invoice.invoice_id,
            customer_id=invoice.customer_id,
            amount=amount,
            reference=reference,
            created_at=utcnow(),
        )
    )
