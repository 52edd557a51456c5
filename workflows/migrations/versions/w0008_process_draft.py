"""Process drafts: a process owner's work on a definition before it is deployed, and who
changed what in it.

Revision ID: w0008_process_draft
Revises: w0007_reports_rollups
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "w0008_process_draft"
down_revision = "w0007_reports_rollups"
branch_labels = None
depends_on = "0004_instance_migration"

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "process_draft",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("base_version_id", _ID),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("deployed_version", sa.Integer()),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_draft")),
    )
    op.create_index("ix_process_draft_status", "process_draft", ["status", "updated_at"])
    op.create_table(
        "process_draft_change",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("draft_id", _ID, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["process_draft.id"],
            name=op.f("fk_process_draft_change_draft_id_process_draft"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_draft_change")),
    )
    op.create_index("ix_process_draft_change_draft", "process_draft_change", ["draft_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_process_draft_change_draft", table_name="process_draft_change")
    op.drop_table("process_draft_change")
    op.drop_index("ix_process_draft_status", table_name="process_draft")
    op.drop_table("process_draft")
