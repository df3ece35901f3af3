"""Services (the seed's Service model) and the history of their status changes."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from omnicrm.activity.audit import auditable
from omnicrm.core.db import Base, TimestampMixin, utcnow
from omnicrm.core.fields import enum_column
from omnicrm.core.money import Money

if TYPE_CHECKING:
    from omnicrm.catalog.models import Product
    from omnicrm.customers.models import Customer, Site
    from omnicrm.inventory.models import Inventory


class ServiceStatus(enum.StrEnum):
    pending = "pending"
    provisioning = "provisioning"
    active = "active"
    suspended = "suspended"
    terminated = "terminated"
    failed = "failed"


@auditable(object_type="service", customer_id_attr="customer_id")
class Service(Base, TimestampMixin):
    """One sold product running for a customer. ``service_status`` changes only through
    ``use_cases.change_service_status`` (which writes the history row)."""

    __tablename__ = "service"

    service_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.product_id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.site_id", ondelete="SET NULL"))
    service_name: Mapped[str] = mapped_column(String(200), index=True)
    # The charging account id (CGRateS tenant account / internal ledger key).
    service_uuid: Mapped[str] = mapped_column(String(32), unique=True)
    service_status: Mapped[ServiceStatus] = mapped_column(
        enum_column(ServiceStatus),
        default=ServiceStatus.pending,
        index=True,
    )
    service_billed: Mapped[bool] = mapped_column(default=True)
    # Copied from the product at sale time: later product edits never change them.
    wholesale_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    retail_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    price_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    bundled_parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("service.service_id"), index=True
    )
    start_date: Mapped[datetime | None] = mapped_column()
    end_date: Mapped[datetime | None] = mapped_column()

    # SIMs, numbers, routers bound to it (inventory.service_id); selectin keeps lists at 2 queries.
    inventory: Mapped[list[Inventory]] = relationship(
        "Inventory",
        primaryjoin="Service.service_id == foreign(Inventory.service_id)",
        lazy="selectin",
        viewonly=True,
        order_by="Inventory.inventory_id",
    )
    # For their names beside the ids: lists and the detail load them with
    # ``use_cases.NAMES`` (one query each per page, without their own relationships).
    customer: Mapped[Customer] = relationship(lazy="select", viewonly=True)
    product: Mapped[Product] = relationship(lazy="select", viewonly=True)
    site: Mapped[Site | None] = relationship(lazy="select", viewonly=True)
    # Loaded on demand (one service's detail), never for lists.
    status_history: Mapped[list[ServiceStatusHistory]] = relationship(
        lazy="select",
        viewonly=True,
        order_by="ServiceStatusHistory.service_status_history_id",
    )

    @property
    def customer_name(self) -> str:
        return self.customer.customer_name

    @property
    def product_name(self) -> str:
        return self.product.product_name

    @property
    def site_name(self) -> str | None:
        return self.site.site_name if self.site is not None else None


class ServiceStatusHistory(Base):
    """One status change of a service: from, to, why and who."""

    __tablename__ = "service_status_history"

    service_status_history_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.service_id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16))  # None: the service was created
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
