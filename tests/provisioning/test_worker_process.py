"""Provisioning through real `omnicrm worker` processes on PostgreSQL and Redis.

1. A sale's play runs in a worker process; a Socket.IO client on the API server receives every
   task event in order (relayed through the Redis message queue), and a client joining late
   gets the events so far replayed.
2. A worker is killed (SIGKILL) mid-job: another worker's reaper notices the lapsed lease and
   the job is re-run (retries left) or failed (none left). Either way no service is left
   half-active and the SIM and number end consistent with the service.
3. The deployed shape, every part its own process: the API under gunicorn (`omnicrm run`, two
   processes), Socket.IO under gunicorn (`omnicrm run --realtime`) and `omnicrm worker`. A sale
   made through the API service is run by the worker, and a client of the real-time service
   receives its events, published by the other two through the Redis message queue.

Real commits (``committed``), data of its own, removed afterwards.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from omnicrm.catalog.models import Product
from omnicrm.contracts.models import Contract, ContractCharge
from omnicrm.customers.models import Customer
from omnicrm.inventory import use_cases as inv
from omnicrm.inventory.models import Inventory, InventoryHistory, InventoryTemplate
from omnicrm.provisioning.models import Provision, ProvisionEvent, ProvisionStatus
from omnicrm.services.models import Service, ServiceStatusHistory
from omnicrm.tickets.models import Ticket
from tests.factories import delete_tickets, make_iccid

ROOT = Path(__file__).resolve().parents[2]
P = ProvisionStatus

pytestmark = [pytest.mark.committed, pytest.mark.postgres]


@pytest.fixture
def world(settings: Any, database: Any, make_user: Any, live_server: str) -> Iterator[dict]:
    if settings.is_sqlite or not settings.redis_url:
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): worker processes")
    tag = uuid.uuid4().hex[:8]
    base = int(tag, 16) % 10_000
    with database.job_scope() as session:
        sim_t = inv.create_template(session, item=f"Prov SIM {tag}", serial_kind="iccid")
        num_t = inv.create_template(session, item=f"Prov Number {tag}", serial_kind="msisdn")
        for n in range(3):
            inv.create_item(
                session,
                inventory_template_id=sim_t.inventory_template_id,
                serial=make_iccid(base * 100 + n, prefix="8997"),
                itemtext2=f"00101{base:04d}{n:06d}",
            )
            inv.create_item(
                session,
                inventory_template_id=num_t.inventory_template_id,
                serial=f"+61413{base:04d}{n:02d}",
            )
        products = {}
        for play, variables in (
            ("provision_smoke", {}),
            ("provision_slow", {"step_seconds": 1}),
        ):
            product = Product(
                product_name=f"{play} {tag}",
                product_slug=f"{play.replace('_', '-')}-{tag}",
                category="standalone",
                inventory_items_list=[sim_t.item, num_t.item],
                provisioning_play=play,
                provisioning_json_vars=variables,
            )
            session.add(product)
            products[play] = product
        customer = Customer(customer_name=f"Prov {tag}", email=f"prov-{tag}@example.net")
        session.add(customer)
        session.flush()
        data: dict[str, Any] = {
            "template_ids": [sim_t.inventory_template_id, num_t.inventory_template_id],
            "products": {play: p.product_id for play, p in products.items()},
            "customer_id": customer.customer_id,
        }
    user = make_user("admin", email=f"prov-{tag}@example.com")
    data["token"] = httpx.post(
        f"{live_server}/crm/auth/login",
        json={"email": user.email, "password": "correct horse battery staple"},
    ).json()["token"]
    data["headers"] = {"Authorization": f"Bearer {data['token']}"}
    yield data
    _clean(database, data)


def _clean(database: Any, data: dict[str, Any]) -> None:
    product_ids = list(data["products"].values())
    with database.job_scope() as session:
        services = select(Service.service_id).where(Service.product_id.in_(product_ids))
        jobs = select(Provision.provision_id).where(Provision.product_id.in_(product_ids))
        contracts = select(Contract.contract_id).where(Contract.product_id.in_(product_ids))
        items = select(Inventory.inventory_id).where(
            Inventory.inventory_template_id.in_(data["template_ids"])
        )
        session.execute(delete(ProvisionEvent).where(ProvisionEvent.provision_id.in_(jobs)))
        # A job that failed for good opened a ticket for the customer.
        delete_tickets(session, Ticket.customer_id == data["customer_id"])
        session.execute(delete(Provision).where(Provision.product_id.in_(product_ids)))
        session.execute(delete(ContractCharge).where(ContractCharge.contract_id.in_(contracts)))
        session.execute(delete(Contract).where(Contract.product_id.in_(product_ids)))
        session.execute(delete(InventoryHistory).where(InventoryHistory.inventory_id.in_(items)))
        session.execute(
            delete(Inventory).where(Inventory.inventory_template_id.in_(data["template_ids"]))
        )
        session.execute(
            delete(ServiceStatusHistory).where(ServiceStatusHistory.service_id.in_(services))
        )
        session.execute(delete(Service).where(Service.product_id.in_(product_ids)))
        session.execute(
            delete(InventoryTemplate).where(
                InventoryTemplate.inventory_template_id.in_(data["template_ids"])
            )
        )
        session.execute(delete(Product).where(Product.product_id.in_(product_ids)))
        session.execute(delete(Customer).where(Customer.customer_id == data["customer_id"]))


def launch(
    settings: Any, tmp_path: Path, args: list[str], log_name: str, **env: str
) -> subprocess.Popen[bytes]:
    """`omnicrm ARGS` as a deployment runs it, in a process group of its own, logging to
    ``tmp_path/log_name``."""
    return subprocess.Popen(
        [sys.executable, "-m", "omnicrm.cli", *args],
        env={
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "SECRET_KEY": settings.secret_key,
            "INSTANCE_PATH": str(tmp_path),
            "LOG_LEVEL": "WARNING",
            **env,
        },
        cwd=ROOT,
        stdout=open(tmp_path / log_name, "wb"),  # the child owns it
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_worker(settings: Any, tmp_path: Path, **env: str) -> subprocess.Popen[bytes]:
    args = ["worker", "--processes", "1", "--threads", "2"]
    return launch(settings, tmp_path, args, f"worker-{time.time_ns()}.log", **env)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def sell(live_server: str, world: dict[str, Any], play: str) -> dict[str, Any]:
    response = httpx.post(
        f"{live_server}/crm/contract/",
        json={"customer_id": world["customer_id"], "product_id": world["products"][play]},
        headers=world["headers"],
        timeout=30,
    )
    assert response.status_code == 201, response.text
    contract: dict[str, Any] = response.json()
    return contract


def job_of(database: Any, service_id: int) -> Provision:
    with database.job_scope() as session:
        job = session.scalars(select(Provision).where(Provision.service_id == service_id)).one()
        session.expunge(job)
        return job


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Listener:
    """A Socket.IO client on /provision collecting what a room sends."""

    def __init__(self, live_server: str, token: str, room: str) -> None:
        import socketio

        self.events: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self.arrivals: list[datetime] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on("provision.event", self._event, namespace="/provision")
        self.client.on("provision.status", self._status, namespace="/provision")
        self.client.connect(
            live_server,
            auth={"token": token},
            namespaces=["/provision"],
            transports=["websocket"],
            wait_timeout=10,
        )
        self.ack = self.client.call("join", {"room": room}, namespace="/provision", timeout=10)

    def _event(self, data: dict[str, Any]) -> None:
        from omnicrm.core.db import utcnow

        with self.lock:
            self.events.append(data)
            self.arrivals.append(utcnow())

    def _status(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.statuses.append(data)

    def events_of(self, provision_id: int) -> list[dict[str, Any]]:
        with self.lock:
            seen: dict[int, dict[str, Any]] = {}
            for event in self.events:
                if event["provision_id"] == provision_id:
                    seen.setdefault(event["provision_event_id"], event)
            return list(seen.values())

    def final_status(self, provision_id: int) -> int | None:
        with self.lock:
            for status in reversed(self.statuses):
                if status["provision_id"] == provision_id:
                    final = status["provisioning_status"]
                    return int(final) if final in (0, 2, 5) else None
        return None

    def close(self) -> None:
        self.client.disconnect()


def test_a_worker_process_runs_the_play_and_every_task_event_streams_in_order(
    world, settings, database, live_server, tmp_path
):
    worker = start_worker(settings, tmp_path)
    dashboard = Listener(live_server, world["token"], "dashboard")
    try:
        assert dashboard.ack == {"ok": True, "room": "dashboard"}
        contract = sell(live_server, world, "provision_smoke")
        job_id = job_of(database, contract["service_id"]).provision_id
        wait_for(lambda: dashboard.final_status(job_id) is not None, 90, "the job to end")
        assert dashboard.final_status(job_id) == int(P.success)
        events = dashboard.events_of(job_id)
        assert [e["event_number"] for e in events] == [1, 2, 3, 4]  # every task, in order
        assert [e["event_name"] for e in events] == [
            "Prepare smoke record",
            "Show smoke record",
            "Create smoke spool directory",
            "Write smoke record",
        ]
        assert [e["tasks_done"] for e in events] == [1, 2, 3, 4]
        assert {e["task_count"] for e in events} == {4}
        assert {e["provisioning_status"] for e in events} == {int(P.success)}
        labels = [s["status_label"] for s in dashboard.statuses if s["provision_id"] == job_id]
        assert labels[0] == "Queued" and labels[-1] == "Success" and "Running" in labels
        # What the client got is what the database holds.
        with database.job_scope() as session:
            stored = session.scalars(
                select(ProvisionEvent)
                .where(ProvisionEvent.provision_id == job_id)
                .order_by(ProvisionEvent.event_number)
            ).all()
            assert [e.provision_event_id for e in stored] == [
                e["provision_event_id"] for e in events
            ]
            service = session.get(Service, contract["service_id"])
            assert service.service_status.value == "active"
            assert session.get(Contract, contract["contract_id"]).contract_status.value == (
                "active"
            )
        # The worker wrote the network side (its own instance directory).
        spool = tmp_path / "network" / "smoke" / f"{job_id}.txt"
        assert spool.read_text().startswith(f"provision {job_id}")
        # A client joining after the job ended gets every event replayed, then the status.
        late = Listener(live_server, world["token"], f"provision:{job_id}")
        try:
            assert late.ack == {"ok": True, "room": f"provision:{job_id}", "replayed": 4}
            wait_for(lambda: late.final_status(job_id) is not None, 10, "the replayed status")
            assert [e["event_number"] for e in late.events_of(job_id)] == [1, 2, 3, 4]
        finally:
            late.close()
    finally:
        dashboard.close()
        stop(worker)


@pytest.mark.parametrize(
    ("killed_after", "max_retries"),
    [(1, 3), (3, 3), (4, 3), (2, 0)],
    ids=["k1-retried", "k3-retried", "k4-retried", "k2-no-retries"],
)
def test_a_worker_killed_mid_job_leaves_nothing_half_done(
    world, settings, database, live_server, tmp_path, killed_after, max_retries
):
    """kill -9 after task k (reliability plan #17): the job ends (re-run to Success, or Failed
    without retries), never stuck Running, and the network side holds each record once."""
    env = {"PROVISIONING_LEASE_SECONDS": "2", "PROVISIONING_MAX_RETRIES": str(max_retries)}
    first = start_worker(settings, tmp_path, **env)
    second = None
    try:
        contract = sell(live_server, world, "provision_slow")
        service_id = contract["service_id"]
        job_id = job_of(database, service_id).provision_id
        # A job's retry budget is fixed when it is queued (by the API's settings): set it here.
        with database.job_scope() as session:
            session.get(Provision, job_id).max_retries = max_retries

        def tasks_done() -> int:
            with database.job_scope() as session:
                return len(
                    session.scalars(
                        select(ProvisionEvent.provision_event_id).where(
                            ProvisionEvent.provision_id == job_id
                        )
                    ).all()
                )

        wait_for(lambda: tasks_done() >= killed_after, 60, f"{killed_after} task(s) to finish")
        stop(first, signal.SIGKILL)  # mid-job: no clean shutdown, no finally blocks
        killed = job_of(database, service_id)
        assert killed.status == P.running  # the dead worker still "holds" it...
        second = start_worker(settings, tmp_path, **env)  # ...until another worker's reaper looks

        def ended() -> Provision | None:
            job = job_of(database, service_id)
            return job if job.status in (P.success, P.failed) else None

        job = wait_for(ended, 120, "the job to end after the crash")
        with database.job_scope() as session:
            events = session.scalars(
                select(ProvisionEvent)
                .where(ProvisionEvent.provision_id == job_id)
                .order_by(ProvisionEvent.event_number)
            ).all()
            names = [e.event_name for e in events]
            assert any(name.startswith("Worker lost") for name in names), names
            numbers = [e.event_number for e in events]
            assert numbers == list(range(1, len(numbers) + 1))
            service = session.get(Service, service_id)
            items = [
                session.get(Inventory, contract[k])
                for k in ("sim_inventory_id", "number_inventory_id")
            ]
            row = session.get(Contract, contract["contract_id"])
            if max_retries:
                assert job.status == P.success, [
                    (e.event_number, e.attempt, e.event_name, e.created_at.isoformat())
                    for e in events
                ]
                assert job.attempts == 2 and job.retries == 1
                assert service.service_status.value == "active"
                assert {i.item_state.value for i in items} == {"assigned"}
                assert {i.service_id for i in items} == {service_id}
                assert row.contract_status.value == "active"
                # The re-run did the whole play; the keyed spool record exists once.
                assert [e.event_name for e in events if e.attempt == 2][-1] == (
                    "Write slow spool record"
                )
                records = list((tmp_path / "network" / "slow").glob("*.txt"))
                assert [r.name for r in records] == [f"{job_id}.txt"]
            else:
                assert job.status == P.failed and "lease expired" in (job.error or "")
                assert service.service_status.value == "failed"
                assert {i.item_state.value for i in items} == {"new"}
                assert {i.service_id for i in items} == {None}
                assert row.contract_status.value == "draft"
    finally:
        stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(settings: Any, tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    """`omnicrm run ARGS` on a free port, as a deployment runs it; returns it once it answers."""
    port = free_port()
    log_path = tmp_path / f"run-{port}.log"
    proc = launch(settings, tmp_path, ["run", "--port", str(port), *args], log_path.name)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"omnicrm run {args} exited: {log_path.read_text()[-2000:]}")
        try:
            return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(answers, 60, f"omnicrm run {' '.join(args)} to answer")
    return proc, url


def test_the_deployed_shape_streams_a_sale_from_the_api_service_to_the_realtime_service(
    world, settings, database, tmp_path
):
    api, api_url = start_server(settings, tmp_path, "--workers", "2", "--threads", "4")
    realtime, realtime_url = start_server(settings, tmp_path, "--realtime", "--threads", "16")
    worker = start_worker(settings, tmp_path)
    dashboard = None
    try:
        dashboard = Listener(realtime_url, world["token"], "dashboard")
        assert dashboard.ack == {"ok": True, "room": "dashboard"}
        contract = sell(api_url, world, "provision_smoke")
        job_id = job_of(database, contract["service_id"]).provision_id
        wait_for(lambda: dashboard.final_status(job_id) is not None, 90, "the job to end")
        assert dashboard.final_status(job_id) == int(P.success)
        assert [e["event_number"] for e in dashboard.events_of(job_id)] == [1, 2, 3, 4]
        labels = [s["status_label"] for s in dashboard.statuses if s["provision_id"] == job_id]
        assert labels[0] == "Queued" and labels[-1] == "Success"  # from the API, then the worker
        # Both services answer the API; a revoked session is refused by either, at once.
        for url in (api_url, realtime_url):
            read = httpx.get(
                f"{url}/crm/contract/{contract['contract_id']}", headers=world["headers"]
            )
            assert read.status_code == 200 and read.json()["contract_status"] == "active"
        logout = httpx.post(f"{api_url}/crm/auth/logout", headers=world["headers"])
        assert logout.status_code == 200, logout.text
        for url in (api_url, realtime_url):
            refused = httpx.get(f"{url}/crm/customer/", headers=world["headers"])
            assert refused.status_code == 401, refused.text
    finally:
        if dashboard is not None:
            dashboard.close()
        stop(worker)
        stop(realtime)
        stop(api)
