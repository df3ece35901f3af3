"""Reserving items and binding them to services, the contracts' GetSim hot path.

:func:`reserve_items` takes each item with one ``UPDATE ... RETURNING`` over a ``SKIP LOCKED``
pick on PostgreSQL, and :func:`hand_to_service` binds them to the service sold. Both write the
history and activity rows :func:`.lifecycle.change_state` would, with Core statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, NoReturn, cast

from sqlalchemy import Select, Table, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningUpdate

from omnicrm.activity.recorder import queue_change
from omnicrm.core.context import current_principal
from omnicrm.core.db import utcnow
from omnicrm.core.errors import InvalidTransition, NotFound, ValidationFailed
from omnicrm.inventory.errors import InventoryUnavailable
from omnicrm.inventory.models import Inventory, InventoryHistory, InventoryTemplate, ItemState
from omnicrm.inventory.use_cases._common import DEFAULT_REGION, check_customer
from omnicrm.inventory.use_cases.items import normalise_serial
from omnicrm.inventory.use_cases.lifecycle import TRANSITIONS
from omnicrm.inventory.use_cases.templates import template_named


def free_item_query(
    template_id: int, serial: str | None = None, *, what: Any = Inventory
) -> Select[Any]:
    """The oldest free item of a template (or the one ``serial``), locked, skipping locked ones;
    ``what`` is the selected entity or column.

    ``item_state`` is a one-value range, and ordered by: with plain equality PostgreSQL walks the
    primary key and filters, a scan past every item ever sold; this way the order is
    ``ix_inventory_pick``'s own and the pick is one index probe however much stock has gone.
    """
    stmt = select(what).where(
        Inventory.inventory_template_id == template_id,
        Inventory.item_state >= ItemState.new,
        Inventory.item_state <= ItemState.new,
    )
    if serial is not None:
        stmt = stmt.where(Inventory.serial == serial)
    return (
        stmt.order_by(Inventory.item_state, Inventory.inventory_id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Inventory)
    )


class Wanted(NamedTuple):
    """One item to reserve: the item ``serial`` (already normalised) or, without one, the
    oldest free item of ``template``. ``field`` is the request field a refusal names."""

    template: InventoryTemplate
    serial: str | None = None
    field: str = "serial"


@dataclass(frozen=True, slots=True)
class Reserved:
    """An item just reserved by :func:`reserve_items` (no ORM object is loaded for it)."""

    inventory_id: int
    serial: str
    template: InventoryTemplate


_ITEM = cast(Table, Inventory.__table__)
_HISTORY = cast(Table, InventoryHistory.__table__)


def reserve_items(
    session: Session,
    *,
    wanted: Sequence[Wanted],
    customer_id: int | None = None,
    reason: str | None = None,
) -> list[Reserved]:
    """Reserve each :class:`Wanted` item. All or nothing: the caller's unit of work rolls back
    on a refusal (404 naming ``field`` for an unknown serial, 409 ``inventory_unavailable``).

    Each item is one ``UPDATE ... WHERE inventory_id = (pick) RETURNING``, the pick being
    :func:`free_item_query`: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent callers
    never take the same item and a caller that finds it taken (or the pool empty) gets 409
    ``inventory_unavailable`` at once; SQLite ignores the clause (it serialises writers). The
    history rows (``new -> reserved``) go in one INSERT; the activity rows join the commit's.
    """
    reserved: list[Reserved] = []
    for want in wanted:
        row = session.execute(
            reserve_statement(want.template.inventory_template_id, want.serial, customer_id)
        ).first()
        if row is None:
            _refuse(session, want)
        reserved.append(Reserved(row.inventory_id, row.serial, want.template))
    _log_transitions(
        session,
        [r.inventory_id for r in reserved],
        ItemState.new,
        ItemState.reserved,
        customer_id=customer_id,
        service_id=None,
        reason=reason,
    )
    return reserved


def reserve_statement(
    template_id: int, serial: str | None, customer_id: int | None
) -> ReturningUpdate[Any]:
    """``UPDATE inventory SET item_state = 'reserved' ... WHERE inventory_id = (the locked pick
    of :func:`free_item_query`) RETURNING inventory_id, serial``: no row when nothing is free."""
    pick = (
        free_item_query(template_id, serial, what=Inventory.inventory_id)
        .correlate(None)  # the pick reads inventory on its own, not the updated row
        .scalar_subquery()
    )
    return (
        update(_ITEM)
        .where(_ITEM.c.inventory_id == pick)
        .values(item_state=ItemState.reserved, customer_id=customer_id)
        .returning(_ITEM.c.inventory_id, _ITEM.c.serial)
    )


def _refuse(session: Session, want: Wanted) -> NoReturn:
    """Why no item could be reserved: 409 none free / not free, 404 no such serial."""
    template, serial = want.template, want.serial
    if serial is None:
        raise InventoryUnavailable(
            f"no free {template.item} in stock", extra={"template": template.item}
        )
    exists = session.scalar(
        select(Inventory.inventory_id).where(
            Inventory.inventory_template_id == template.inventory_template_id,
            Inventory.serial == serial,
        )
    )
    if exists is None:
        raise NotFound(
            f"no {template.item} with serial {serial}",
            errors={"json": {want.field: ["not in inventory"]}},
        )
    raise InventoryUnavailable(
        f"{template.item} {serial} is not free",
        extra={"template": template.item, "inventory_id": exists},
    )


def hand_to_service(
    session: Session,
    *,
    items: Sequence[Reserved],
    customer_id: int,
    service_id: int,
    assign: bool,
    reason: str | None = None,
) -> None:
    """Bind items this unit of work reserved to the service they were sold with: held
    (still ``reserved``, no history row) while a provisioning job activates it, or ``assigned``
    at once (``reserved -> assigned``, history rows) when nothing has to run. One UPDATE."""
    if not items:
        return
    ids = [item.inventory_id for item in items]
    values: dict[str, Any] = {"service_id": service_id}
    if assign:
        values["item_state"] = ItemState.assigned
    result = session.execute(
        update(_ITEM)
        .where(_ITEM.c.inventory_id.in_(ids), _ITEM.c.item_state == ItemState.reserved)
        .values(**values)
    )
    if result.rowcount != len(ids):  # type: ignore[attr-defined]
        # Cannot happen while the caller's transaction holds the reservations' row locks.
        raise InvalidTransition("an item reserved for this sale is no longer reserved")
    if assign:
        _log_transitions(
            session,
            ids,
            ItemState.reserved,
            ItemState.assigned,
            customer_id=customer_id,
            service_id=service_id,
            reason=reason,
        )
    else:
        _audit(session, ids, customer_id, {"service_id": None}, {"service_id": service_id})


def _log_transitions(
    session: Session,
    ids: Sequence[int],
    source: ItemState,
    target: ItemState,
    *,
    customer_id: int | None,
    service_id: int | None,
    reason: str | None,
) -> None:
    """The history and activity rows of ``ids`` moving ``source -> target`` (a move
    :data:`TRANSITIONS` allows) with a Core statement, as :func:`change_state` writes them."""
    if target not in TRANSITIONS[source]:
        raise InvalidTransition(f"inventory items cannot go from {source.value} to {target.value}")
    if not ids:
        return
    principal = current_principal.get()
    user_id = principal.user_id if principal is not None else None
    now = utcnow()
    session.execute(
        insert(_HISTORY),
        [
            {
                "inventory_id": inventory_id,
                "from_state": source.value,
                "to_state": target.value,
                "reason": reason,
                "customer_id": customer_id,
                "service_id": service_id,
                "user_id": user_id,
                "created_at": now,
            }
            for inventory_id in ids
        ],
    )
    before: dict[str, Any] = {"item_state": source}
    after: dict[str, Any] = {"item_state": target}
    if source == ItemState.new:
        before["customer_id"], after["customer_id"] = None, customer_id
    if service_id is not None:
        before["service_id"], after["service_id"] = None, service_id
    _audit(session, ids, customer_id, before, after)


def _audit(
    session: Session,
    ids: Sequence[int],
    customer_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    for inventory_id in ids:
        queue_change(
            session,
            Inventory,
            action="update",
            object_id=inventory_id,
            customer_id=customer_id,
            before=before,
            after=after,
        )


def reserve_free_item(
    session: Session,
    *,
    template_name: str,
    serial: str | None = None,
    customer_id: int | None = None,
    reason: str | None = None,
    default_region: str = DEFAULT_REGION,
) -> Inventory:
    """Reserve the item ``serial`` of ``template_name``, or any free one (oldest first), for
    ``customer_id`` (404 unknown, 409 archived): :func:`reserve_items` for one item, returned
    as a loaded object. The reservation commits with the caller's unit of work.
    """
    template = template_named(session, template_name, field_name="template")
    wanted = None
    if serial is not None:
        try:
            wanted = normalise_serial(template.serial_kind, serial, default_region=default_region)
        except ValueError as exc:
            raise ValidationFailed.field("serial", str(exc)) from None
    if customer_id is not None:
        check_customer(session, customer_id)
    (item,) = reserve_items(
        session, wanted=[Wanted(template, wanted)], customer_id=customer_id, reason=reason
    )
    loaded = session.get(Inventory, item.inventory_id, populate_existing=True)
    assert loaded is not None
    return loaded
