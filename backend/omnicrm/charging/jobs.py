"""Charging's periodic jobs (fired by the scheduler, run by a worker: see scheduler/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from omnicrm.charging.allowances import renew_expired_allowances
from omnicrm.core.db import utcnow
from omnicrm.scheduler.registry import periodic


@periodic(
    "charging.renew_allowances",
    every=timedelta(minutes=15),
    description="Set live services' allowances back to their size when their period ends",
)
def renew_allowances(session: Session, settings: Any) -> dict[str, int]:
    return {"renewed": renew_expired_allowances(session, now=utcnow())}
