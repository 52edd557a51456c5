"""Worklist: users and roles, the initiative read model, notes, documents and task drafts.

Revision ID: w0002_worklist
Revises: w0001_fund
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "w0002_worklist"
down_revision = "w0001_fund"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", _TS, nullable=True),
        sa.Column("last_login_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "user_role",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_role_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "initiative",
        sa.Column("instance_id", _ID, autoincrement=False, nullable=False),
        sa.Column("zaaknummer", sa.String(200), nullable=True),
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), server_default="", nullable=False),
        sa.Column("wijk", sa.String(100), nullable=True),
        sa.Column("gebied", sa.String(100), nullable=True),
        sa.Column("category", sa.String(60), nullable=True),
        sa.Column("requested_cents", sa.BigInteger(), nullable=True),
        sa.Column("casist", sa.String(200), nullable=True),
        sa.Column("phase", sa.String(40), nullable=True),
        sa.Column("phase_at", _TS, nullable=True),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_initiative_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_initiative")),
    )
    op.create_index("ix_initiative_zaaknummer", "initiative", ["zaaknummer"])
    op.create_index("ix_initiative_started", "initiative", ["started_at"])
    op.create_index("ix_initiative_phase", "initiative", ["phase", "started_at"])
    op.create_table(
        "note",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("instance_id", _ID, nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_note_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
    )
    op.create_index("ix_note_instance", "note", ["instance_id", "id"])
    op.create_table(
        "document",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("instance_id", _ID, nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(80), nullable=False),
        sa.Column("uploaded_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_document_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    op.create_index("ix_document_instance", "document", ["instance_id", "id"])
    op.create_table(
        "task_draft",
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("saved_by", sa.String(80), nullable=False),
        sa.Column("saved_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_task_draft")),
    )


def downgrade() -> None:
    op.drop_table("task_draft")
    op.drop_index("ix_document_instance", table_name="document")
    op.drop_table("document")
    op.drop_index("ix_note_instance", table_name="note")
    op.drop_table("note")
    op.drop_index("ix_initiative_phase", table_name="initiative")
    op.drop_index("ix_initiative_started", table_name="initiative")
    op.drop_index("ix_initiative_zaaknummer", table_name="initiative")
    op.drop_table("initiative")
    op.drop_table("user_role")
    op.drop_table("app_user")
