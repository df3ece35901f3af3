"""services (status history), contracts (live SIM/number partial unique indexes), contract
charges; inventory.service_id gets its foreign key (PostgreSQL)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 02:13:21.653901
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.catalog.types
import omnicrm.core.db
import omnicrm.core.money

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("service_name", sa.String(length=200), nullable=False),
        sa.Column("service_uuid", sa.String(length=32), nullable=False),
        sa.Column(
            "service_status",
            sa.Enum(
                "pending",
                "provisioning",
                "active",
                "suspended",
                "terminated",
                "failed",
                name="servicestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("service_billed", sa.Boolean(), nullable=False),
        sa.Column(
            "wholesale_cost", omnicrm.core.money.Money(precision=14, scale=4), nullable=False
        ),
        sa.Column("retail_cost", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("price_snapshot", sa.JSON(), nullable=False),
        sa.Column("bundled_parent_id", sa.Integer(), nullable=True),
        sa.Column("start_date", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_date", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundled_parent_id"],
            ["service.service_id"],
            name=op.f("fk_service_bundled_parent_id_service"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.customer_id"], name=op.f("fk_service_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.product_id"], name=op.f("fk_service_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.site_id"], name=op.f("fk_service_site_id_site"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_service")),
        sa.UniqueConstraint("service_uuid", name=op.f("uq_service_service_uuid")),
    )
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_bundled_parent_id"), ["bundled_parent_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_service_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_service_name"), ["service_name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_service_service_status"), ["service_status"], unique=False
        )

    op.create_table(
        "service_status_history",
        sa.Column(
            "service_status_history_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.service_id"],
            name=op.f("fk_service_status_history_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_service_status_history_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint(
            "service_status_history_id", name=op.f("pk_service_status_history")
        ),
    )
    with op.batch_alter_table("service_status_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_status_history_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_status_history_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "contract",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("contract_number", sa.String(length=32), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("sim_inventory_id", sa.Integer(), nullable=True),
        sa.Column("number_inventory_id", sa.Integer(), nullable=True),
        sa.Column(
            "contract_status",
            sa.Enum(
                "draft",
                "accepted",
                "active",
                "suspended",
                "closed",
                name="contractstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("price_snapshot", sa.JSON(), nullable=False),
        sa.Column("accepted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_contract_accepted_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.customer_id"], name=op.f("fk_contract_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["number_inventory_id"],
            ["inventory.inventory_id"],
            name=op.f("fk_contract_number_inventory_id_inventory"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.product_id"], name=op.f("fk_contract_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.service_id"], name=op.f("fk_contract_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["sim_inventory_id"],
            ["inventory.inventory_id"],
            name=op.f("fk_contract_sim_inventory_id_inventory"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.site_id"],
            name=op.f("fk_contract_site_id_site"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_contract")),
        sa.UniqueConstraint("contract_number", name=op.f("uq_contract_contract_number")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_contract_idempotency_key")),
        sa.UniqueConstraint("service_id", name=op.f("uq_contract_service_id")),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_contract_status"), ["contract_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contract_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_product_id"), ["product_id"], unique=False)
        batch_op.create_index(
            "uq_contract_live_number",
            ["number_inventory_id"],
            unique=True,
            postgresql_where=sa.text("contract_status IN ('accepted', 'active', 'suspended')"),
            sqlite_where=sa.text("contract_status IN ('accepted', 'active', 'suspended')"),
        )
        batch_op.create_index(
            "uq_contract_live_sim",
            ["sim_inventory_id"],
            unique=True,
            postgresql_where=sa.text("contract_status IN ('accepted', 'active', 'suspended')"),
            sqlite_where=sa.text("contract_status IN ('accepted', 'active', 'suspended')"),
        )

    op.create_table(
        "contract_charge",
        sa.Column("contract_charge_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "tax_percentage", omnicrm.catalog.types.Percent(precision=5, scale=2), nullable=False
        ),
        sa.Column("tax_amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.contract_id"],
            name=op.f("fk_contract_charge_contract_id_contract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contract_charge_id", name=op.f("pk_contract_charge")),
    )
    with op.batch_alter_table("contract_charge", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_charge_contract_id"), ["contract_id"], unique=False
        )

    # SQLite cannot add a constraint without rebuilding the table, and dropping the old
    # inventory table (foreign keys on, inside the migration's transaction) would cascade-delete
    # inventory_history. There the binding stays checked by the code (change_state); PostgreSQL
    # gets the real foreign key.
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(
            op.f("fk_inventory_service_id_service"),
            "inventory",
            "service",
            ["service_id"],
            ["service_id"],
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_inventory_service_id_service"), "inventory", type_="foreignkey")

    with op.batch_alter_table("contract_charge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_charge_contract_id"))

    op.drop_table("contract_charge")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_contract_live_sim",
            postgresql_where=sa.text("contract_status IN ('accepted', 'active', 'suspended')"),
            sqlite_where=sa.text("contract_status IN ('accepted', 'active', 'suspended')"),
        )
        batch_op.drop_index(
            "uq_contract_live_number",
            postgresql_where=sa.text("contract_status IN ('accepted', 'active', 'suspended')"),
            sqlite_where=sa.text("contract_status IN ('accepted', 'active', 'suspended')"),
        )
        batch_op.drop_index(batch_op.f("ix_contract_product_id"))
        batch_op.drop_index(batch_op.f("ix_contract_customer_id"))
        batch_op.drop_index(batch_op.f("ix_contract_contract_status"))

    op.drop_table("contract")
    with op.batch_alter_table("service_status_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_status_history_user_id"))
        batch_op.drop_index(batch_op.f("ix_service_status_history_service_id"))

    op.drop_table("service_status_history")
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_service_status"))
        batch_op.drop_index(batch_op.f("ix_service_service_name"))
        batch_op.drop_index(batch_op.f("ix_service_product_id"))
        batch_op.drop_index(batch_op.f("ix_service_customer_id"))
        batch_op.drop_index(batch_op.f("ix_service_bundled_parent_id"))

    op.drop_table("service")
