"""Billing periods: when one that began at a moment ends, and which one holds a moment."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from omnicrm.catalog.models import BillingPeriod

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
