"""Unsent outbox rows by kind: the mail sender and the hand-overs each look for their own kind,
oldest first; with only `created_at` indexed, each look read every unsent row of every kind
(all of a simulated year's mail, or everything queued while the mail server is away).

Revision ID: 0008_outbox_unsent_by_kind
Revises: 0007_open_task_due
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_outbox_unsent_by_kind"
down_revision = "0007_open_task_due"
branch_labels = None
depends_on = None

_UNSENT = sa.text("sent_at IS NULL")


def upgrade() -> None:
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.create_index(
        "ix_outbox_unsent_kind",
        "outbox",
        ["kind", "id"],
        postgresql_where=_UNSENT,
        sqlite_where=_UNSENT,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_unsent_kind", table_name="outbox")
    op.create_index(
        "ix_outbox_unsent",
        "outbox",
        ["created_at"],
        postgresql_where=_UNSENT,
        sqlite_where=_UNSENT,
    )
