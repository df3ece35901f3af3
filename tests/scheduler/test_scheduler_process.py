"""Two real `omnicrm scheduler` processes on one Redis and PostgreSQL, and an `omnicrm worker`:
both race for every due time, and each due time is fired, and run, exactly once.

Real commits (``committed``); the runs it made are removed afterwards.
"""

from __future__ import annotations

import json
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from omnicrm.scheduler.models import RunOutcome, ScheduledJobRun
from tests.provisioning.test_worker_process import launch, start_worker, stop, wait_for

pytestmark = [pytest.mark.committed, pytest.mark.postgres]

JOB = "inventory.release_quarantine"


def _runs(database: Any, fired_by: set[str]) -> list[ScheduledJobRun]:
    with database.job_scope() as session:
        runs = session.scalars(
            select(ScheduledJobRun)
            .where(ScheduledJobRun.fired_by.in_(fired_by))
            .order_by(ScheduledJobRun.run_id)
        ).all()
        session.expunge_all()
        return list(runs)


def _attempts(log: Path) -> tuple[set[datetime], set[datetime]]:
    """Due times of JOB this scheduler tried to fire: (won, found taken by the other)."""
    won, taken = set(), set()
    for line in log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("job") != JOB:
            continue
        if entry.get("event") == "scheduler_fired":
            won.add(datetime.fromisoformat(entry["due"]))
        elif entry.get("event") == "scheduler_lock_taken":
            taken.add(datetime.fromisoformat(entry["due"]))
    return won, taken


def test_two_scheduler_processes_fire_each_due_time_once(settings, database, tmp_path):
    if settings.is_sqlite or not settings.redis_url:
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): scheduler processes")
    env = {
        "SCHEDULER_SCHEDULES": json.dumps(
            {
                JOB: "every 1s",
                "provisioning.reap": "off",
                "scheduler.prune_runs": "off",
                "charging.renew_allowances": "off",
                "billing.run": "off",
                "billing.mark_overdue": "off",
                "payments.dunning": "off",
                "payments.autocharge": "off",
                "payments.card_expiry": "off",
                "payments.reconcile": "off",
                "tickets.sla_breaches": "off",
                "notifications.requeue": "off",
                "imports.reap": "off",
            }
        ),
        "LOG_LEVEL": "INFO",  # each attempt is logged: fired, or found taken
    }
    worker = start_worker(settings, tmp_path)
    first = launch(settings, tmp_path, ["scheduler"], "scheduler-1.log", **env)
    second = launch(settings, tmp_path, ["scheduler"], "scheduler-2.log", **env)
    names = {f"{socket.gethostname()}:{p.pid}": p for p in (first, second)}
    try:

        def raced_for() -> set[datetime]:
            won_1, taken_1 = _attempts(tmp_path / "scheduler-1.log")
            won_2, taken_2 = _attempts(tmp_path / "scheduler-2.log")
            return (won_1 | taken_1) & (won_2 | taken_2)

        # However long each took to start, both then race for every due time.
        wait_for(lambda: len(raced_for()) >= 6, 90, "both schedulers to race for 6 due times")
        for proc in (first, second):
            assert proc.poll() is None, (tmp_path / "scheduler-1.log").read_text()[-2000:]
        stop(first)
        stop(second)
        assert (first.returncode, second.returncode) == (0, 0)  # a clean stop on SIGTERM

        def all_ran() -> list[ScheduledJobRun] | None:
            runs = _runs(database, set(names))
            return runs if all(r.outcome == RunOutcome.success for r in runs) else None

        runs = wait_for(all_ran, 60, "the worker to run every fired run")
        due = [r.due_at for r in runs]
        assert len(due) == len(set(due)), "a due time was fired twice"
        assert all(r.worker and r.worker not in names for r in runs)  # run by the worker
        assert all(r.result == {"released": 0} for r in runs)
        # Both processes raced for the same due times; for each, one won and one found it taken.
        won_1, taken_1 = _attempts(tmp_path / "scheduler-1.log")
        won_2, taken_2 = _attempts(tmp_path / "scheduler-2.log")
        assert not won_1 & won_2
        raced = (won_1 | taken_1) & (won_2 | taken_2)
        assert len(raced) >= 5, (sorted(won_1), sorted(taken_1), sorted(won_2), sorted(taken_2))
        assert raced <= set(due)
        assert {r.due_at for r in runs} == won_1 | won_2
        by = {name: {r.due_at for r in runs if r.fired_by == name} for name in names}
        assert by[f"{socket.gethostname()}:{first.pid}"] == won_1
        assert by[f"{socket.gethostname()}:{second.pid}"] == won_2
    finally:
        stop(first)
        stop(second)
        stop(worker)
        with database.job_scope() as session:
            session.execute(delete(ScheduledJobRun).where(ScheduledJobRun.fired_by.in_(names)))
