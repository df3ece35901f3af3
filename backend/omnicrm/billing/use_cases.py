"""Transactions: what a service is billed at, the lines a period or a change writes, manual
charges and credits, voids. What other domains' events cause (a sale's setup fee, an add-on,
a suspension, a plan change, a termination) is written here too, called by ``handlers.py``.

The cursor rule: ``billing_cursor.billed_through`` is the first day a service has not been
charged for. The billing run charges periods from it forward (in advance); a change at day D
credits [D, cursor) at the old terms when the cursor is past D, or charges [cursor, D) when it
is behind, and then sets the cursor to D. So every day a service is billable is charged once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.billing.errors import TransactionLocked
from omnicrm.billing.models import TRANSACTIONS, BillingCursor, Transaction, TransactionKind
from omnicrm.billing.proration import Piece, Promo, add_months, prorate, split, tax_of
from omnicrm.catalog.models import BillingPeriod, Product, ProductCategory
from omnicrm.core.db import utcnow
from omnicrm.core.errors import NotFound, ValidationFailed
from omnicrm.core.idempotency import IdempotencyMismatch
from omnicrm.core.money import to_money
from omnicrm.core.query import like_pattern, order_by
from omnicrm.customers.models import Customer
from omnicrm.services.models import Service

MANUAL_KINDS = (TransactionKind.charge, TransactionKind.credit)
TRANSACTION_SORTS = {
    "transaction_id": Transaction.transaction_id,
    "created_at": Transaction.created_at,
    "period_start": Transaction.period_start,
    "retail_amount": Transaction.retail_amount,
}


def today() -> date:
    """The billing date now (UTC): the one clock billing asks."""
    return utcnow().date()


def shown(day: date) -> str:
    return day.isoformat()


def span(piece: Piece) -> str:
    """``2027-01-17 to 2027-01-31`` (the end shown inclusive)."""
    return f"{shown(piece.start)} to {shown(piece.end - timedelta(days=1))}"


@dataclass(frozen=True)
class Tariff:
    """What one service is billed at (copied from its product at sale or plan change)."""

    service_id: int
    customer_id: int
    name: str
    currency: str
    period: BillingPeriod
    price: Decimal
    wholesale: Decimal
    tax: Decimal

    @classmethod
    def of(cls, service: Service) -> Tariff:
        return cls.from_columns(
            service_id=service.service_id,
            customer_id=service.customer_id,
            service_name=service.service_name,
            price=service.retail_cost,
            wholesale=service.wholesale_cost,
            snapshot=service.price_snapshot,
        )

    @classmethod
    def from_columns(
        cls,
        *,
        service_id: int,
        customer_id: int,
        service_name: str,
        price: Decimal,
        wholesale: Decimal,
        snapshot: dict[str, Any] | None,
    ) -> Tariff:
        snap = snapshot or {}
        return cls(
            service_id=service_id,
            customer_id=customer_id,
            name=str(snap.get("product_name") or service_name),
            currency=str(snap.get("currency") or "USD"),
            period=BillingPeriod(snap.get("billing_period") or BillingPeriod.monthly),
            price=price,
            wholesale=wholesale,
            tax=Decimal(str(snap.get("tax_percentage") or "0")),
        )

    def with_prices(
        self, price: Decimal, wholesale: Decimal, tax: Decimal, *, name: str | None = None
    ) -> Tariff:
        return Tariff(
            self.service_id,
            self.customer_id,
            name or self.name,
            self.currency,
            self.period,
            price,
            wholesale,
            tax,
        )

    @property
    def billed(self) -> bool:
        return self.price > 0 and self.period != BillingPeriod.one_off


def line(
    tariff: Tariff,
    *,
    kind: TransactionKind,
    description: str,
    net: Decimal,
    wholesale: Decimal = Decimal(0),
    piece: Piece | None = None,
    source: str | None = None,
    run_id: int | None = None,
) -> dict[str, Any]:
    """One transaction row's values."""
    return {
        "customer_id": tariff.customer_id,
        "service_id": tariff.service_id,
        "kind": kind,
        "description": description[:300],
        "period_start": piece.start if piece else None,
        "period_end": piece.end if piece else None,
        "currency": tariff.currency,
        "wholesale_amount": wholesale,
        "retail_amount": net,
        "tax_percentage": tariff.tax,
        "tax_amount": tax_of(net, tariff.tax),
        "source": source,
        "billing_run_id": run_id,
        "created_at": utcnow(),
    }


def period_lines(
    tariff: Tariff,
    piece: Piece,
    *,
    promo: Promo | None,
    sign: int = 1,
    kind: TransactionKind = TransactionKind.recurring,
    what: str = "",
    source: str | None = None,
    run_id: int | None = None,
) -> list[dict[str, Any]]:
    """The lines for ``piece`` at ``tariff``: the charge (negated when ``sign`` is -1: a
    credit) and, when a promotion covers the period, its discount."""
    net = prorate(tariff.price, piece)
    if net == 0:
        return []
    label = what or ("Charge" if sign > 0 else "Credit")
    rows = [
        line(
            tariff,
            kind=kind,
            description=f"{label}: {tariff.name}, {span(piece)}",
            net=sign * net,
            wholesale=sign * prorate(tariff.wholesale, piece),
            piece=piece,
            source=source,
            run_id=run_id,
        )
    ]
    period_start = (
        piece.start.replace(day=1) if tariff.period == BillingPeriod.monthly else piece.start
    )
    if promo is not None and promo.applies(period_start):
        off = promo.discount(net, piece)
        if off:
            rows.append(
                line(
                    tariff,
                    kind=TransactionKind.promo,
                    description=f"Promotion: {tariff.name}, {span(piece)}",
                    net=-sign * off,
                    piece=piece,
                    source=f"promo:{source}" if source else None,
                    run_id=run_id,
                )
            )
    return rows


def promo_of(cursor: BillingCursor) -> Promo | None:
    if cursor.promo_until is None:
        return None
    return Promo(cursor.promo_percent, cursor.promo_amount, cursor.promo_until)


def insert_lines(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(TRANSACTIONS.insert(), rows)


# --- the cursor and what changes to a service do to it ---------------------------------------


def open_cursor(session: Session, service: Service, *, day: date) -> BillingCursor:
    """A service that has just gone live is billable from ``day``; it keeps the promotion its
    tariff has then (the newest enabled promo product aimed at it)."""
    cursor = session.get(BillingCursor, service.service_id)
    if cursor is not None:
        return cursor
    cursor = BillingCursor(service_id=service.service_id, billed_through=day)
    promo = session.scalar(
        select(Product)
        .where(
            Product.category == ProductCategory.promo,
            Product.enabled.is_(True),
            Product.promo_target_product_id == service.product_id,
        )
        .order_by(Product.product_id.desc())
        .limit(1)
    )
    if promo is not None and promo.promo_months:
        cursor.promo_product_id = promo.product_id
        cursor.promo_percent = promo.promo_discount_percent
        cursor.promo_amount = promo.promo_discount_amount
        cursor.promo_until = add_months(day, promo.promo_months)
    session.add(cursor)
    session.flush()
    return cursor


def _locked_cursor(session: Session, service_id: int) -> BillingCursor | None:
    return session.scalar(
        select(BillingCursor)
        .where(BillingCursor.service_id == service_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def span_lines(
    tariff: Tariff,
    start: date,
    end: date,
    *,
    promo: Promo | None,
    sign: int = 1,
    kind: TransactionKind = TransactionKind.recurring,
    what: str = "",
) -> list[dict[str, Any]]:
    """The lines for [start, end) at ``tariff`` (nothing when it is not billed or the span is
    empty), one per billing period it touches."""
    if not tariff.billed:
        return []
    rows: list[dict[str, Any]] = []
    for piece in split(start, end, tariff.period):
        rows += period_lines(tariff, piece, promo=promo, sign=sign, kind=kind, what=what)
    return rows


def settle_to(session: Session, tariff: Tariff, *, day: date, what_credit: str) -> None:
    """Bring a service's billing to exactly ``day`` at ``tariff`` (it stops being billable
    then: suspended, terminated): credit what was billed past it, or charge what was not
    billed before it; the cursor then stands at ``day``."""
    cursor = _locked_cursor(session, tariff.service_id)
    if cursor is None:
        return
    promo = promo_of(cursor)
    if cursor.billed_through > day:
        rows = span_lines(
            tariff,
            day,
            cursor.billed_through,
            promo=promo,
            sign=-1,
            kind=TransactionKind.proration,
            what=what_credit,
        )
    else:
        rows = span_lines(tariff, cursor.billed_through, day, promo=promo)
    insert_lines(session, rows)
    cursor.billed_through = day
    session.flush()


def change_plan(session: Session, before: Tariff, after: Tariff, *, day: date) -> None:
    """A plan change on ``day``: the part of a period billed past it is credited at the old
    terms and charged at the new; days before it not billed yet are charged at the old terms
    (the cursor then stands at ``day``, and the run bills on at the new ones). The old plan's
    promotion ends."""
    cursor = _locked_cursor(session, before.service_id)
    if cursor is None:
        return
    promo = promo_of(cursor)
    if cursor.billed_through > day:
        rows = span_lines(
            before,
            day,
            cursor.billed_through,
            promo=promo,
            sign=-1,
            kind=TransactionKind.proration,
            what="Plan change credit",
        )
        rows += span_lines(
            after,
            day,
            cursor.billed_through,
            promo=None,
            kind=TransactionKind.proration,
            what="Plan change charge",
        )
    else:
        rows = span_lines(before, cursor.billed_through, day, promo=promo)
        cursor.billed_through = day
    insert_lines(session, rows)
    cursor.promo_product_id = None
    cursor.promo_percent = cursor.promo_amount = None
    cursor.promo_until = None
    session.flush()


def resume_from(session: Session, service_id: int, *, day: date) -> None:
    """A service resumed on ``day`` after a suspension that was not billed: billable again from
    that day (the suspended days are skipped)."""
    cursor = _locked_cursor(session, service_id)
    if cursor is not None and cursor.billed_through < day:
        cursor.billed_through = day
        session.flush()


# --- transactions ------------------------------------------------------------------------------


def record(
    session: Session,
    *,
    customer_id: int,
    kind: TransactionKind,
    description: str,
    net: Decimal,
    tax_percentage: Decimal = Decimal(0),
    currency: str = "USD",
    service_id: int | None = None,
    contract_id: int | None = None,
    wholesale: Decimal = Decimal(0),
    paid_from_balance: bool = False,
    source: str | None = None,
    user_id: int | None = None,
) -> Transaction:
    """Write one transaction (a fee, an add-on, a manual charge or credit)."""
    row = Transaction(
        customer_id=customer_id,
        service_id=service_id,
        contract_id=contract_id,
        kind=kind,
        description=description[:300],
        currency=currency,
        wholesale_amount=wholesale,
        retail_amount=net,
        tax_percentage=tax_percentage,
        tax_amount=tax_of(net, tax_percentage),
        paid_from_balance=paid_from_balance,
        source=source,
        created_by_user_id=user_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def create_manual(
    session: Session,
    *,
    customer_id: int,
    kind: str,
    description: str,
    amount: Decimal,
    tax_percentage: Decimal | None = None,
    service_id: int | None = None,
    user_id: int | None = None,
    idempotency: tuple[str, str] | None = None,
) -> Transaction:
    """A charge or credit typed by staff: ``amount`` is positive; a credit is stored negative.
    The service, when named, must be the customer's; its tariff gives the default tax rate.
    ``idempotency`` (scoped key, request fingerprint): a retry answers the first transaction;
    the same key with another body is a 422."""
    if idempotency is not None:
        first = _replay(session, *idempotency)
        if first is not None:
            return first
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    tax = tax_percentage
    currency = customer.currency or "USD"
    if service_id is not None:
        service = session.get(Service, service_id)
        if service is None or service.customer_id != customer_id:
            raise ValidationFailed.field(
                "service_id", f"service {service_id} is not one of customer {customer_id}'s"
            )
        tariff = Tariff.of(service)
        currency = tariff.currency
        tax = tariff.tax if tax is None else tax
    if amount <= 0:
        raise ValidationFailed.field("amount", "must be more than zero (a credit is a kind)")
    net = to_money(amount) if kind == TransactionKind.charge else -to_money(amount)
    try:
        with session.begin_nested():
            row = record(
                session,
                customer_id=customer_id,
                kind=TransactionKind(kind),
                description=description,
                net=net,
                tax_percentage=tax or Decimal(0),
                currency=currency,
                service_id=service_id,
                user_id=user_id,
            )
            if idempotency is not None:
                row.idempotency_key, row.request_hash = idempotency
                session.flush()
    except IntegrityError:
        if idempotency is None:
            raise
        first = _replay(session, *idempotency)  # a concurrent retry won: answer its result
        if first is None:
            raise
        return first
    return row


def _replay(session: Session, key: str, fingerprint: str) -> Transaction | None:
    first = session.scalar(select(Transaction).where(Transaction.idempotency_key == key))
    if first is not None and first.request_hash != fingerprint:
        raise IdempotencyMismatch(
            "this Idempotency-Key was used for another transaction",
            extra={"transaction_id": first.transaction_id},
        )
    return first


def get_transaction(session: Session, *, transaction_id: int) -> Transaction:
    row = session.get(Transaction, transaction_id)
    if row is None:
        raise NotFound(f"transaction {transaction_id} not found")
    return row


def void_transaction(
    session: Session, *, transaction_id: int, reason: str, user_id: int | None
) -> Transaction:
    """Void an uninvoiced transaction (an invoiced one is voided with its invoice's credit
    note): it stays, marked, and is never invoiced."""
    row = session.scalar(
        select(Transaction)
        .where(Transaction.transaction_id == transaction_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound(f"transaction {transaction_id} not found")
    if row.void:
        raise TransactionLocked(f"transaction {transaction_id} is already void")
    if row.invoice_id is not None:
        raise TransactionLocked(
            f"transaction {transaction_id} is on invoice {row.invoice_id}: void the invoice "
            "(a credit note) instead"
        )
    row.void = True
    row.void_reason = reason
    row.voided_at = utcnow()
    row.voided_by_user_id = user_id
    session.flush()
    return row


def transactions_query(
    *,
    customer_id: int | None = None,
    service_id: int | None = None,
    invoice_id: int | None = None,
    kind: str | None = None,
    invoiced: bool | None = None,
    void: bool | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str | None = None,
    sort: str = "-transaction_id",
) -> Select[Any]:
    """Transactions, filtered: ``date_from``/``date_to`` match the day it was written or
    the period it covers."""
    stmt = select(Transaction)
    if customer_id is not None:
        stmt = stmt.where(Transaction.customer_id == customer_id)
    if service_id is not None:
        stmt = stmt.where(Transaction.service_id == service_id)
    if invoice_id is not None:
        stmt = stmt.where(Transaction.invoice_id == invoice_id)
    if kind:
        stmt = stmt.where(Transaction.kind == TransactionKind(kind))
    if invoiced is not None:
        stmt = stmt.where(
            Transaction.invoice_id.is_not(None) if invoiced else Transaction.invoice_id.is_(None)
        )
    if void is not None:
        stmt = stmt.where(Transaction.void.is_(void))
    if date_from is not None:
        start = datetime(date_from.year, date_from.month, date_from.day, tzinfo=utcnow().tzinfo)
        stmt = stmt.where(
            (Transaction.period_end > date_from)
            | (Transaction.period_end.is_(None) & (Transaction.created_at >= start))
        )
    if date_to is not None:
        end = datetime(date_to.year, date_to.month, date_to.day, tzinfo=utcnow().tzinfo)
        stmt = stmt.where(
            (Transaction.period_start <= date_to)
            | (
                Transaction.period_start.is_(None)
                & (Transaction.created_at < end + timedelta(days=1))
            )
        )
    if q:
        stmt = stmt.where(Transaction.description.ilike(like_pattern(q), escape="\\"))
    return stmt.order_by(*order_by(sort, TRANSACTION_SORTS, Transaction.transaction_id))
