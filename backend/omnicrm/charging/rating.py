"""Rating a batch of usage records against the internal ledger, in a fixed number of statements.

For a batch, whatever its size: one query finds the records already rated (duplicates), one or
two resolve the services (by UUID, by MSISDN), one locks every balance of the accounts involved
(in primary-key order, so two batches never deadlock), then the batch is rated in memory, and
the results are written back with one bulk UPDATE of the touched balances, one bulk INSERT of
their movements (one per balance per batch, cause ``usage``) and one of the usage records.

Each record draws first from the unit balances of its kind (allowances, then top-ups: highest
weight first, then soonest expiry; only those live at the record's start time), then charges
what is left at the product's rate against the monetary balance. A prepaid record that money
cannot cover is rejected and changes nothing; a postpaid one uses what credit there is and keeps
the rest as arrears for billing. A record the product does not rate (no rate for its kind) is
rejected when the allowances do not cover it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from omnicrm.catalog.models import Product
from omnicrm.charging import ports
from omnicrm.charging.models import BalanceMovement, ChargingAccount, ChargingBalance, UsageRecord
from omnicrm.charging.ports import BalanceType, Cause, ChargingBackend, RecordOutcome, UsageType
from omnicrm.core.db import utcnow
from omnicrm.core.money import QUANTUM
from omnicrm.customers.models import Customer, PaymentType
from omnicrm.inventory.models import Inventory
from omnicrm.services.models import Service, ServiceStatus

RATED_STATUSES = (ServiceStatus.active, ServiceStatus.suspended)  # late records still count
MAX_BATCH = 10_000
_CHUNK = 900  # ids per IN (...) list: under SQLite's bound-parameter limit
MOVEMENTS: Table = BalanceMovement.__table__  # type: ignore[assignment]
USAGE: Table = UsageRecord.__table__  # type: ignore[assignment]


@dataclass
class Incoming:
    record_id: str
    usage_type: UsageType
    units: Decimal
    start_time: datetime
    service_uuid: str | None = None
    msisdn: str | None = None
    destination: str | None = None


@dataclass
class Result:
    record_id: str
    outcome: RecordOutcome
    from_allowance: Decimal = Decimal(0)
    charged: Decimal = Decimal(0)
    arrears: Decimal = Decimal(0)
    reason: str | None = None
    account: str | None = None  # whose balances it moved (rated or arrears)


@dataclass
class _Target:
    service_id: int
    account: str
    status: ServiceStatus
    postpaid: bool
    rate: dict[UsageType, Decimal | None]


@dataclass
class _Balances:
    """An account's locked balances and what this batch changed."""

    rows: list[Any]  # rows of _BALANCE_COLUMNS
    values: dict[int, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.values = {row.balance_pk: row.value for row in self.rows}

    def usable(self, kind: BalanceType, at: datetime) -> list[Any]:
        live = [
            row
            for row in self.rows
            if row.balance_type == kind and (row.expiry is None or row.expiry > at)
        ]
        far = datetime.max.replace(tzinfo=at.tzinfo)
        return sorted(live, key=lambda r: (-r.weight, r.expiry or far, r.balance_pk))

    def draw(
        self, kind: BalanceType, amount: Decimal, at: datetime
    ) -> tuple[list[tuple[int, Decimal]], Decimal]:
        """What to take from which balance for ``amount`` (not taken yet), and what is left."""
        takes: list[tuple[int, Decimal]] = []
        for row in self.usable(kind, at):
            available = self.values[row.balance_pk]
            if amount <= 0:
                break
            if available > 0:
                take = min(amount, available)
                takes.append((row.balance_pk, take))
                amount -= take
        return takes, amount


def rate_batch(
    session: Session, records: Sequence[Incoming], remote: ChargingBackend | None = None
) -> list[Result]:
    """Rate and debit ``records`` (in one transaction: the caller's); a result per record.
    With a ``remote`` backend (CGRateS) it rates and debits, and the results are stored here."""
    if remote is not None:
        return _rate_remotely(session, records, remote)
    results, fresh = _split_duplicates(session, records)
    targets = _resolve(session, [r for _, r in fresh])
    accounts = sorted({t.account for t in targets.values()})
    balances = _lock_balances(session, accounts)
    rows: list[dict[str, Any]] = []
    for index, record in sorted(fresh, key=lambda item: (item[1].start_time, item[0])):
        target = targets.get(_key(record))
        result = _rate_one(record, target, balances.get(target.account) if target else None)
        results[index] = result
        rows.append(_usage_row(record, target, result))
    _write(session, balances, rows, len(records))
    return [results[i] for i in range(len(records))]


def _rate_remotely(
    session: Session, records: Sequence[Incoming], remote: ChargingBackend
) -> list[Result]:
    """The same duplicates, services and stored results as the internal path; the remote
    backend draws from the balances it holds, at the prices it holds (CGRateS's rating plans)."""
    results, fresh = _split_duplicates(session, records)
    targets = _resolve(session, [r for _, r in fresh])
    sent: list[tuple[int, Incoming, _Target]] = []
    for index, record in fresh:
        target = targets.get(_key(record))
        if target is None or target.status not in RATED_STATUSES:
            results[index] = _rate_one(record, target, _Balances([]))
        else:
            sent.append((index, record, target))
    ordered = sorted(sent, key=lambda item: (item[1].start_time, item[0]))
    rated = remote.rate(
        [
            ports.UsageRecord(
                record_id=record.record_id,
                account=target.account,
                usage_type=record.usage_type,
                units=record.units,
                start_time=record.start_time,
                destination=record.destination,
            )
            for _, record, target in ordered
        ],
        {},
        postpaid={target.account for _, _, target in ordered if target.postpaid},
    )
    for (index, _, target), outcome in zip(ordered, rated, strict=True):
        results[index] = Result(
            outcome.record_id,
            outcome.outcome,
            from_allowance=outcome.from_allowance,
            charged=outcome.charged,
            arrears=outcome.arrears,
            reason=outcome.reason,
            account=target.account,
        )
    rows = [
        _usage_row(record, targets.get(_key(record)), results[index]) for index, record in fresh
    ]
    _write(session, {}, rows, len(records))
    return [results[i] for i in range(len(records))]


def _split_duplicates(
    session: Session, records: Sequence[Incoming]
) -> tuple[dict[int, Result], list[tuple[int, Incoming]]]:
    """Results for the records seen before (stored, or earlier in this batch), by position,
    and the rest with theirs."""
    results: dict[int, Result] = {}
    seen = _already_rated(session, [r.record_id for r in records])
    fresh: list[tuple[int, Incoming]] = []
    for index, record in enumerate(records):
        if record.record_id in seen:
            results[index] = Result(record.record_id, RecordOutcome.duplicate)
        else:
            seen.add(record.record_id)
            fresh.append((index, record))
    return results, fresh


def _key(record: Incoming) -> str:
    return f"uuid:{record.service_uuid}" if record.service_uuid else f"msisdn:{record.msisdn}"


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _in(column: Any, values: Sequence[str]) -> Any:
    """``column IN (...)`` with the values written into the statement: planned for these values
    each time. As bound parameters, psycopg prepares the statement after a few runs and
    PostgreSQL's generic plan compares each row with every one of the ~900 values in turn (no
    hashing for parameters), which made each batch slower than the last (2.4 s to 12.7 s for
    10,000 records as usage_record grew to 50,000 rows)."""
    return column.in_(
        bindparam(f"in_{column.key}", list(values), expanding=True, literal_execute=True)
    )


def _already_rated(session: Session, record_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(set(record_ids))):
        found.update(
            session.scalars(select(UsageRecord.record_id).where(_in(UsageRecord.record_id, chunk)))
        )
    return found


def _resolve(session: Session, records: Sequence[Incoming]) -> dict[str, _Target]:
    """Each record's service, account, payment type and rates, by ``_key``."""
    uuids = sorted({r.service_uuid for r in records if r.service_uuid})
    msisdns = sorted({r.msisdn for r in records if r.msisdn and not r.service_uuid})
    columns = (
        Service.service_id,
        Service.service_uuid,
        Service.service_status,
        Customer.customer_payment_type,
        Product.rate_per_mb,
        Product.rate_per_minute,
        Product.rate_per_sms,
    )
    base = (
        select(*columns)
        .join(Customer, Customer.customer_id == Service.customer_id)
        .join(Product, Product.product_id == Service.product_id)
    )
    found: dict[str, Any] = {}
    for chunk in _chunks(uuids):
        for row in session.execute(base.where(_in(Service.service_uuid, chunk))):
            found[f"uuid:{row.service_uuid}"] = row
    for chunk in _chunks(msisdns):
        stmt = base.add_columns(Inventory.serial).join(
            Inventory, Inventory.service_id == Service.service_id
        )
        for row in session.execute(stmt.where(_in(Inventory.serial, chunk))):
            found[f"msisdn:{row.serial}"] = row
    return {
        key: _Target(
            service_id=row.service_id,
            account=row.service_uuid,
            status=row.service_status,
            postpaid=row.customer_payment_type == PaymentType.postpaid,
            rate={
                UsageType.data: row.rate_per_mb,
                UsageType.voice: row.rate_per_minute,
                UsageType.sms: row.rate_per_sms,
            },
        )
        for key, row in found.items()
    }


def _lock_balances(session: Session, accounts: list[str]) -> dict[str, _Balances]:
    """Every balance of ``accounts``, locked, in primary-key order; accounts opened if new."""
    existing: set[str] = set()
    for chunk in _chunks(accounts):
        existing.update(
            session.scalars(
                select(ChargingAccount.account).where(_in(ChargingAccount.account, chunk))
            )
        )
    rows: dict[str, list[Any]] = defaultdict(list)
    for chunk in _chunks(sorted(existing)):
        # Plain rows, not ORM objects: a batch holds ~20,000 of them.
        for row in session.execute(
            select(*_BALANCE_COLUMNS)
            .where(_in(ChargingBalance.account, chunk))
            .order_by(ChargingBalance.balance_pk)
            .with_for_update()
        ):
            rows[row.account].append(row)
    return {account: _Balances(rows.get(account, [])) for account in accounts}


_BALANCE_COLUMNS = (
    ChargingBalance.balance_pk,
    ChargingBalance.account,
    ChargingBalance.balance_type,
    ChargingBalance.value,
    ChargingBalance.expiry,
    ChargingBalance.weight,
)


def _rate_one(record: Incoming, target: _Target | None, held: _Balances | None) -> Result:
    rid = record.record_id
    if target is None or held is None:
        return Result(rid, RecordOutcome.rejected, reason="no service with this uuid or msisdn")
    if target.status not in RATED_STATUSES:
        return Result(rid, RecordOutcome.rejected, reason=f"service is {target.status.value}")
    draws, left = held.draw(BalanceType(record.usage_type.value), record.units, record.start_time)
    covered = record.units - left
    cost = Decimal(0)
    if left > 0:
        rate = target.rate[record.usage_type]
        if rate is None:
            return Result(rid, RecordOutcome.rejected, reason="the product does not rate it")
        cost = (left * rate).quantize(QUANTUM, rounding=ROUND_HALF_UP)
    money, owed = held.draw(BalanceType.monetary, cost, record.start_time)
    if owed > 0 and not target.postpaid:
        return Result(rid, RecordOutcome.rejected, reason="not enough credit")
    for pk, amount in draws + money:
        held.values[pk] -= amount
    charged = cost - owed
    outcome = RecordOutcome.arrears if owed > 0 else RecordOutcome.rated
    return Result(
        rid, outcome, from_allowance=covered, charged=charged, arrears=owed, account=target.account
    )


def _usage_row(record: Incoming, target: _Target | None, result: Result) -> dict[str, Any]:
    return {
        "record_id": record.record_id,
        "service_id": target.service_id if target else None,
        "usage_type": record.usage_type,
        "units": record.units,
        "start_time": record.start_time,
        "destination": record.destination,
        "outcome": result.outcome,
        "from_allowance": result.from_allowance,
        "charged": result.charged,
        "arrears": result.arrears,
        "reason": result.reason,
    }


def _write(
    session: Session, balances: dict[str, _Balances], rows: list[dict[str, Any]], size: int
) -> None:
    changed = [
        (row.balance_pk, row.value, held.values[row.balance_pk])
        for held in balances.values()
        for row in held.rows
        if held.values[row.balance_pk] != row.value
    ]
    now = utcnow()
    connection = session.connection()
    if changed and connection.dialect.name == "postgresql":
        _pg_write_balances(connection, changed, now, f"usage: a batch of {size} records")
    elif changed:
        session.execute(
            update(ChargingBalance),
            [{"balance_pk": pk, "value": new, "updated_at": now} for pk, _, new in changed],
        )
        connection.execute(
            insert(MOVEMENTS),
            [
                {
                    "balance_pk": pk,
                    "amount": new - old,
                    "value_after": new,
                    "cause": Cause.usage,
                    "reference": f"usage: a batch of {size} records",
                    "created_at": now,
                }
                for pk, old, new in changed
            ],
        )
    if rows and connection.dialect.name == "postgresql":
        _copy_usage(connection, rows, now)
    elif rows:
        # Core executemany, not the ORM's per-row bulk path: none is needed as an object.
        connection.execute(insert(USAGE), [{**row, "rated_at": now} for row in rows])
    session.expire_all()


_USAGE_COLUMNS = (
    "record_id", "service_id", "usage_type", "units", "start_time", "destination", "outcome",
    "from_allowance", "charged", "arrears", "reason", "rated_at",
)  # fmt: skip


def _pg_write_balances(
    connection: Any, changed: list[tuple[int, Decimal, Decimal]], now: datetime, reference: str
) -> None:
    """PostgreSQL: the touched balances in one ``UPDATE ... FROM unnest(...)`` and their
    movements in one ``COPY`` (executemany cost ~0.5 s per 10,000 records)."""
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute(
        "UPDATE charging_balance SET value = batch.value, updated_at = %s "
        "FROM unnest(%s::integer[], %s::numeric[]) AS batch(pk, value) "
        "WHERE charging_balance.balance_pk = batch.pk",
        (now, [pk for pk, _, _ in changed], [new for _, _, new in changed]),
    )
    columns = "balance_pk, amount, value_after, cause, reference, created_at"
    with cursor.copy(f"COPY balance_movement ({columns}) FROM STDIN") as copy:
        for pk, old, new in changed:
            copy.write_row((pk, new - old, new, Cause.usage.value, reference, now))


def _copy_usage(connection: Any, rows: list[dict[str, Any]], now: datetime) -> None:
    """PostgreSQL: the batch's usage records in one ``COPY`` (a batch is up to 10,000 rows)."""
    cursor = connection.connection.driver_connection.cursor()
    columns = ", ".join(_USAGE_COLUMNS)
    with cursor.copy(f"COPY usage_record ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = {**row, "rated_at": now}
            copy.write_row(
                [
                    v.value if isinstance(v, UsageType | RecordOutcome) else v
                    for v in (values[c] for c in _USAGE_COLUMNS)
                ]
            )
