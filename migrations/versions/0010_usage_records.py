"""usage_record: rated usage records (CDRs) with their outcome

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:50:28.958478
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db
import omnicrm.core.money

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_record",
        sa.Column("usage_pk", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column(
            "usage_type",
            sa.Enum("data", "voice", "sms", name="usagetype", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("units", omnicrm.core.money.Money(), nullable=False),
        sa.Column("start_time", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("destination", sa.String(length=64), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "rated",
                "rejected",
                "duplicate",
                "arrears",
                name="recordoutcome",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("from_allowance", omnicrm.core.money.Money(), nullable=False),
        sa.Column("charged", omnicrm.core.money.Money(), nullable=False),
        sa.Column("arrears", omnicrm.core.money.Money(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("rated_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.service_id"],
            name=op.f("fk_usage_record_service_id_service"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("usage_pk", name=op.f("pk_usage_record")),
        sa.UniqueConstraint("record_id", name=op.f("uq_usage_record_record_id")),
    )
    with op.batch_alter_table("usage_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_usage_record_service_start", ["service_id", "start_time"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("usage_record", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_record_service_start")

    op.drop_table("usage_record")
