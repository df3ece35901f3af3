"""activity log (append-only, enforced by triggers); live-customer e-mail/phone uniqueness

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicrm.core.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_LIVE = sa.text("customer_status <> 'Archived'")
_REFUSED = "activity log is append-only"

# PostgreSQL: one function, raised from row triggers (UPDATE, DELETE) and a statement trigger
# (TRUNCATE, which row triggers do not see). 42501 = insufficient_privilege.
_PG_FUNCTION = f"""
CREATE FUNCTION activity_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{_REFUSED}: % refused', TG_OP USING ERRCODE = '42501';
END
$$
"""
_PG_TRIGGERS = [
    "CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity "
    "FOR EACH ROW EXECUTE FUNCTION activity_append_only()",
    "CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity "
    "FOR EACH ROW EXECUTE FUNCTION activity_append_only()",
    "CREATE TRIGGER activity_no_truncate BEFORE TRUNCATE ON activity "
    "FOR EACH STATEMENT EXECUTE FUNCTION activity_append_only()",
]
# SQLite has no TRUNCATE (a DELETE without WHERE fires the delete trigger). Note: a future
# batch ALTER of this table recreates it, and must recreate these triggers too.
_SQLITE_TRIGGERS = [
    "CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}: UPDATE refused'); END",
    "CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}: DELETE refused'); END",
]


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column(
            "activity_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("created_at", omnicrm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_activity_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_activity_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activity_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_activity_object", ["object_type", "object_id"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)

    # Plain CREATE INDEX (no batch table copy): partial indexes exist on both backends.
    op.create_index(
        "uq_customer_live_email",
        "customer",
        ["email"],
        unique=True,
        postgresql_where=_LIVE,
        sqlite_where=_LIVE,
    )
    op.create_index(
        "uq_customer_live_phone",
        "customer",
        ["phone"],
        unique=True,
        postgresql_where=_LIVE,
        sqlite_where=_LIVE,
    )
    op.create_index("ix_customer_created_at", "customer", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_customer_created_at", table_name="customer")
    op.drop_index("uq_customer_live_phone", table_name="customer")
    op.drop_index("uq_customer_live_email", table_name="customer")
    op.drop_table("activity")  # drops its indexes and triggers
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS activity_append_only()")
