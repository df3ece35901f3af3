"""PostgreSQL connections lost under the app (reliability plan row 19).

The server ends backends with ``pg_terminate_backend``, as a failover, a restart or an admin
would. The next request must succeed without restarting the app (the pool checks a connection
before handing it out), and a request whose connection dies in the middle of its unit of work
answers 503 and leaves nothing behind. Real commits (``committed``), data of its own, removed
afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.pool import NullPool

from omnicrm.customers import use_cases
from omnicrm.customers.models import Customer

pytestmark = [pytest.mark.committed, pytest.mark.postgres]


@pytest.fixture
def admin(settings: Any, api: Any, make_user: Any, database: Any) -> Iterator[dict[str, str]]:
    if settings.is_sqlite:
        pytest.skip("needs PostgreSQL (DATABASE_URL): backends terminated by the server")
    tag = uuid.uuid4().hex[:8]
    yield api.headers_for(make_user("admin", email=f"loss-{tag}@example.com").email)
    with database.job_scope() as session:
        session.execute(delete(Customer).where(Customer.customer_name.like("Loss %")))


def terminate(settings: Any, where: str = "pid <> pg_backend_pid()") -> int:
    """End this database's backends (the app's pooled ones) from a connection of our own."""
    engine = create_engine(settings.database_url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    f"WHERE datname = current_database() AND {where}"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return int(ended)


def customers_named(database: Any, name: str) -> list[int]:
    with database.job_scope() as session:
        return list(
            session.scalars(select(Customer.customer_id).where(Customer.customer_name == name))
        )


def test_the_next_requests_succeed_after_every_connection_is_terminated(
    api, admin, settings, database
):
    assert api.client.get("/crm/site/", headers=admin).status_code == 200  # pool warmed
    assert terminate(settings) >= 1
    # Reads and writes go on without restarting the app: no 500, no 503.
    assert api.client.get("/crm/site/", headers=admin).status_code == 200
    created = api.client.post("/crm/customer/", json={"customer_name": "Loss after"}, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert customers_named(database, "Loss after") == [created.get_json()["customer_id"]]
    assert api.client.get("/readyz").status_code == 200


def test_a_connection_lost_mid_unit_of_work_is_503_and_saves_nothing(
    api, admin, settings, database, monkeypatch
):
    original = use_cases.create_customer
    pids: list[int] = []

    def create_then_lose_the_connection(session: Any, **kwargs: Any) -> Any:
        customer = original(session, **kwargs)  # flushed: the row exists in this transaction
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        pids.append(pid)
        terminate(settings, f"pid = {int(pid)}")
        return customer

    monkeypatch.setattr(use_cases, "create_customer", create_then_lose_the_connection)
    lost = api.client.post("/crm/customer/", json={"customer_name": "Loss during"}, headers=admin)
    assert pids, "the unit of work did not run"
    assert lost.status_code == 503, lost.get_json()
    assert lost.get_json()["code"] == "service_unavailable"
    assert customers_named(database, "Loss during") == []  # nothing half-saved
    monkeypatch.undo()
    # The same request again, on a fresh connection: saved once.
    again = api.client.post("/crm/customer/", json={"customer_name": "Loss during"}, headers=admin)
    assert again.status_code == 201, again.get_json()
    assert customers_named(database, "Loss during") == [again.get_json()["customer_id"]]
