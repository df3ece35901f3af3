"""Notifications' periodic jobs (fired by the scheduler, run by a worker: see scheduler/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from omnicrm.notifications.use_cases import requeue, stale_queued
from omnicrm.scheduler.registry import periodic


@periodic(
    "notifications.requeue",
    every=timedelta(minutes=5),
    description="Hand queued messages nobody has tried lately back to a worker (none is lost)",
)
def requeue_stale(session: Session, settings: Any) -> dict[str, int]:
    ids = stale_queued(session, older_than_minutes=settings.notification_requeue_minutes)
    requeue(session, ids)
    return {"requeued": len(ids)}
