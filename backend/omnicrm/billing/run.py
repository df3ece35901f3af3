"""The billing run: every billable service's charges up to a date, and every customer's
uninvoiced transactions rolled up into an invoice.

A run goes through customers in chunks (``billing_chunk_size``, in id order); each chunk is one
unit of work that commits with the run's progress, so a crash loses no committed chunk and a
re-run continues where it stopped. Per chunk, a fixed number of statements whatever its size:

1. the recurring charges in advance: every period starting on or before the run's date, from
   each service's cursor (prorated for a partial month), with its promotion's discount;
2. postpaid usage in arrears: usage rated before the run's date, per service and kind;
3. invoices: one per customer and currency with open transactions, its lines linked and its
   totals summed by the database;
4. numbering: a block of numbers taken from the year's sequence row under its lock, so numbers
   have no gaps even when runs overlap, then the "invoice issued" e-mails.

Idempotent: a charge's ``source`` is unique (``recurring:<service>:<day>``), so the same
period billed twice is refused by the database; and chunks of overlapping runs take a lock
(PostgreSQL advisory lock; SQLite serialises writers anyway), so the second finds the cursors
moved and the transactions invoiced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    false,
    func,
    inspect,
    literal,
    null,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from omnicrm.billing.invoices import invoice_view, issue_invoices
from omnicrm.billing.models import (
    CURSORS,
    INVOICES,
    TRANSACTIONS,
    BillingCursor,
    BillingRun,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    RunStatus,
    Transaction,
    TransactionKind,
)
from omnicrm.billing.proration import Promo, next_period
from omnicrm.billing.use_cases import Tariff, line, period_lines, today
from omnicrm.catalog.models import BillingPeriod
from omnicrm.charging.models import UsageRecord
from omnicrm.core.db import Database, UTCDateTime, utcnow
from omnicrm.core.errors import NotFound, ValidationFailed
from omnicrm.customers.models import Customer
from omnicrm.services.models import Service, ServiceStatus

# Locks every chunk of every run against the others (PostgreSQL advisory lock key).
RUN_LOCK_KEY = 0x0B111_0001
MAX_AHEAD_DAYS = 31
USAGE_NAMES = {"data": "Data", "voice": "Voice", "sms": "SMS"}
USAGE_UNITS = {"data": "MB", "voice": "min", "sms": "SMS"}

Progress = Callable[[BillingRun], None]


@dataclass
class ChunkResult:
    customers: int = 0
    transactions: int = 0
    invoice_ids: list[int] = field(default_factory=list)


def request_run(
    session: Session,
    *,
    period_end: date | None,
    customer_id: int | None,
    user_id: int | None,
) -> BillingRun:
    """A run queued for a worker (the caller sends it after commit)."""
    if customer_id is not None and session.get(Customer, customer_id) is None:
        raise NotFound(f"customer {customer_id} not found")
    check_horizon(period_end)
    run = BillingRun(
        period_end=period_end or today(),
        customer_id=customer_id,
        requested_by_user_id=user_id,
        created_at=utcnow(),
    )
    session.add(run)
    session.flush()
    return run


def check_horizon(period_end: date | None, *, location: str = "json") -> None:
    """Billing in advance goes at most one period ahead: a date further out is refused (it
    would bill months nobody has had yet)."""
    if period_end is not None and period_end > today() + timedelta(days=MAX_AHEAD_DAYS):
        raise ValidationFailed.field(
            "period_end",
            f"at most {MAX_AHEAD_DAYS} days ahead of today ({today()})",
            location=location,
        )


def get_run(session: Session, *, billing_run_id: int) -> BillingRun:
    run = session.get(BillingRun, billing_run_id)
    if run is None:
        raise NotFound(f"billing run {billing_run_id} not found")
    return run


def runs_query(*, status: str | None = None) -> Select[Any]:
    stmt = select(BillingRun)
    if status:
        stmt = stmt.where(BillingRun.status == RunStatus(status))
    return stmt.order_by(BillingRun.billing_run_id.desc())


def execute_run(
    db: Database,
    billing_run_id: int,
    *,
    chunk_size: int,
    auto_issue: bool = True,
    payment_terms_days: int = 14,
    suspended_billed: bool = False,
    on_progress: Progress | None = None,
) -> BillingRun:
    """Do run ``billing_run_id`` chunk by chunk (each committed); a failure marks it failed
    with the reason and re-raises. A finished run is left as it is."""
    with db.job_scope() as session:
        run = get_run(session, billing_run_id=billing_run_id)
        if run.status == RunStatus.done:
            return run
        run.status = RunStatus.running
        run.started_at = run.started_at or utcnow()
        run.error = None
        customers = select(func.count()).select_from(Customer)
        if run.customer_id is not None:
            customers = customers.where(Customer.customer_id == run.customer_id)
        run.customer_count = session.scalar(customers) or 0
        run.processed = 0
        as_of, only = run.period_end, run.customer_id
    _tell(on_progress, run)
    after = 0
    try:
        while True:
            with db.job_scope() as session:
                ids = _next_customers(session, after=after, size=chunk_size, only=only)
                if not ids:
                    break
                result = bill_chunk(
                    session,
                    customer_ids=ids,
                    as_of=as_of,
                    run_id=billing_run_id,
                    auto_issue=auto_issue,
                    payment_terms_days=payment_terms_days,
                    suspended_billed=suspended_billed,
                )
                run = get_run(session, billing_run_id=billing_run_id)
                run.processed += len(ids)
                run.transactions_created += result.transactions
                run.invoices_created += len(result.invoice_ids)
                after = ids[-1]
            _tell(on_progress, run)
    except Exception as exc:
        with db.job_scope() as session:
            run = get_run(session, billing_run_id=billing_run_id)
            run.status = RunStatus.failed
            run.error = f"{type(exc).__name__}: {exc}"[:500]
            run.finished_at = utcnow()
        _tell(on_progress, run)
        raise
    with db.job_scope() as session:
        run = get_run(session, billing_run_id=billing_run_id)
        run.status = RunStatus.done
        run.finished_at = utcnow()
    _tell(on_progress, run)
    return run


def execute_configured(
    db: Database, billing_run_id: int, settings: Any, *, on_progress: Progress | None = None
) -> BillingRun:
    """:func:`execute_run` with the installation's billing settings."""
    return execute_run(
        db,
        billing_run_id,
        chunk_size=settings.billing_chunk_size,
        auto_issue=settings.billing_auto_issue,
        payment_terms_days=settings.billing_payment_terms_days,
        suspended_billed=settings.billing_suspended_policy == "bill",
        on_progress=on_progress,
    )


def _tell(on_progress: Progress | None, run: BillingRun) -> None:
    if on_progress is not None:
        on_progress(run)


def _next_customers(session: Session, *, after: int, size: int, only: int | None) -> list[int]:
    stmt = select(Customer.customer_id).where(Customer.customer_id > after)
    if only is not None:
        stmt = stmt.where(Customer.customer_id == only)
    return list(session.scalars(stmt.order_by(Customer.customer_id).limit(size)))


def _serialise(session: Session) -> None:
    """One chunk of one run at a time across processes (PostgreSQL); SQLite's writers are
    serialised by its write lock (a writing unit of work begins IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK_KEY})


LINE_COLUMNS = (
    "customer_id", "service_id", "kind", "description", "period_start", "period_end",
    "currency", "wholesale_amount", "retail_amount", "tax_percentage", "tax_amount", "source",
    "billing_run_id", "created_at",
)  # fmt: skip


def _insert_once(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert transactions, skipping any whose ``source`` exists (billed already); how many
    were new. PostgreSQL: one ``COPY`` into a temporary table, then one ``INSERT ... SELECT
    ... ON CONFLICT DO NOTHING`` (no per-row parameters to bind)."""
    if not rows:
        return 0
    if session.get_bind().dialect.name != "postgresql":
        stmt = sqlite_insert(TRANSACTIONS).on_conflict_do_nothing(index_elements=["source"])
        return len(session.execute(stmt.returning(TRANSACTIONS.c.transaction_id), rows).all())
    columns = ", ".join(LINE_COLUMNS)
    cursor = session.connection().connection.cursor()
    cursor.execute(  # the columns' types, without their NOT NULLs and defaults
        f"CREATE TEMP TABLE IF NOT EXISTS billing_lines ON COMMIT DELETE ROWS AS "  # noqa: S608
        f"SELECT {columns} FROM billing_transaction WITH NO DATA"
    )
    with cursor.copy(f"COPY billing_lines ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(_plain(row[name]) for name in LINE_COLUMNS))
    cursor.execute(  # columns: the constant LINE_COLUMNS, nothing from a caller
        f"INSERT INTO billing_transaction ({columns}, paid_from_balance, void) "  # noqa: S608
        f"SELECT {columns}, false, false FROM billing_lines ON CONFLICT (source) DO NOTHING"
    )
    inserted = int(cursor.rowcount)
    cursor.execute("DELETE FROM billing_lines")
    return inserted


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def bill_chunk(
    session: Session,
    *,
    customer_ids: list[int],
    as_of: date,
    run_id: int | None,
    auto_issue: bool,
    payment_terms_days: int,
    suspended_billed: bool,
) -> ChunkResult:
    """Bill customers ``customer_ids`` (ascending) up to ``as_of`` in ``session``."""
    _serialise(session)
    lo, hi = customer_ids[0], customer_ids[-1]
    in_chunk = and_(Service.customer_id >= lo, Service.customer_id <= hi)
    if len(customer_ids) == 1:
        in_chunk = Service.customer_id == lo
    _open_missing_cursors(session, in_chunk)
    written = _recurring(
        session, in_chunk, as_of=as_of, run_id=run_id, suspended_billed=suspended_billed
    )
    written += _usage(session, in_chunk, as_of=as_of, run_id=run_id)
    invoice_ids, created_here = _invoice(session, lo=lo, hi=hi, run_id=run_id)
    if auto_issue and invoice_ids:
        issue_invoices(
            session, which=created_here, day=today(), payment_terms_days=payment_terms_days
        )
    return ChunkResult(customers=len(customer_ids), transactions=written, invoice_ids=invoice_ids)


def _open_missing_cursors(session: Session, in_chunk: Any) -> None:
    """Live services without a cursor (live before billing was installed): billable from
    their first day."""
    rows = session.execute(
        select(Service.service_id, Service.start_date)
        .outerjoin(BillingCursor, BillingCursor.service_id == Service.service_id)
        .where(
            in_chunk,
            BillingCursor.service_id.is_(None),
            Service.start_date.is_not(None),
            Service.service_status.in_((ServiceStatus.active, ServiceStatus.suspended)),
        )
    ).all()
    if rows:
        session.execute(
            CURSORS.insert(),
            [{"service_id": sid, "billed_through": start.date()} for sid, start in rows if start],
        )


def _recurring(
    session: Session, in_chunk: Any, *, as_of: date, run_id: int | None, suspended_billed: bool
) -> int:
    statuses = [ServiceStatus.active]
    if suspended_billed:
        statuses.append(ServiceStatus.suspended)
    rows = session.execute(
        select(
            *SERVICE_COLUMNS,
            BillingCursor.billed_through,
            BillingCursor.promo_percent,
            BillingCursor.promo_amount,
            BillingCursor.promo_until,
        )
        .join(BillingCursor, BillingCursor.service_id == Service.service_id)
        .where(
            in_chunk,
            Service.service_billed.is_(True),
            Service.service_status.in_(statuses),
            Service.retail_cost > 0,
            BillingCursor.billed_through <= as_of,
        )
        .order_by(Service.service_id)
        .with_for_update(of=BillingCursor)
    ).all()
    lines: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    for row in rows:
        tariff = _tariff(row)
        if not tariff.billed:
            continue
        promo = (
            Promo(row.promo_percent, row.promo_amount, row.promo_until)
            if row.promo_until is not None
            else None
        )
        cursor = row.billed_through
        while cursor <= as_of:
            piece = next_period(cursor, tariff.period)
            if piece is None:
                break
            lines += period_lines(
                tariff,
                piece,
                promo=promo,
                what=_period_label(tariff.period),
                source=f"recurring:{tariff.service_id}:{piece.start.isoformat()}",
                run_id=run_id,
            )
            cursor = piece.end
        moved.append({"service_id": row.service_id, "billed_through": cursor})
    written = _insert_once(session, lines)
    if moved:
        session.execute(update(BillingCursor), moved)
    return written


SERVICE_COLUMNS = (
    Service.service_id,
    Service.customer_id,
    Service.service_name,
    Service.retail_cost,
    Service.wholesale_cost,
    Service.price_snapshot,
)


def _tariff(row: Any) -> Tariff:
    """A row holding :data:`SERVICE_COLUMNS`, as the tariff it is billed at."""
    return Tariff.from_columns(
        service_id=row.service_id,
        customer_id=row.customer_id,
        service_name=row.service_name,
        price=row.retail_cost,
        wholesale=row.wholesale_cost,
        snapshot=row.price_snapshot,
    )


def _period_label(period: BillingPeriod) -> str:
    return {
        BillingPeriod.monthly: "Monthly charge",
        BillingPeriod.weekly: "Weekly charge",
        BillingPeriod.daily: "Daily charge",
    }.get(period, "Charge")


def _usage(session: Session, in_chunk: Any, *, as_of: date, run_id: int | None) -> int:
    """Postpaid usage beyond the allowances (each record's ``arrears``) rated before
    ``as_of``, one line per service and kind, then the cursors moved to ``as_of``."""
    cutoff = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    since = BillingCursor.usage_billed_until
    used = (
        select(
            UsageRecord.service_id,
            UsageRecord.usage_type,
            func.sum(UsageRecord.arrears).label("arrears"),
            func.sum(UsageRecord.units).label("units"),
        )
        .join(Service, Service.service_id == UsageRecord.service_id)
        .join(BillingCursor, BillingCursor.service_id == UsageRecord.service_id)
        .where(
            in_chunk,
            UsageRecord.arrears > 0,
            UsageRecord.rated_at < cutoff,
            or_(since.is_(None), UsageRecord.rated_at >= since),
        )
        .group_by(UsageRecord.service_id, UsageRecord.usage_type)
        .subquery()
    )
    rows = session.execute(
        select(
            *SERVICE_COLUMNS,
            used.c.usage_type,
            used.c.arrears,
            used.c.units,
        )
        .join(used, used.c.service_id == Service.service_id)
        .order_by(Service.service_id, used.c.usage_type)
    ).all()
    lines = []
    for row in rows:
        tariff = _tariff(row)
        kind = str(getattr(row.usage_type, "value", row.usage_type))
        units = Decimal(row.units).normalize()
        lines.append(
            line(
                tariff,
                kind=TransactionKind.usage,
                description=(
                    f"{USAGE_NAMES.get(kind, kind)} usage beyond the allowance: {tariff.name}, "
                    f"{units:f} {USAGE_UNITS.get(kind, '')} to {(as_of - timedelta(days=1))}"
                ),
                net=Decimal(row.arrears),
                source=f"usage:{row.service_id}:{kind}:{as_of.isoformat()}",
                run_id=run_id,
            )
        )
    written = _insert_once(session, lines)
    chunk_services = select(Service.service_id).where(in_chunk).scalar_subquery()
    session.execute(
        update(BillingCursor)
        .where(
            BillingCursor.service_id.in_(chunk_services),
            or_(since.is_(None), since < cutoff),
        )
        .values(usage_billed_until=cutoff)
        .execution_options(synchronize_session=False)
    )
    return written


_OPEN = and_(
    Transaction.invoice_id.is_(None),
    Transaction.void.is_(False),
    Transaction.paid_from_balance.is_(False),
)


def _invoice(session: Session, *, lo: int, hi: int, run_id: int | None) -> tuple[list[int], Any]:
    """One draft invoice per customer (and currency) of [lo, hi] with open transactions, made
    by one ``INSERT ... SELECT ... GROUP BY``; then their lines linked (one ``UPDATE ...
    FROM``) and their totals summed from what was linked, so a transaction written meanwhile
    is either on the invoice and in its totals, or on neither. Returns the new invoices' ids
    and the SQL condition that selects them."""
    in_range = and_(Transaction.customer_id >= lo, Transaction.customer_id <= hi)
    now = literal(utcnow(), type_=UTCDateTime())
    zero = literal(0, type_=Integer())
    groups = (
        select(
            Transaction.customer_id,
            Transaction.currency,
            literal(InvoiceKind.invoice.value),
            literal(InvoiceStatus.draft.value),
            zero,
            zero,
            zero,
            zero,
            literal(run_id, type_=Integer()) if run_id is not None else null(),
            now,
            now,
        )
        .where(in_range, _OPEN)
        .group_by(Transaction.customer_id, Transaction.currency)
        # A credit larger than the charges is carried to the next invoice, never invoiced
        # as a negative amount.
        .having(func.sum(Transaction.retail_amount + Transaction.tax_amount) >= 0)
        .order_by(Transaction.customer_id, Transaction.currency)
    )
    columns = [
        "customer_id", "currency", "kind", "status", "subtotal", "tax_total", "total",
        "amount_paid", "billing_run_id", "created_at", "updated_at",
    ]  # fmt: skip
    invoice_ids = sorted(
        session.scalars(
            INVOICES.insert().from_select(columns, groups).returning(INVOICES.c.invoice_id)
        ).all()
    )
    if not invoice_ids:
        return [], false()
    same_run = (
        Invoice.billing_run_id.is_(None) if run_id is None else Invoice.billing_run_id == run_id
    )
    created_here = and_(
        Invoice.invoice_id.between(invoice_ids[0], invoice_ids[-1]),  # chunks are serialised
        Invoice.kind == InvoiceKind.invoice,
        same_run,
    )
    session.execute(
        update(Transaction)
        .where(
            in_range,
            _OPEN,
            created_here,
            Invoice.customer_id == Transaction.customer_id,
            Invoice.currency == Transaction.currency,
        )
        .values(invoice_id=Invoice.invoice_id)
        .execution_options(synchronize_session=False)
    )
    sum_totals(session, created_here)
    return invoice_ids, created_here


def sum_totals(session: Session, which: Any) -> None:
    """Set invoices' subtotal, tax, total and period from their linked lines."""
    lines = Transaction.__table__.alias("line")
    mine = and_(lines.c.invoice_id == Invoice.invoice_id, lines.c.void.is_(False))

    def total(expr: Any) -> Any:
        return select(func.coalesce(func.sum(expr), 0)).where(mine).scalar_subquery()

    session.execute(
        update(Invoice)
        .where(which)
        .values(
            subtotal=total(lines.c.retail_amount),
            tax_total=total(lines.c.tax_amount),
            total=total(lines.c.retail_amount + lines.c.tax_amount),
            period_start=select(func.min(lines.c.period_start)).where(mine).scalar_subquery(),
            period_end=select(func.max(lines.c.period_end)).where(mine).scalar_subquery(),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


def proforma(
    session: Session, *, customer_id: int, as_of: date, suspended_billed: bool = False
) -> dict[str, Any]:
    """The invoice a run up to ``as_of`` would give the customer now, computed in a savepoint
    that is rolled back: nothing stays written (numbers included)."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    check_horizon(as_of, location="query")
    nested = session.begin_nested()
    try:
        result = bill_chunk(
            session,
            customer_ids=[customer_id],
            as_of=as_of,
            run_id=None,
            auto_issue=False,
            payment_terms_days=0,
            suspended_billed=suspended_billed,
        )
        if result.invoice_ids:
            invoice = session.get(Invoice, result.invoice_ids[0])
            assert invoice is not None
            session.refresh(invoice)
            view = invoice_view(session, invoice)
            return {
                "invoice": _copy(invoice, "amount_due", "paid", "customer_name"),
                "lines": [_copy(row, "total") for row in view["lines"]],
                "tax_summary": view["tax_summary"],
                "credited_by_id": None,
            }
        empty = SimpleNamespace(
            invoice_id=None,
            invoice_number=None,
            kind=InvoiceKind.invoice,
            customer_id=customer_id,
            customer_name=customer.customer_name,
            status=InvoiceStatus.draft,
            currency="USD",
            issue_date=None,
            due_date=None,
            period_start=None,
            period_end=None,
            subtotal=Decimal(0),
            tax_total=Decimal(0),
            total=Decimal(0),
            amount_paid=Decimal(0),
            amount_due=Decimal(0),
            paid=False,
            credit_note_for_id=None,
            void_reason=None,
            voided_at=None,
            billing_run_id=None,
            created_at=utcnow(),
        )
        return {"invoice": empty, "lines": [], "tax_summary": [], "credited_by_id": None}
    finally:
        nested.rollback()


def _copy(obj: Any, *extra: str) -> SimpleNamespace:
    """A plain copy of an ORM row's columns (it outlives the savepoint's rollback)."""
    mapper = inspect(obj).mapper
    values = {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs}
    values.update({name: getattr(obj, name) for name in extra})
    # Neither the invoice nor its lines ever existed: no ids to follow.
    for key in ("invoice_id", "transaction_id"):
        if key in values and mapper.primary_key[0].key == key:
            values[key] = None
    return SimpleNamespace(**values)
