"""Concurrent writers on SQLite, the embedded default: they queue for the write lock instead of
failing with "database is locked".

A deferred transaction that has read cannot wait for the write lock: once another writer has
committed since its read, SQLite refuses the upgrade at once, whatever the busy timeout. So a
unit of work that will write (a job, a request other than GET/HEAD/OPTIONS) begins IMMEDIATE;
readers stay deferred and, under WAL, block nobody. These tests use a database file of their own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import exc, text

from omnicrm.core.db import WRITES, Database, make_engine, request_session


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database()
    db.configure(f"sqlite:///{tmp_path / 'writers.db'}")
    with db.job_scope() as session:
        session.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        session.execute(text("INSERT INTO counter VALUES (1, 0)"))
    yield db
    assert db.engine is not None
    db.engine.dispose()


def read_then_write(session, pause: float = 0.0) -> None:
    n = session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
    time.sleep(pause)  # let the others read too: a lost update if nothing serialises
    session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})


def counter(database: Database) -> int:
    with database.new_session() as session:
        return int(session.execute(text("SELECT n FROM counter")).scalar_one())


def test_a_deferred_reader_cannot_write_after_another_commit(tmp_path):
    """What SQLite does without the fix, shown plainly (busy timeout or not)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'deferred.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    with engine.connect() as first, engine.connect() as second, first.begin():
        first.execute(text("SELECT count(*) FROM t")).scalar_one()  # a read snapshot
        with second.begin():
            second.execute(text("INSERT INTO t VALUES (1)"))
        started = time.monotonic()
        with pytest.raises(exc.OperationalError, match="database is locked"):
            first.execute(text("INSERT INTO t VALUES (2)"))
        assert time.monotonic() - started < 5  # refused at once: waiting cannot help
    engine.dispose()


def test_concurrent_writing_units_of_work_queue_and_none_is_lost(database):
    threads, rounds, failures = 8, 20, []

    def work() -> None:
        for _ in range(rounds):
            try:
                with database.job_scope() as session:
                    read_then_write(session, pause=0.001)
            except Exception as error:  # collected and asserted below
                failures.append(error)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert failures == []
    assert counter(database) == threads * rounds  # every read saw the write before it


def test_a_writing_session_stays_one_after_its_commit(database):
    session = database.new_session(writes=True)
    try:
        for _ in range(3):  # each commit starts a new transaction on the same bind
            read_then_write(session)
            assert session.connection().get_execution_options().get(WRITES) is True
            session.commit()
    finally:
        session.close()
    assert counter(database) == 3


def test_readers_stay_deferred_and_are_not_blocked_by_a_writer(database):
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with database.job_scope() as session:
            read_then_write(session)
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        reader = database.new_session()
        try:
            assert reader.connection().get_execution_options().get(WRITES) is None
            value = reader.execute(text("SELECT n FROM counter")).scalar_one()
        finally:
            reader.close()
        assert value == 0  # the writer has not committed yet
        assert time.monotonic() - started < 1  # and the read did not wait for it
    finally:
        release.set()
        thread.join(10)
    assert counter(database) == 1


@pytest.mark.parametrize(
    ("method", "writes"),
    [("GET", None), ("HEAD", None), ("OPTIONS", None), ("POST", True), ("PATCH", True)],
)
def test_a_request_session_writes_unless_the_method_is_safe(database, method, writes):
    app = Flask(__name__)
    app.extensions["omnicrm_db"] = database
    with app.test_request_context("/", method=method):
        session = request_session()
        try:
            assert session.connection().get_execution_options().get(WRITES) is writes
        finally:
            session.close()


def test_a_session_bound_elsewhere_is_left_as_it_is(database):
    """Tests bind the factory to one connection (rolled back afterwards): never escape it."""
    from sqlalchemy.orm import sessionmaker

    assert database.engine is not None
    with database.engine.connect() as conn:
        database.session_factory = sessionmaker(bind=conn)
        session = database.new_session(writes=True)
        assert session.get_bind() is conn
        session.close()
