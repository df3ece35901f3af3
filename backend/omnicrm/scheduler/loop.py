"""The scheduler: a loop that sleeps until the next due time, then fires each due job once.

Firing a job only records a queued run and sends its Dramatiq message after that commits; a
worker runs it (tasks.py). So one scheduler never waits on a job, a job that raises is the
worker's business, and any number of scheduler processes may run (for availability): for each
(job, due time) they race for a Redis key (``SET NX`` with an expiry) and only the winner
fires. Due times come from the job's schedule (registry.py), aligned so every process computes
the same ones; a due time missed by up to ``SCHEDULER_MISFIRE_GRACE_SECONDS`` (a restart, a
stall) still fires once, and the key, kept longer than that, stops a second firing.

Why a loop of our own over APScheduler's ``BackgroundScheduler``: APScheduler 3 runs a job
function without telling it which due time it is for, and the lock must be keyed on exactly
that; its job stores and executors would duplicate what we already have (the run table,
Dramatiq). What is hard in scheduling, the date arithmetic of intervals, cron fields, time
zones and DST, is APScheduler's trigger classes (registry.Schedule). What remains is this
~100-line loop.

Embedded mode (``omnicrm run`` without ``REDIS_URL``): :func:`start_embedded_scheduler` runs it
as a thread of the serving process, over fakeredis and the in-process worker. Production:
``omnicrm scheduler``, one or more processes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import redis

from omnicrm.core.db import Database, utcnow
from omnicrm.core.logging import get_logger
from omnicrm.scheduler import registry
from omnicrm.scheduler import use_cases as uc
from omnicrm.scheduler.models import RunTrigger
from omnicrm.scheduler.registry import PeriodicJob, Schedule

log = get_logger("omnicrm.scheduler")

LOCK_PREFIX = "omnicrm:scheduler:fired"
# Longest sleep between two looks at the clock: a stop request or a clock change is noticed.
MAX_SLEEP_SECONDS = 5.0
# How long a due time's lock outlives its grace window (covers clock skew between machines).
LOCK_MARGIN_SECONDS = 60


def lock_key(job_name: str, due: datetime) -> str:
    return f"{LOCK_PREFIX}:{job_name}:{int(due.timestamp() * 1000)}"


class Scheduler:
    """Fires registered jobs at their due times. ``run_pending`` is one step of the loop."""

    def __init__(
        self,
        *,
        database: Database,
        redis_client: redis.Redis,
        settings: Any,
        jobs: Iterable[PeriodicJob] | None = None,
        name: str | None = None,
    ) -> None:
        self.database = database
        self.redis = redis_client
        self.settings = settings
        self.name = name or uc.process_id()
        self.grace = max(float(settings.scheduler_misfire_grace_seconds), 0.0)
        self.lock_seconds = int(self.grace) + LOCK_MARGIN_SECONDS
        self.jobs: dict[str, tuple[PeriodicJob, Schedule]] = {}
        for job in registry.all_jobs() if jobs is None else jobs:
            schedule = uc.effective_schedule(job, settings)
            if schedule is not None:
                self.jobs[job.name] = (job, schedule)
        self._next: dict[str, datetime | None] = {}
        self._fired: dict[str, datetime] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------ the loop

    def run_pending(self, now: datetime | None = None) -> float:
        """Fire every job due at ``now``; return the seconds until the next due time."""
        moment = now or utcnow()
        wait = MAX_SLEEP_SECONDS
        for name, (job, schedule) in self.jobs.items():
            due = self._next.get(name)
            if due is None or due <= moment:
                if due is not None:
                    self._fire(job, due)
                    self._fired[name] = due
                due = schedule.due_at(moment, after=self._fired.get(name), grace=self.grace)
                if due is not None and due <= moment:  # missed while we were away: fire once
                    self._fire(job, due)
                    self._fired[name] = due
                    due = schedule.due_at(moment, after=due, grace=self.grace)
                self._next[name] = due
            if due is not None:
                wait = min(wait, (due - moment).total_seconds())
        return max(wait, 0.0)

    def _fire(self, job: PeriodicJob, due: datetime) -> bool:
        """Fire ``job`` for ``due`` unless another scheduler has: True when this one did."""
        key = lock_key(job.name, due)
        try:
            won = self.redis.set(key, self.name, nx=True, ex=self.lock_seconds)
        except redis.RedisError:
            log.exception("scheduler_lock_failed", job=job.name, due=due.isoformat())
            return False
        if not won:
            log.info("scheduler_lock_taken", job=job.name, due=due.isoformat(), by=self.name)
            return False
        try:
            with self.database.job_scope() as session:
                run = uc.record_run(
                    session,
                    job=job,
                    settings=self.settings,
                    fired_by=self.name,
                    trigger=RunTrigger.schedule,
                    due_at=due,
                )
                run_id = run.run_id
        except Exception:
            log.exception("scheduler_fire_failed", job=job.name, due=due.isoformat())
            with contextlib.suppress(redis.RedisError):  # another scheduler may fire it
                self.redis.delete(key)
            return False
        log.info("scheduler_fired", job=job.name, due=due.isoformat(), by=self.name, run_id=run_id)
        return True

    def sync(self) -> None:
        """Store each job's schedule (best effort: a database that is down is retried by the
        first run, which stores it too)."""
        try:
            with self.database.job_scope() as session:
                uc.sync_jobs(session, self.settings)
        except Exception:
            log.exception("scheduler_sync_failed")

    def run(self) -> None:
        """Loop until :meth:`stop` (the process's main loop, or a thread's)."""
        self.sync()
        log.info("scheduler_started", by=self.name, jobs=sorted(self.jobs))
        while not self._stop.is_set():
            try:
                wait = self.run_pending()
            except Exception:  # never let one bad look at the clock end the scheduler
                log.exception("scheduler_step_failed")
                wait = 1.0
            self._stop.wait(wait)
        log.info("scheduler_stopped", by=self.name)

    # ---------------------------------------------------------------------- thread control

    def start(self) -> Scheduler:
        """Run the loop in a daemon thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="omnicrm-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


def scheduler_for_app(app: Any, **kwargs: Any) -> Scheduler:
    """A scheduler over ``app``'s settings, database and Redis."""
    return Scheduler(
        database=app.extensions["omnicrm_db"],
        redis_client=app.extensions["omnicrm_redis"],
        settings=app.extensions["omnicrm_settings"],
        **kwargs,
    )


def start_embedded_scheduler(app: Any) -> Scheduler:
    """Embedded mode: the scheduler as a thread of the serving process (``make run``)."""
    return scheduler_for_app(app, name=f"embedded:{uc.process_id()}").start()
