"""Sessions end on logout: app_user.session_generation, raised by a logout, "log out
everywhere" and disabling a user; a session carries a key derived from it.

Revision ID: w0013_session_generation
Revises: w0012_filter_indexes
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "w0013_session_generation"
down_revision = "w0012_filter_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as table:
        table.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user") as table:
        table.drop_column("session_generation")
