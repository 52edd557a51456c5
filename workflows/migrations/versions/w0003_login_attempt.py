"""Login throttling per typed username (known or not), counted atomically.

Moves the failure count and lock out of app_user into login_attempt, so an unknown name is
throttled exactly like a real one (the answers do not reveal which names exist) and parallel
guesses cannot overwrite each other's count.

Revision ID: w0003_login_attempt
Revises: w0002_worklist
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "w0003_login_attempt"
down_revision = "w0002_worklist"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", _TS, nullable=True),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("failed_logins")
        batch.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("locked_until", _TS, nullable=True))
    op.drop_table("login_attempt")
