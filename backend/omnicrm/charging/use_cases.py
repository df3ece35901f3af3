"""Charging use cases: a service's balances, staff top-ups and add-on sales, the movement
ledger, usage rating. Balances change through :class:`~omnicrm.charging.backends.Charging`, so
the same use case runs on the internal ledger and on CGRateS."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.catalog.models import Product
from omnicrm.catalog.use_cases import check_addon_compatible
from omnicrm.charging.backends import Charging, remote_backend
from omnicrm.charging.events import AddonSold
from omnicrm.charging.ledger import Idempotency
from omnicrm.charging.models import (
    BalanceMovement,
    ChargingAccount,
    ChargingBalance,
    UsageRecord,
)
from omnicrm.charging.periods import period_end
from omnicrm.charging.ports import AccountOptions, BalanceSpec, BalanceType, Cause, RecordOutcome
from omnicrm.charging.rating import Incoming, rate_batch
from omnicrm.charging.thresholds import check_thresholds
from omnicrm.core.db import utcnow
from omnicrm.core.errors import Conflict, ValidationFailed
from omnicrm.core.events import publish
from omnicrm.core.idempotency import IdempotencyMismatch
from omnicrm.customers.models import Customer, PaymentType
from omnicrm.services.models import Service, ServiceStatus
from omnicrm.services.use_cases import get_service

CLOSED = (ServiceStatus.terminated,)
ADDON_WEIGHT = 15  # after the plan's allowances (20), before top-ups (10)


class ServiceClosed(Conflict):
    code = "service_terminated"


def is_postpaid(session: Session, service: Service) -> bool:
    payment_type = session.scalar(
        select(Customer.customer_payment_type).where(Customer.customer_id == service.customer_id)
    )
    return payment_type == PaymentType.postpaid


def ensure_account(
    session: Session, service: Service, charging: Charging | None = None
) -> ChargingAccount:
    """The service's charging account, opened on first use. Postpaid customers' accounts may
    go below zero (usage is billed in arrears); prepaid ones may not."""
    charging = charging or Charging.configured(session)
    options = AccountOptions(allow_negative=is_postpaid(session, service))
    return charging.open_account(service.service_uuid, options, service_id=service.service_id)


def service_balances(session: Session, *, service_id: int) -> dict[str, Any]:
    service = get_service(session, service_id=service_id)
    currency = session.scalar(
        select(Product.currency).where(Product.product_id == service.product_id)
    )
    charging = Charging.configured(session)
    return {
        "service_id": service.service_id,
        "account": service.service_uuid,
        "backend": charging.name,
        "currency": currency,
        "balances": charging.balances(service.service_uuid),
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
    charging = Charging.configured(session)
    ensure_account(session, service, charging)
    reference = f"staff top-up{': ' + note if note else ''}"
    try:
        with session.begin_nested():
            return charging.add(
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


class ServiceNotLive(Conflict):
    code = "service_not_active"


def addon_specs(addon: Product) -> list[BalanceSpec]:
    """The balances an add-on brings: its data, voice and SMS, each a balance of its own
    (``addon-<slug>-<kind>``: one name for every account, as its CGRateS action
    ``Action_<slug>`` adds it) used after the plan's allowance and before
    top-ups, expiring at the end of the add-on's billing period from now (a one-off never).
    Buying it again adds onto the same balance and extends its expiry."""
    return unit_specs(
        addon,
        f"addon-{addon.product_slug}-",
        expiry=period_end(utcnow(), addon.billing_period),
        weight=ADDON_WEIGHT,
    )


def unit_specs(
    product: Product, prefix: str, *, expiry: datetime | None, weight: int
) -> list[BalanceSpec]:
    """A balance per unit the product brings (data MB, voice minutes, SMS), named
    ``<prefix><kind>``."""
    sizes = (
        (BalanceType.data, product.data_mb),
        (BalanceType.voice, product.voice_minutes),
        (BalanceType.sms, product.sms),
    )
    return [
        BalanceSpec(
            kind, Decimal(size), balance_id=f"{prefix}{kind.value}", expiry=expiry, weight=weight
        )
        for kind, size in sizes
        if size
    ]


def sell_addon(
    session: Session,
    *,
    service_id: int,
    addon_id: int,
    user_id: int | None,
    idempotency: Idempotency | None,
) -> dict[str, Any]:
    """Sell an add-on onto an active service: take its price (``retail_cost``) from the
    monetary balance, add its balances, and publish :class:`AddonSold` (provisioning runs the
    add-on's play). A prepaid service without the money is a 409 and nothing changes; a
    postpaid one may go below zero (billed in arrears). With an Idempotency-Key a retry
    answers the first sale."""
    if idempotency is not None:
        first = _replay(session, idempotency)
        if first is not None:
            return _sale(session, first.reference)
    service = get_service(session, service_id=service_id)
    if service.service_status != ServiceStatus.active:
        raise ServiceNotLive(
            f"service {service_id} is {service.service_status.value}: add-ons are sold onto "
            "active services"
        )
    addon = check_addon_compatible(session, addon_id=addon_id, base_product_id=service.product_id)
    if not addon.enabled:
        raise ValidationFailed.field("product_id", f"add-on {addon_id} is disabled")
    specs = addon_specs(addon)
    if not specs and not addon.retail_cost:
        raise ValidationFailed.field("product_id", f"add-on {addon_id} brings no balance")
    charging = Charging.configured(session)
    account = ensure_account(session, service, charging)
    charging.lock_account(account.account)
    reference = f"add-on {addon.product_slug} sale {uuid.uuid4().hex[:12]}"
    try:
        with session.begin_nested():
            key = idempotency
            if addon.retail_cost > 0:
                charging.charge(
                    account.account,
                    addon.retail_cost,
                    cause=Cause.addon,
                    reference=reference,
                    allow_negative=account.allow_negative,
                    user_id=user_id,
                    idempotency=key,
                )
                key = None
            charging.add_by_action(
                account.account,
                f"Action_{addon.product_slug}",
                specs,
                cause=Cause.addon,
                reference=reference,
                user_id=user_id,
                idempotency=key,
            )
    except IntegrityError:
        assert idempotency is not None  # only the key is unique among movements
        replay = _replay(session, idempotency)
        if replay is None:
            raise
        return _sale(session, replay.reference)
    publish(
        session,
        AddonSold(
            service_id=service.service_id,
            addon_product_id=addon_id,
            account=account.account,
            reference=reference,
            price=addon.retail_cost,
            prepaid=not is_postpaid(session, service),
        ),
    )
    if addon.retail_cost > 0:
        check_thresholds(session, [account.account], charging=charging)
    return _sale(session, reference)


def _sale(session: Session, reference: str) -> dict[str, Any]:
    """A sale as answered: what it charged and added, from its movements."""
    rows = session.execute(
        select(BalanceMovement, ChargingBalance.balance_type, ChargingBalance.balance_id)
        .join(ChargingBalance, ChargingBalance.balance_pk == BalanceMovement.balance_pk)
        .where(BalanceMovement.reference == reference)
        .order_by(BalanceMovement.movement_id)
    ).all()
    service_id = session.scalar(
        select(Service.service_id)
        .join(ChargingAccount, ChargingAccount.service_id == Service.service_id)
        .join(ChargingBalance, ChargingBalance.account == ChargingAccount.account)
        .where(ChargingBalance.balance_pk == rows[0][0].balance_pk)
    )
    slug = reference.split(" ")[1]
    return {
        "service_id": service_id,
        "product_slug": slug,
        "reference": reference,
        "charged": -sum(
            (m.amount for m, kind, _ in rows if kind == BalanceType.monetary), Decimal(0)
        ),
        "movements": [m for m, _, _ in rows],
    }


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
    remote = remote_backend()
    results = rate_batch(session, batch, remote)
    moved = {
        r.account
        for r in results
        if r.account and r.outcome in (RecordOutcome.rated, RecordOutcome.arrears)
    }
    check_thresholds(session, moved, charging=Charging(session, remote))
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
