"""Concurrent reservations hand every free item to exactly one caller: on PostgreSQL through
SELECT ... FOR UPDATE SKIP LOCKED, on SQLite because a unit of work that writes begins
IMMEDIATE and waits its turn (a deferred one would fail with "database is locked"). Real
committed rows and one session per thread (no rollback isolation), cleaned up afterwards."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, select

from omnicrm.inventory import use_cases as uc
from omnicrm.inventory.errors import InventoryUnavailable
from omnicrm.inventory.models import Inventory, InventoryHistory, InventoryTemplate, ItemState
from tests.factories import make_iccid

THREADS = 20
POOL = 5

pytestmark = [pytest.mark.committed]


@pytest.fixture
def pool(database):
    """A template of its own with POOL new SIMs, committed; removed (with history) afterwards."""
    name = f"Race SIM {uuid.uuid4().hex[:8]}"
    with database.job_scope() as session:
        template = uc.create_template(session, item=name, serial_kind="iccid")
        template_id = template.inventory_template_id
        serials = [make_iccid(n, prefix="8999") for n in range(POOL)]
        for serial in serials:
            uc.create_item(session, inventory_template_id=template_id, serial=serial)
    yield name, serials
    with database.job_scope() as session:
        ids = select(Inventory.inventory_id).where(Inventory.inventory_template_id == template_id)
        session.execute(delete(InventoryHistory).where(InventoryHistory.inventory_id.in_(ids)))
        session.execute(delete(Inventory).where(Inventory.inventory_template_id == template_id))
        session.execute(
            delete(InventoryTemplate).where(InventoryTemplate.inventory_template_id == template_id)
        )


def _race(database, reserve: Callable[[Any], Inventory]) -> tuple[list[int], list[Exception]]:
    """Run ``reserve`` in THREADS threads at once, each in its own committed unit of work."""
    barrier = threading.Barrier(THREADS)
    won: list[int] = []
    lost: list[Exception] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        try:
            with database.job_scope() as session:
                item_id = reserve(session).inventory_id
            with lock:
                won.append(item_id)
        except Exception as exc:  # collected and asserted below
            with lock:
                lost.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won, lost


def _states(database, name):
    with database.job_scope() as session:
        rows = session.execute(
            select(Inventory.inventory_id, Inventory.item_state)
            .join(Inventory.template)
            .where(InventoryTemplate.item == name)
        ).all()
        history = session.scalars(
            select(InventoryHistory.inventory_id).where(
                InventoryHistory.inventory_id.in_([r[0] for r in rows]),
                InventoryHistory.to_state == ItemState.reserved.value,
            )
        ).all()
    return dict(rows), history


def test_20_threads_reserve_from_a_pool_of_5(database, pool):
    name, _serials = pool
    won, lost = _race(database, lambda s: uc.reserve_free_item(s, template_name=name))
    assert len(won) == POOL, (won, lost)
    assert len(set(won)) == POOL  # no SIM reserved twice
    assert len(lost) == THREADS - POOL
    assert all(isinstance(e, InventoryUnavailable) for e in lost), lost
    assert {e.code for e in lost} == {"inventory_unavailable"}
    states, history = _states(database, name)
    assert set(states.values()) == {ItemState.reserved}
    assert sorted(history) == sorted(won)  # exactly one reservation row per SIM


def test_20_threads_race_for_the_same_serial_one_wins(database, pool):
    name, serials = pool
    won, lost = _race(
        database, lambda s: uc.reserve_free_item(s, template_name=name, serial=serials[2])
    )
    assert len(won) == 1, (won, lost)
    assert len(lost) == THREADS - 1
    assert all(isinstance(e, InventoryUnavailable) for e in lost), lost
    states, history = _states(database, name)
    assert sorted(s.value for s in states.values()) == ["new"] * (POOL - 1) + ["reserved"]
    assert history == won
