"""Domain events (core/events.py): handlers run in the publisher's transaction, side effects
only after it commits; and the handlers the domains rely on are wired."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text

from omnicrm.core import events
from omnicrm.core.db import Database, after_commit


@dataclass(frozen=True)
class Happened(events.Event):
    value: int


@dataclass(frozen=True)
class HappenedLoudly(Happened):
    pass


@pytest.fixture
def database(tmp_path):
    db = Database()
    db.configure(f"sqlite:///{tmp_path / 'events.db'}")
    with db.job_scope() as session:
        session.execute(text("CREATE TABLE seen (value INTEGER NOT NULL)"))
    yield db
    assert db.engine is not None
    db.engine.dispose()


@pytest.fixture
def registry(monkeypatch):
    """An empty handler registry for the test (the app's wiring is left alone)."""
    monkeypatch.setattr(events, "_handlers", {})


def _values(database: Database) -> list[int]:
    with database.new_session() as session:
        return [row[0] for row in session.execute(text("SELECT value FROM seen ORDER BY rowid"))]


def test_handlers_run_in_order_and_a_subclass_reaches_its_base_handlers(registry, database):
    calls: list[str] = []

    @events.subscribe(Happened)
    def first(session, event):
        calls.append(f"first {event.value}")

    @events.subscribe(HappenedLoudly)
    def loud(session, event):
        calls.append(f"loud {event.value}")

    @events.subscribe(Happened)
    def second(session, event):
        calls.append(f"second {event.value}")

    events.subscribe(Happened)(first)  # registering twice keeps one
    with database.job_scope() as session:
        events.publish(session, Happened(1))
        events.publish(session, HappenedLoudly(2))
    assert calls == ["first 1", "second 1", "loud 2", "first 2", "second 2"]


def test_a_handlers_change_commits_or_rolls_back_with_the_publisher(registry, database):
    @events.subscribe(Happened)
    def record(session, event):
        session.execute(text("INSERT INTO seen VALUES (:v)"), {"v": event.value})

    with database.job_scope() as session:
        events.publish(session, Happened(1))
    with pytest.raises(RuntimeError), database.job_scope() as session:
        events.publish(session, Happened(2))
        raise RuntimeError("the publisher fails after publishing")
    assert _values(database) == [1]


def test_a_failing_handler_fails_the_publishers_unit_of_work(registry, database):
    @events.subscribe(Happened)
    def record(session, event):
        session.execute(text("INSERT INTO seen VALUES (:v)"), {"v": event.value})

    @events.subscribe(Happened)
    def refuse(session, event):
        raise ValueError("no")

    with pytest.raises(ValueError), database.job_scope() as session:
        session.execute(text("INSERT INTO seen VALUES (0)"))
        events.publish(session, Happened(1))
    assert _values(database) == []


def test_side_effects_wait_for_the_commit_and_never_follow_a_rollback(registry, database):
    sent: list[int] = []

    @events.subscribe(Happened)
    def send_later(session, event):
        after_commit(session, lambda: sent.append(event.value))

    with database.job_scope() as session:
        events.publish(session, Happened(1))
        assert sent == []  # not before the commit
    assert sent == [1]
    with pytest.raises(RuntimeError), database.job_scope() as session:
        events.publish(session, Happened(2))
        raise RuntimeError("rolled back")
    assert sent == [1]


def test_the_app_wires_every_cross_domain_reaction(app):
    """What used to be back-calls up the layers is now a handler in the domain that cares."""
    from omnicrm.contracts.handlers import follow_the_service
    from omnicrm.notifications.events import NotificationQueued
    from omnicrm.provisioning import handlers as provisioning
    from omnicrm.provisioning.events import JobEnded, JobQueued, JobStatusChanged, TaskRecorded
    from omnicrm.scheduler.events import RunQueued
    from omnicrm.services.events import (
        ServiceResumed,
        ServiceStatusChanged,
        ServiceSuspended,
        ServiceTerminated,
    )

    assert follow_the_service in events.handlers_of(ServiceStatusChanged)
    assert provisioning.bar_on_the_network in events.handlers_of(ServiceSuspended)
    assert provisioning.restore_on_the_network in events.handlers_of(ServiceResumed)
    assert provisioning.remove_from_the_network in events.handlers_of(ServiceTerminated)
    assert provisioning.tell_the_failure_list in events.handlers_of(JobEnded)
    for event_type in (JobQueued, JobStatusChanged, TaskRecorded, NotificationQueued, RunQueued):
        assert len(events.handlers_of(event_type)) == 1, event_type
