"""Billing periods and proration: pure date and money arithmetic, no database.

Monthly products are billed by calendar month, in advance: a period is [1st, next 1st). A
service that starts, changes plan, is suspended or ends within a month pays for the days it
had: ``price * days / days in that month``, rounded half-up to the cent per line. Weekly and
daily products are billed in whole steps from the service's first day, and prorated by day
(``price * days / 7``) when a change cuts a step.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from omnicrm.catalog.models import BillingPeriod
from omnicrm.core.money import round_money

STEP_DAYS = {BillingPeriod.weekly: 7, BillingPeriod.daily: 1}


@dataclass(frozen=True)
class Piece:
    """Part of one billing period: [start, end), ``days`` of the period's ``period_days``."""

    start: date
    end: date
    period_days: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def whole(self) -> bool:
        return self.days == self.period_days


def next_month_start(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def next_period(start: date, period: BillingPeriod) -> Piece | None:
    """The period a cursor at ``start`` bills next: the rest of its calendar month (monthly),
    or one whole step (weekly, daily). None for one-off products."""
    if period == BillingPeriod.monthly:
        return Piece(start, next_month_start(start), days_in_month(start))
    if period in STEP_DAYS:
        step = STEP_DAYS[period]
        return Piece(start, start + timedelta(days=step), step)
    return None


def split(start: date, end: date, period: BillingPeriod) -> list[Piece]:
    """[start, end) as pieces of billing periods, each prorated against its own period's
    length (a span over a month's end is two pieces). Empty when ``end <= start``."""
    pieces: list[Piece] = []
    if period == BillingPeriod.monthly:
        cursor = start
        while cursor < end:
            stop = min(next_month_start(cursor), end)
            pieces.append(Piece(cursor, stop, days_in_month(cursor)))
            cursor = stop
    elif period in STEP_DAYS and start < end:
        pieces.append(Piece(start, end, STEP_DAYS[period]))
    return pieces


def prorate(price: Decimal, piece: Piece) -> Decimal:
    """The net amount of ``piece`` at ``price`` per period, rounded half-up to the cent."""
    if piece.whole:
        return round_money(price)
    return round_money(price * piece.days / piece.period_days)


def tax_of(net: Decimal, percentage: Decimal) -> Decimal:
    """Tax on one line, half-up to the cent; a credit's tax is the charge's, negated (so a
    charge and its exact credit cancel to zero)."""
    magnitude = round_money(abs(net) * percentage / 100)
    return -magnitude if net < 0 else magnitude


@dataclass(frozen=True)
class Promo:
    """A promotion a service got when it went live: a percentage or a fixed amount off each
    recurring charge whose period starts before ``until``."""

    percent: Decimal | None
    amount: Decimal | None
    until: date

    def applies(self, period_start: date) -> bool:
        return period_start < self.until and (self.percent or self.amount) is not None

    def discount(self, net: Decimal, piece: Piece) -> Decimal:
        """The (positive) discount on a recurring line of ``net`` for ``piece``; never more
        than the line."""
        if self.percent is not None:
            off = round_money(net * self.percent / 100)
        else:
            assert self.amount is not None
            off = prorate(self.amount, piece)
        return min(off, net)
