"""Open-task indexes ordered by (created_at, id), so a worklist page reads them in order.

SQLite already orders index entries by rowid after the last column; PostgreSQL needs the id in
the index to return a queue oldest-first without sorting it.

Revision ID: 0002_open_task_order
Revises: 0001_engine
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_open_task_order"
down_revision = "0001_engine"
branch_labels = None
depends_on = None

_OPEN = sa.text("state = 'open'")


def _recreate(name: str, first: str, columns: list[str]) -> None:
    op.drop_index(name, table_name="human_task")
    op.create_index(
        name, "human_task", [first, *columns], postgresql_where=_OPEN, sqlite_where=_OPEN
    )


def upgrade() -> None:
    _recreate("ix_human_task_open_lane", "lane", ["created_at", "id"])
    _recreate("ix_human_task_open_assignee", "assignee", ["created_at", "id"])


def downgrade() -> None:
    _recreate("ix_human_task_open_lane", "lane", ["created_at"])
    _recreate("ix_human_task_open_assignee", "assignee", ["created_at"])
