"""inventory: an index that hands out the oldest free item of a template without a sort

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 07:25:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_inventory_pick", "inventory", ["inventory_template_id", "item_state", "inventory_id"]
    )
    op.drop_index("ix_inventory_template_state", table_name="inventory")


def downgrade() -> None:
    op.create_index(
        "ix_inventory_template_state", "inventory", ["inventory_template_id", "item_state"]
    )
    op.drop_index("ix_inventory_pick", table_name="inventory")
