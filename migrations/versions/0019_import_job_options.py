"""import job options (stock imports onto the import engine)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 13:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the jobs there are (subscriber imports) need no options
    with op.batch_alter_table("import_job") as batch_op:
        batch_op.add_column(
            sa.Column("options", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("import_job") as batch_op:
        batch_op.drop_column("options")
