"""provisioning jobs (provision) and their task results (provision_event)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 03:16:23.499043
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provision",
        sa.Column("provision_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("provisioning_play", sa.String(length=100), nullable=False),
        sa.Column("provisioning_json_vars", sa.JSON(), nullable=False),
        sa.Column("inventory_ids", sa.JSON(), nullable=False),
        sa.Column("provisioning_status", sa.Integer(), nullable=False),
        sa.Column("task_count", sa.Integer(), nullable=False),
        sa.Column("tasks_done", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("max_retries", sa.Integer(), nullable=False),
        sa.Column("started_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("initiated_by_user_id", sa.Integer(), nullable=True),
        sa.Column("initiated_by", sa.String(length=100), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_expires_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("config_content", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_provision_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["initiated_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_provision_initiated_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.product_id"], name=op.f("fk_provision_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.service_id"],
            name=op.f("fk_provision_service_id_service"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("provision_id", name=op.f("pk_provision")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_provision_idempotency_key")),
    )
    with op.batch_alter_table("provision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provision_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_provision_product_id"), ["product_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_provision_provisioning_status"), ["provisioning_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_provision_service_id"), ["service_id"], unique=False)
        batch_op.create_index(
            "ix_provision_status_lease", ["provisioning_status", "lease_expires_at"], unique=False
        )

    op.create_table(
        "provision_event",
        sa.Column(
            "provision_event_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("provision_id", sa.Integer(), nullable=False),
        sa.Column("event_number", sa.Integer(), nullable=False),
        sa.Column("event_name", sa.String(length=500), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=True),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("provisioning_status", sa.Integer(), nullable=False),
        sa.Column("provisioning_result_json", sa.JSON(), nullable=False),
        sa.Column("task_finished_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provision_id"],
            ["provision.provision_id"],
            name=op.f("fk_provision_event_provision_id_provision"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provision_event_id", name=op.f("pk_provision_event")),
        sa.UniqueConstraint(
            "provision_id",
            "event_number",
            name=op.f("uq_provision_event_provision_id_event_number"),
        ),
    )
    with op.batch_alter_table("provision_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provision_event_provision_id"), ["provision_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("provision_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provision_event_provision_id"))

    op.drop_table("provision_event")
    with op.batch_alter_table("provision", schema=None) as batch_op:
        batch_op.drop_index("ix_provision_status_lease")
        batch_op.drop_index(batch_op.f("ix_provision_service_id"))
        batch_op.drop_index(batch_op.f("ix_provision_provisioning_status"))
        batch_op.drop_index(batch_op.f("ix_provision_product_id"))
        batch_op.drop_index(batch_op.f("ix_provision_customer_id"))

    op.drop_table("provision")
