"""scheduler: periodic jobs (scheduled_job) and their runs (scheduled_job_run)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OUTCOMES = ("queued", "running", "success", "failed")
TRIGGERS = ("schedule", "manual")


def upgrade() -> None:
    op.create_table(
        "scheduled_job",
        sa.Column("job_name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("schedule", sa.String(length=100), nullable=False),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_name", name=op.f("pk_scheduled_job")),
    )
    op.create_table(
        "scheduled_job_run",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("job_name", sa.String(length=100), nullable=False),
        sa.Column(
            "trigger",
            sa.Enum(*TRIGGERS, name="runtrigger", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("due_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fired_by", sa.String(length=200), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(*OUTCOMES, name="runoutcome", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("queued_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_name"],
            ["scheduled_job.job_name"],
            name=op.f("fk_scheduled_job_run_job_name_scheduled_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_scheduled_job_run")),
    )
    with op.batch_alter_table("scheduled_job_run", schema=None) as batch_op:
        batch_op.create_index("ix_scheduled_job_run_latest", ["job_name", "run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scheduled_job_run_outcome"), ["outcome"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_scheduled_job_run_queued_at"), ["queued_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_job_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_job_run_queued_at"))
        batch_op.drop_index(batch_op.f("ix_scheduled_job_run_outcome"))
        batch_op.drop_index("ix_scheduled_job_run_latest")
    op.drop_table("scheduled_job_run")
    op.drop_table("scheduled_job")
