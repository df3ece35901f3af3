"""Test harness: a real database migrated once with Alembic, each test in a rolled-back
transaction (SAVEPOINT per unit of work), Redis real (REDIS_URL) or fakeredis.

Runs on SQLite + fakeredis by default; set DATABASE_URL (a database whose name contains
"test" — it is wiped) and REDIS_URL (use a spare db number, e.g. /15 — it is flushed) to run
on PostgreSQL + Redis.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from omnicrm import create_app
from omnicrm.core.db import Database
from omnicrm.settings import Settings
from tests import factories

TEST_PASSWORD = "correct horse battery staple"


def _reset_postgres(url: str) -> None:
    parsed = make_url(url)
    if "test" not in (parsed.database or ""):
        raise pytest.UsageError(
            f"refusing to wipe {parsed.database!r}: DATABASE_URL for tests must name a database "
            "containing 'test'"
        )
    from omnicrm.core.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    instance = tmp_path_factory.mktemp("instance")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'test.db'}"
    return Settings(
        env="test",
        instance_path=instance,
        secret_key=secrets.token_urlsafe(48),
        database_url=url,
        redis_url=os.environ.get("REDIS_URL", ""),
        bcrypt_rounds=4,
        log_level="WARNING",
        login_rate_limit="1000 per minute",
        frontend_dist=Path(__file__).resolve().parents[1] / "frontend" / "dist",
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    from omnicrm.cli import upgrade_database

    if not settings.is_sqlite:
        _reset_postgres(settings.database_url)
    upgrade_database(settings)
    application = create_app(settings)
    yield application
    database: Database = application.extensions["omnicrm_db"]
    assert database.engine is not None
    database.engine.dispose()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP/WebSocket in a thread (Werkzeug, threaded), once per run."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def database(app: Flask) -> Database:
    db: Database = app.extensions["omnicrm_db"]
    return db


@pytest.fixture(autouse=True)
def _isolation(request: pytest.FixtureRequest) -> Iterator[None]:
    """Roll back everything a test wrote to the database and clear Redis and rate limits."""
    if "app" not in request.fixturenames and "db_session" not in request.fixturenames:
        yield
        return
    if request.node.get_closest_marker("committed"):
        # The test commits for real (other processes must see its rows) and cleans up itself.
        yield
        return
    app: Flask = request.getfixturevalue("app")
    database: Database = app.extensions["omnicrm_db"]
    assert database.engine is not None
    redis_client = app.extensions["omnicrm_redis"]
    redis_client.flushdb()
    from omnicrm.extensions import limiter

    limiter.reset()
    original = database.session_factory
    connection = database.engine.connect()
    transaction = connection.begin()
    database.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield
    finally:
        database.session_factory = original
        transaction.rollback()
        connection.close()
        redis_client.flushdb()


@pytest.fixture
def db_session(app: Flask, database: Database) -> Iterator[Session]:
    """A session inside the test's transaction, for arranging data and checking results."""
    session = database.new_session()
    factories.bind(session)
    with app.app_context():
        yield session
    session.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """A small client for tests: logs in users and carries their token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = TEST_PASSWORD, **extra: Any) -> dict[str, Any]:
        response = self.client.post(
            "/crm/auth/login", json={"email": email, "password": password, **extra}
        )
        assert response.status_code == 200, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def headers_for(self, email: str, password: str = TEST_PASSWORD) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.login(email, password)['token']}"}


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture
def make_user(db_session: Session, app: Flask) -> Any:
    """Create a user with roles; returns it (password TEST_PASSWORD)."""

    def _make(*roles: str, email: str | None = None, **fields: Any) -> Any:
        from omnicrm.auth.deps import auth_deps
        from omnicrm.auth.use_cases import create_user

        with app.test_request_context():
            user = create_user(
                db_session,
                auth_deps(),
                email=email or f"{secrets.token_hex(4)}@example.com",
                password=TEST_PASSWORD,
                roles=list(roles) or ["admin"],
                email_verified=True,
                actor=None,
                **fields,
            )
        db_session.commit()
        return user

    return _make


@pytest.fixture
def admin_headers(make_user: Any, api: Api) -> dict[str, str]:
    return api.headers_for(make_user("admin").email)


@pytest.fixture
def call(api: Api, admin_headers: dict[str, str]) -> Any:
    """``call(method, path, expected_status, **kwargs)`` as the admin: asserts the status (showing
    the body when it differs) and returns the JSON. ``headers=`` adds to the admin's."""

    def _call(method: str, path: str, expected: int, **kwargs: Any) -> Any:
        headers = {**admin_headers, **kwargs.pop("headers", {})}
        response = getattr(api.client, method)(path, headers=headers, **kwargs)
        assert response.status_code == expected, response.get_json()
        return response.get_json()

    return _call
