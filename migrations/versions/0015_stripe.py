"""stripe: saved cards, gateway customers and events, reconciliation; payments that wait

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:13:28.647408
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db
import omnicrm.core.money

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_gateway_event",
        sa.Column("gateway_event_id", sa.Integer(), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("received_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gateway_event_id", name=op.f("pk_payment_gateway_event")),
        sa.UniqueConstraint("gateway", "event_id", name="uq_gateway_event_once"),
    )
    op.create_table(
        "payment_card",
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("brand", sa.String(length=24), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("exp_month", sa.Integer(), nullable=False),
        sa.Column("exp_year", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("expiry_reminded_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_payment_card_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("card_id", name=op.f("pk_payment_card")),
        sa.UniqueConstraint("reference", name=op.f("uq_payment_card_reference")),
    )
    with op.batch_alter_table("payment_card", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_card_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "payment_gateway_customer",
        sa.Column("gateway_customer_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_payment_gateway_customer_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("gateway_customer_id", name=op.f("pk_payment_gateway_customer")),
        sa.UniqueConstraint("customer_id", "gateway", name="uq_gateway_customer_once"),
        sa.UniqueConstraint("gateway", "reference", name="uq_gateway_customer_reference"),
    )
    op.create_table(
        "payment_reconciliation",
        sa.Column("reconciliation_id", sa.Integer(), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("period_start", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="reconciliationstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("gateway_records", sa.Integer(), nullable=False),
        sa.Column("payments_checked", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("mismatches", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_payment_reconciliation_requested_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("reconciliation_id", name=op.f("pk_payment_reconciliation")),
    )
    with op.batch_alter_table("payment_reconciliation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_reconciliation_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "payment_reconciliation_item",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("reconciliation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "missing_here",
                "missing_at_gateway",
                "amount_differs",
                "refund_differs",
                "status_differs",
                "resolved",
                name="reconciliationkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("gateway_reference", sa.String(length=100), nullable=True),
        sa.Column("our_amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=True),
        sa.Column("gateway_amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=True),
        sa.Column("our_status", sa.String(length=24), nullable=True),
        sa.Column("gateway_status", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payment.payment_id"],
            name=op.f("fk_payment_reconciliation_item_payment_id_payment"),
        ),
        sa.ForeignKeyConstraint(
            ["reconciliation_id"],
            ["payment_reconciliation.reconciliation_id"],
            name=op.f("fk_payment_reconciliation_item_reconciliation_id_payment_reconciliation"),
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_payment_reconciliation_item")),
    )
    with op.batch_alter_table("payment_reconciliation_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_reconciliation_item_reconciliation_id"),
            ["reconciliation_id"],
            unique=False,
        )

    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gateway_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("card_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("failure_code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("failure_message", sa.String(length=300), nullable=True))
        batch_op.alter_column("receipt_number", existing_type=sa.VARCHAR(length=32), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_payment_gateway_reference"), ["gateway_reference"], unique=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_payment_gateway_key"), ["gateway_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_payment_card_id_payment_card"), "payment_card", ["card_id"], ["card_id"]
        )

    with op.batch_alter_table("payment_refund", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_payment_refund_gateway_reference"), ["gateway_reference"]
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_refund", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_payment_refund_gateway_reference"), type_="unique")

    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_payment_card_id_payment_card"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_payment_gateway_key"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_payment_gateway_reference"))
        batch_op.alter_column("receipt_number", existing_type=sa.VARCHAR(length=32), nullable=False)
        batch_op.drop_column("failure_message")
        batch_op.drop_column("failure_code")
        batch_op.drop_column("card_id")
        batch_op.drop_column("gateway_key")

    with op.batch_alter_table("payment_reconciliation_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_reconciliation_item_reconciliation_id"))

    op.drop_table("payment_reconciliation_item")
    with op.batch_alter_table("payment_reconciliation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_reconciliation_created_at"))

    op.drop_table("payment_reconciliation")
    op.drop_table("payment_gateway_customer")
    with op.batch_alter_table("payment_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_card_customer_id"))

    op.drop_table("payment_card")
    op.drop_table("payment_gateway_event")
