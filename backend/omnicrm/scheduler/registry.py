"""Periodic jobs: what runs, and when. Domains declare theirs here; the scheduler fires them.

This module is a leaf: it imports no domain. A domain declares its periodic work in its own
``jobs.py`` with :func:`periodic` (``inventory/jobs.py``, ``provisioning/jobs.py``), and
``omnicrm/periodic.py`` imports those modules, the way ``omnicrm/models.py`` imports every
domain's models. So dependencies point one way: domains → ``scheduler.registry``; the
scheduler (loop, actor, API) reads the registry and never imports a use case.

A job is a plain function ``(session, settings) -> summary``: it runs in a Dramatiq worker
inside one unit of work (committed when it returns, rolled back when it raises) and returns
a small JSON-able summary (``{"released": 3}``) that is stored with the run.

Schedules are text, the same in code, in the ``SCHEDULER_SCHEDULES`` override and on screen:

- ``every 30s`` / ``every 5m`` / ``every 2h`` / ``every 1d``: fixed intervals aligned to
  2000-01-01T00:00 UTC, so every scheduler process computes the same due times (the lock that
  keeps two of them from firing one due time twice is keyed on it); ``every 1d`` is midnight
  UTC, ``every 15m`` is :00, :15, :30, :45.
- ``cron MIN HOUR DAY MONTH WEEKDAY``: a crontab line in ``SCHEDULER_TIMEZONE`` (UTC by
  default). Write weekdays as names (``mon-fri``): APScheduler 3 counts 0 as Monday.
- ``off`` (overrides only): this installation does not run the job.

The date arithmetic is APScheduler 3's triggers (intervals, cron fields, time zones and DST):
the well-kept part of that library we need. Its scheduler engine is not used; see loop.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

JobFunction = Callable[[Any, Any], Any]  # (session, settings) -> JSON-able summary

ANCHOR = datetime(2000, 1, 1, tzinfo=UTC)
OFF = "off"
_EVERY = re.compile(r"^every\s+(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class ScheduleError(ValueError):
    """A schedule's text cannot be read."""


@dataclass(frozen=True)
class Schedule:
    """When a job is due: its text and the trigger computing its due times."""

    text: str
    trigger: BaseTrigger

    @classmethod
    def parse(cls, text: str, *, timezone: str = "UTC") -> Schedule:
        """``every 30s``, ``every 5m``, ``every 2h``, ``every 1d`` or ``cron m h dom mon dow``."""
        clean = " ".join(text.strip().lower().split())
        every = _EVERY.match(clean)
        if every:
            seconds = int(every.group(1)) * _UNIT_SECONDS[every.group(2)]
            if seconds <= 0:
                raise ScheduleError(f"{text!r}: the interval must be positive")
            trigger: BaseTrigger = IntervalTrigger(seconds=seconds, start_date=ANCHOR, timezone=UTC)
            return cls(f"every {every.group(1)}{every.group(2)}", trigger)
        if clean.startswith("cron "):
            expression = clean[len("cron ") :]
            try:
                trigger = CronTrigger.from_crontab(expression, timezone=timezone)
            except (ValueError, LookupError) as exc:
                raise ScheduleError(f"{text!r}: {exc}") from exc
            return cls(f"cron {expression}", trigger)
        raise ScheduleError(
            f"{text!r}: expected 'every <n>s|m|h|d' or 'cron <min> <hour> <day> <month> <weekday>'"
        )

    def next_after(self, previous: datetime | None, now: datetime) -> datetime | None:
        """The first due time after ``previous`` (or, without one, at or after ``now``)."""
        due: datetime | None = self.trigger.get_next_fire_time(previous, now)
        return due.astimezone(UTC) if due is not None else None

    def upcoming(self, now: datetime) -> datetime | None:
        """The next due time at or after ``now``."""
        return self.next_after(None, now)

    def due_at(self, now: datetime, *, after: datetime | None, grace: float) -> datetime | None:
        """The due time a scheduler should wait for (or fire at once when it is <= ``now``).

        Due times missed by more than ``grace`` seconds are skipped; of those missed within
        it only the latest is returned (a stalled or restarted scheduler fires a job once, not
        once per missed period). ``after`` is the due time fired last, if any.
        """
        earliest = now - timedelta(seconds=max(grace, 0))
        if after is None or after < earliest:
            due = self.next_after(None, earliest)
        else:
            due = self.next_after(after, now)
        while due is not None and due <= now:
            following = self.next_after(due, now)
            if following is None or following > now:
                break
            due = following
        return due


@dataclass(frozen=True)
class PeriodicJob:
    """One periodic job, as its domain declares it."""

    name: str
    func: JobFunction
    schedule: str
    description: str
    # The longest a run may take in a worker (Dramatiq's time limit for the message).
    time_limit_seconds: int = 3600


_JOBS: dict[str, PeriodicJob] = {}


def periodic(
    name: str,
    *,
    every: timedelta | None = None,
    cron: str | None = None,
    description: str,
    time_limit_seconds: int = 3600,
) -> Callable[[JobFunction], JobFunction]:
    """Declare ``func`` a periodic job named ``domain.job`` running ``every`` interval or on a
    ``cron`` line (one of the two)."""
    if (every is None) == (cron is None):
        raise ScheduleError(f"{name}: give exactly one of every= or cron=")
    if every is not None:
        seconds = int(every.total_seconds())
        if seconds <= 0 or seconds != every.total_seconds():
            raise ScheduleError(f"{name}: every= must be a whole, positive number of seconds")
        text = f"every {seconds}s"
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds % size == 0:
                text = f"every {seconds // size}{unit}"
                break
    else:
        text = f"cron {cron}"
    Schedule.parse(text)  # refuse a bad schedule when the module is imported

    def decorator(func: JobFunction) -> JobFunction:
        register(
            PeriodicJob(
                name=name,
                func=func,
                schedule=text,
                description=description,
                time_limit_seconds=time_limit_seconds,
            )
        )
        return func

    return decorator


def register(job: PeriodicJob) -> None:
    """Add ``job`` (re-registering the same function under its name is a no-op)."""
    if not _NAME.match(job.name) or len(job.name) > 100:
        raise ScheduleError(f"{job.name!r}: a job name is 'domain.job' in lower case")
    existing = _JOBS.get(job.name)
    if existing is not None and existing.func is not job.func:
        same_place = (existing.func.__module__, existing.func.__qualname__) == (
            job.func.__module__,
            job.func.__qualname__,
        )
        if not same_place:  # a module imported twice under two names is the same job
            raise ScheduleError(f"periodic job {job.name!r} is declared twice")
    _JOBS[job.name] = job


def unregister(name: str) -> None:
    _JOBS.pop(name, None)


@contextmanager
def registered_job(job: PeriodicJob) -> Iterator[PeriodicJob]:
    """Register ``job`` for the duration of a block (tests, one-off tools)."""
    register(job)
    try:
        yield job
    finally:
        unregister(job.name)


def get(name: str) -> PeriodicJob | None:
    return _JOBS.get(name)


def all_jobs() -> list[PeriodicJob]:
    """Every registered job, by name."""
    return [_JOBS[name] for name in sorted(_JOBS)]


def effective_schedule(
    job: PeriodicJob, overrides: dict[str, str], *, timezone: str = "UTC"
) -> Schedule | None:
    """The job's schedule on this installation: the override when there is one (None when it
    is ``off``), else the declared one."""
    text = overrides.get(job.name, job.schedule)
    if text.strip().lower() == OFF:
        return None
    return Schedule.parse(text, timezone=timezone)


def check_settings(*, schedules: dict[str, str], timezone: str) -> None:
    """Refuse a malformed schedule override or time zone (``create_app`` calls this, so every
    process stops at start rather than the scheduler at its first look: docs/scheduler.md)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"SCHEDULER_TIMEZONE: unknown time zone {exc}") from exc
    for name, text in schedules.items():
        if text.strip().lower() != OFF:
            try:
                Schedule.parse(text, timezone=timezone)
            except ValueError as exc:
                raise ValueError(f"SCHEDULER_SCHEDULES[{name}]: {exc}") from exc
