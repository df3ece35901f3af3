"""Periodic jobs: record a fired run, run it in a worker, list jobs with their last run.

Plain functions over a Session (no Flask); the caller's unit of work commits. Which jobs exist
comes from the registry, which the domains fill (see registry.py); nothing here imports them.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from omnicrm.activity.use_cases import record_event
from omnicrm.core.db import Database, utcnow
from omnicrm.core.errors import NotFound
from omnicrm.core.events import publish
from omnicrm.core.logging import get_logger
from omnicrm.scheduler import registry
from omnicrm.scheduler.events import RunQueued
from omnicrm.scheduler.models import RunOutcome, RunTrigger, ScheduledJob, ScheduledJobRun
from omnicrm.scheduler.registry import PeriodicJob, Schedule

log = get_logger("omnicrm.scheduler")

MAX_ERROR = 4000


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def process_id() -> str:
    """Who this process is in run records: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def effective_schedule(job: PeriodicJob, settings: Any) -> Schedule | None:
    return registry.effective_schedule(
        job, dict(settings.scheduler_schedules), timezone=settings.scheduler_timezone
    )


def schedule_text(job: PeriodicJob, settings: Any) -> str:
    schedule = effective_schedule(job, settings)
    return schedule.text if schedule is not None else registry.OFF


def _upsert_job(session: Session, job: PeriodicJob, schedule: str) -> None:
    """Insert the job's row, or update its schedule and description when they changed (two
    schedulers starting at once both do this: ``ON CONFLICT``, never a duplicate-key error)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    stmt = insert(ScheduledJob).values(
        job_name=job.name,
        description=job.description[:500],
        schedule=schedule,
        created_at=now,
        updated_at=now,
    )
    table = ScheduledJob.__table__
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.job_name],
        set_={
            "description": stmt.excluded.description,
            "schedule": stmt.excluded.schedule,
            "updated_at": stmt.excluded.updated_at,
        },
        where=(table.c.description != stmt.excluded.description)
        | (table.c.schedule != stmt.excluded.schedule),
    )
    session.execute(stmt)


def sync_jobs(session: Session, settings: Any, jobs: Iterable[PeriodicJob] | None = None) -> None:
    """Store every job's effective schedule (a scheduler does this as it starts)."""
    for job in registry.all_jobs() if jobs is None else jobs:
        _upsert_job(session, job, schedule_text(job, settings))


def record_run(
    session: Session,
    *,
    job: PeriodicJob,
    settings: Any,
    fired_by: str,
    trigger: RunTrigger,
    due_at: datetime | None = None,
) -> ScheduledJobRun:
    """A queued run of ``job``; its message goes to the workers once this commits."""
    _upsert_job(session, job, schedule_text(job, settings))
    run = ScheduledJobRun(
        job_name=job.name,
        trigger=trigger,
        due_at=due_at,
        fired_by=fired_by[:200],
        outcome=RunOutcome.queued,
        queued_at=utcnow(),
    )
    session.add(run)
    session.flush()
    publish(session, RunQueued(run_id=run.run_id, time_limit_ms=job.time_limit_seconds * 1000))
    return run


def run_now(session: Session, *, job_name: str, settings: Any, fired_by: str) -> ScheduledJobRun:
    """Queue a run of ``job_name`` at once, whatever its schedule (also when it is off)."""
    job = get_job(job_name)
    run = record_run(
        session, job=job, settings=settings, fired_by=fired_by, trigger=RunTrigger.manual
    )
    record_event(
        session,
        action="run",
        object_type="scheduled_job",
        object_id=job_name,
        after={"run_id": run.run_id},
    )
    return run


def _jsonable(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    data = json.loads(json.dumps(value, default=str))
    return data if isinstance(data, dict) else {"result": data}


def execute_run(
    database: Database, settings: Any, run_id: int, *, worker: str
) -> RunOutcome | None:
    """Run one queued run (in a worker): mark it running, call the job in its own unit of work,
    record how it ended. A job that raises is rolled back and recorded ``failed`` with its
    error; nothing is retried (the next due time is the retry). Returns the outcome, or None
    when the run was not queued (a duplicate message, or its row is gone)."""
    with database.job_scope() as session:
        claimed = _rowcount(
            session.execute(
                update(ScheduledJobRun)
                .where(
                    ScheduledJobRun.run_id == run_id,
                    ScheduledJobRun.outcome == RunOutcome.queued,
                )
                .values(outcome=RunOutcome.running, started_at=utcnow(), worker=worker[:200])
            )
        )
        job_name = session.scalar(
            select(ScheduledJobRun.job_name).where(ScheduledJobRun.run_id == run_id)
        )
    if not claimed or job_name is None:
        return None
    job = registry.get(job_name)
    try:
        if job is None:
            raise LookupError(f"no periodic job named {job_name!r} in this worker")
        with database.job_scope() as session:
            result = _jsonable(job.func(session, settings))
    except Exception as exc:
        log.exception("periodic_job_failed", job=job_name, run_id=run_id)
        _finish(database, run_id, RunOutcome.failed, error=f"{type(exc).__name__}: {exc}")
        return RunOutcome.failed
    except BaseException as exc:  # interrupted: Dramatiq's time limit, the worker stopping
        _finish(database, run_id, RunOutcome.failed, error=f"{type(exc).__name__}: interrupted")
        raise
    _finish(database, run_id, RunOutcome.success, result=result)
    log.info("periodic_job_ran", job=job_name, run_id=run_id)
    return RunOutcome.success


def _finish(
    database: Database,
    run_id: int,
    outcome: RunOutcome,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    with database.job_scope() as session:
        session.execute(
            update(ScheduledJobRun)
            .where(ScheduledJobRun.run_id == run_id)
            .values(
                outcome=outcome,
                finished_at=utcnow(),
                result=result,
                error=error[:MAX_ERROR] if error else None,
            )
        )


@dataclass(frozen=True)
class JobView:
    """A job as listed: its effective schedule, next due time and last run."""

    job_name: str
    description: str
    schedule: str
    default_schedule: str
    enabled: bool
    next_run_at: datetime | None
    last_run: ScheduledJobRun | None


def list_jobs(session: Session, settings: Any, *, now: datetime | None = None) -> list[JobView]:
    """Every registered job, by name, with its next due time and its latest run."""
    moment = now or utcnow()
    jobs = registry.all_jobs()
    latest = (
        select(func.max(ScheduledJobRun.run_id))
        .where(ScheduledJobRun.job_name.in_([job.name for job in jobs]))
        .group_by(ScheduledJobRun.job_name)
    )
    runs = {
        run.job_name: run
        for run in session.scalars(
            select(ScheduledJobRun).where(ScheduledJobRun.run_id.in_(latest.scalar_subquery()))
        )
    }
    views = []
    for job in jobs:
        schedule = effective_schedule(job, settings)
        views.append(
            JobView(
                job_name=job.name,
                description=job.description,
                schedule=schedule.text if schedule is not None else registry.OFF,
                default_schedule=job.schedule,
                enabled=schedule is not None,
                next_run_at=schedule.upcoming(moment) if schedule is not None else None,
                last_run=runs.get(job.name),
            )
        )
    return views


def get_job(job_name: str) -> PeriodicJob:
    job = registry.get(job_name)
    if job is None:
        raise NotFound(f"no periodic job named {job_name!r}", code="job_not_found")
    return job


def runs_query(job_name: str) -> Select[Any]:
    """A job's runs, newest first."""
    return (
        select(ScheduledJobRun)
        .where(ScheduledJobRun.job_name == job_name)
        .order_by(ScheduledJobRun.run_id.desc())
    )


def prune_runs(session: Session, *, keep_days: int, now: datetime | None = None) -> dict[str, int]:
    """Delete runs older than ``keep_days``; mark runs still ``running`` past their job's time
    limit (their worker died) as failed."""
    moment = now or utcnow()
    lost = 0
    for job in registry.all_jobs():
        limit = moment - timedelta(seconds=job.time_limit_seconds + 60)
        lost += _rowcount(
            session.execute(
                update(ScheduledJobRun)
                .where(
                    ScheduledJobRun.job_name == job.name,
                    ScheduledJobRun.outcome == RunOutcome.running,
                    ScheduledJobRun.started_at < limit,
                )
                .values(
                    outcome=RunOutcome.failed,
                    finished_at=moment,
                    error="the worker stopped answering (time limit passed without an outcome)",
                )
            )
        )
    deleted = _rowcount(
        session.execute(
            delete(ScheduledJobRun).where(
                ScheduledJobRun.queued_at < moment - timedelta(days=keep_days)
            )
        )
    )
    return {"deleted": deleted, "marked_lost": lost}
