"""The engine's tables. Schema changes go through Alembic migrations in engine/migrations."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)

#: Constraint names, shared by the domain's tables (workflows/tables.py) so migrations agree.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING_CONVENTION)

Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite only autoincrements INTEGER keys

process_version = Table(
    "process_version",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("process_id", String(200), nullable=False),
    Column("name", String(300), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("files", JSON, nullable=False),  # {filename: text}
    Column("deployed_at", DateTime(timezone=True), nullable=False),
    Column("deployed_by", String(200)),
    UniqueConstraint("process_id", "version", name="uq_process_version_process_id_version"),
    UniqueConstraint("process_id", "content_hash", name="uq_process_version_process_id_hash"),
)

process_instance = Table(
    "process_instance",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("process_version_id", ForeignKey("process_version.id"), nullable=False),
    Column("process_id", String(200), nullable=False),
    Column("business_key", String(200)),
    Column("status", String(20), nullable=False),
    Column("state", Text, nullable=False),
    Column("serializer_version", String(20), nullable=False),
    Column("lock_version", Integer, nullable=False, server_default="0"),
    Column("next_timer_due", DateTime(timezone=True)),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("started_by", String(200)),
    Column("last_error", Text),
    Index("ix_process_instance_business_key", "business_key"),
    # one case number, once, per process (NULL keys are distinct on SQLite and PostgreSQL)
    Index("uq_process_instance_process_key", "process_id", "business_key", unique=True),
    Index("ix_process_instance_status", "status", "process_id"),
    Index(
        "ix_process_instance_timer_due",
        "next_timer_due",
        postgresql_where=text("next_timer_due IS NOT NULL"),
        sqlite_where=text("next_timer_due IS NOT NULL"),
    ),
)

human_task = Table(
    "human_task",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("task_id", String(36), nullable=False, unique=True),  # SpiffWorkflow task uuid
    Column("instance_id", ForeignKey("process_instance.id", ondelete="CASCADE"), nullable=False),
    Column("process_id", String(200), nullable=False),
    Column("bpmn_id", String(200), nullable=False),
    Column("title", String(300), nullable=False),
    Column("lane", String(200)),
    Column("state", String(20), nullable=False),  # open / completed / cancelled
    Column("assignee", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("completed_at", DateTime(timezone=True)),
    Column("completed_by", String(200)),
    Column("due_at", DateTime(timezone=True)),
    Column("properties", JSON, nullable=False),
    # who within the lane may take it (the `group` property, e.g. an aspect's team); NULL: all
    Column("candidate_group", String(200)),
    Index(
        "ix_human_task_open_lane",
        "lane",
        "candidate_group",
        "created_at",
        "id",
        postgresql_where=text("state = 'open'"),
        sqlite_where=text("state = 'open'"),
    ),
    Index(
        "ix_human_task_open_assignee",
        "assignee",
        "created_at",
        "id",
        postgresql_where=text("state = 'open'"),
        sqlite_where=text("state = 'open'"),
    ),
    Index("ix_human_task_instance", "instance_id", "state"),
    # the open tasks past their norm, for the norm signals
    Index(
        "ix_human_task_open_due",
        "due_at",
        postgresql_where=text("state = 'open'"),
        sqlite_where=text("state = 'open'"),
    ),
)

#: "this task is open", written so SQLite's planner sees the partial indexes above apply: it
#: only uses them when the query states `state = 'open'` literally, not as a bound parameter
TASK_IS_OPEN = human_task.c.state == literal_column("'open'")

event = Table(
    "event",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("instance_id", ForeignKey("process_instance.id", ondelete="CASCADE")),
    Column("type", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200)),
    Column("task_id", String(36)),
    Column("bpmn_id", String(200)),
    Column("detail", JSON, nullable=False),
    Index("ix_event_instance", "instance_id", "id"),
    Index("ix_event_type_at", "type", "at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("instance_id", ForeignKey("process_instance.id", ondelete="CASCADE")),
    Column("kind", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    #: not before this moment again (after a failed attempt, with backoff)
    Column("next_attempt_at", DateTime(timezone=True)),
    #: a sender holds it until then (a sender that died lets go when this passes)
    Column("claimed_until", DateTime(timezone=True)),
    #: given up (refused for good, or too many attempts): the beheerder sees it
    Column("gave_up_at", DateTime(timezone=True)),
    #: what a sender or the hand-overs look for: unsent rows of one kind, oldest first
    Index(
        "ix_outbox_unsent_kind",
        "kind",
        "id",
        postgresql_where=text("sent_at IS NULL"),
        sqlite_where=text("sent_at IS NULL"),
    ),
)

#: a case moved to a newer version, with what it was before (undone while it has not moved on)
instance_migration = Table(
    "instance_migration",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("instance_id", ForeignKey("process_instance.id", ondelete="CASCADE"), nullable=False),
    Column("from_version_id", Id, nullable=False),
    Column("to_version_id", Id, nullable=False),
    Column("migrated_at", DateTime(timezone=True), nullable=False),
    Column("migrated_by", String(200)),
    Column("lock_version", Integer, nullable=False),  # the instance's lock_version right after
    Column("previous_state", Text, nullable=False),
    Column("previous_serializer_version", String(20), nullable=False),
    Column("previous_tasks", JSON, nullable=False),  # its open human_task rows before
    Column("changes", JSON, nullable=False),  # what changed for the case, in words
    Column("undone_at", DateTime(timezone=True)),
    Column("undone_by", String(200)),
    Index("ix_instance_migration_instance", "instance_id", "id"),
)
