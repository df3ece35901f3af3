"""The inventory state machine: every state change of an item, its history row, and the
quarantine of returned phone numbers.

States::

    new ──reserve──> reserved ──assign──> assigned ──return──> returned ──release──> new
     │                  │  └──release──> new    └──return (numbers)──> quarantined ──release──> new
     └──retire──> retired <──retire── reserved, returned, quarantined   (assigned: return first)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.core.errors import InvalidTransition, NotFound, ValidationFailed
from omnicrm.core.fields import storable_id
from omnicrm.inventory.models import Inventory, ItemState, SerialKind
from omnicrm.inventory.use_cases._common import check_customer, history_row
from omnicrm.inventory.use_cases.items import get_item

# Days a phone number rests after its service ends before it can be sold again (calls and
# messages for the previous subscriber die down first). Release ends it early.
NUMBER_QUARANTINE_DAYS = 90

TRANSITIONS: dict[ItemState, frozenset[ItemState]] = {
    ItemState.new: frozenset({ItemState.reserved, ItemState.retired}),
    ItemState.reserved: frozenset({ItemState.assigned, ItemState.new, ItemState.retired}),
    ItemState.assigned: frozenset({ItemState.returned, ItemState.quarantined}),
    ItemState.returned: frozenset({ItemState.new, ItemState.retired}),
    ItemState.quarantined: frozenset({ItemState.new, ItemState.retired}),
    ItemState.retired: frozenset(),
}
# States in which an item is held by a customer/service; leaving them drops the binding.
_BOUND_STATES = frozenset({ItemState.reserved, ItemState.assigned})


def _lock_item(session: Session, inventory_id: int) -> Inventory:
    """The item, row-locked until commit (FOR UPDATE on PostgreSQL; SQLite serialises writers),
    re-read so a transition decides on the committed state, not a stale copy."""
    item = (
        session.scalar(
            select(Inventory)
            .where(Inventory.inventory_id == inventory_id)
            .with_for_update(of=Inventory)
            .execution_options(populate_existing=True)
        )
        if storable_id(inventory_id)
        else None
    )
    if item is None:
        raise NotFound(f"inventory item {inventory_id} not found")
    return item


def change_state(
    session: Session,
    *,
    inventory_id: int,
    to_state: ItemState | str,
    reason: str | None = None,
    customer_id: int | None = None,
    service_id: int | None = None,
    quarantined_until: datetime | None = None,
) -> Inventory:
    """Move an item to ``to_state`` and record it in the history: the only way state changes.

    409 ``invalid_transition`` (naming from/to) when :data:`TRANSITIONS` does not allow it.
    ``assigned`` needs a ``customer_id``; ``reserved`` may name one. Leaving reserved/assigned
    for any other state drops the customer and service binding (the history keeps it).
    """
    target = ItemState(to_state)
    item = _lock_item(session, inventory_id)
    source = item.item_state
    InvalidTransition.check(
        f"inventory item {inventory_id}", source, target, TRANSITIONS, field="state"
    )
    if target == ItemState.assigned:
        customer_id = customer_id if customer_id is not None else item.customer_id
        if customer_id is None:
            raise ValidationFailed.field("customer_id", "required to assign an item")
    if customer_id is not None and target in _BOUND_STATES:
        check_customer(session, customer_id)
    if (
        service_id is not None
        and target in _BOUND_STATES
        and not _service_exists(session, service_id)
    ):
        # 404 rather than a foreign-key error at flush.
        raise NotFound(f"service {service_id} not found")
    item.__dict__["_in_transition"] = True
    try:
        item.item_state = target
    finally:
        item.__dict__.pop("_in_transition", None)
    if target in _BOUND_STATES:
        if customer_id is not None:
            item.customer_id = customer_id
        if service_id is not None:
            item.service_id = service_id
    else:
        item.customer_id = None
        item.service_id = None
    item.quarantined_until = quarantined_until if target == ItemState.quarantined else None
    session.flush()
    session.add(history_row(item, source, reason))
    session.flush()
    return item


def return_item(
    session: Session,
    *,
    inventory_id: int,
    reason: str | None = None,
    quarantine_days: int | None = None,
    now: datetime | None = None,
) -> Inventory:
    """Take an assigned item back. A phone number goes to ``quarantined`` for
    ``quarantine_days`` (default :data:`NUMBER_QUARANTINE_DAYS`; 0 = straight to ``returned``);
    everything else to ``returned``."""
    item = get_item(session, inventory_id=inventory_id)
    days = NUMBER_QUARANTINE_DAYS if quarantine_days is None else quarantine_days
    if item.template.serial_kind == SerialKind.msisdn and days > 0:
        until = (now or utcnow()) + timedelta(days=days)
        return change_state(
            session,
            inventory_id=inventory_id,
            to_state=ItemState.quarantined,
            reason=reason,
            quarantined_until=until,
        )
    return change_state(
        session, inventory_id=inventory_id, to_state=ItemState.returned, reason=reason
    )


# Services build on inventory: it knows their table, never their package.
_SERVICE = table("service", column("service_id"))


def _service_exists(session: Session, service_id: int) -> bool:
    return (
        session.scalar(select(_SERVICE.c.service_id).where(_SERVICE.c.service_id == service_id))
        is not None
    )


def release_expired_quarantine(session: Session, *, now: datetime | None = None) -> int:
    """Put numbers whose quarantine has ended back in stock; returns how many (for a periodic
    job)."""
    moment = now or utcnow()
    ids = session.scalars(
        select(Inventory.inventory_id).where(
            Inventory.item_state == ItemState.quarantined,
            Inventory.quarantined_until.is_not(None),
            Inventory.quarantined_until <= moment,
        )
    ).all()
    for inventory_id in ids:
        change_state(
            session, inventory_id=inventory_id, to_state=ItemState.new, reason="quarantine ended"
        )
    return len(ids)
