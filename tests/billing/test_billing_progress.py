"""A billing run's progress, live on Socket.IO (``/billing``, room ``billing-run:<id>``): the
joiner gets the run's state at once, then one event per committed chunk, ending in ``done``
with what it wrote. Joining needs ``invoice.read``."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal
from typing import Any

import socketio

from omnicrm.billing.models import BillingCursor
from omnicrm.billing.realtime import NAMESPACE, publish
from omnicrm.billing.run import execute_run, request_run
from omnicrm.catalog.use_cases import price_snapshot_json
from omnicrm.services.models import ServiceStatus
from tests.factories import CustomerFactory, ProductFactory, ServiceFactory


class Watcher:
    def __init__(self, url: str, token: str) -> None:
        self.events: list[dict[str, Any]] = []
        self.done = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("billing.progress", self._progress, namespace=NAMESPACE)
        self.client.connect(
            url, auth={"token": token}, namespaces=[NAMESPACE], transports=["websocket"],
            wait_timeout=10,
        )  # fmt: skip

    def _progress(self, data: dict[str, Any]) -> None:
        self.events.append(data)
        if data["status"] in ("done", "failed"):
            self.done.set()

    def join(self, run_id: int) -> dict[str, Any]:
        ack: dict[str, Any] = self.client.call(
            "join", {"room": f"billing-run:{run_id}"}, namespace=NAMESPACE, timeout=10
        )
        return ack


def test_a_run_streams_its_progress_to_whoever_follows_it(
    app, api, make_user, live_server, database, db_session
):
    for _ in range(3):
        product = ProductFactory(retail_cost=Decimal("10.00"))
        customer = CustomerFactory()
        service = ServiceFactory(
            customer_id=customer.customer_id, product_id=product.product_id,
            service_status=ServiceStatus.active, retail_cost=product.retail_cost,
            price_snapshot=price_snapshot_json(product),
        )  # fmt: skip
        db_session.flush()
        db_session.add(
            BillingCursor(service_id=service.service_id, billed_through=date(2026, 12, 1))
        )
    run = request_run(db_session, period_end=date(2026, 12, 1), customer_id=None, user_id=None)
    db_session.commit()

    finance = api.login(make_user("finance").email)["token"]
    watcher = Watcher(live_server, finance)
    try:
        ack = watcher.join(run.billing_run_id)
        assert ack == {"ok": True, "room": f"billing-run:{run.billing_run_id}"}
        deadline = time.monotonic() + 5
        while not watcher.events and time.monotonic() < deadline:
            time.sleep(0.05)
        assert watcher.events[0]["status"] == "queued"  # the state at once
        with app.app_context():
            execute_run(database, run.billing_run_id, chunk_size=2, on_progress=publish)
        assert watcher.done.wait(10)
        statuses = [e["status"] for e in watcher.events]
        assert statuses[0] == "queued" and statuses[-1] == "done" and "running" in statuses
        last = watcher.events[-1]
        assert last["processed"] == last["total"] >= 3
        assert last["invoices_created"] >= 3 and last["transactions_created"] >= 3
        progress = [e["processed"] for e in watcher.events if e["status"] == "running"]
        assert progress == sorted(progress) and len(set(progress)) >= 2  # chunk by chunk

        # Without invoice.read, a join is refused and the socket cut.
        support = Watcher(live_server, api.login(make_user("support").email)["token"])
        refused = support.join(run.billing_run_id)
        assert refused["ok"] is False and refused["code"] == "permission_denied"
        support.client.disconnect()
        bad = watcher.join(0)
        assert bad["ok"] is False and bad["code"] == "validation_error"
    finally:
        watcher.client.disconnect()
