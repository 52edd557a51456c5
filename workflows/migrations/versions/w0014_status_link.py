"""The initiator's private status link: status_link (the token's hash, and its generation).

Revision ID: w0014_status_link
Revises: w0013_session_generation
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "w0014_status_link"
down_revision = "w0013_session_generation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_link",
        sa.Column(
            "instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("generation", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name="fk_status_link_instance_id_process_instance",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", name="pk_status_link"),
        sa.UniqueConstraint("token_hash", name="uq_status_link_token_hash"),
    )


def downgrade() -> None:
    op.drop_table("status_link")
