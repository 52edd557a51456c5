"""Instance migrations: a case moved to a newer version, with what it was before (to undo it
while the case has not moved on).

Revision ID: 0004_instance_migration
Revises: 0003_candidate_group
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_instance_migration"
down_revision = "0003_candidate_group"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "instance_migration",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("instance_id", _ID, nullable=False),
        sa.Column("from_version_id", _ID, nullable=False),
        sa.Column("to_version_id", _ID, nullable=False),
        sa.Column("migrated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("migrated_by", sa.String(200)),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("previous_state", sa.Text(), nullable=False),
        sa.Column("previous_serializer_version", sa.String(20), nullable=False),
        sa.Column("previous_tasks", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True)),
        sa.Column("undone_by", sa.String(200)),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_instance_migration_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_migration")),
    )
    op.create_index("ix_instance_migration_instance", "instance_migration", ["instance_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_instance_migration_instance", table_name="instance_migration")
    op.drop_table("instance_migration")
