"""The outbox delivers: when a message may be tried again, who holds it while sending, and when
it was given up.

Revision ID: 0006_outbox_delivery
Revises: 0005_unique_business_key
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_outbox_delivery"
down_revision = "0005_unique_business_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("gave_up_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("gave_up_at")
        batch.drop_column("claimed_until")
        batch.drop_column("next_attempt_at")
