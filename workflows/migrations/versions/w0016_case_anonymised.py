"""Retention: case_anonymised (a finished case whose personal data were removed).

Revision ID: w0016_case_anonymised
Revises: w0015_digest_sent
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "w0016_case_anonymised"
down_revision = "w0015_digest_sent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_anonymised",
        sa.Column(
            "instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("values_replaced", sa.Integer(), nullable=False),
        sa.Column("documents_removed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name="fk_case_anonymised_instance_id_process_instance",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", name="pk_case_anonymised"),
    )


def downgrade() -> None:
    op.drop_table("case_anonymised")
