"""The scheduler's own periodic job: keep the run history bounded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from omnicrm.scheduler import use_cases as uc
from omnicrm.scheduler.registry import periodic


@periodic(
    "scheduler.prune_runs",
    every=timedelta(hours=1),
    description="Delete job runs older than SCHEDULER_RUN_RETENTION_DAYS; fail runs whose "
    "worker died",
)
def prune_runs(session: Session, settings: Any) -> dict[str, int]:
    return uc.prune_runs(session, keep_days=int(settings.scheduler_run_retention_days))
