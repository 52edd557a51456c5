"""One case number, once: a business key is unique per process.

A database made before this could hold the same key twice in one process (running `wegwijs
simulate` twice replayed its numbers). Such a later case keeps its history and gets its key
with `~<id>` appended (logged, and visible on the case), so the unique index can be made.

Revision ID: 0005_unique_business_key
Revises: 0004_instance_migration
Create Date: 2026-12-04
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0005_unique_business_key"
down_revision = "0004_instance_migration"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    bind = op.get_bind()
    instance = sa.table(
        "process_instance",
        sa.column("id", sa.Integer),
        sa.column("process_id", sa.String),
        sa.column("business_key", sa.String),
    )
    first = (
        sa.select(
            instance.c.process_id,
            instance.c.business_key,
            sa.func.min(instance.c.id).label("keep"),
        )
        .where(instance.c.business_key.is_not(None))
        .group_by(instance.c.process_id, instance.c.business_key)
        .having(sa.func.count() > 1)
    )
    for process_id, key, keep in bind.execute(first).all():
        later = bind.execute(
            sa.select(instance.c.id).where(
                instance.c.process_id == process_id,
                instance.c.business_key == key,
                instance.c.id != keep,
            )
        ).scalars()
        for instance_id in later:
            log.warning("case %s: business key %s was taken; now %s~%s", instance_id, key, key, instance_id)
            bind.execute(
                sa.update(instance)
                .where(instance.c.id == instance_id)
                .values(business_key=f"{key}~{instance_id}")
            )
    op.create_index(
        "uq_process_instance_process_key",
        "process_instance",
        ["process_id", "business_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_process_instance_process_key", table_name="process_instance")
