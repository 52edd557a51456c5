"""The teams users belong to (tasks with a candidate group, e.g. an aspect's team, go to them).

Revision ID: w0004_user_team
Revises: w0003_login_attempt
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "w0004_user_team"
down_revision = "w0003_login_attempt"
branch_labels = None
depends_on = "0003_candidate_group"

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "user_team",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("team", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_team_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "team", name=op.f("pk_user_team")),
    )


def downgrade() -> None:
    op.drop_table("user_team")
