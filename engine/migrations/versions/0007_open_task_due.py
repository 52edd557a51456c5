"""Open tasks by due moment: the norm signals look for open tasks past their norm.

Revision ID: 0007_open_task_due
Revises: 0006_outbox_delivery
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_open_task_due"
down_revision = "0006_outbox_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_human_task_open_due",
        "human_task",
        ["due_at"],
        postgresql_where=sa.text("state = 'open'"),
        sqlite_where=sa.text("state = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("ix_human_task_open_due", table_name="human_task")
