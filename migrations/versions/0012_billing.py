"""billing: transactions, invoices, numbering, cursors and runs; setup fees backfilled

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:17:04.214956
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db
import omnicrm.core.money

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_sequence",
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name=op.f("pk_invoice_sequence")),
    )
    op.create_table(
        "billing_cursor",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("billed_through", sa.Date(), nullable=False),
        sa.Column("usage_billed_until", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("promo_product_id", sa.Integer(), nullable=True),
        sa.Column("promo_percent", omnicrm.core.money.Percent(precision=5, scale=2), nullable=True),
        sa.Column("promo_amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=True),
        sa.Column("promo_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["promo_product_id"],
            ["product.product_id"],
            name=op.f("fk_billing_cursor_promo_product_id_product"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.service_id"],
            name=op.f("fk_billing_cursor_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_billing_cursor")),
    )
    op.create_table(
        "billing_run",
        sa.Column("billing_run_id", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="runstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("customer_count", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("transactions_created", sa.Integer(), nullable=False),
        sa.Column("invoices_created", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_billing_run_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_billing_run_requested_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("billing_run_id", name=op.f("pk_billing_run")),
    )
    op.create_index(op.f("ix_billing_run_status"), "billing_run", ["status"], unique=False)
    op.create_table(
        "invoice",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("invoice_number", sa.String(length=32), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("invoice", "credit_note", name="invoicekind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "issued",
                "partially_paid",
                "paid",
                "overdue",
                "void",
                name="invoicestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("subtotal", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("tax_total", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("total", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("amount_paid", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("credit_note_for_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.Column("voided_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("billing_run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["billing_run_id"],
            ["billing_run.billing_run_id"],
            name=op.f("fk_invoice_billing_run_id_billing_run"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_for_id"],
            ["invoice.invoice_id"],
            name=op.f("fk_invoice_credit_note_for_id_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.customer_id"], name=op.f("fk_invoice_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_invoice_voided_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_invoice")),
        sa.UniqueConstraint("credit_note_for_id", name=op.f("uq_invoice_credit_note_for_id")),
        sa.UniqueConstraint("invoice_number", name=op.f("uq_invoice_invoice_number")),
    )
    op.create_index(op.f("ix_invoice_customer_id"), "invoice", ["customer_id"], unique=False)
    op.create_index(op.f("ix_invoice_due_date"), "invoice", ["due_date"], unique=False)
    op.create_index(op.f("ix_invoice_status"), "invoice", ["status"], unique=False)
    op.create_table(
        "billing_transaction",
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("billing_run_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "setup",
                "recurring",
                "promo",
                "proration",
                "usage",
                "addon",
                "charge",
                "credit",
                name="transactionkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "wholesale_amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=False
        ),
        sa.Column("retail_amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column(
            "tax_percentage", omnicrm.core.money.Percent(precision=5, scale=2), nullable=False
        ),
        sa.Column("tax_amount", omnicrm.core.money.Money(precision=14, scale=4), nullable=False),
        sa.Column("paid_from_balance", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=160), nullable=True),
        sa.Column("void", sa.Boolean(), nullable=False),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.Column("voided_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["billing_run_id"],
            ["billing_run.billing_run_id"],
            name=op.f("fk_billing_transaction_billing_run_id_billing_run"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.contract_id"],
            name=op.f("fk_billing_transaction_contract_id_contract"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_billing_transaction_created_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_billing_transaction_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.invoice_id"],
            name=op.f("fk_billing_transaction_invoice_id_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.service_id"],
            name=op.f("fk_billing_transaction_service_id_service"),
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_billing_transaction_voided_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_billing_transaction")),
        sa.UniqueConstraint("source", name=op.f("uq_billing_transaction_source")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_billing_transaction_idempotency_key")),
    )
    op.create_index(
        op.f("ix_billing_transaction_created_at"),
        "billing_transaction",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_transaction_customer_id"),
        "billing_transaction",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_transaction_invoice_id"),
        "billing_transaction",
        ["invoice_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_billing_transaction_kind"), "billing_transaction", ["kind"], unique=False
    )
    op.create_index(
        op.f("ix_billing_transaction_service_id"),
        "billing_transaction",
        ["service_id"],
        unique=False,
    )
    op.create_index(
        "ix_billing_transaction_uninvoiced",
        "billing_transaction",
        ["customer_id"],
        unique=False,
        postgresql_where=sa.text("invoice_id IS NULL AND NOT void AND NOT paid_from_balance"),
        sqlite_where=sa.text("invoice_id IS NULL AND NOT void AND NOT paid_from_balance"),
    )
    # Every sale's setup fee so far becomes a transaction (the billing handler does it from now).
    op.execute(
        """
        INSERT INTO billing_transaction (customer_id, service_id, contract_id, kind, description,
            currency, wholesale_amount, retail_amount, tax_percentage, tax_amount,
            paid_from_balance, source, void, created_at)
        SELECT c.customer_id, c.service_id, c.contract_id, 'setup',
            'Setup fee (' || COALESCE(c.contract_number, '') || ')', cc.currency, 0, cc.amount,
            cc.tax_percentage, cc.tax_amount, false, 'setup:' || cc.contract_charge_id, false,
            cc.created_at
        FROM contract_charge cc JOIN contract c ON c.contract_id = cc.contract_id
        WHERE cc.amount > 0
        """
    )


def downgrade() -> None:
    op.drop_index(
        "ix_billing_transaction_uninvoiced",
        table_name="billing_transaction",
        postgresql_where=sa.text("invoice_id IS NULL AND NOT void AND NOT paid_from_balance"),
        sqlite_where=sa.text("invoice_id IS NULL AND NOT void AND NOT paid_from_balance"),
    )
    op.drop_index(op.f("ix_billing_transaction_service_id"), table_name="billing_transaction")
    op.drop_index(op.f("ix_billing_transaction_kind"), table_name="billing_transaction")
    op.drop_index(op.f("ix_billing_transaction_invoice_id"), table_name="billing_transaction")
    op.drop_index(op.f("ix_billing_transaction_customer_id"), table_name="billing_transaction")
    op.drop_index(op.f("ix_billing_transaction_created_at"), table_name="billing_transaction")
    op.drop_table("billing_transaction")
    op.drop_index(op.f("ix_invoice_status"), table_name="invoice")
    op.drop_index(op.f("ix_invoice_due_date"), table_name="invoice")
    op.drop_index(op.f("ix_invoice_customer_id"), table_name="invoice")
    op.drop_table("invoice")
    op.drop_index(op.f("ix_billing_run_status"), table_name="billing_run")
    op.drop_table("billing_run")
    op.drop_table("billing_cursor")
    op.drop_table("invoice_sequence")
