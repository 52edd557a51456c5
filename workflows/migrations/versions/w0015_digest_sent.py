"""The daily task overview per colleague: digest_sent (once per person per day).

Revision ID: w0015_digest_sent
Revises: w0014_status_link
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "w0015_digest_sent"
down_revision = "w0014_status_link"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_sent",
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("outbox_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", "day", name="pk_digest_sent"),
    )


def downgrade() -> None:
    op.drop_table("digest_sent")
