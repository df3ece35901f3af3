"""inventory: templates, items (serial unique per template), state history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ITEMTEXTS = [f"itemtext{i}" for i in range(1, 21)]


def upgrade() -> None:
    op.create_table(
        "inventory_template",
        sa.Column("inventory_template_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column(
            "serial_kind",
            sa.Enum(
                "iccid", "msisdn", "mac", "free", name="serialkind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        *[sa.Column(f"{name}_label", sa.String(length=100), nullable=True) for name in _ITEMTEXTS],
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("inventory_template_id", name=op.f("pk_inventory_template")),
        sa.UniqueConstraint("item", name=op.f("uq_inventory_template_item")),
    )
    op.create_table(
        "inventory",
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("inventory_template_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column(
            "item_state",
            sa.Enum(
                "new",
                "reserved",
                "assigned",
                "returned",
                "quarantined",
                "retired",
                name="itemstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        # No foreign key yet: the services migration adds it to service.service_id.
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("quarantined_until", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        *[sa.Column(name, sa.String(length=255), nullable=True) for name in _ITEMTEXTS],
        sa.Column("management_url", sa.String(length=500), nullable=True),
        sa.Column("config_content", sa.Text(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_inventory_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["inventory_template_id"],
            ["inventory_template.inventory_template_id"],
            name=op.f("fk_inventory_inventory_template_id_inventory_template"),
        ),
        sa.PrimaryKeyConstraint("inventory_id", name=op.f("pk_inventory")),
        sa.UniqueConstraint(
            "inventory_template_id",
            "serial",
            name=op.f("uq_inventory_inventory_template_id_serial"),
        ),
    )
    with op.batch_alter_table("inventory", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventory_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inventory_item_state"), ["item_state"], unique=False)
        batch_op.create_index(batch_op.f("ix_inventory_service_id"), ["service_id"], unique=False)
        batch_op.create_index(
            "ix_inventory_template_state", ["inventory_template_id", "item_state"], unique=False
        )

    op.create_table(
        "inventory_history",
        sa.Column(
            "inventory_history_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventory.inventory_id"],
            name=op.f("fk_inventory_history_inventory_id_inventory"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_inventory_history_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("inventory_history_id", name=op.f("pk_inventory_history")),
    )
    with op.batch_alter_table("inventory_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_history_inventory_id"), ["inventory_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inventory_history_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("inventory_history")
    op.drop_table("inventory")
    op.drop_table("inventory_template")
