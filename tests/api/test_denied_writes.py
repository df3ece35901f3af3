"""A refused write answers at once and delays nobody (security review, finding 2).

On SQLite (the embedded default) a writing unit of work holds the database's write lock from
its first statement. A write refused after its session had begun (always with an API key; with
a JWT whose cached identity had expired) used to audit the denial in a second transaction that
waited on the request's own lock: the 403 took the whole busy timeout (30 s), every other
write in the app waited with it, and the audit row was lost. Permissions are now checked before
a writing unit of work starts, and the denial row is written once the request's is over.

These tests commit for real (separate connections, as concurrent requests have).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, select

from omnicrm.activity.models import Activity
from omnicrm.auth.deps import auth_deps
from omnicrm.auth.use_cases import create_user
from omnicrm.customers.models import Customer

pytestmark = [pytest.mark.committed]


@pytest.fixture(autouse=True)
def _remove_customers(database: Any) -> Iterator[None]:
    """The customers these tests commit go again (other tests count customers)."""
    yield
    with database.job_scope() as session:
        session.execute(delete(Customer).where(Customer.customer_name.like("Denied Writes %")))


PASSWORD = "denied writes test password"


def _committed_user(app: Any, database: Any, role: str) -> tuple[int, dict[str, str]]:
    """A committed user with ``role``, logged in: (user id, its Authorization header)."""
    email = f"denied-{role}-{uuid.uuid4().hex[:8]}@example.com"
    with app.test_request_context(), database.job_scope() as session:
        user = create_user(
            session,
            auth_deps(),
            email=email,
            password=PASSWORD,
            roles=[role],
            email_verified=True,
            actor=None,
        )
        user_id = user.id
    client = app.test_client()
    login = client.post("/crm/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.get_json()
    return user_id, {"Authorization": f"Bearer {login.get_json()['token']}"}


def _denials(database: Any, path: str) -> list[Activity]:
    with database.new_session() as session:
        return list(
            session.scalars(
                select(Activity).where(
                    Activity.action == "permission_denied", Activity.object_id == f"POST {path}"
                )
            )
        )


def _customer(tag: str) -> dict[str, str]:
    return {
        "customer_name": f"Denied Writes {tag}",
        "customer_account_type": "Business",
        "customer_payment_type": "prepaid",
    }


def _refused_while_others_write(app: Any, refused: Any, writer_headers: dict[str, str]) -> None:
    """Run ``refused()`` (must answer 403) while another thread keeps writing; both fast."""
    stop = threading.Event()
    writer_times: list[float] = []
    writer_errors: list[Any] = []

    def writer() -> None:
        client = app.test_client()
        while not stop.is_set():
            started = time.monotonic()
            response = client.post(
                "/crm/customer/", json=_customer(uuid.uuid4().hex[:6]), headers=writer_headers
            )
            writer_times.append(time.monotonic() - started)
            if response.status_code != 201:
                writer_errors.append(response.get_json())

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.2)  # the writer is busy before the refused request arrives
        started = time.monotonic()
        response = refused()
        elapsed = time.monotonic() - started
    finally:
        time.sleep(0.2)
        stop.set()
        thread.join(timeout=60)
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["code"] == "permission_denied"
    assert elapsed < 1.0, f"the 403 took {elapsed:.2f} s"
    assert writer_errors == []
    assert writer_times, "the writer made no request"
    assert max(writer_times) < 1.0, f"a concurrent write waited {max(writer_times):.2f} s"


def test_an_api_key_refused_a_write_answers_at_once_and_the_denial_is_audited(app, database):
    _, admin = _committed_user(app, database, "admin")
    client = app.test_client()
    key = client.post(
        "/crm/auth/api-key/", json={"name": "read only", "scopes": ["customer.read"]}, headers=admin
    )
    assert key.status_code == 201, key.get_json()
    key_headers = {"X-API-Key": key.get_json()["key"]}
    before = len(_denials(database, "/crm/customer/"))

    _refused_while_others_write(
        app,
        lambda: app.test_client().post(
            "/crm/customer/", json=_customer("by key"), headers=key_headers
        ),
        admin,
    )
    rows = _denials(database, "/crm/customer/")
    assert len(rows) == before + 1
    assert rows[-1].api_key_id is not None
    assert rows[-1].after == {"required": ["customer.write"]}


def test_a_jwt_refused_after_its_identity_left_the_cache_answers_at_once(app, database):
    """A user whose role changed: the next request loads the identity from the database."""
    _, admin = _committed_user(app, database, "admin")
    sales_id, headers = _committed_user(app, database, "sales")
    with app.app_context():
        auth_deps().sessions.forget_identity(sales_id)  # as a role change does
    path = "/crm/role/"
    before = len(_denials(database, path))

    _refused_while_others_write(
        app,
        lambda: app.test_client().post(
            path,
            json={"name": f"r{uuid.uuid4().hex[:6]}", "description": "", "permissions": []},
            headers=headers,
        ),
        admin,
    )
    rows = _denials(database, path)
    assert len(rows) == before + 1
    assert rows[-1].user_id == sales_id
