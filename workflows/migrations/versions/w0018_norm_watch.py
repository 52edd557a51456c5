"""Norm signals: norm_watch (an open task past its norm, looked at once).

Revision ID: w0018_norm_watch
Revises: w0017_case_link
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "w0018_norm_watch"
down_revision = "w0017_case_link"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "norm_watch",
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("instance_id", ID, nullable=False),
        sa.Column("bpmn_id", sa.String(200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signalled_to", sa.String(320), nullable=True),
        sa.Column("signalled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalate_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_to", sa.String(320), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name="fk_norm_watch_instance_id_process_instance",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("task_id", name="pk_norm_watch"),
    )
    op.create_index("ix_norm_watch_escalate", "norm_watch", ["escalate_at"])
    op.create_index("ix_norm_watch_instance", "norm_watch", ["instance_id", "bpmn_id"])


def downgrade() -> None:
    op.drop_index("ix_norm_watch_instance", table_name="norm_watch")
    op.drop_index("ix_norm_watch_escalate", table_name="norm_watch")
    op.drop_table("norm_watch")
