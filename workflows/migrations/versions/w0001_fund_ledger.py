"""Fund ledger: fund_period and fund_entry.

Revision ID: w0001_fund
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "w0001_fund"
down_revision = None
branch_labels = ("workflows",)
depends_on = "0001_engine"

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "fund_period",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ceiling_cents", sa.BigInteger(), nullable=False),
        sa.Column("minimum_grant_cents", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_period")),
        sa.UniqueConstraint("code", name=op.f("uq_fund_period_code")),
    )
    op.create_table(
        "fund_entry",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("period_id", _ID, nullable=False),
        sa.Column("initiative_key", sa.String(length=200), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("requested_cents", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["period_id"], ["fund_period.id"], name=op.f("fk_fund_entry_period_id_fund_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_entry")),
        sa.UniqueConstraint("period_id", "volgnummer", name="uq_fund_entry_period_volgnummer"),
    )
    op.create_index("ix_fund_entry_key", "fund_entry", ["initiative_key"])
    op.create_index("ix_fund_entry_period_state", "fund_entry", ["period_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_fund_entry_period_state", table_name="fund_entry")
    op.drop_index("ix_fund_entry_key", table_name="fund_entry")
    op.drop_table("fund_entry")
    op.drop_table("fund_period")
