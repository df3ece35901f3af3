"""Charging use cases: a service's balances, staff top-ups, the movement ledger."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.catalog.models import Product
from omnicrm.charging.ledger import Idempotency, InternalLedger
from omnicrm.charging.models import (
    BalanceMovement,
    ChargingAccount,
    ChargingBalance,
    UsageRecord,
)
from omnicrm.charging.ports import AccountOptions, BalanceSpec, BalanceType, Cause, RecordOutcome
from omnicrm.charging.rating import Incoming, rate_batch
from omnicrm.core.errors import Conflict
from omnicrm.core.idempotency import IdempotencyMismatch
from omnicrm.customers.models import Customer, PaymentType
from omnicrm.services.models import Service, ServiceStatus
from omnicrm.services.use_cases import get_service

CLOSED = (ServiceStatus.terminated,)


class ServiceClosed(Conflict):
    code = "service_terminated"


def ensure_account(session: Session, service: Service) -> ChargingAccount:
    """The service's charging account, opened on first use. Postpaid customers' accounts may
    go below zero (usage is billed in arrears); prepaid ones may not."""
    payment_type = session.scalar(
        select(Customer.customer_payment_type).where(Customer.customer_id == service.customer_id)
    )
    options = AccountOptions(allow_negative=payment_type == PaymentType.postpaid)
    return InternalLedger(session).create_account(
        service.service_uuid, options, service_id=service.service_id
    )


def service_balances(session: Session, *, service_id: int) -> dict[str, Any]:
    service = get_service(session, service_id=service_id)
    currency = session.scalar(
        select(Product.currency).where(Product.product_id == service.product_id)
    )
    return {
        "service_id": service.service_id,
        "account": service.service_uuid,
        "backend": InternalLedger.name,
        "currency": currency,
        "balances": InternalLedger(session).balances(service.service_uuid),
    }


def top_up(
    session: Session,
    *,
    service_id: int,
    amount: Decimal,
    note: str | None,
    user_id: int | None,
    idempotency: Idempotency | None,
) -> BalanceMovement:
    """Add money to a service's monetary balance. The same Idempotency-Key with the same body
    answers the first movement; with another body, 422."""
    if idempotency is not None:
        replay = _replay(session, idempotency)
        if replay is not None:
            return replay
    service = get_service(session, service_id=service_id)
    if service.service_status in CLOSED:
        raise ServiceClosed(f"service {service_id} is {service.service_status.value}")
    ensure_account(session, service)
    reference = f"staff top-up{': ' + note if note else ''}"
    try:
        with session.begin_nested():
            return InternalLedger(session).add_balance(
                service.service_uuid,
                BalanceSpec(BalanceType.monetary, amount),
                cause=Cause.topup,
                reference=reference[:200],
                user_id=user_id,
                idempotency=idempotency,
            )
    except IntegrityError:
        # The same key committed by a concurrent request first: answer what it did.
        assert idempotency is not None
        replay = _replay(session, idempotency)
        if replay is None:
            raise
        return replay


def _replay(session: Session, idempotency: Idempotency) -> BalanceMovement | None:
    movement = session.scalar(
        select(BalanceMovement).where(BalanceMovement.idempotency_key == idempotency.key)
    )
    if movement is None:
        return None
    if movement.request_hash != idempotency.request_hash:
        raise IdempotencyMismatch(
            "this Idempotency-Key was used for another top-up",
            extra={"movement_id": movement.movement_id},
        )
    return movement


def movements_query(
    *, service_id: int, balance_type: BalanceType | None = None, cause: Cause | None = None
) -> Select[Any]:
    """The service's ledger, newest first, each movement with its balance's type and id."""
    stmt = (
        select(BalanceMovement)
        .join(ChargingBalance, ChargingBalance.balance_pk == BalanceMovement.balance_pk)
        .join(Service, Service.service_uuid == ChargingBalance.account)
        .where(Service.service_id == service_id)
        .order_by(BalanceMovement.movement_id.desc())
    )
    if balance_type is not None:
        stmt = stmt.where(ChargingBalance.balance_type == balance_type)
    if cause is not None:
        stmt = stmt.where(BalanceMovement.cause == cause)
    return stmt


def rate_usage(session: Session, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Rate a batch of usage records (the API's shape); the counts and each record's result."""
    batch = [
        Incoming(
            record_id=r["id"],
            usage_type=r["type"],
            units=r["units"],
            start_time=r["start_time"],
            service_uuid=r.get("service_uuid"),
            msisdn=r.get("msisdn"),
            destination=r.get("destination"),
        )
        for r in records
    ]
    results = rate_batch(session, batch)
    counts = Counter(result.outcome.value for result in results)
    return {
        **{outcome.value: counts.get(outcome.value, 0) for outcome in RecordOutcome},
        "results": [
            {
                "id": r.record_id,
                "outcome": r.outcome,
                "from_allowance": r.from_allowance,
                "charged": r.charged,
                "arrears": r.arrears,
                "reason": r.reason,
            }
            for r in results
        ],
    }


def usage_totals(
    session: Session,
    *,
    service_id: int,
    from_: datetime | None,
    to: datetime | None,
    group_by: str,
) -> list[dict[str, Any]]:
    """A service's rated and arrears usage summed by type (and day), oldest day first."""
    get_service(session, service_id=service_id)
    day = func.date(UsageRecord.start_time).label("day")
    keys: list[Any] = (
        [day, UsageRecord.usage_type] if group_by == "day" else [UsageRecord.usage_type]
    )
    stmt = (
        select(
            *keys,
            func.count().label("records"),
            func.sum(UsageRecord.units).label("units"),
            func.sum(UsageRecord.from_allowance).label("from_allowance"),
            func.sum(UsageRecord.charged).label("charged"),
            func.sum(UsageRecord.arrears).label("arrears"),
        )
        .where(UsageRecord.service_id == service_id)
        .where(UsageRecord.outcome.in_((RecordOutcome.rated, RecordOutcome.arrears)))
        .group_by(*keys)
        .order_by(*keys)
    )
    if from_ is not None:
        stmt = stmt.where(UsageRecord.start_time >= from_)
    if to is not None:
        stmt = stmt.where(UsageRecord.start_time < to)
    rows = []
    for row in session.execute(stmt):
        item = dict(row._mapping)
        if group_by == "day":
            item["day"] = _as_date(item["day"])
        rows.append(item)
    return rows


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
