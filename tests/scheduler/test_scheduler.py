"""The scheduler in-process: schedules, one firing per due time, runs and their outcomes, and
the real loop firing jobs that the embedded worker runs (``make run`` mode)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from sqlalchemy import delete, select, update

from omnicrm.periodic import import_periodic_jobs
from omnicrm.scheduler import registry
from omnicrm.scheduler import use_cases as uc
from omnicrm.scheduler.loop import Scheduler, lock_key
from omnicrm.scheduler.models import RunOutcome, RunTrigger, ScheduledJob, ScheduledJobRun
from omnicrm.scheduler.registry import PeriodicJob, Schedule, ScheduleError, registered_job

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def noop(session: Any, settings: Any) -> None:
    return None


# ------------------------------------------------------------------------------- schedules


def test_schedules_read_intervals_and_cron_lines():
    assert Schedule.parse(" Every  15m ").text == "every 15m"
    assert Schedule.parse("every 15m").upcoming(at(1)) == at(15 * 60)  # aligned: :00 :15 ...
    assert Schedule.parse("every 1d").upcoming(at(1)) == datetime(2030, 1, 2, tzinfo=UTC)
    nightly = Schedule.parse("cron 0 2 * * *")
    assert nightly.upcoming(at(1)) == datetime(2030, 1, 2, 2, 0, tzinfo=UTC)
    weekdays = Schedule.parse("cron 30 9 * * mon-fri")  # 2030-01-05 is a Saturday
    assert weekdays.upcoming(datetime(2030, 1, 5, tzinfo=UTC)) == datetime(
        2030, 1, 7, 9, 30, tzinfo=UTC
    )
    paris = Schedule.parse("cron 0 2 * * *", timezone="Europe/Paris")
    assert paris.upcoming(at(1)) == datetime(2030, 1, 2, 1, 0, tzinfo=UTC)
    for bad in ("every", "every 0s", "every 5 weeks", "cron 61 * * * *", "hourly", "cron * *"):
        with pytest.raises(ScheduleError):
            Schedule.parse(bad)


def test_a_missed_due_time_fires_once_within_the_grace_and_never_after_it():
    every_minute = Schedule.parse("every 1m")
    # Starting 30 s after a due time: that one, once (not every missed one before it).
    assert every_minute.due_at(at(30), after=None, grace=300) == T0
    assert every_minute.due_at(at(30), after=None, grace=10) == at(60)  # too late: next one
    # After firing T0, the next is T0 + 1 min; after a 3-minute stall, only the latest.
    assert every_minute.due_at(at(1), after=T0, grace=300) == at(60)
    assert every_minute.due_at(at(185), after=T0, grace=300) == at(180)


def test_domains_declare_their_jobs_in_the_registry():
    import_periodic_jobs()
    names = [job.name for job in registry.all_jobs()]
    assert {"inventory.release_quarantine", "provisioning.reap", "scheduler.prune_runs"} <= set(
        names
    )
    assert names == sorted(names)
    assert registry.get("inventory.release_quarantine").schedule == "every 5m"
    with pytest.raises(ScheduleError):
        registry.periodic(
            "tests.both", every=timedelta(seconds=1), cron="* * * * *", description=""
        )
    with pytest.raises(ScheduleError):
        registry.register(PeriodicJob("NoDomain", noop, "every 1s", ""))
    with pytest.raises(ScheduleError):  # a second, different function under a taken name
        registry.register(PeriodicJob("provisioning.reap", noop, "every 1s", ""))


def test_an_override_changes_or_turns_off_a_schedule():
    import_periodic_jobs()
    job = registry.get("provisioning.reap")
    assert registry.effective_schedule(job, {}).text == "every 30s"
    assert registry.effective_schedule(job, {"provisioning.reap": "every 2m"}).text == "every 2m"
    assert registry.effective_schedule(job, {"provisioning.reap": "OFF"}) is None


# ---------------------------------------------------------------------- firing, in-process


def _runs(database: Any, job_name: str) -> list[ScheduledJobRun]:
    with database.job_scope() as session:
        runs = session.scalars(
            select(ScheduledJobRun)
            .where(ScheduledJobRun.job_name == job_name)
            .order_by(ScheduledJobRun.run_id)
        ).all()
        session.expunge_all()
        return list(runs)


def test_two_schedulers_fire_each_due_time_once(app, database, settings, db_session):
    job = PeriodicJob("tests.once", noop, "every 1m", "fired once per minute")
    shared = app.extensions["omnicrm_redis"]
    with registered_job(job):
        a = Scheduler(
            database=database, redis_client=shared, settings=settings, jobs=[job], name="a"
        )
        b = Scheduler(
            database=database, redis_client=shared, settings=settings, jobs=[job], name="b"
        )
        # Both start 30 s after a due time (within the grace): they race for it.
        assert a.run_pending(at(30)) == 5.0  # the next due time is 30 s away: sleep the max
        b.run_pending(at(30.2))
        # The next minute: b happens to look first.
        assert b.run_pending(at(60.05)) == 5.0
        a.run_pending(at(60.1))
        a.run_pending(at(61))  # nothing is due any more
        b.run_pending(at(119.5))
        runs = _runs(database, "tests.once")
    assert [(r.due_at, r.fired_by) for r in runs] == [(T0, "a"), (at(60), "b")]
    assert {r.trigger for r in runs} == {RunTrigger.schedule}
    assert {r.outcome for r in runs} == {RunOutcome.queued}
    assert shared.get(lock_key("tests.once", T0)) == "a"
    assert (
        0 < shared.ttl(lock_key("tests.once", T0)) <= settings.scheduler_misfire_grace_seconds + 60
    )
    stored = db_session.get(ScheduledJob, "tests.once")
    assert (stored.schedule, stored.description) == ("every 1m", "fired once per minute")


class FlakyRedis:
    """Redis that refuses the next ``failures`` SETs."""

    def __init__(self, real: Any, failures: int) -> None:
        self.real, self.failures = real, failures

    def set(self, *args: Any, **kwargs: Any) -> Any:
        if self.failures:
            self.failures -= 1
            raise redis.ConnectionError("Redis is restarting")
        return self.real.set(*args, **kwargs)

    def delete(self, *keys: str) -> Any:
        return self.real.delete(*keys)


def test_the_scheduler_goes_on_when_redis_or_the_database_fail_once(
    app, database, settings, db_session, monkeypatch
):
    job = PeriodicJob("tests.sturdy", noop, "every 1m", "")
    shared = app.extensions["omnicrm_redis"]
    with registered_job(job):
        scheduler = Scheduler(
            database=database,
            redis_client=FlakyRedis(shared, failures=1),
            settings=settings,
            jobs=[job],
            name="s",
        )
        scheduler.run_pending(at(1))  # Redis down: T0 is not fired (nobody knows who has it)
        real_record = uc.record_run
        calls = []

        def record_once_failing(*args: Any, **kwargs: Any) -> Any:
            calls.append(kwargs["due_at"])
            if len(calls) == 1:
                raise RuntimeError("database restarting")
            return real_record(*args, **kwargs)

        monkeypatch.setattr(uc, "record_run", record_once_failing)
        scheduler.run_pending(at(60.1))  # the database fails: the lock is given back
        assert shared.get(lock_key("tests.sturdy", at(60))) is None
        scheduler.run_pending(at(120.1))
        runs = _runs(database, "tests.sturdy")
    assert [r.due_at for r in runs] == [at(120)]
    assert calls == [at(60), at(120)]


def _boom(session: Any, settings: Any) -> None:
    session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.job_name == "tests.boom")
        .values(description="changed by a failing run")
    )
    raise ValueError("the billing backend said no")


def test_a_run_records_its_summary_or_its_error(database, settings, db_session):
    ok = PeriodicJob("tests.ok", lambda session, settings: {"released": 2}, "every 1m", "")
    listed = PeriodicJob("tests.listed", lambda session, settings: [1, 2], "every 1m", "")
    boom = PeriodicJob("tests.boom", _boom, "every 1m", "explodes")
    with registered_job(ok), registered_job(listed), registered_job(boom):
        with database.job_scope() as session:
            ids = [
                uc.record_run(
                    session, job=job, settings=settings, fired_by="me", trigger=RunTrigger.manual
                ).run_id
                for job in (ok, listed, boom)
            ]
        outcomes = [uc.execute_run(database, settings, i, worker="w1") for i in ids]
        assert outcomes == [RunOutcome.success, RunOutcome.success, RunOutcome.failed]
        # A message delivered twice runs the job once.
        assert uc.execute_run(database, settings, ids[0], worker="w2") is None
        assert uc.execute_run(database, settings, 2**31 - 1, worker="w2") is None
    runs = {r.job_name: r for r in db_session.scalars(select(ScheduledJobRun)) if r.run_id in ids}
    assert runs["tests.ok"].result == {"released": 2} and runs["tests.ok"].worker == "w1"
    assert runs["tests.listed"].result == {"result": [1, 2]}
    failed = runs["tests.boom"]
    assert failed.error == "ValueError: the billing backend said no"
    assert failed.result is None and failed.started_at <= failed.finished_at
    # The failing run's writes were rolled back.
    assert db_session.get(ScheduledJob, "tests.boom").description == "explodes"


class Interrupted(BaseException):
    """What Dramatiq raises in a job past its time limit (or when the worker stops)."""


def _interrupted(session: Any, settings: Any) -> None:
    raise Interrupted


def test_an_interrupted_run_is_recorded_failed_and_the_interruption_goes_on(
    database, settings, db_session
):
    job = PeriodicJob("tests.slow", _interrupted, "every 1m", "")
    with registered_job(job):
        with database.job_scope() as session:
            run_id = uc.record_run(
                session, job=job, settings=settings, fired_by="me", trigger=RunTrigger.manual
            ).run_id
        with pytest.raises(Interrupted):
            uc.execute_run(database, settings, run_id, worker="w1")
    run = db_session.get(ScheduledJobRun, run_id)
    assert (run.outcome, run.error) == (RunOutcome.failed, "Interrupted: interrupted")


def test_a_malformed_override_or_time_zone_stops_the_process_at_start(tmp_path):
    from omnicrm import create_app
    from omnicrm.scheduler.registry import check_settings
    from omnicrm.settings import Settings

    with pytest.raises(ValueError, match=r"SCHEDULER_SCHEDULES\[inventory.x\]"):
        check_settings(schedules={"inventory.x": "every now and then"}, timezone="UTC")
    with pytest.raises(ValueError, match="SCHEDULER_TIMEZONE"):
        check_settings(schedules={}, timezone="Mars/Olympus")
    check_settings(schedules={"inventory.x": "off"}, timezone="UTC")
    # create_app checks before anything else is built (so no Socket.IO server is rebound)
    bad = Settings(instance_path=tmp_path, secret_key="k" * 40, scheduler_timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="SCHEDULER_TIMEZONE"):
        create_app(bad)


def test_prune_runs_deletes_old_runs_and_fails_runs_whose_worker_died(
    database, settings, db_session
):
    job = PeriodicJob("tests.pruned", noop, "every 1m", "", time_limit_seconds=60)
    with registered_job(job), database.job_scope() as session:
        old, stuck, fresh = (
            uc.record_run(
                session, job=job, settings=settings, fired_by="x", trigger=RunTrigger.manual
            )
            for _ in range(3)
        )
        now = datetime.now(UTC)
        old.queued_at = now - timedelta(days=20)
        stuck.outcome, stuck.started_at = RunOutcome.running, now - timedelta(minutes=5)
        session.flush()
        assert uc.prune_runs(session, keep_days=14) == {"deleted": 1, "marked_lost": 1}
        ids = (old.run_id, stuck.run_id, fresh.run_id)
    assert db_session.get(ScheduledJobRun, ids[0]) is None
    assert db_session.get(ScheduledJobRun, ids[1]).outcome == RunOutcome.failed
    assert db_session.get(ScheduledJobRun, ids[2]).outcome == RunOutcome.queued


# ------------------------------------------------------------- the real loop, embedded mode


@pytest.fixture
def embedded_worker(app: Any) -> Iterator[None]:
    """`make run` mode: a real Dramatiq worker in this process runs what the scheduler fires."""
    import omnicrm.worker as worker_module
    from omnicrm.worker import broker, start_embedded_worker, use_app

    use_app(app)
    broker.flush_all()  # messages queued by earlier tests point at rolled-back rows
    worker = start_embedded_worker(threads=2)
    try:
        yield
    finally:
        worker.stop()
        worker_module.use_app(None)


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _scheduler(app: Any, settings: Any, names: list[str], schedules: dict[str, str]) -> Scheduler:
    return Scheduler(
        database=app.extensions["omnicrm_db"],
        redis_client=app.extensions["omnicrm_redis"],
        settings=settings.model_copy(update={"scheduler_schedules": schedules}),
        jobs=[registry.get(name) for name in names],
        name=f"test:{uuid.uuid4().hex[:6]}",
    )


@pytest.mark.committed
def test_a_quarantined_number_is_released_when_the_scheduler_fires(
    app, database, settings, embedded_worker
):
    from omnicrm.inventory import use_cases as inv
    from omnicrm.inventory.models import Inventory, InventoryHistory, InventoryTemplate, ItemState

    tag = uuid.uuid4().hex[:8]
    with database.job_scope() as session:
        template = inv.create_template(session, item=f"Sched Number {tag}", serial_kind="msisdn")
        serial = f"+61491{int(tag, 16) % 10**6:06d}"
        item = Inventory(  # a number returned 90 days ago: its quarantine ended a minute ago
            template=template,
            serial=serial,
            itemtext1=serial,
            item_state=ItemState.quarantined,
            quarantined_until=datetime.now(UTC) - timedelta(minutes=1),
        )
        session.add(item)
        session.flush()
        ids = (template.inventory_template_id, item.inventory_id)
    name = "inventory.release_quarantine"
    before = max([r.run_id for r in _runs(database, name)], default=0)
    scheduler = _scheduler(app, settings, [name], {name: "every 1s"}).start()
    try:

        def released() -> bool:
            with database.job_scope() as session:
                return session.get(Inventory, ids[1]).item_state == ItemState.new

        wait_for(released, 30, "the scheduler to release the number")
        runs = [r for r in _runs(database, name) if r.run_id > before]
        done = wait_for(
            lambda: [r for r in _runs(database, name) if r.run_id > before and r.result],
            10,
            "the run's outcome",
        )
        assert done[0].outcome == RunOutcome.success
        assert done[0].result == {"released": 1}
        assert {r.fired_by for r in runs} == {scheduler.name}
        assert all(r.trigger == RunTrigger.schedule and r.due_at is not None for r in runs)
        with database.job_scope() as session:
            history = session.scalars(
                select(InventoryHistory).where(InventoryHistory.inventory_id == ids[1])
            ).all()
            assert history[-1].reason == "quarantine ended"
        assert scheduler.alive
    finally:
        scheduler.stop()
        with database.job_scope() as session:
            session.execute(delete(ScheduledJobRun).where(ScheduledJobRun.run_id > before))
            session.execute(delete(InventoryHistory).where(InventoryHistory.inventory_id == ids[1]))
            session.execute(delete(Inventory).where(Inventory.inventory_id == ids[1]))
            session.execute(
                delete(InventoryTemplate).where(InventoryTemplate.inventory_template_id == ids[0])
            )


def _explode(session: Any, settings: Any) -> None:
    raise RuntimeError("CGRateS is down")


def _count(session: Any, settings: Any) -> dict[str, int]:
    return {"ok": 1}


@pytest.mark.committed
def test_a_failing_job_records_a_failed_outcome_and_the_scheduler_goes_on(
    app, database, settings, embedded_worker
):
    explode = PeriodicJob("tests.explodes", _explode, "every 1s", "always fails")
    count = PeriodicJob("tests.counts", _count, "every 1s", "always works")
    with registered_job(explode), registered_job(count):
        scheduler = _scheduler(app, settings, [explode.name, count.name], {})
        scheduler.start()
        try:

            def enough() -> bool:
                failed = [r for r in _runs(database, explode.name) if r.outcome == "failed"]
                worked = [r for r in _runs(database, count.name) if r.outcome == "success"]
                return len(failed) >= 3 and len(worked) >= 3

            wait_for(enough, 30, "three failed and three successful runs")
            assert scheduler.alive
            failed = [r for r in _runs(database, explode.name) if r.outcome == "failed"]
            assert {r.error for r in failed} == {"RuntimeError: CGRateS is down"}
            assert all(r.finished_at is not None and r.worker for r in failed)
            due = [r.due_at for r in failed]
            assert due == sorted(set(due))  # one run per due time, fired again after a failure
        finally:
            scheduler.stop()
            assert not scheduler.alive
            with database.job_scope() as session:  # runs go with their job (ON DELETE CASCADE)
                for name in (explode.name, count.name):
                    session.execute(delete(ScheduledJobRun).where(ScheduledJobRun.job_name == name))
                    session.execute(delete(ScheduledJob).where(ScheduledJob.job_name == name))


def test_the_embedded_server_starts_the_scheduler_in_its_serving_process(monkeypatch, settings):
    """`make run`: loading the app into gunicorn's (single) process starts the worker pool and
    the scheduler thread there (EMBEDDED_SCHEDULER=false leaves the scheduler out)."""
    import omnicrm.scheduler.loop as loop
    import omnicrm.worker as worker_module
    from omnicrm import server

    started: list[str] = []
    monkeypatch.setattr(worker_module, "start_embedded_worker", lambda n: started.append("worker"))
    monkeypatch.setattr(worker_module, "use_app", lambda app: None)
    monkeypatch.setattr(loop, "start_embedded_scheduler", lambda app: started.append("scheduler"))
    import omnicrm

    # Not a second real app: it would take over the module-level Socket.IO server.
    monkeypatch.setattr(omnicrm, "create_app", lambda settings: object())
    embedded = settings.model_copy(update={"redis_url": ""})
    server._Gunicorn({"bind": "127.0.0.1:0"}, embedded).load()
    assert started == ["worker", "scheduler"]
    started.clear()
    server._Gunicorn(
        {"bind": "127.0.0.1:0"}, embedded.model_copy(update={"embedded_scheduler": False})
    ).load()
    assert started == ["worker"]
