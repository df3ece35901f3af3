"""Charging thresholds: a product's alert levels, checked after the balances of its services move.

Per product (catalog fields): ``allowance_alerts`` — percentages of each allowance used (e.g.
80 and 100); ``low_balance_alert`` — money below an amount; ``exhausted_play`` — a play run for
the service when an allowance is used up (e.g. bar data). Each level fires once per period: a
``threshold_crossing`` row keyed by account, level and the period's end (the allowance's expiry;
for money, the end of the service's current billing period) is written when it fires, and its
unique key lets only the first of two racing batches fire it. Firing publishes
:class:`~omnicrm.charging.events.ThresholdCrossed`: the customer is e-mailed (charging's
handler), staff see it live and the play is queued (provisioning's).

Checked after usage is rated and after an add-on is charged, for the accounts those touched,
with one query for the watched accounts (products with no threshold cost nothing more) and one
for their balances (CGRateS: one account read each).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.catalog.models import Product
from omnicrm.charging.backends import Charging
from omnicrm.charging.events import ThresholdCrossed
from omnicrm.charging.models import ChargingAccount, ChargingBalance, ThresholdCrossing
from omnicrm.charging.periods import current_period
from omnicrm.charging.ports import Balance, BalanceType
from omnicrm.core.db import utcnow
from omnicrm.core.events import publish
from omnicrm.core.money import format_money
from omnicrm.services.models import Service

FOREVER = datetime(9999, 12, 31, tzinfo=UTC)  # the period of a balance that never expires
_CHUNK = 600  # accounts per IN (...) list, with room for the product ids


@dataclass(frozen=True)
class _Watched:
    account: str
    service: Service
    product: Product


@dataclass(frozen=True)
class _Level:
    threshold: str
    balance_type: BalanceType
    period_end: datetime
    value: Decimal
    percent_used: int | None = None
    below: Decimal | None = None
    play: str | None = None


def check_thresholds(
    session: Session, accounts: Iterable[str], *, charging: Charging | None = None
) -> list[ThresholdCrossed]:
    """Fire every level the accounts' balances have reached that has not fired this period;
    the events published, in account order."""
    watched = _watched(session, sorted(set(accounts)))
    if not watched:
        return []
    charging = charging or Charging.configured(session)
    now = utcnow()
    balances = _balances(session, charging, [w.account for w in watched], now)
    fired: list[ThresholdCrossed] = []
    for item in watched:
        for level in _reached(item, balances.get(item.account, []), now):
            if _fire_once(session, item.account, level, now):
                event = ThresholdCrossed(
                    service_id=item.service.service_id,
                    customer_id=item.service.customer_id,
                    account=item.account,
                    threshold=level.threshold,
                    balance_type=level.balance_type.value,
                    percent_used=level.percent_used,
                    below=level.below,
                    value=level.value,
                    play=level.play,
                )
                publish(session, event)
                fired.append(event)
    return fired


def _watched(session: Session, accounts: list[str]) -> list[_Watched]:
    """The accounts whose product has a threshold (the catalog is read first: without any,
    nothing else is)."""
    products = {
        product_id
        for product_id, alerts, low, play in session.execute(
            select(
                Product.product_id,
                Product.allowance_alerts,
                Product.low_balance_alert,
                Product.exhausted_play,
            )
        )
        if alerts or low is not None or play
    }
    if not products:
        return []
    found: list[_Watched] = []
    for start in range(0, len(accounts), _CHUNK):
        stmt = (
            select(ChargingAccount.account, Service, Product)
            .join(Service, Service.service_id == ChargingAccount.service_id)
            .join(Product, Product.product_id == Service.product_id)
            .where(ChargingAccount.account.in_(accounts[start : start + _CHUNK]))
            .order_by(ChargingAccount.account)
        )
        if len(products) <= _CHUNK // 2:  # else the IN lists would pass SQLite's bound
            stmt = stmt.where(Service.product_id.in_(sorted(products)))
        found.extend(
            _Watched(account, service, product)
            for account, service, product in session.execute(stmt)
            if product.product_id in products
        )
    return found


def _balances(
    session: Session, charging: Charging, accounts: list[str], now: datetime
) -> dict[str, list[Balance]]:
    if charging.remote is not None:
        return {account: charging.balances(account) for account in accounts}
    found: dict[str, list[Balance]] = defaultdict(list)
    for start in range(0, len(accounts), _CHUNK):
        for row in session.scalars(
            select(ChargingBalance)
            .where(ChargingBalance.account.in_(accounts[start : start + _CHUNK]))
            .where(ChargingBalance.expiry.is_(None) | (ChargingBalance.expiry > now))
            .execution_options(populate_existing=True)
        ):
            found[row.account].append(
                Balance(row.balance_type, row.balance_id, row.value, row.expiry, row.weight,
                        row.blocker)
            )  # fmt: skip
    return found


def _reached(item: _Watched, balances: list[Balance], now: datetime) -> Iterable[_Level]:
    product = item.product
    sizes = (
        (BalanceType.data, product.data_mb),
        (BalanceType.voice, product.voice_minutes),
        (BalanceType.sms, product.sms),
    )
    for kind, size in sizes:
        allowance = next(
            (b for b in balances if b.balance_id == f"{item.account}-{kind.value}"), None
        )
        if not size or allowance is None:
            continue
        period_end = allowance.expiry or FOREVER
        used = (Decimal(size) - allowance.value) * 100 / Decimal(size)
        for percent in product.allowance_alerts or []:
            if used >= percent:
                yield _Level(
                    f"{kind.value}:{percent}", kind, period_end, allowance.value,
                    percent_used=percent,
                )  # fmt: skip
        if product.exhausted_play and allowance.value <= 0:
            yield _Level(
                f"{kind.value}:exhausted", kind, period_end, allowance.value,
                percent_used=100, play=product.exhausted_play,
            )  # fmt: skip
    if product.low_balance_alert is not None:
        money = sum(
            (b.value for b in balances if b.balance_type == BalanceType.monetary), Decimal(0)
        )
        if money < product.low_balance_alert:
            # Counted from the service's first day (or its creation: a stable anchor, so the
            # period, and the level's key, is the same for every check within it).
            anchor = item.service.start_date or item.service.created_at
            bounds = current_period(anchor, product.billing_period, now)
            yield _Level(
                "monetary:below", BalanceType.monetary, bounds[1] if bounds else FOREVER, money,
                below=product.low_balance_alert,
            )  # fmt: skip


def _fire_once(session: Session, account: str, level: _Level, now: datetime) -> bool:
    """Record the crossing; False when it has fired this period already (here or in a
    concurrent transaction that committed first)."""
    exists = session.scalar(
        select(ThresholdCrossing.crossing_id)
        .where(ThresholdCrossing.account == account)
        .where(ThresholdCrossing.threshold == level.threshold)
        .where(ThresholdCrossing.period_end == level.period_end)
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                ThresholdCrossing(
                    account=account,
                    threshold=level.threshold,
                    period_end=level.period_end,
                    value=level.value,
                    crossed_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def describe(event: ThresholdCrossed) -> dict[str, Any]:
    """The event as the staff UI and the e-mail read it."""
    return {
        "service_id": event.service_id,
        "customer_id": event.customer_id,
        "threshold": event.threshold,
        "balance_type": event.balance_type,
        "percent_used": event.percent_used,
        "below": None if event.below is None else format_money(event.below),
        "value": format_money(event.value),
    }
