"""Inventory: item templates, stock items (SIMs, numbers, routers) and their state history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    column,
    select,
    table,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship, validates

from omnicrm.activity.audit import auditable
from omnicrm.core.db import Base, TimestampMixin, utcnow
from omnicrm.core.fields import enum_column

ITEMTEXT_COUNT = 20
ITEMTEXT_FIELDS = tuple(f"itemtext{i}" for i in range(1, ITEMTEXT_COUNT + 1))
LABEL_FIELDS = tuple(f"{name}_label" for name in ITEMTEXT_FIELDS)


class ItemState(enum.StrEnum):
    new = "new"
    reserved = "reserved"
    assigned = "assigned"
    returned = "returned"
    quarantined = "quarantined"
    retired = "retired"


class SerialKind(enum.StrEnum):
    """How a template's ``serial`` is validated and normalised (see ``validation``)."""

    iccid = "iccid"
    msisdn = "msisdn"
    mac = "mac"
    free = "free"


@auditable(object_type="inventory_template")
class InventoryTemplate(Base, TimestampMixin):
    __tablename__ = "inventory_template"

    inventory_template_id: Mapped[int] = mapped_column(primary_key=True)
    item: Mapped[str] = mapped_column(String(100), unique=True)
    serial_kind: Mapped[SerialKind] = mapped_column(
        enum_column(SerialKind), default=SerialKind.free
    )
    # Built-in templates (SIM Card, Phone Number, Router) carry rules in code: their name and
    # serial kind cannot be changed.
    builtin: Mapped[bool] = mapped_column(default=False)
    itemtext1_label: Mapped[str | None] = mapped_column(String(100))
    itemtext2_label: Mapped[str | None] = mapped_column(String(100))
    itemtext3_label: Mapped[str | None] = mapped_column(String(100))
    itemtext4_label: Mapped[str | None] = mapped_column(String(100))
    itemtext5_label: Mapped[str | None] = mapped_column(String(100))
    itemtext6_label: Mapped[str | None] = mapped_column(String(100))
    itemtext7_label: Mapped[str | None] = mapped_column(String(100))
    itemtext8_label: Mapped[str | None] = mapped_column(String(100))
    itemtext9_label: Mapped[str | None] = mapped_column(String(100))
    itemtext10_label: Mapped[str | None] = mapped_column(String(100))
    itemtext11_label: Mapped[str | None] = mapped_column(String(100))
    itemtext12_label: Mapped[str | None] = mapped_column(String(100))
    itemtext13_label: Mapped[str | None] = mapped_column(String(100))
    itemtext14_label: Mapped[str | None] = mapped_column(String(100))
    itemtext15_label: Mapped[str | None] = mapped_column(String(100))
    itemtext16_label: Mapped[str | None] = mapped_column(String(100))
    itemtext17_label: Mapped[str | None] = mapped_column(String(100))
    itemtext18_label: Mapped[str | None] = mapped_column(String(100))
    itemtext19_label: Mapped[str | None] = mapped_column(String(100))
    itemtext20_label: Mapped[str | None] = mapped_column(String(100))


class StateChangeRefused(RuntimeError):
    """``item_state`` of a stored item was assigned outside ``use_cases.change_state``."""


@auditable(object_type="inventory", customer_id_attr="customer_id", exclude={"config_content"})
class Inventory(Base, TimestampMixin):
    """One stock item. Its state only changes through ``use_cases.change_state``, which writes
    the history row (or the sale's Core path, ``reserve_items`` and ``hand_to_service``, which
    writes the same rows); assigning ``item_state`` of a stored item anywhere else raises."""

    __tablename__ = "inventory"
    __table_args__ = (
        UniqueConstraint("inventory_template_id", "serial"),
        # Picking "the oldest free item of a template" walks this index in order (no sort).
        Index("ix_inventory_pick", "inventory_template_id", "item_state", "inventory_id"),
    )

    inventory_id: Mapped[int] = mapped_column(primary_key=True)
    inventory_template_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_template.inventory_template_id")
    )
    # ICCID, E.164 MSISDN, MAC or free text, by the template's serial_kind.
    serial: Mapped[str] = mapped_column(String(64))
    item_state: Mapped[ItemState] = mapped_column(
        enum_column(ItemState), default=ItemState.new, index=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    # The service this item is bound to (foreign key added by the services migration, 0005).
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.service_id"), index=True)
    # Phone numbers returned after a service ends wait here before reuse (see use_cases).
    quarantined_until: Mapped[datetime | None] = mapped_column()
    itemtext1: Mapped[str | None] = mapped_column(String(255))
    itemtext2: Mapped[str | None] = mapped_column(String(255))
    itemtext3: Mapped[str | None] = mapped_column(String(255))
    itemtext4: Mapped[str | None] = mapped_column(String(255))
    itemtext5: Mapped[str | None] = mapped_column(String(255))
    itemtext6: Mapped[str | None] = mapped_column(String(255))
    itemtext7: Mapped[str | None] = mapped_column(String(255))
    itemtext8: Mapped[str | None] = mapped_column(String(255))
    itemtext9: Mapped[str | None] = mapped_column(String(255))
    itemtext10: Mapped[str | None] = mapped_column(String(255))
    itemtext11: Mapped[str | None] = mapped_column(String(255))
    itemtext12: Mapped[str | None] = mapped_column(String(255))
    itemtext13: Mapped[str | None] = mapped_column(String(255))
    itemtext14: Mapped[str | None] = mapped_column(String(255))
    itemtext15: Mapped[str | None] = mapped_column(String(255))
    itemtext16: Mapped[str | None] = mapped_column(String(255))
    itemtext17: Mapped[str | None] = mapped_column(String(255))
    itemtext18: Mapped[str | None] = mapped_column(String(255))
    itemtext19: Mapped[str | None] = mapped_column(String(255))
    itemtext20: Mapped[str | None] = mapped_column(String(255))
    management_url: Mapped[str | None] = mapped_column(String(500))
    config_content: Mapped[str | None] = mapped_column(Text)

    template: Mapped[InventoryTemplate] = relationship(lazy="joined", innerjoin=True)
    history: Mapped[list[InventoryHistory]] = relationship(
        lazy="raise_on_sql",
        order_by="InventoryHistory.inventory_history_id",
        viewonly=True,
    )

    @property
    def item(self) -> str:
        """The template's name (SIM Card, Phone Number, ...)."""
        return self.template.item

    @validates("item_state")
    def _guard_state(self, _key: str, value: Any) -> Any:
        from sqlalchemy import inspect

        if inspect(self).persistent and not self.__dict__.get("_in_transition", False):
            raise StateChangeRefused("item_state changes only through inventory change_state")
        return value


# Display names beside the binding's ids. The customers and services domains sit on either side
# of this one, so their tables are named here (lightweight ``table()`` constructs), not imported.
# Deferred: only the staff list and detail ask for them (``use_cases`` undefers them there).
NAMES = "names"  # their deferred group
_CUSTOMER = table("customer", column("customer_id"), column("customer_name"))
_SERVICE = table("service", column("service_id"), column("service_name"))
Inventory.customer_name = column_property(  # type: ignore[attr-defined]
    select(_CUSTOMER.c.customer_name)
    .where(_CUSTOMER.c.customer_id == Inventory.__table__.c.customer_id)
    .scalar_subquery(),
    deferred=True,
    group=NAMES,
)
Inventory.service_name = column_property(  # type: ignore[attr-defined]
    select(_SERVICE.c.service_name)
    .where(_SERVICE.c.service_id == Inventory.__table__.c.service_id)
    .scalar_subquery(),
    deferred=True,
    group=NAMES,
)


class InventoryHistory(Base):
    """One state change of an item (D2 SIM_Data: the history of states and bindings)."""

    __tablename__ = "inventory_history"

    inventory_history_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    inventory_id: Mapped[int] = mapped_column(
        ForeignKey("inventory.inventory_id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(16))  # None: the item was created
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    # The binding after the change (who held the item and for which service).
    customer_id: Mapped[int | None] = mapped_column(Integer)
    service_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
