"""Imports' periodic jobs (fired by the scheduler, run by a worker: see scheduler/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from omnicrm.core.db import after_commit, utcnow
from omnicrm.imports.models import ImportJob, ImportStatus
from omnicrm.scheduler.registry import periodic


@periodic(
    "imports.reap",
    every=timedelta(minutes=1),
    description="Hand imports whose worker died (no committed chunk for a while) to a worker "
    "again: they carry on after their last committed chunk",
)
def reap(session: Session, settings: Any) -> dict[str, int]:
    cutoff = utcnow() - timedelta(seconds=settings.import_stale_seconds)
    stale = list(
        session.scalars(
            select(ImportJob)
            .where(
                ImportJob.status.in_([ImportStatus.queued, ImportStatus.running]),
                or_(
                    ImportJob.heartbeat_at < cutoff,
                    ImportJob.heartbeat_at.is_(None) & (ImportJob.created_at < cutoff),
                ),
            )
            .with_for_update(skip_locked=True)
        )
    )
    for job in stale:
        job.heartbeat_at = utcnow()  # one hand-off per stale period
    ids = [job.import_id for job in stale]

    def hand_off() -> None:
        from omnicrm.imports.tasks import run_import_job

        for import_id in ids:
            run_import_job.send(import_id)

    after_commit(session, hand_off)
    return {"requeued": len(ids)}
