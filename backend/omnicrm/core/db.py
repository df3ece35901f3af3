"""Database plumbing: the declarative Base, engines, and the one-session-per-request/job scope.

Use cases receive a Session and only ever ``flush()``; the request (or job) scope commits once,
then runs the callbacks registered with :func:`after_commit` (Socket.IO emits, e-mails).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and real SAVEPOINT support."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's implicit transaction handling breaks SAVEPOINT; take control of BEGIN ourselves
    # (the SQLAlchemy 2 recipe), which the test isolation and nested transactions rely on.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A unit of work that will write takes SQLite's write lock as it begins (IMMEDIATE,
        # waiting up to busy_timeout for it). A deferred transaction that read first and
        # writes later cannot wait: when another writer has committed since its read, SQLite
        # refuses the upgrade at once (SQLITE_BUSY_SNAPSHOT), whatever the timeout. Readers
        # stay deferred and block nobody (WAL).
        writes = conn.get_execution_options().get(WRITES)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


WRITES = "omnicrm_writes"  # execution option: this unit of work will write
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Database:
    """Holds the engine and session factory; bound to an app in ``create_app``."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.writer: Engine | None = None  # SQLite: the engine whose transactions write
        self.session_factory: sessionmaker[Session] | None = None

    def configure(self, url: str) -> None:
        self.engine = make_engine(url)
        if self.engine.dialect.name == "sqlite":
            self.writer = self.engine.execution_options(**{WRITES: True})
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)

    def new_session(self, *, writes: bool = False) -> Session:
        """A session; ``writes=True`` when its unit of work will write (SQLite begins it
        IMMEDIATE, so concurrent writers queue instead of failing: see ``_configure_sqlite``)."""
        factory = self.session_factory
        if factory is None:
            raise RuntimeError("Database is not configured")
        if writes and self.writer is not None and factory.kw.get("bind") is self.engine:
            return factory(bind=self.writer)
        return factory()

    @contextlib.contextmanager
    def read_scope(self) -> Iterator[Session]:
        """A short read-only unit of work (deferred: it takes no write lock), always rolled
        back. For reads that must not begin the request's writing transaction, such as who
        the caller is: a request refused before its view never holds SQLite's write lock."""
        session = self.new_session()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextlib.contextmanager
    def job_scope(self) -> Iterator[Session]:
        """The unit of work of a background job or CLI command: commit once, or roll back."""
        session = self.new_session(writes=True)
        try:
            yield session
            commit(session)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the surrounding request/job transaction has committed."""
    session.info.setdefault("after_commit", []).append(callback)


@contextlib.contextmanager
def all_or_nothing(session: Session, *, keep: bool = True) -> Iterator[None]:
    """A savepoint that takes back everything done inside it when it fails — its rows, and
    what it queued for after the commit (e-mails, worker messages, activity rows), which a
    plain savepoint rollback would leave queued. ``keep=False``: taken back even when it
    succeeds (a dry run)."""
    queued = {key: len(value) for key, value in session.info.items() if isinstance(value, list)}

    def take_back() -> None:
        for key, value in list(session.info.items()):
            if isinstance(value, list):
                del value[queued.get(key, 0) :]

    nested = session.begin_nested()
    try:
        yield
    except BaseException:
        nested.rollback()
        take_back()
        raise
    if keep:
        nested.commit()
    else:
        nested.rollback()
        take_back()


def after_end(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the unit of work has ended, committed or rolled back.

    For records that must outlive a failed request (a refused login): they are written in a
    transaction of their own, after the request's transaction is over.
    """
    session.info.setdefault("after_end", []).append(callback)


def commit(session: Session) -> None:
    """Commit the unit of work and fire its after-commit callbacks (the one place we commit)."""
    session.commit()
    callbacks: list[Callable[[], None]] = session.info.pop("after_commit", [])
    for callback in callbacks:
        callback()
    _run_after_end(session)


def discard(session: Session) -> None:
    session.rollback()
    session.info.pop("after_commit", None)
    _run_after_end(session)


def _run_after_end(session: Session) -> None:
    callbacks: list[Callable[[], None]] = session.info.pop("after_end", [])
    for callback in callbacks:
        callback()


def request_session() -> Session:
    """The request's session (opened lazily); committed or rolled back in ``after_request``."""
    from flask import current_app, g, request

    session: Session | None = g.get("db_session")
    if session is None:
        db: Database = current_app.extensions["omnicrm_db"]
        session = db.new_session(writes=request.method not in SAFE_METHODS)
        g.db_session = session
    return session
