"""Finding inventory: the item list's filters and free-text search, and stock levels per
template."""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, undefer_group

from omnicrm.core.query import like_pattern, order_by
from omnicrm.inventory import validation as v
from omnicrm.inventory.models import (
    ITEMTEXT_FIELDS,
    NAMES,
    Inventory,
    InventoryTemplate,
    ItemState,
)
from omnicrm.inventory.use_cases._common import DEFAULT_REGION

_ITEM_SORT_COLUMNS: dict[str, Any] = {
    "inventory_id": Inventory.inventory_id,
    "serial": Inventory.serial,
    "item_state": Inventory.item_state,
    "created_at": Inventory.created_at,
    "updated_at": Inventory.updated_at,
}


def items_query(
    *,
    state: list[str] | None = None,
    template: str | None = None,
    template_id: int | None = None,
    customer_id: int | None = None,
    service_id: int | None = None,
    q: str | None = None,
    sort: str = "inventory_id",
    default_region: str = DEFAULT_REGION,
) -> Select[Any]:
    """Items matching every filter; ``template`` is a template name (case-insensitive)."""
    stmt = select(Inventory).options(undefer_group(NAMES))
    if state:
        stmt = stmt.where(Inventory.item_state.in_([ItemState(s) for s in state]))
    if template:
        stmt = stmt.where(
            Inventory.template.has(func.lower(InventoryTemplate.item) == template.strip().lower())
        )
    if template_id is not None:
        stmt = stmt.where(Inventory.inventory_template_id == template_id)
    if customer_id is not None:
        stmt = stmt.where(Inventory.customer_id == customer_id)
    if service_id is not None:
        stmt = stmt.where(Inventory.service_id == service_id)
    if q and q.strip():
        stmt = stmt.where(_item_search(q.strip(), default_region))
    return stmt.order_by(*order_by(sort, _ITEM_SORT_COLUMNS, Inventory.inventory_id))


def _item_search(q: str, default_region: str) -> ColumnElement[bool]:
    """Serial and every itemtext; a phone number or MAC in any format finds its item."""
    pattern = like_pattern(q)
    matches: list[ColumnElement[bool]] = [Inventory.serial.ilike(pattern, escape="\\")]
    matches += [getattr(Inventory, name).ilike(pattern, escape="\\") for name in ITEMTEXT_FIELDS]
    for normalise in (v.normalise_mac, lambda x: v.normalise_msisdn(x, default_region)):
        with contextlib.suppress(ValueError):
            matches.append(Inventory.serial == normalise(q))
    return or_(*matches)


def stock_levels(session: Session, *, template: str | None = None) -> list[dict[str, Any]]:
    """Per template: the number of items in each state (every state listed, zeros included)."""
    templates_stmt = select(InventoryTemplate).order_by(
        func.lower(InventoryTemplate.item), InventoryTemplate.inventory_template_id
    )
    if template:
        templates_stmt = templates_stmt.where(
            func.lower(InventoryTemplate.item) == template.strip().lower()
        )
    counts: dict[tuple[int, ItemState], int] = {
        (template_id, state): count
        for template_id, state, count in session.execute(
            select(Inventory.inventory_template_id, Inventory.item_state, func.count()).group_by(
                Inventory.inventory_template_id, Inventory.item_state
            )
        )
    }
    levels = []
    for row in session.scalars(templates_stmt):
        by_state = {s.value: counts.get((row.inventory_template_id, s), 0) for s in ItemState}
        levels.append(
            {
                "inventory_template_id": row.inventory_template_id,
                "item": row.item,
                "counts": by_state,
                "total": sum(by_state.values()),
            }
        )
    return levels
