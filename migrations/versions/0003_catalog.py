"""catalog: products, bundle items, add-on compatibility

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.catalog.types
import omnicrm.core.db
import omnicrm.core.money

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _money(name: str, *, nullable: bool) -> sa.Column:
    return sa.Column(name, omnicrm.core.money.Money(), nullable=nullable)


def _percent(name: str, *, nullable: bool) -> sa.Column:
    return sa.Column(name, omnicrm.catalog.types.Percent(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "product",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("product_slug", sa.String(length=100), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "standalone",
                "bundle",
                "addon",
                "promo",
                name="productcategory",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("provisioning_play", sa.String(length=100), nullable=True),
        sa.Column("provisioning_json_vars", sa.JSON(), nullable=False),
        sa.Column("inventory_items_list", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "billing_period",
            sa.Enum(
                "monthly",
                "weekly",
                "daily",
                "one_off",
                name="billingperiod",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        _money("retail_cost", nullable=False),
        _money("wholesale_cost", nullable=False),
        _money("retail_setup_cost", nullable=False),
        _money("wholesale_setup_cost", nullable=False),
        _percent("tax_percentage", nullable=False),
        sa.Column("data_mb", sa.Integer(), nullable=True),
        sa.Column("voice_minutes", sa.Integer(), nullable=True),
        sa.Column("sms", sa.Integer(), nullable=True),
        _money("rate_per_mb", nullable=True),
        _money("rate_per_minute", nullable=True),
        _money("rate_per_sms", nullable=True),
        sa.Column("prepaid_eligible", sa.Boolean(), nullable=False),
        sa.Column("postpaid_eligible", sa.Boolean(), nullable=False),
        sa.Column("contract_term_months", sa.Integer(), nullable=False),
        sa.Column("promo_target_product_id", sa.Integer(), nullable=True),
        _percent("promo_discount_percent", nullable=True),
        _money("promo_discount_amount", nullable=True),
        sa.Column("promo_months", sa.Integer(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "contract_term_months BETWEEN 0 AND 60", name=op.f("ck_product_contract_term_months")
        ),
        sa.CheckConstraint(
            "prepaid_eligible OR postpaid_eligible", name=op.f("ck_product_sellable_to_someone")
        ),
        sa.CheckConstraint(
            "promo_discount_percent IS NULL OR promo_discount_amount IS NULL",
            name=op.f("ck_product_one_promo_discount"),
        ),
        sa.ForeignKeyConstraint(
            ["promo_target_product_id"],
            ["product.product_id"],
            name=op.f("fk_product_promo_target_product_id_product"),
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product")),
        sa.UniqueConstraint("product_slug", name=op.f("uq_product_product_slug")),
    )
    op.create_index(op.f("ix_product_category"), "product", ["category"], unique=False)
    op.create_index(op.f("ix_product_enabled"), "product", ["enabled"], unique=False)
    op.create_index(op.f("ix_product_product_name"), "product", ["product_name"], unique=False)
    op.create_index(
        op.f("ix_product_promo_target_product_id"),
        "product",
        ["promo_target_product_id"],
        unique=False,
    )

    op.create_table(
        "product_addon_compatibility",
        sa.Column("addon_product_id", sa.Integer(), nullable=False),
        sa.Column("base_product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["addon_product_id"],
            ["product.product_id"],
            name=op.f("fk_product_addon_compatibility_addon_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["base_product_id"],
            ["product.product_id"],
            name=op.f("fk_product_addon_compatibility_base_product_id_product"),
        ),
        sa.PrimaryKeyConstraint(
            "addon_product_id", "base_product_id", name=op.f("pk_product_addon_compatibility")
        ),
    )
    op.create_index(
        op.f("ix_product_addon_compatibility_base_product_id"),
        "product_addon_compatibility",
        ["base_product_id"],
        unique=False,
    )

    op.create_table(
        "product_bundle_item",
        sa.Column("bundle_product_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("child_product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_product_id"],
            ["product.product_id"],
            name=op.f("fk_product_bundle_item_bundle_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["child_product_id"],
            ["product.product_id"],
            name=op.f("fk_product_bundle_item_child_product_id_product"),
        ),
        sa.PrimaryKeyConstraint(
            "bundle_product_id", "position", name=op.f("pk_product_bundle_item")
        ),
    )
    op.create_index(
        op.f("ix_product_bundle_item_child_product_id"),
        "product_bundle_item",
        ["child_product_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_product_bundle_item_child_product_id"), table_name="product_bundle_item")
    op.drop_table("product_bundle_item")
    op.drop_index(
        op.f("ix_product_addon_compatibility_base_product_id"),
        table_name="product_addon_compatibility",
    )
    op.drop_table("product_addon_compatibility")
    op.drop_index(op.f("ix_product_promo_target_product_id"), table_name="product")
    op.drop_index(op.f("ix_product_product_name"), table_name="product")
    op.drop_index(op.f("ix_product_enabled"), table_name="product")
    op.drop_index(op.f("ix_product_category"), table_name="product")
    op.drop_table("product")
