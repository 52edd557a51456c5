"""The outcome of a finished initiative in its read model (shown and filtered in the list).

Revision ID: w0006_initiative_outcome
Revises: w0005_user_phone
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "w0006_initiative_outcome"
down_revision = "w0005_user_phone"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("initiative") as batch:
        batch.add_column(sa.Column("outcome", sa.String(60), nullable=True))
    op.create_index("ix_initiative_outcome", "initiative", ["outcome"])


def downgrade() -> None:
    op.drop_index("ix_initiative_outcome", table_name="initiative")
    with op.batch_alter_table("initiative") as batch:
        batch.drop_column("outcome")
