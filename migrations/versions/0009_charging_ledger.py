"""charging: accounts, balances and their movements (the internal ledger)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 21:08:13.645186
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db
import omnicrm.core.money

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "charging_account",
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("allow_negative", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.service_id"],
            name=op.f("fk_charging_account_service_id_service"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_charging_account")),
        sa.UniqueConstraint("service_id", name=op.f("uq_charging_account_service_id")),
    )
    op.create_table(
        "charging_balance",
        sa.Column("balance_pk", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column(
            "balance_type",
            sa.Enum(
                "monetary", "data", "voice", "sms", name="balancetype", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("balance_id", sa.String(length=100), nullable=False),
        sa.Column("value", omnicrm.core.money.Money(), nullable=False),
        sa.Column("expiry", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("blocker", sa.Boolean(), nullable=False),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account"],
            ["charging_account.account"],
            name=op.f("fk_charging_balance_account_charging_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("balance_pk", name=op.f("pk_charging_balance")),
        sa.UniqueConstraint(
            "account",
            "balance_type",
            "balance_id",
            name=op.f("uq_charging_balance_account_balance_type_balance_id"),
        ),
    )
    with op.batch_alter_table("charging_balance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charging_balance_account"), ["account"], unique=False)

    op.create_table(
        "balance_movement",
        sa.Column("movement_id", sa.Integer(), nullable=False),
        sa.Column("balance_pk", sa.Integer(), nullable=False),
        sa.Column("amount", omnicrm.core.money.Money(), nullable=False),
        sa.Column("value_after", omnicrm.core.money.Money(), nullable=False),
        sa.Column(
            "cause",
            sa.Enum(
                "topup",
                "allowance",
                "usage",
                "adjustment",
                "expiry",
                "addon",
                name="cause",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["balance_pk"],
            ["charging_balance.balance_pk"],
            name=op.f("fk_balance_movement_balance_pk_charging_balance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_balance_movement_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("movement_id", name=op.f("pk_balance_movement")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_balance_movement_idempotency_key")),
    )
    with op.batch_alter_table("balance_movement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_balance_movement_balance", ["balance_pk", "movement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_balance_movement_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("balance_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_balance_movement_created_at"))
        batch_op.drop_index("ix_balance_movement_balance")

    op.drop_table("balance_movement")
    with op.batch_alter_table("charging_balance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charging_balance_account"))

    op.drop_table("charging_balance")
    op.drop_table("charging_account")
