"""Handing out the oldest free item stays one index probe however much stock has been sold."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.dialects import postgresql

from omnicrm.inventory import use_cases as inv
from omnicrm.inventory.models import Inventory, ItemState

STOCK = 3000
SOLD = 2500


@pytest.fixture
def depleted(db_session, settings):
    """A template whose oldest SOLD of STOCK items are assigned, with fresh statistics."""
    template = inv.create_template(db_session, item="Pick Test", serial_kind="free")
    db_session.flush()
    db_session.execute(
        insert(Inventory),
        [
            {"inventory_template_id": template.inventory_template_id, "serial": f"P{n:05d}"}
            for n in range(STOCK)
        ],
    )
    ids = sorted(
        db_session.scalars(
            text("SELECT inventory_id FROM inventory WHERE inventory_template_id = :t"),
            {"t": template.inventory_template_id},
        )
    )
    db_session.execute(
        update(Inventory)
        .where(Inventory.inventory_id.in_(ids[:SOLD]))
        .values(item_state=ItemState.assigned)
    )
    if not settings.is_sqlite:
        db_session.execute(text("ANALYZE inventory"))
    return template, ids


def test_the_oldest_free_item_is_picked(db_session, depleted):
    template, ids = depleted
    item = inv.reserve_free_item(db_session, template_name=template.item)
    assert item.inventory_id == ids[SOLD]
    assert item.item_state == ItemState.reserved
    again = inv.reserve_free_item(db_session, template_name=template.item)
    assert again.inventory_id == ids[SOLD + 1]


def test_postgres_plans_the_pick_as_an_index_probe(db_session, depleted, settings):
    if settings.is_sqlite:
        pytest.skip("the plan is PostgreSQL's")
    template, _ = depleted
    query = inv.free_item_query(template.inventory_template_id)
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    plan = "\n".join(db_session.scalars(text(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")))
    assert "ix_inventory_pick" in plan, plan
    assert "Sort" not in plan and "Rows Removed by Filter" not in plan, plan


def test_postgres_plans_the_reserving_update_as_one_probe_and_one_key_lookup(
    db_session, depleted, settings
):
    if settings.is_sqlite:
        pytest.skip("the plan is PostgreSQL's")
    template, _ = depleted
    statement = inv.reserve_statement(template.inventory_template_id, None, None)
    sql = str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    assert "FOR UPDATE OF inventory SKIP LOCKED" in sql
    plan = "\n".join(db_session.scalars(text(f"EXPLAIN (COSTS OFF) {sql}")))
    # The pick runs once (an InitPlan on the pick index), then the primary key finds the row.
    assert "InitPlan" in plan and "ix_inventory_pick" in plan, plan
    assert "pk_inventory" in plan, plan
    assert "Seq Scan" not in plan and "Sort" not in plan, plan
