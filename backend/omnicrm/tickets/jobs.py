"""Tickets' periodic jobs (fired by the scheduler, run by a worker: see scheduler/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.scheduler.registry import periodic
from omnicrm.tickets.use_cases import flag_breaches


@periodic(
    "tickets.sla_breaches",
    every=timedelta(minutes=5),
    description="Flag open tickets past their SLA due time (once each) and alert the assignee",
)
def sla_breaches(session: Session, settings: Any) -> dict[str, int]:
    return {"breached": len(flag_breaches(session, now=utcnow()))}
