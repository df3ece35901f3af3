"""SLA due times: hours per priority, counted around the clock or in business hours.

``TICKET_BUSINESS_HOURS`` (JSON) is ``{"days": [0, 1, 2, 3, 4], "start": "09:00", "end":
"17:00", "timezone": "Australia/Sydney"}`` (Monday = 0), or unset for around the clock. A ticket
opened outside those hours starts counting when they next begin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def add_hours(start: datetime, hours: float, business: dict[str, Any] | None) -> datetime:
    """``start`` plus ``hours`` of (business) time, in UTC."""
    if not business:
        return start + timedelta(hours=hours)
    zone = ZoneInfo(business.get("timezone", "UTC"))
    days = set(business.get("days", [0, 1, 2, 3, 4]))
    opens, closes = _clock(business.get("start", "09:00")), _clock(business.get("end", "17:00"))
    if not days or closes <= opens:
        return start + timedelta(hours=hours)
    left = timedelta(hours=hours)
    moment = start.astimezone(zone)
    for _ in range(3700):  # ten years of days: ends long before for any sane SLA
        day_open = datetime.combine(moment.date(), opens, zone)
        day_close = datetime.combine(moment.date(), closes, zone)
        if moment.weekday() in days and moment < day_close:
            begin = max(moment, day_open)
            available = day_close - begin
            if left <= available:
                return (begin + left).astimezone(UTC)
            left -= available
        moment = datetime.combine(moment.date() + timedelta(days=1), time(0), zone)
    return (start + timedelta(hours=hours)).astimezone(UTC)


@dataclass(frozen=True)
class Sla:
    """Hours to due per priority, and the business hours they count in (None: always)."""

    hours: Mapping[str, float]
    business: Mapping[str, Any] | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> Sla:
        return cls(settings.ticket_sla_hours, settings.ticket_business_hours)

    def due(self, opened: datetime, priority: str) -> datetime:
        hours = float(self.hours.get(priority, 24))
        return add_hours(opened, hours, dict(self.business) if self.business else None)
