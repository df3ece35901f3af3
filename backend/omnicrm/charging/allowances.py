"""A product's allowances (data MB, voice minutes, SMS) as balances of its service's account.

Granted when the service first goes live; each allowance is a named balance (``<service
uuid>-<kind>``, the name the activation play gives it in CGRateS) set to exactly the product's
size, expiring at the end of the billing period
that began with the service (a month later on the same day, or the month's last day when
shorter). Set, not added: granting twice leaves one allowance, and a renewal tops an allowance
back up to its size with one movement of the difference. A plan change sets them to the new
product's sizes for the rest of the current period (:func:`follow_plan_change`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.catalog.models import Product
from omnicrm.charging.backends import Charging
from omnicrm.charging.models import ChargingAccount, ChargingBalance
from omnicrm.charging.periods import current_period, period_end
from omnicrm.charging.ports import BalanceSpec, Cause
from omnicrm.charging.use_cases import ensure_account, unit_specs
from omnicrm.services.models import Service, ServiceStatus

ALLOWANCE_WEIGHT = 20  # used before top-ups (weight 10) of the same kind
LIVE = (ServiceStatus.active, ServiceStatus.suspended)


def allowance_specs(
    product: Product, account: str, *, expiry: datetime | None
) -> list[BalanceSpec]:
    return unit_specs(product, f"{account}-", expiry=expiry, weight=ALLOWANCE_WEIGHT)


def grant_allowances(session: Session, service: Service, *, start: datetime) -> int:
    """Set the service's allowances for the period beginning at ``start``; how many."""
    product = session.get(Product, service.product_id)
    assert product is not None  # a foreign key
    specs = allowance_specs(
        product, service.service_uuid, expiry=period_end(start, product.billing_period)
    )
    if not specs:
        return 0
    charging = Charging.configured(session)
    ensure_account(session, service, charging)
    for spec in specs:
        charging.set(
            service.service_uuid,
            spec,
            cause=Cause.allowance,
            reference=f"{product.product_slug} allowance from {start.date().isoformat()}",
        )
    return len(specs)


def follow_plan_change(
    session: Session, service: Service, *, from_product_id: int, at: datetime
) -> int:
    """After ``service`` moved to another product at ``at``: set each allowance of the new
    product to its full size until the end of the billing period holding ``at`` (counted from
    the service's start, as renewals count), and each the old product had and the new one has
    not to zero until then (it is not renewed afterwards). How many balances were set."""
    product = session.get(Product, service.product_id)
    old = session.get(Product, from_product_id)
    assert product is not None and old is not None  # foreign keys
    bounds = current_period(service.start_date or at, product.billing_period, at)
    start, expiry = bounds if bounds is not None else (at, None)  # one-off: never expires
    specs = allowance_specs(product, service.service_uuid, expiry=expiry)
    kept = {spec.balance_id for spec in specs}
    dropped = [
        replace(spec, value=Decimal(0))
        for spec in allowance_specs(old, service.service_uuid, expiry=expiry)
        if spec.balance_id not in kept
    ]
    if session.get(ChargingAccount, service.service_uuid) is None:
        dropped = []  # never granted any: nothing to end
    if not specs and not dropped:
        return 0
    charging = Charging.configured(session)
    ensure_account(session, service, charging)
    for spec in specs:
        charging.set(
            service.service_uuid,
            spec,
            cause=Cause.allowance,
            reference=f"{product.product_slug} allowance from {start.date().isoformat()} "
            "(plan change)",
        )
    for spec in dropped:
        charging.set(
            service.service_uuid,
            spec,
            cause=Cause.expiry,
            reference=f"{old.product_slug} allowance ended by plan change"[:200],
        )
    return len(specs) + len(dropped)


def renew_expired_allowances(session: Session, *, now: datetime) -> int:
    """Renew every live service's allowances whose period has ended: each is set back to the
    product's size for the period holding ``now``, counted from the service's start date (a late
    run does not shift the billing day). Unused allowance expires, or with the product's
    ``allowance_rollover`` carries over, up to one period's size. How many."""
    rows = session.execute(
        select(ChargingBalance.balance_pk, ChargingBalance.balance_id, Service, Product)
        .join(ChargingAccount, ChargingAccount.account == ChargingBalance.account)
        .join(Service, Service.service_id == ChargingAccount.service_id)
        .join(Product, Product.product_id == Service.product_id)
        .where(ChargingBalance.expiry <= now)
        .where(Service.service_status.in_(LIVE))
        .order_by(ChargingBalance.balance_pk)
    ).all()
    renewed = 0
    for balance_pk, balance_id, service, product in rows:
        locked = session.scalars(
            select(ChargingBalance)
            .where(ChargingBalance.balance_pk == balance_pk)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if locked.expiry is None or locked.expiry > now:
            continue  # renewed meanwhile
        bounds = current_period(service.start_date or locked.expiry, product.billing_period, now)
        if bounds is None:
            continue  # a one-off product's allowance does not come back
        start, end = bounds
        specs = allowance_specs(product, service.service_uuid, expiry=end)
        spec = next((s for s in specs if s.balance_id == balance_id), None)
        if spec is None:
            continue  # not an allowance of the product (a top-up, an add-on)
        charging = Charging.configured(session)
        if product.allowance_rollover:
            # What was left carries over, up to one period's size (CGRateS knows what was left:
            # usage is debited there).
            left = locked.value
            if charging.remote is not None:
                left = charging.remote.last_value(locked.account, spec.balance_type, balance_id)
            spec = replace(spec, value=spec.value + min(max(left, Decimal(0)), spec.value))
        charging.set(
            service.service_uuid,
            spec,
            cause=Cause.allowance,
            reference=f"{product.product_slug} allowance from {start.date().isoformat()}",
        )
        renewed += 1
    return renewed
