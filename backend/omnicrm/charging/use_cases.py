"""Charging use cases: a service's balances, staff top-ups, the movement ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.catalog.models import Product
from omnicrm.charging.ledger import Idempotency, InternalLedger
from omnicrm.charging.models import BalanceMovement, ChargingAccount, ChargingBalance
from omnicrm.charging.ports import AccountOptions, BalanceSpec, BalanceType, Cause
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
