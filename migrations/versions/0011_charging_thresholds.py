"""product: allowance rollover and charging thresholds; threshold_crossing

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db
import omnicrm.core.money

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.add_column(
            sa.Column("allowance_rollover", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("allowance_alerts", sa.JSON(), nullable=False, server_default="[]")
        )
        batch.add_column(sa.Column("low_balance_alert", omnicrm.core.money.Money(), nullable=True))
        batch.add_column(sa.Column("exhausted_play", sa.String(length=100), nullable=True))
    op.create_table(
        "threshold_crossing",
        sa.Column("crossing_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("threshold", sa.String(length=40), nullable=False),
        sa.Column("period_end", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value", omnicrm.core.money.Money(), nullable=False),
        sa.Column("crossed_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account"],
            ["charging_account.account"],
            name=op.f("fk_threshold_crossing_account_charging_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("crossing_id", name=op.f("pk_threshold_crossing")),
        sa.UniqueConstraint(
            "account", "threshold", "period_end", name="uq_threshold_crossing_once"
        ),
    )


def downgrade() -> None:
    op.drop_table("threshold_crossing")
    with op.batch_alter_table("product") as batch:
        batch.drop_column("exhausted_play")
        batch.drop_column("low_balance_alert")
        batch.drop_column("allowance_alerts")
        batch.drop_column("allowance_rollover")
