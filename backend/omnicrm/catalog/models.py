"""Product (the seed's service-offering template, extended with what a tariff needs), the
ordered children of bundles and the products an add-on attaches to."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from omnicrm.activity.audit import auditable
from omnicrm.core.db import Base, TimestampMixin
from omnicrm.core.fields import enum_column
from omnicrm.core.money import Money, Percent
from omnicrm.response_cache import register_cached_models


class ProductCategory(enum.StrEnum):
    standalone = "standalone"
    bundle = "bundle"
    addon = "addon"
    promo = "promo"


class BillingPeriod(enum.StrEnum):
    monthly = "monthly"
    weekly = "weekly"
    daily = "daily"
    one_off = "one_off"


@auditable(object_type="product")
class Product(Base, TimestampMixin):
    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("prepaid_eligible OR postpaid_eligible", name="sellable_to_someone"),
        CheckConstraint("contract_term_months BETWEEN 0 AND 60", name="contract_term_months"),
        CheckConstraint(
            "promo_discount_percent IS NULL OR promo_discount_amount IS NULL",
            name="one_promo_discount",
        ),
    )

    product_id: Mapped[int] = mapped_column(primary_key=True)
    product_name: Mapped[str] = mapped_column(String(200), index=True)
    product_slug: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[ProductCategory] = mapped_column(enum_column(ProductCategory), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True, index=True)
    # Provisioning: the Ansible playbook run on sale, its variables, the inventory it needs.
    provisioning_play: Mapped[str | None] = mapped_column(String(100))
    provisioning_json_vars: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    inventory_items_list: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Prices (per billing period, and once at sale).
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    billing_period: Mapped[BillingPeriod] = mapped_column(
        enum_column(BillingPeriod), default=BillingPeriod.monthly
    )
    retail_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    wholesale_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    retail_setup_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    wholesale_setup_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    tax_percentage: Mapped[Decimal] = mapped_column(Percent(), default=Decimal(0))
    # Allowances per billing period (None: none included) and the rates beyond them (None:
    # this product does not rate that kind of usage).
    data_mb: Mapped[int | None] = mapped_column(Integer)
    voice_minutes: Mapped[int | None] = mapped_column(Integer)
    sms: Mapped[int | None] = mapped_column(Integer)
    rate_per_mb: Mapped[Decimal | None] = mapped_column(Money())
    rate_per_minute: Mapped[Decimal | None] = mapped_column(Money())
    rate_per_sms: Mapped[Decimal | None] = mapped_column(Money())
    # Unused allowance carries into the next period (at most one period's size) or expires.
    allowance_rollover: Mapped[bool] = mapped_column(default=False)
    # Charging thresholds: alert at these percentages of an allowance used, and when money
    # falls below an amount; run a play when an allowance is used up (e.g. bar data).
    allowance_alerts: Mapped[list[int]] = mapped_column(JSON, default=list)
    low_balance_alert: Mapped[Decimal | None] = mapped_column(Money())
    exhausted_play: Mapped[str | None] = mapped_column(String(100))
    # Who may buy it and for how long they commit.
    prepaid_eligible: Mapped[bool] = mapped_column(default=True)
    postpaid_eligible: Mapped[bool] = mapped_column(default=True)
    contract_term_months: Mapped[int] = mapped_column(Integer, default=0)
    # Promotions only: a discount on the target product for promo_months billing months.
    promo_target_product_id: Mapped[int | None] = mapped_column(
        ForeignKey("product.product_id"), index=True
    )
    promo_discount_percent: Mapped[Decimal | None] = mapped_column(Percent())
    promo_discount_amount: Mapped[Decimal | None] = mapped_column(Money())
    promo_months: Mapped[int | None] = mapped_column(Integer)

    bundle_items: Mapped[list[ProductBundleItem]] = relationship(
        foreign_keys="ProductBundleItem.bundle_product_id",
        order_by="ProductBundleItem.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    addon_links: Mapped[list[ProductAddonCompatibility]] = relationship(
        foreign_keys="ProductAddonCompatibility.addon_product_id",
        order_by="ProductAddonCompatibility.base_product_id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def bundle_children(self) -> list[int]:
        """The bundle's child product ids, in order (a product may appear more than once)."""
        return [item.child_product_id for item in self.bundle_items]

    @property
    def addon_compatible_with(self) -> list[int]:
        """The product ids this add-on can be attached to, ascending."""
        return sorted(link.base_product_id for link in self.addon_links)


@auditable(object_type="product_bundle_item")
class ProductBundleItem(Base):
    """One position in a bundle (the same child may fill several positions: two lines)."""

    __tablename__ = "product_bundle_item"

    bundle_product_id: Mapped[int] = mapped_column(
        ForeignKey("product.product_id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    child_product_id: Mapped[int] = mapped_column(ForeignKey("product.product_id"), index=True)


@auditable(object_type="product_addon_compatibility")
class ProductAddonCompatibility(Base):
    """An add-on may be attached to a service of this base (standalone or bundle) product."""

    __tablename__ = "product_addon_compatibility"

    addon_product_id: Mapped[int] = mapped_column(
        ForeignKey("product.product_id", ondelete="CASCADE"), primary_key=True
    )
    base_product_id: Mapped[int] = mapped_column(
        ForeignKey("product.product_id"), primary_key=True, index=True
    )


# Any committed change to these invalidates the cached catalog reads (omnicrm.response_cache).
register_cached_models("catalog", Product, ProductBundleItem, ProductAddonCompatibility)
