"""The GetSim race through the real API over HTTP: 20 clients buy at once from a pool of 5 SIMs.
Exactly 5 sales succeed (201), the 15 others get 409 (never 500 or 503), and no SIM is in two
contracts. On PostgreSQL row locks decide (FOR UPDATE SKIP LOCKED); on SQLite (the embedded
default) every writing request begins IMMEDIATE, so the sales queue for the write lock and each
sees the ones before it. Real commits (the ``committed`` marker), data of its own, removed
afterwards."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select

from omnicrm.catalog.models import Product
from omnicrm.contracts.models import Contract, ContractCharge
from omnicrm.customers.models import Customer
from omnicrm.inventory import use_cases as inv
from omnicrm.inventory.models import Inventory, InventoryHistory, InventoryTemplate, ItemState
from omnicrm.services.models import Service, ServiceStatusHistory
from tests.factories import make_iccid

THREADS = 20
POOL = 5

pytestmark = [pytest.mark.committed]


@pytest.fixture
def shop(database: Any, make_user: Any, live_server: str) -> Iterator[dict[str, Any]]:
    """POOL SIMs and plenty of numbers in templates of their own, a product selling them, an
    Open customer and a logged-in admin; everything but the user (and the append-only activity
    log) is deleted afterwards."""
    tag = uuid.uuid4().hex[:8]
    with database.job_scope() as session:
        sim_t = inv.create_template(session, item=f"Race SIM {tag}", serial_kind="iccid")
        num_t = inv.create_template(session, item=f"Race Number {tag}", serial_kind="msisdn")
        base = int(tag, 16) % 10_000
        sims = [
            inv.create_item(
                session,
                inventory_template_id=sim_t.inventory_template_id,
                serial=make_iccid(base * 100 + n, prefix="8998"),
            )
            for n in range(POOL)
        ]
        for n in range(THREADS + 5):
            inv.create_item(
                session,
                inventory_template_id=num_t.inventory_template_id,
                serial=f"+61412{base:04d}{n:02d}",
            )
        product = Product(
            product_name=f"Race tariff {tag}",
            product_slug=f"race-{tag}",
            category="standalone",
            inventory_items_list=[sim_t.item, num_t.item],
        )
        customer = Customer(customer_name=f"Race {tag}", email=f"race-{tag}@example.net")
        session.add_all([product, customer])
        session.flush()
        data = {
            "template_ids": [sim_t.inventory_template_id, num_t.inventory_template_id],
            "sim_serials": [s.serial for s in sims],
            "sim_ids": [s.inventory_id for s in sims],
            "product_id": product.product_id,
            "customer_id": customer.customer_id,
        }
    user = make_user("admin", email=f"race-{tag}@example.com")
    token = httpx.post(
        f"{live_server}/crm/auth/login",
        json={"email": user.email, "password": "correct horse battery staple"},
    ).json()["token"]
    data["headers"] = {"Authorization": f"Bearer {token}"}
    yield data
    with database.job_scope() as session:
        contracts = select(Contract.contract_id).where(Contract.product_id == data["product_id"])
        services = select(Service.service_id).where(Service.product_id == data["product_id"])
        items = select(Inventory.inventory_id).where(
            Inventory.inventory_template_id.in_(data["template_ids"])
        )
        session.execute(delete(ContractCharge).where(ContractCharge.contract_id.in_(contracts)))
        session.execute(delete(Contract).where(Contract.product_id == data["product_id"]))
        session.execute(delete(InventoryHistory).where(InventoryHistory.inventory_id.in_(items)))
        session.execute(
            delete(Inventory).where(Inventory.inventory_template_id.in_(data["template_ids"]))
        )
        session.execute(
            delete(ServiceStatusHistory).where(ServiceStatusHistory.service_id.in_(services))
        )
        session.execute(delete(Service).where(Service.product_id == data["product_id"]))
        session.execute(
            delete(InventoryTemplate).where(
                InventoryTemplate.inventory_template_id.in_(data["template_ids"])
            )
        )
        session.execute(delete(Product).where(Product.product_id == data["product_id"]))
        session.execute(delete(Customer).where(Customer.customer_id == data["customer_id"]))


def _race(live_server: str, shop: dict[str, Any], sim_for: Any) -> list[tuple[int, Any]]:
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        body = {"customer_id": shop["customer_id"], "product_id": shop["product_id"]}
        if sim_for is not None:
            body["sim_iccid"] = sim_for(n)
        with httpx.Client(base_url=live_server, timeout=60) as client:
            barrier.wait()
            response = client.post("/crm/contract/", json=body, headers=shop["headers"])
        with lock:
            results.append((response.status_code, response.json()))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _check(database: Any, shop: dict[str, Any], results: list[tuple[int, Any]]) -> None:
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * POOL + [409] * (THREADS - POOL), results
    assert {body["code"] for status, body in results if status == 409} == {"inventory_unavailable"}
    won = sorted(body["sim_inventory_id"] for status, body in results if status == 201)
    assert won == sorted(shop["sim_ids"])  # every SIM sold exactly once
    with database.job_scope() as session:
        rows = session.execute(
            select(Contract.sim_inventory_id, func.count())
            .where(Contract.product_id == shop["product_id"])
            .group_by(Contract.sim_inventory_id)
        ).all()
        assert sorted(rows) == [(sim_id, 1) for sim_id in sorted(shop["sim_ids"])]
        assert (
            session.scalar(
                select(func.count())
                .select_from(Service)
                .where(Service.product_id == shop["product_id"])
            )
            == POOL
        )
        sims = session.scalars(
            select(Inventory).where(Inventory.inventory_id.in_(shop["sim_ids"]))
        ).all()
        assert {s.item_state for s in sims} == {ItemState.assigned}
        assert len({s.service_id for s in sims}) == POOL
        numbers = session.scalar(
            select(func.count())
            .select_from(Inventory)
            .where(
                Inventory.inventory_template_id == shop["template_ids"][1],
                Inventory.item_state != ItemState.new,
            )
        )
        assert numbers == POOL  # the losers' numbers were rolled back to new


def test_20_clients_no_sim_named_5_succeed(database, live_server, shop):
    _check(database, shop, _race(live_server, shop, None))


def test_20_clients_naming_sims_from_the_pool_5_succeed(database, live_server, shop):
    serials = shop["sim_serials"]
    _check(database, shop, _race(live_server, shop, lambda n: serials[n % POOL]))
