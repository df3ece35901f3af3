"""Service and contract status changes reach open pages over Socket.IO (``/live``): after the
unit of work commits (never for one rolled back), and only to sockets whose user may read
them (``service.read`` for room ``services``, ``contract.read`` for room ``contracts``)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import socketio
from sqlalchemy import select

from omnicrm.auth.models import Permission, Role
from omnicrm.contracts.models import Contract, ContractStatus
from omnicrm.core.db import commit, discard
from omnicrm.services import use_cases as services
from omnicrm.services.models import ServiceStatus
from tests.factories import ServiceFactory

NS = "/live"


class LiveSock:
    """A client on ``/live`` recording what it is sent."""

    def __init__(self, url: str, token: str) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        for event in ("service.status_changed", "contract.status_changed"):
            self.client.on(event, lambda data, event=event: self._got(event, data), namespace=NS)
        self.client.connect(
            url, auth={"token": token}, namespaces=[NS], transports=["websocket"], wait_timeout=10
        )

    def _got(self, event: str, data: dict[str, Any]) -> None:
        with self.lock:
            self.received.append((event, data))

    def join(self, rooms: list[str] | None = None) -> dict[str, Any]:
        data = {} if rooms is None else {"rooms": rooms}
        ack: dict[str, Any] = self.client.call("join", data, namespace=NS, timeout=10)
        return ack

    def of(self, event: str, key: str, value: int) -> list[dict[str, Any]]:
        with self.lock:
            return [d for e, d in self.received if e == event and d.get(key) == value]


def wait_until(predicate: Any, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


@pytest.fixture
def socks(live_server: str) -> Iterator[Any]:
    opened: list[LiveSock] = []

    def _open(token: str) -> LiveSock:
        sock = LiveSock(live_server, token)
        opened.append(sock)
        return sock

    yield _open
    for sock in opened:
        sock.client.disconnect()


@pytest.fixture
def blind_user(db_session: Any, make_user: Any) -> Any:
    """A user who may read customers but neither services nor contracts."""
    name = f"blind-{uuid.uuid4().hex[:8]}"
    permission = db_session.scalar(select(Permission).where(Permission.name == "customer.read"))
    db_session.add(Role(name=name, description="test", permissions=[permission]))
    db_session.commit()
    return make_user(name)


@pytest.fixture
def sale(db_session: Any) -> tuple[int, int]:
    """A service being provisioned and its accepted contract (what a sale leaves)."""
    service: Any = ServiceFactory(service_status=ServiceStatus.provisioning)
    db_session.flush()
    contract = Contract(
        customer_id=service.customer_id,
        product_id=service.product_id,
        service_id=service.service_id,
        contract_status=ContractStatus.accepted,
        term_months=12,
    )
    db_session.add(contract)
    db_session.commit()
    return service.service_id, contract.contract_id


def activate(db_session: Any, service_id: int) -> None:
    services.change_service_status(
        db_session, service_id=service_id, to_status=ServiceStatus.active, reason="test"
    )


def test_join_answers_the_rooms_the_user_may_read(api, make_user, blind_user, socks):
    staff = socks(api.login(make_user("support").email)["token"])
    assert staff.join() == {"ok": True, "rooms": ["services", "contracts"]}
    assert staff.join(["contracts", "nope"]) == {"ok": True, "rooms": ["contracts"]}
    blind = socks(api.login(blind_user.email)["token"])
    assert blind.join() == {"ok": True, "rooms": []}
    assert blind.client.connected  # not cut: it just gets nothing


def test_status_changes_are_sent_after_commit_to_readers_only(
    api, db_session, make_user, blind_user, socks, sale
):
    service_id, contract_id = sale
    staff = socks(api.login(make_user("support").email)["token"])
    blind = socks(api.login(blind_user.email)["token"])
    assert staff.join()["ok"] and blind.join()["ok"]

    activate(db_session, service_id)
    db_session.flush()
    time.sleep(0.3)  # nothing may be sent before the commit: give a wrong emit time to land
    assert staff.of("service.status_changed", "service_id", service_id) == []
    commit(db_session)

    assert wait_until(lambda: staff.of("service.status_changed", "service_id", service_id))
    assert wait_until(lambda: staff.of("contract.status_changed", "contract_id", contract_id))
    (service,) = staff.of("service.status_changed", "service_id", service_id)
    assert service["from_status"] == "provisioning"
    assert service["service_status"] == "active"
    assert service["start_date"] is not None and service["end_date"] is None
    (contract,) = staff.of("contract.status_changed", "contract_id", contract_id)
    assert contract["from_status"] == "accepted"
    assert contract["contract_status"] == "active"
    assert contract["service_id"] == service_id
    assert contract["start_date"] is not None and contract["end_date"] is not None

    # A user without service.read / contract.read got neither, while the staff socket did.
    assert blind.of("service.status_changed", "service_id", service_id) == []
    assert blind.of("contract.status_changed", "contract_id", contract_id) == []


def test_a_rolled_back_change_is_never_sent(api, db_session, make_user, socks, sale):
    service_id, contract_id = sale
    staff = socks(api.login(make_user("support").email)["token"])
    assert staff.join()["ok"]
    activate(db_session, service_id)
    discard(db_session)
    # A later committed change of another record shows the socket was listening meanwhile.
    other: Any = ServiceFactory(service_status=ServiceStatus.provisioning)
    db_session.commit()
    activate(db_session, other.service_id)
    commit(db_session)
    assert wait_until(lambda: staff.of("service.status_changed", "service_id", other.service_id))
    assert staff.of("service.status_changed", "service_id", service_id) == []
    assert staff.of("contract.status_changed", "contract_id", contract_id) == []
