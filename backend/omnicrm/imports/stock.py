"""Stock rows (SIM cards, numbers, routers, any template): an item is recognised by its serial
within the template. A new serial adds the item in state ``new`` with one ``imported`` history
row; a known one with the same values is unchanged; a known one with other values is updated
while it is still in stock (``new``), and refused once it has left it (reserved, assigned...),
since a bound SIM's IMSI is what the network knows it by. An IMSI another SIM holds is refused.

The headers are the template's (docs/inventory.md): SIM Card ``iccid, imsi[, puk1, puk2,
ki_ref]``; Phone Number ``msisdn``; Router ``mac[, serial_number, management_url]``; other
templates ``serial[, itemtext1..20, management_url]``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.imports.rows import Outcomes, Refused, RowError, clean
from omnicrm.inventory import use_cases as inventory
from omnicrm.inventory.models import (
    ITEMTEXT_FIELDS,
    Inventory,
    InventoryHistory,
    InventoryTemplate,
    ItemState,
)

IMPORTED = "imported"  # the history reason of an item an import added
STORABLE = ("serial", *ITEMTEXT_FIELDS, "management_url")


def columns_for(template: InventoryTemplate) -> tuple[dict[str, str], tuple[str, ...]]:
    """The template's CSV headers (header -> item field) and the required ones."""
    spec = inventory.builtin_spec(template)
    if spec is not None:
        return dict(spec.csv_columns), spec.required_columns
    return dict(inventory.GENERIC_CSV_COLUMNS), ("serial",)


class StockRows:
    """Items of one template, as the engine drives them (:class:`~omnicrm.imports.rows.RowKind`):
    every row is batchable, a chunk is one read of the serials (and IMSIs) it names and one
    INSERT of the new items with their history."""

    analyze: tuple[str, ...] = ("inventory", "inventory_history")
    one_of: tuple[str, ...] = ()
    columns: tuple[str, ...]
    required: tuple[str, ...]
    claims: Mapping[str, str]

    def __init__(self, template: InventoryTemplate, *, region: str, user_id: int | None) -> None:
        self.template = template
        self.template_id = template.inventory_template_id
        self.region = region
        self.user_id = user_id
        self.field_of, self.required = columns_for(template)
        self.columns = tuple(self.field_of)
        self.column_of = {field: column for column, field in self.field_of.items()}
        spec = inventory.builtin_spec(template)
        self.sim = spec is not None and spec.item == inventory.SIM_CARD
        names = ("serial", "itemtext2") if self.sim else ("serial",)
        self.claims = {name: self.column(name) for name in names}

    def column(self, name: str) -> str:
        """The header a field's problem is reported on."""
        return self.column_of.get(name, name)

    def validate(self, header: list[str], cells: list[str]) -> dict[str, Any]:
        data: dict[str, Any] = {"serial": None}
        data |= {self.field_of[name]: value for name, value in clean(header, cells).items()}
        values, problems = inventory.normalise_item_fields(
            self.template, data, creating=True, default_region=self.region
        )
        for name, messages in problems.items():
            raise RowError(self.column(name), messages[0])
        return values

    def batchable(self, values: dict[str, Any]) -> bool:
        return True

    def apply(self, session: Session, values: dict[str, Any]) -> str:
        outcomes, refused = self.apply_many(session, [(0, values)])
        if refused:
            raise refused[0]
        return outcomes[0]

    def apply_many(
        self, session: Session, rows: list[tuple[int, dict[str, Any]]]
    ) -> tuple[Outcomes, Refused]:
        outcomes: Outcomes = {}
        refused: Refused = {}
        existing = {
            item.serial: item
            for item in session.scalars(
                select(Inventory).where(
                    Inventory.inventory_template_id == self.template_id,
                    Inventory.serial.in_([values["serial"] for _, values in rows]),
                )
            )
        }
        imsi_of = self._imsi_holders(session, rows)
        new: list[tuple[int, dict[str, Any]]] = []
        for line, values in rows:
            holder = imsi_of.get(values.get("itemtext2") or "")
            if holder is not None and holder[1] != values["serial"]:
                refused[line] = RowError(
                    self.column("itemtext2"), f"already the IMSI of SIM item {holder[0]}"
                )
                continue
            item = existing.get(values["serial"])
            if item is None:
                new.append((line, values))
                continue
            changes = {
                name: values[name]
                for name in STORABLE
                if name in values and getattr(item, name) != values[name]
            }
            if not changes:
                outcomes[line] = "unchanged"
            elif item.item_state != ItemState.new:
                refused[line] = RowError(
                    self.column("serial"),
                    f"item {item.inventory_id} is {item.item_state.value}: an import changes "
                    "only items in stock (new)",
                )
            else:
                for name, value in changes.items():
                    setattr(item, name, value)
                item.updated_at = utcnow()
                outcomes[line] = "updated"
        session.flush()
        for line in self._insert(session, new):
            outcomes[line] = "created"
        return outcomes, refused

    def _imsi_holders(
        self, session: Session, rows: list[tuple[int, dict[str, Any]]]
    ) -> dict[str, tuple[int, str]]:
        """IMSI -> (item, its serial) for the IMSIs the rows name that a SIM already has."""
        imsis = [values["itemtext2"] for _, values in rows if values.get("itemtext2")]
        if not self.sim or not imsis:
            return {}
        found = session.execute(
            select(Inventory.itemtext2, Inventory.inventory_id, Inventory.serial).where(
                Inventory.inventory_template_id == self.template_id,
                Inventory.itemtext2.in_(imsis),
            )
        )
        return {str(imsi): (int(item), str(serial)) for imsi, item, serial in found}

    def _insert(self, session: Session, rows: list[tuple[int, dict[str, Any]]]) -> list[int]:
        """Insert the new items (Core ``executemany``, only the columns the file fills) and
        their ``imported`` history rows; their lines."""
        if not rows:
            return []
        now = utcnow()
        keys = [key for key in STORABLE if any(v.get(key) is not None for _, v in rows)]
        item_table = cast(Table, Inventory.__table__)
        ids = session.scalars(
            insert(item_table).returning(item_table.c.inventory_id, sort_by_parameter_order=True),
            [
                {
                    "inventory_template_id": self.template_id,
                    "item_state": ItemState.new,
                    "created_at": now,
                    "updated_at": now,
                    **{key: values.get(key) for key in keys},
                }
                for _, values in rows
            ],
        ).all()
        session.execute(
            insert(cast(Table, InventoryHistory.__table__)),
            [
                {
                    "inventory_id": inventory_id,
                    "from_state": None,
                    "to_state": ItemState.new.value,
                    "reason": IMPORTED,
                    "customer_id": None,
                    "service_id": None,
                    "user_id": self.user_id,
                    "created_at": now,
                }
                for inventory_id in ids
            ],
        )
        return [line for line, _ in rows]
