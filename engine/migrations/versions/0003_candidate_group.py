"""Candidate groups: who within a lane may take a task (the `group` property of a user task).

The open-lane index gets the group after the lane, so a queue of one lane and one group (or of
the tasks without a group) is still read in order from the index.

Revision ID: 0003_candidate_group
Revises: 0002_open_task_order
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_candidate_group"
down_revision = "0002_open_task_order"
branch_labels = None
depends_on = None

_OPEN = sa.text("state = 'open'")


def _open_lane_index(columns: list[str]) -> None:
    op.drop_index("ix_human_task_open_lane", table_name="human_task")
    op.create_index(
        "ix_human_task_open_lane",
        "human_task",
        columns,
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
    )


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.add_column(sa.Column("candidate_group", sa.String(length=200), nullable=True))
    _open_lane_index(["lane", "candidate_group", "created_at", "id"])


def downgrade() -> None:
    _open_lane_index(["lane", "created_at", "id"])
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("candidate_group")
