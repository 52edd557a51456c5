"""A phone number per account: how an initiator reaches their contact person.

Revision ID: w0005_user_phone
Revises: w0004_user_team
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "w0005_user_phone"
down_revision = "w0004_user_team"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("phone", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("phone")
