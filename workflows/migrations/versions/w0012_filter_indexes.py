"""Indexes for the dashboard's filter choices: the gebieden, wijken and teams that occur are
read one index seek per value (a loose index scan), so the page does not scan all history.

Revision ID: w0012_filter_indexes
Revises: w0008_process_draft
Create Date: 2026-12-04
"""

from alembic import op

revision = "w0012_filter_indexes"
down_revision = "w0008_process_draft"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_initiative_gebied", "initiative", "gebied"),
    ("ix_initiative_wijk", "initiative", "wijk"),
    ("ix_report_task_team", "report_task", "team"),
    ("ix_report_task_lane", "report_task", "lane"),
)


def upgrade() -> None:
    for name, table, column in _INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _column in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
