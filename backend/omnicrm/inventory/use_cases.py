"""Inventory business rules: templates, item validation, the state machine, reservation, stock.

Plain functions over a Session: they flush, never commit. The state of an item changes only
in :func:`change_state`, which checks the transition and writes the history row. The contracts
domain's sale takes its free SIM and number with :func:`reserve_items` (one ``UPDATE ...
RETURNING`` per item over a ``SKIP LOCKED`` pick on PostgreSQL) and binds them with
:func:`hand_to_service`; both write the same history and activity rows with Core statements,
the GetSim hot path.

States::

    new ──reserve──> reserved ──assign──> assigned ──return──> returned ──release──> new
     │                  │  └──release──> new    └──return (numbers)──> quarantined ──release──> new
     └──retire──> retired <──retire── reserved, returned, quarantined   (assigned: return first)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple, NoReturn, cast

from sqlalchemy import ColumnElement, Select, Table, func, insert, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.dml import ReturningUpdate

from omnicrm.activity.recorder import queue_change
from omnicrm.core.context import current_principal
from omnicrm.core.db import utcnow
from omnicrm.core.errors import InvalidTransition, NotFound, ValidationFailed
from omnicrm.core.query import like_pattern, order_by
from omnicrm.customers import use_cases as customers
from omnicrm.customers.errors import CustomerArchived
from omnicrm.customers.models import CustomerStatus
from omnicrm.inventory import validation as v
from omnicrm.inventory.errors import (
    BuiltinTemplate,
    DuplicateSerial,
    InventoryUnavailable,
    TemplateInUse,
)
from omnicrm.inventory.models import (
    ITEMTEXT_FIELDS,
    LABEL_FIELDS,
    Inventory,
    InventoryHistory,
    InventoryTemplate,
    ItemState,
    SerialKind,
)

DEFAULT_REGION = v.DEFAULT_REGION
MAX_ID = 2**31 - 1
# Days a phone number rests after its service ends before it can be sold again (calls and
# messages for the previous subscriber die down first). Release ends it early.
NUMBER_QUARANTINE_DAYS = 90

SIM_CARD = "SIM Card"
PHONE_NUMBER = "Phone Number"
ROUTER = "Router"


def _storable_id(value: int) -> bool:
    return 1 <= value <= MAX_ID


# ---------------------------------------------------------------------------------------------
# Built-in templates
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BuiltinSpec:
    """A template whose fields have meaning in code (validated, required, mirrored, imported)."""

    item: str
    serial_kind: SerialKind
    labels: Mapping[str, str]
    # CSV header -> item field; the required headers are listed in ``required_columns``.
    csv_columns: Mapping[str, str]
    required_columns: tuple[str, ...]
    validators: Mapping[str, Callable[[str], str]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    # field -> the field it always equals (e.g. itemtext1 holds the ICCID = serial)
    mirrors: Mapping[str, str] = field(default_factory=dict)


BUILTIN_TEMPLATES: dict[str, BuiltinSpec] = {
    SIM_CARD: BuiltinSpec(
        item=SIM_CARD,
        serial_kind=SerialKind.iccid,
        labels={
            "itemtext1": "ICCID",
            "itemtext2": "IMSI",
            "itemtext3": "PUK1",
            "itemtext4": "PUK2",
            "itemtext5": "Ki/OPc reference",
        },
        csv_columns={
            "iccid": "serial",
            "imsi": "itemtext2",
            "puk1": "itemtext3",
            "puk2": "itemtext4",
            "ki_ref": "itemtext5",
        },
        required_columns=("iccid", "imsi"),
        validators={
            "itemtext2": v.normalise_imsi,
            "itemtext3": v.normalise_puk,
            "itemtext4": v.normalise_puk,
        },
        required=("itemtext2",),
        mirrors={"itemtext1": "serial"},
    ),
    PHONE_NUMBER: BuiltinSpec(
        item=PHONE_NUMBER,
        serial_kind=SerialKind.msisdn,
        labels={"itemtext1": "MSISDN"},
        csv_columns={"msisdn": "serial"},
        required_columns=("msisdn",),
        mirrors={"itemtext1": "serial"},
    ),
    ROUTER: BuiltinSpec(
        item=ROUTER,
        serial_kind=SerialKind.mac,
        labels={"itemtext1": "MAC", "itemtext2": "Serial number", "itemtext3": "Management URL"},
        csv_columns={
            "mac": "serial",
            "serial_number": "itemtext2",
            "management_url": "management_url",
        },
        required_columns=("mac",),
        mirrors={"itemtext1": "serial", "itemtext3": "management_url"},
    ),
}

# Templates made by users import ``serial`` plus any itemtext and the management URL.
GENERIC_CSV_COLUMNS: dict[str, str] = {
    "serial": "serial",
    **{name: name for name in ITEMTEXT_FIELDS},
    "management_url": "management_url",
}


def builtin_spec(template: InventoryTemplate) -> BuiltinSpec | None:
    return BUILTIN_TEMPLATES.get(template.item) if template.builtin else None


def sync_inventory_templates(session: Session) -> None:
    """Create the built-in templates that are missing (idempotent; labels set on creation only,
    so an operator's relabelling survives)."""
    existing = {
        t.item: t
        for t in session.scalars(
            select(InventoryTemplate).where(InventoryTemplate.item.in_(list(BUILTIN_TEMPLATES)))
        )
    }
    for name, spec in BUILTIN_TEMPLATES.items():
        template = existing.get(name)
        if template is None:
            template = InventoryTemplate(
                item=name, **{f"{k}_label": v for k, v in spec.labels.items()}
            )
            session.add(template)
        if not template.builtin:
            template.builtin = True
        if template.serial_kind != spec.serial_kind:
            template.serial_kind = spec.serial_kind
    session.flush()


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _raise_field_errors(errors: Mapping[str, list[str]], location: str = "json") -> None:
    if errors:
        raise ValidationFailed(
            "invalid " + ", ".join(sorted(errors)), errors={location: dict(errors)}
        )


def normalise_serial(kind: SerialKind, value: str, *, default_region: str = DEFAULT_REGION) -> str:
    """``value`` as stored for a template of ``kind``; ``ValueError`` when invalid."""
    if kind == SerialKind.iccid:
        return v.normalise_iccid(value)
    if kind == SerialKind.msisdn:
        return v.normalise_msisdn(value, default_region)
    if kind == SerialKind.mac:
        return v.normalise_mac(value)
    return v.normalise_free_serial(value)


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------
_TEMPLATE_SORT_COLUMNS: dict[str, Any] = {
    "inventory_template_id": InventoryTemplate.inventory_template_id,
    "item": func.lower(InventoryTemplate.item),
    "created_at": InventoryTemplate.created_at,
}


def get_template(session: Session, *, inventory_template_id: int) -> InventoryTemplate:
    template = (
        session.get(InventoryTemplate, inventory_template_id)
        if _storable_id(inventory_template_id)
        else None
    )
    if template is None:
        raise NotFound(f"inventory template {inventory_template_id} not found")
    return template


def template_named(
    session: Session, name: str, *, field_name: str = "template", location: str = "json"
) -> InventoryTemplate:
    """The template called ``name`` (case-insensitive); 404 naming the field otherwise."""
    return templates_named(session, [name], field_name=field_name, location=location)[0]


def templates_named(
    session: Session, names: Sequence[str], *, field_name: str = "template", location: str = "json"
) -> list[InventoryTemplate]:
    """The templates called ``names`` (case-insensitive), in that order, in one query; 404
    naming the field and the first unknown name otherwise."""
    keys = [name.strip().lower() for name in names]
    if not keys:
        return []
    found = {
        template.item.lower(): template
        for template in session.scalars(
            select(InventoryTemplate).where(func.lower(InventoryTemplate.item).in_(set(keys)))
        )
    }
    for name, key in zip(names, keys, strict=True):
        if key not in found:
            raise NotFound(
                f"no inventory template named {name!r}",
                errors={location: {field_name: ["no such template"]}},
            )
    return [found[key] for key in keys]


def templates_query(*, q: str | None = None, sort: str = "item") -> Select[Any]:
    stmt = select(InventoryTemplate)
    if q and q.strip():
        stmt = stmt.where(InventoryTemplate.item.ilike(like_pattern(q.strip()), escape="\\"))
    return stmt.order_by(
        *order_by(sort, _TEMPLATE_SORT_COLUMNS, InventoryTemplate.inventory_template_id)
    )


def _normalise_template(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if "item" in values:
        name = " ".join(str(values["item"]).split())
        if not name:
            errors.setdefault("item", []).append("must not be blank")
        values["item"] = name
    for label in LABEL_FIELDS:
        if isinstance(values.get(label), str):
            values[label] = values[label].strip() or None
    if "serial_kind" in values:
        values["serial_kind"] = SerialKind(values["serial_kind"])
    _raise_field_errors(errors)
    return values


def _reject_duplicate_template(session: Session, name: str, exclude_id: int | None = None) -> None:
    stmt = select(InventoryTemplate.inventory_template_id).where(
        func.lower(InventoryTemplate.item) == name.lower()
    )
    if exclude_id is not None:
        stmt = stmt.where(InventoryTemplate.inventory_template_id != exclude_id)
    existing = session.scalar(stmt)
    if existing is not None:
        raise DuplicateSerial(
            f"inventory template {existing} is already called {name!r}",
            code="duplicate_template",
            errors={"json": {"item": [f"already used by template {existing}"]}},
            extra={"existing_inventory_template_id": existing},
        )


def create_template(
    session: Session, *, item: str, serial_kind: str = SerialKind.free.value, **labels: str | None
) -> InventoryTemplate:
    """Create a user-defined template (names are unique, case-insensitively)."""
    values = _normalise_template({"item": item, "serial_kind": serial_kind, **labels})
    _reject_duplicate_template(session, values["item"])
    template = InventoryTemplate(builtin=False, **values)
    session.add(template)
    session.flush()
    return template


def update_template(
    session: Session, *, inventory_template_id: int, changes: Mapping[str, Any]
) -> InventoryTemplate:
    """Relabel a template; a built-in one keeps its name and serial kind, and the serial kind
    of a template that has items is fixed (their serials were validated by it)."""
    template = get_template(session, inventory_template_id=inventory_template_id)
    values = _normalise_template(dict(changes))
    renamed = "item" in values and values["item"] != template.item
    rekinded = "serial_kind" in values and values["serial_kind"] != template.serial_kind
    if template.builtin and (renamed or rekinded):
        raise BuiltinTemplate(
            f"{template.item!r} is built in: its name and serial kind cannot change",
            extra={"inventory_template_id": template.inventory_template_id},
        )
    if rekinded and session.scalar(
        select(Inventory.inventory_id)
        .where(Inventory.inventory_template_id == template.inventory_template_id)
        .limit(1)
    ):
        raise TemplateInUse(
            f"template {template.item!r} has items: its serial kind cannot change",
            extra={"inventory_template_id": template.inventory_template_id},
        )
    if renamed:
        _reject_duplicate_template(session, values["item"], template.inventory_template_id)
    for name, value in values.items():
        setattr(template, name, value)
    session.flush()
    return template


# ---------------------------------------------------------------------------------------------
# Item fields
# ---------------------------------------------------------------------------------------------
_TEXT_FIELDS = (*ITEMTEXT_FIELDS, "management_url")


def normalise_item_fields(
    template: InventoryTemplate,
    data: Mapping[str, Any],
    *,
    creating: bool,
    current: Inventory | None = None,
    default_region: str = DEFAULT_REGION,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate and normalise ``serial``, itemtexts and the management URL for ``template``.

    Returns the values and the problems by field (empty when valid). Built-in templates add
    their rules: e.g. a SIM Card's IMSI (itemtext2) is required and checked, and its itemtext1
    always equals the ICCID.
    """
    values = dict(data)
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in _TEXT_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = values[name].strip() or None
    if "serial" in values:
        if values["serial"] is None:
            fail("serial", "required")
        else:
            try:
                values["serial"] = normalise_serial(
                    template.serial_kind, values["serial"], default_region=default_region
                )
            except ValueError as exc:
                fail("serial", str(exc))
    if values.get("management_url"):
        try:
            values["management_url"] = v.normalise_url(values["management_url"])
        except ValueError as exc:
            fail("management_url", str(exc))
    spec = builtin_spec(template)
    if spec is None:
        return values, errors
    for name, normalise in spec.validators.items():
        if values.get(name):
            try:
                values[name] = normalise(values[name])
            except ValueError as exc:
                fail(name, f"{spec.labels.get(name, name)}: {exc}")
    for name in spec.required:
        if (creating and not values.get(name)) or (name in values and not values[name]):
            fail(name, f"{spec.labels.get(name, name)} is required")
    for name, source in spec.mirrors.items():
        if source in errors:
            continue
        if source in values:
            expected = values[source]
        else:
            expected = getattr(current, source) if current is not None else None
        given = values.get(name)
        if given is not None and given != expected:
            fail(name, f"always equals {source} ({spec.labels.get(name, name)}); leave it out")
        elif source in values or name in values:
            values[name] = expected
    return values, errors


def _reject_duplicate_item(
    session: Session,
    template: InventoryTemplate,
    values: Mapping[str, Any],
    exclude_id: int | None = None,
) -> None:
    """409 naming the item of the same template that already has this serial (or IMSI)."""
    checks: list[tuple[str, Any]] = []
    if values.get("serial"):
        checks.append(("serial", Inventory.serial == values["serial"]))
    spec = builtin_spec(template)
    if spec is not None and spec.item == SIM_CARD and values.get("itemtext2"):
        checks.append(("itemtext2", Inventory.itemtext2 == values["itemtext2"]))
    for name, condition in checks:
        stmt = select(Inventory.inventory_id).where(
            Inventory.inventory_template_id == template.inventory_template_id, condition
        )
        if exclude_id is not None:
            stmt = stmt.where(Inventory.inventory_id != exclude_id)
        existing = session.scalar(stmt.limit(1))
        if existing is not None:
            label = "serial" if name == "serial" else "IMSI"
            raise DuplicateSerial(
                f"inventory item {existing} already has this {label}",
                errors={"json": {name: [f"already used by inventory item {existing}"]}},
                extra={"existing_inventory_id": existing, "field": name},
            )


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------
_ITEM_SORT_COLUMNS: dict[str, Any] = {
    "inventory_id": Inventory.inventory_id,
    "serial": Inventory.serial,
    "item_state": Inventory.item_state,
    "created_at": Inventory.created_at,
    "updated_at": Inventory.updated_at,
}


def get_item(session: Session, *, inventory_id: int) -> Inventory:
    item = session.get(Inventory, inventory_id) if _storable_id(inventory_id) else None
    if item is None:
        raise NotFound(f"inventory item {inventory_id} not found")
    return item


def get_item_with_history(session: Session, *, inventory_id: int) -> Inventory:
    """An item with its state history loaded (oldest first)."""
    item = (
        session.scalar(
            select(Inventory)
            .where(Inventory.inventory_id == inventory_id)
            .options(selectinload(Inventory.history))
            .execution_options(populate_existing=True)
        )
        if _storable_id(inventory_id)
        else None
    )
    if item is None:
        raise NotFound(f"inventory item {inventory_id} not found")
    return item


def _history(item: Inventory, from_state: ItemState | None, reason: str | None) -> InventoryHistory:
    principal = current_principal.get()
    return InventoryHistory(
        inventory_id=item.inventory_id,
        from_state=from_state.value if from_state is not None else None,
        to_state=item.item_state.value,
        reason=reason,
        customer_id=item.customer_id,
        service_id=item.service_id,
        user_id=principal.user_id if principal is not None else None,
    )


def create_item(
    session: Session,
    *,
    inventory_template_id: int,
    serial: str,
    default_region: str = DEFAULT_REGION,
    **fields: Any,
) -> Inventory:
    """Add one item to stock (state ``new``); 409 ``duplicate_serial`` when the template already
    has an item with this serial (or, for SIM cards, this IMSI)."""
    template = session.get(InventoryTemplate, inventory_template_id)
    if template is None:
        raise NotFound(
            f"inventory template {inventory_template_id} not found",
            errors={"json": {"inventory_template_id": ["no such template"]}},
        )
    values, errors = normalise_item_fields(
        template, {"serial": serial, **fields}, creating=True, default_region=default_region
    )
    _raise_field_errors(errors)
    _reject_duplicate_item(session, template, values)
    item = Inventory(template=template, item_state=ItemState.new, **values)
    session.add(item)
    session.flush()
    session.add(_history(item, None, "created"))
    session.flush()
    return item


def update_item(
    session: Session,
    *,
    inventory_id: int,
    changes: Mapping[str, Any],
    default_region: str = DEFAULT_REGION,
) -> Inventory:
    """Change itemtexts, the management URL or the configuration (never the state: that is
    :func:`change_state`'s; nor the serial, which identifies the item)."""
    item = get_item(session, inventory_id=inventory_id)
    values, errors = normalise_item_fields(
        item.template, changes, creating=False, current=item, default_region=default_region
    )
    _raise_field_errors(errors)
    if "itemtext2" in values and values["itemtext2"] != item.itemtext2:
        _reject_duplicate_item(
            session, item.template, {"itemtext2": values.get("itemtext2")}, item.inventory_id
        )
    for name, value in values.items():
        setattr(item, name, value)
    session.flush()
    return item


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
    stmt = select(Inventory)
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


# ---------------------------------------------------------------------------------------------
# The state machine
# ---------------------------------------------------------------------------------------------
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
        if _storable_id(inventory_id)
        else None
    )
    if item is None:
        raise NotFound(f"inventory item {inventory_id} not found")
    return item


def _check_customer(session: Session, customer_id: int) -> None:
    """The customer an item is reserved or assigned to exists and is not archived."""
    try:
        customer = customers.get_customer(session, customer_id=customer_id)
    except NotFound:
        raise NotFound(
            f"customer {customer_id} not found",
            errors={"json": {"customer_id": ["no such customer"]}},
        ) from None
    if customer.customer_status == CustomerStatus.archived:
        raise CustomerArchived(
            f"customer {customer_id} is archived", extra={"customer_id": customer_id}
        )


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
    if target not in TRANSITIONS[source]:
        raise InvalidTransition(
            f"inventory item {inventory_id} cannot go from {source.value} to {target.value}",
            extra={
                "from_state": source.value,
                "to_state": target.value,
                "allowed": sorted(s.value for s in TRANSITIONS[source]),
            },
        )
    if target == ItemState.assigned:
        customer_id = customer_id if customer_id is not None else item.customer_id
        if customer_id is None:
            raise ValidationFailed.field("customer_id", "required to assign an item")
    if customer_id is not None and target in _BOUND_STATES:
        _check_customer(session, customer_id)
    if service_id is not None and target in _BOUND_STATES:
        # 404 rather than a foreign-key error at flush. Imported here: services build on
        # inventory.
        from omnicrm.services.use_cases import get_service

        get_service(session, service_id=service_id)
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
    session.add(_history(item, source, reason))
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
        _check_customer(session, customer_id)
    (item,) = reserve_items(
        session, wanted=[Wanted(template, wanted)], customer_id=customer_id, reason=reason
    )
    loaded = session.get(Inventory, item.inventory_id, populate_existing=True)
    assert loaded is not None
    return loaded
