"""A product's allowances (data MB, voice minutes, SMS) as balances of its service's account.

Granted when the service first goes live; each allowance is a named balance (``<product
slug>-<kind>``) set to exactly the product's size, expiring at the end of the billing period
that began with the service (a month later on the same day, or the month's last day when
shorter). Set, not added: granting twice leaves one allowance, and a renewal tops an allowance
back up to its size with one movement of the difference.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.catalog.models import BillingPeriod, Product
from omnicrm.charging.ledger import InternalLedger
from omnicrm.charging.models import ChargingAccount, ChargingBalance
from omnicrm.charging.ports import BalanceSpec, BalanceType, Cause
from omnicrm.charging.use_cases import ensure_account
from omnicrm.services.models import Service, ServiceStatus

ALLOWANCE_WEIGHT = 20  # used before top-ups (weight 10) of the same kind
LIVE = (ServiceStatus.active, ServiceStatus.suspended)


STEPS = {BillingPeriod.daily: timedelta(days=1), BillingPeriod.weekly: timedelta(days=7)}


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later, or that month's last day when it is shorter."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, _days_in(year, month)))


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def period_end(start: datetime, period: BillingPeriod) -> datetime | None:
    """When a billing period that began at ``start`` ends (None: it never does)."""
    if period in STEPS:
        return start + STEPS[period]
    if period == BillingPeriod.monthly:
        return add_months(start, 1)
    return None


def current_period(
    anchor: datetime, period: BillingPeriod, now: datetime
) -> tuple[datetime, datetime] | None:
    """The billing period holding ``now``, counted from the service's first day ``anchor``
    (a service started on the 31st renews on each month's last day when shorter, and on the
    31st again when there is one). None for a one-off product."""
    if period in STEPS:
        step = STEPS[period]
        count = max(0, (now - anchor) // step)
        return anchor + count * step, anchor + (count + 1) * step
    if period != BillingPeriod.monthly:
        return None
    months = max(0, (now.year - anchor.year) * 12 + now.month - anchor.month - 1)
    while add_months(anchor, months + 1) <= now:
        months += 1
    return add_months(anchor, months), add_months(anchor, months + 1)


def allowance_specs(product: Product, *, expiry: datetime | None) -> list[BalanceSpec]:
    sizes = (
        (BalanceType.data, product.data_mb),
        (BalanceType.voice, product.voice_minutes),
        (BalanceType.sms, product.sms),
    )
    return [
        BalanceSpec(
            kind,
            Decimal(size),
            balance_id=f"{product.product_slug}-{kind.value}",
            expiry=expiry,
            weight=ALLOWANCE_WEIGHT,
        )
        for kind, size in sizes
        if size
    ]


def grant_allowances(session: Session, service: Service, *, start: datetime) -> int:
    """Set the service's allowances for the period beginning at ``start``; how many."""
    product = session.get(Product, service.product_id)
    assert product is not None  # a foreign key
    specs = allowance_specs(product, expiry=period_end(start, product.billing_period))
    if not specs:
        return 0
    ensure_account(session, service)
    ledger = InternalLedger(session)
    for spec in specs:
        ledger.set_balance(
            service.service_uuid,
            spec,
            cause=Cause.allowance,
            reference=f"{product.product_slug} allowance from {start.date().isoformat()}",
        )
    return len(specs)


def renew_expired_allowances(session: Session, *, now: datetime) -> int:
    """Renew every live service's allowances whose period has ended: each is set back to the
    product's size for the period holding ``now``, counted from the service's start date (a late
    run does not shift the billing day). Unused allowance does not roll over. How many."""
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
        spec = next(
            (s for s in allowance_specs(product, expiry=end) if s.balance_id == balance_id), None
        )
        if spec is None:
            continue  # not this product's allowance (a top-up, or a previous product's)
        InternalLedger(session).set_balance(
            service.service_uuid,
            spec,
            cause=Cause.allowance,
            reference=f"{product.product_slug} allowance from {start.date().isoformat()}",
        )
        renewed += 1
    return renewed
