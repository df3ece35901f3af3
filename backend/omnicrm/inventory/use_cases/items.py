"""Inventory items: their fields validated against the template, adding them to stock,
editing them. Their state is :mod:`.lifecycle`'s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, undefer_group

from omnicrm.core.errors import NotFound
from omnicrm.core.fields import storable_id
from omnicrm.inventory import validation as v
from omnicrm.inventory.errors import DuplicateSerial
from omnicrm.inventory.models import (
    ITEMTEXT_FIELDS,
    NAMES,
    Inventory,
    InventoryTemplate,
    ItemState,
    SerialKind,
)
from omnicrm.inventory.use_cases._common import (
    DEFAULT_REGION,
    history_row,
    raise_field_errors,
)
from omnicrm.inventory.use_cases.templates import SIM_CARD, builtin_spec

# ---------------------------------------------------------------------------------------------
# Item fields
# ---------------------------------------------------------------------------------------------
_TEXT_FIELDS = (*ITEMTEXT_FIELDS, "management_url")


def normalise_serial(kind: SerialKind, value: str, *, default_region: str = DEFAULT_REGION) -> str:
    """``value`` as stored for a template of ``kind``; ``ValueError`` when invalid."""
    if kind == SerialKind.iccid:
        return v.normalise_iccid(value)
    if kind == SerialKind.msisdn:
        return v.normalise_msisdn(value, default_region)
    if kind == SerialKind.mac:
        return v.normalise_mac(value)
    return v.normalise_free_serial(value)


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
def get_item(session: Session, *, inventory_id: int) -> Inventory:
    item = session.get(Inventory, inventory_id) if storable_id(inventory_id) else None
    if item is None:
        raise NotFound(f"inventory item {inventory_id} not found")
    return item


def get_item_with_history(session: Session, *, inventory_id: int) -> Inventory:
    """An item with its state history loaded (oldest first)."""
    item = (
        session.scalar(
            select(Inventory)
            .where(Inventory.inventory_id == inventory_id)
            .options(selectinload(Inventory.history), undefer_group(NAMES))
            .execution_options(populate_existing=True)
        )
        if storable_id(inventory_id)
        else None
    )
    if item is None:
        raise NotFound(f"inventory item {inventory_id} not found")
    return item


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
    raise_field_errors(errors)
    _reject_duplicate_item(session, template, values)
    item = Inventory(template=template, item_state=ItemState.new, **values)
    session.add(item)
    session.flush()
    session.add(history_row(item, None, "created"))
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
    raise_field_errors(errors)
    if "itemtext2" in values and values["itemtext2"] != item.itemtext2:
        _reject_duplicate_item(
            session, item.template, {"itemtext2": values.get("itemtext2")}, item.inventory_id
        )
    for name, value in values.items():
        setattr(item, name, value)
    session.flush()
    return item
