"""dunning: the steps taken per overdue invoice, the services they hold

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:56:32.285271
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db
import omnicrm.core.money

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dunning_step",
        sa.Column("dunning_step_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "reminder",
                "suspend",
                "termination_request",
                name="dunningaction",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("days_overdue", sa.Integer(), nullable=False),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_dunning_step_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.invoice_id"], name=op.f("fk_dunning_step_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("dunning_step_id", name=op.f("pk_dunning_step")),
        sa.UniqueConstraint("invoice_id", "step", name="uq_dunning_step_once"),
    )
    op.create_index(
        op.f("ix_dunning_step_customer_id"), "dunning_step", ["customer_id"], unique=False
    )
    op.create_table(
        "dunning_hold",
        sa.Column("hold_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("dunning_step_id", sa.Integer(), nullable=False),
        sa.Column("suspended_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resumed_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_dunning_hold_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["dunning_step_id"],
            ["dunning_step.dunning_step_id"],
            name=op.f("fk_dunning_hold_dunning_step_id_dunning_step"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.service_id"], name=op.f("fk_dunning_hold_service_id_service")
        ),
        sa.PrimaryKeyConstraint("hold_id", name=op.f("pk_dunning_hold")),
    )
    op.create_index(
        op.f("ix_dunning_hold_customer_id"), "dunning_hold", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_dunning_hold_service_id"), "dunning_hold", ["service_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_dunning_hold_service_id"), table_name="dunning_hold")
    op.drop_index(op.f("ix_dunning_hold_customer_id"), table_name="dunning_hold")
    op.drop_table("dunning_hold")
    op.drop_index(op.f("ix_dunning_step_customer_id"), table_name="dunning_step")
    op.drop_table("dunning_step")
