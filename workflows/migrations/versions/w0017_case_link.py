"""Hand-overs: case_link (a case handed over to a new case of another process).

Revision ID: w0017_case_link
Revises: w0016_case_anonymised
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "w0017_case_link"
down_revision = "w0016_case_anonymised"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "case_link",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("from_instance_id", ID, nullable=False),
        sa.Column("to_instance_id", ID, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_instance_id"],
            ["process_instance.id"],
            name="fk_case_link_from_instance_id_process_instance",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_instance_id"],
            ["process_instance.id"],
            name="fk_case_link_to_instance_id_process_instance",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_link"),
        sa.UniqueConstraint("from_instance_id", "kind", name="uq_case_link_from_kind"),
    )
    op.create_index("ix_case_link_to", "case_link", ["to_instance_id"])


def downgrade() -> None:
    op.drop_index("ix_case_link_to", table_name="case_link")
    op.drop_table("case_link")
