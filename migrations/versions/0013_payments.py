"""payments: payments, refunds; invoice settlements

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:45:30.070428
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db
import omnicrm.core.money

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_settlement",
        sa.Column("settlement_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_invoice_settlement_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.invoice_id"],
            name=op.f("fk_invoice_settlement_invoice_id_invoice"),
        ),
        sa.PrimaryKeyConstraint("settlement_id", name=op.f("pk_invoice_settlement")),
    )
    op.create_index(
        op.f("ix_invoice_settlement_customer_id"),
        "invoice_settlement",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_invoice_settlement_invoice_id"), "invoice_settlement", ["invoice_id"], unique=False
    )
    op.create_index(
        op.f("ix_invoice_settlement_reference"), "invoice_settlement", ["reference"], unique=False
    )
    op.create_table(
        "payment",
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "card",
                "cash",
                "bank_transfer",
                "voucher",
                name="paymentmethod",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "succeeded",
                "partially_refunded",
                "refunded",
                name="paymentstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("gateway_reference", sa.String(length=100), nullable=True),
        sa.Column("receipt_number", sa.String(length=32), nullable=False),
        sa.Column(
            "amount_refunded", omnicrm.core.money.Money(precision=14, scale=4), nullable=False
        ),
        sa.Column("credit", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_payment_created_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.customer_id"], name=op.f("fk_payment_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.invoice_id"], name=op.f("fk_payment_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.service_id"], name=op.f("fk_payment_service_id_service")
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payment")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payment_idempotency_key")),
        sa.UniqueConstraint("receipt_number", name=op.f("uq_payment_receipt_number")),
    )
    op.create_index(op.f("ix_payment_created_at"), "payment", ["created_at"], unique=False)
    op.create_index(op.f("ix_payment_customer_id"), "payment", ["customer_id"], unique=False)
    op.create_index(op.f("ix_payment_status"), "payment", ["status"], unique=False)
    op.create_table(
        "payment_refund",
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("gateway_reference", sa.String(length=100), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_payment_refund_created_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payment.payment_id"],
            name=op.f("fk_payment_refund_payment_id_payment"),
        ),
        sa.PrimaryKeyConstraint("refund_id", name=op.f("pk_payment_refund")),
    )
    op.create_index(
        op.f("ix_payment_refund_payment_id"), "payment_refund", ["payment_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_refund_payment_id"), table_name="payment_refund")
    op.drop_table("payment_refund")
    op.drop_index(op.f("ix_payment_status"), table_name="payment")
    op.drop_index(op.f("ix_payment_customer_id"), table_name="payment")
    op.drop_index(op.f("ix_payment_created_at"), table_name="payment")
    op.drop_table("payment")
    op.drop_index(op.f("ix_invoice_settlement_reference"), table_name="invoice_settlement")
    op.drop_index(op.f("ix_invoice_settlement_invoice_id"), table_name="invoice_settlement")
    op.drop_index(op.f("ix_invoice_settlement_customer_id"), table_name="invoice_settlement")
    op.drop_table("invoice_settlement")
