"""Contracts (the report's Contract: customer, tariff, SIM, number -> service) and their
one-off charges (setup fees) until billing exists."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, func, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from omnicrm.activity.audit import auditable
from omnicrm.auth.models import User
from omnicrm.catalog.models import Product
from omnicrm.core.db import Base, TimestampMixin, utcnow
from omnicrm.core.fields import enum_column
from omnicrm.core.money import Money, Percent
from omnicrm.customers.models import Customer, Site

if TYPE_CHECKING:
    from omnicrm.inventory.models import Inventory
    from omnicrm.services.models import Service


class ContractStatus(enum.StrEnum):
    draft = "draft"
    accepted = "accepted"
    active = "active"
    suspended = "suspended"
    closed = "closed"


# A contract holding its SIM and number: at most one per inventory item (the database enforces
# "a SIM or number is bound to at most one live service").
LIVE_STATUSES = ("accepted", "active", "suspended")
_LIVE = text("contract_status IN ('accepted', 'active', 'suspended')")


@auditable(object_type="contract", customer_id_attr="customer_id")
class Contract(Base, TimestampMixin):
    __tablename__ = "contract"
    __table_args__ = (
        Index(
            "uq_contract_live_sim",
            "sim_inventory_id",
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
        Index(
            "uq_contract_live_number",
            "number_inventory_id",
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
    )

    contract_id: Mapped[int] = mapped_column(primary_key=True)
    # "C-2026-000123": year of creation + the id, so unique without a second sequence.
    contract_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.product_id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.service_id"), unique=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.site_id", ondelete="SET NULL"))
    sim_inventory_id: Mapped[int | None] = mapped_column(ForeignKey("inventory.inventory_id"))
    number_inventory_id: Mapped[int | None] = mapped_column(ForeignKey("inventory.inventory_id"))
    contract_status: Mapped[ContractStatus] = mapped_column(
        enum_column(ContractStatus),
        default=ContractStatus.draft,
        index=True,
    )
    term_months: Mapped[int] = mapped_column(default=0)
    start_date: Mapped[date | None] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    price_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    accepted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    accepted_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    # Idempotency-Key of the creating request and a hash of its body (replay vs. misuse).
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))

    # Names beside the ids, read in the contract's own SELECT (scalar subqueries): a page of
    # contracts costs one query, not one per contract and name.
    customer_name: Mapped[str | None] = column_property(
        select(Customer.customer_name)
        .where(Customer.customer_id == customer_id)
        .correlate_except(Customer)
        .scalar_subquery()
    )
    product_name: Mapped[str | None] = column_property(
        select(Product.product_name)
        .where(Product.product_id == product_id)
        .correlate_except(Product)
        .scalar_subquery()
    )
    site_name: Mapped[str | None] = column_property(
        select(Site.site_name)
        .where(Site.site_id == site_id)
        .correlate_except(Site)
        .scalar_subquery()
    )
    accepted_by_name: Mapped[str | None] = column_property(
        select(func.coalesce(func.nullif(User.full_name, ""), User.username))
        .where(User.id == accepted_by_user_id)
        .correlate_except(User)
        .scalar_subquery()
    )

    service: Mapped[Service] = relationship(lazy="joined", innerjoin=True)
    sim: Mapped[Inventory | None] = relationship(foreign_keys=[sim_inventory_id], lazy="joined")
    number: Mapped[Inventory | None] = relationship(
        foreign_keys=[number_inventory_id], lazy="joined"
    )
    charges: Mapped[list[ContractCharge]] = relationship(
        lazy="selectin", order_by="ContractCharge.contract_charge_id", viewonly=True
    )

    @property
    def sim_iccid(self) -> str | None:
        return self.sim.serial if self.sim is not None else None

    @property
    def msisdn(self) -> str | None:
        return self.number.serial if self.number is not None else None


class ContractCharge(Base):
    """A one-off charge of a contract (the setup fee). Minimal on purpose: billing will turn
    these into transactions on the customer's invoice."""

    __tablename__ = "contract_charge"

    contract_charge_id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contract.contract_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="setup")
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    tax_percentage: Mapped[Decimal] = mapped_column(Percent(), default=Decimal(0))
    tax_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
