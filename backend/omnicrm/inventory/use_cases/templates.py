"""Inventory templates: the built-in ones (SIM Card, Phone Number, Router) whose fields have
meaning in code, and the user-defined ones an operator creates and relabels."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from omnicrm.core.errors import NotFound
from omnicrm.core.fields import storable_id
from omnicrm.core.query import like_pattern, order_by
from omnicrm.inventory import validation as v
from omnicrm.inventory.errors import BuiltinTemplate, DuplicateSerial, TemplateInUse
from omnicrm.inventory.models import (
    ITEMTEXT_FIELDS,
    LABEL_FIELDS,
    Inventory,
    InventoryTemplate,
    SerialKind,
)
from omnicrm.inventory.use_cases._common import raise_field_errors

SIM_CARD = "SIM Card"
PHONE_NUMBER = "Phone Number"
ROUTER = "Router"


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
        if storable_id(inventory_template_id)
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
    raise_field_errors(errors)
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
