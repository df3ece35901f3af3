"""The scheduler's hand-off to the workers (registered by omnicrm/wiring.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.core.db import after_commit
from omnicrm.core.events import subscribe
from omnicrm.scheduler.events import RunQueued
from omnicrm.scheduler.tasks import run_periodic_job


@subscribe(RunQueued)
def run_after_commit(session: Session, event: RunQueued) -> None:
    def send() -> None:
        run_periodic_job.send_with_options(args=(event.run_id,), time_limit=event.time_limit_ms)

    after_commit(session, send)
