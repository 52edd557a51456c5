"""The domain's tables (the engine's are in engine/persistence/tables.py).

Schema changes go through Alembic revisions in workflows/migrations/versions (branch
`workflows`, which depends on the engine's branch).
"""

from __future__ import annotations

from sqlalchemy import (
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
)

from engine.persistence.tables import NAMING_CONVENTION, Id

metadata = MetaData(naming_convention=NAMING_CONVENTION)

fund_period = Table(
    "fund_period",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("ceiling_cents", BigInteger, nullable=False),
    Column("minimum_grant_cents", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

fund_entry = Table(
    "fund_entry",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("period_id", ForeignKey("fund_period.id"), nullable=False),
    Column("initiative_key", String(200), nullable=False),
    Column("volgnummer", Integer, nullable=False),
    Column("requested_cents", BigInteger, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),  # what the entry holds of the ceiling
    Column("paid_cents", BigInteger, nullable=False, server_default="0"),
    Column("state", String(20), nullable=False),  # reserved/committed/paid/released/refused
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("note", Text),
    UniqueConstraint("period_id", "volgnummer", name="uq_fund_entry_period_volgnummer"),
    Index("ix_fund_entry_key", "initiative_key"),
    Index("ix_fund_entry_period_state", "period_id", "state"),
)
