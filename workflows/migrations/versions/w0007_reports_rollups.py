"""Reports: the fund's journal and the dashboard's rollups (closed cases, closed tasks, phases).

The journal of an existing fund is backfilled from its ledger as well as the ledger allows: a
reservation (or refusal) at the moment of application and the entry's present state at its
last change (the months in between are not known). The rollups are filled on first start-up
(`workflows.reports.rollups.backfill`) or by `wegwijs reports rebuild`.

Revision ID: w0007_reports_rollups
Revises: w0006_initiative_outcome
Create Date: 2026-12-04
"""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "w0007_reports_rollups"
down_revision = "w0006_initiative_outcome"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def _instance_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["instance_id"],
        ["process_instance.id"],
        name=op.f(f"fk_{table}_instance_id_process_instance"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "fund_movement",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("period_id", _ID, nullable=False),
        sa.Column("entry_id", _ID, nullable=False),
        sa.Column("initiative_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("held_delta_cents", sa.BigInteger(), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["fund_period.id"], name=op.f("fk_fund_movement_period_id_fund_period")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["fund_entry.id"], name=op.f("fk_fund_movement_entry_id_fund_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_movement")),
    )
    op.create_index("ix_fund_movement_period_at", "fund_movement", ["period_id", "at"])
    op.create_table(
        "report_case",
        sa.Column("instance_id", _ID, autoincrement=False, nullable=False),
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("process_version_id", _ID, nullable=False),
        sa.Column("end_status", sa.String(20), nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("ended_at", _TS, nullable=False),
        sa.Column("ended_month", sa.String(7), nullable=False),
        sa.Column("lead_seconds", sa.Float(), nullable=False),
        sa.Column("initiator_seconds", sa.Float(), nullable=False),
        sa.Column("net_seconds", sa.Float(), nullable=False),
        _instance_fk("report_case"),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_report_case")),
    )
    op.create_index("ix_report_case_month", "report_case", ["ended_month", "process_id"])
    op.create_table(
        "report_task",
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("instance_id", _ID, nullable=False),
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("process_version_id", _ID, nullable=False),
        sa.Column("bpmn_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("lane", sa.String(200), nullable=True),
        sa.Column("team", sa.String(200), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("claimed_at", _TS, nullable=True),
        sa.Column("closed_at", _TS, nullable=False),
        sa.Column("closed_month", sa.String(7), nullable=False),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.Column("norm", sa.String(100), nullable=True),
        sa.Column("due_at", _TS, nullable=True),
        sa.Column("within_norm", sa.Boolean(), nullable=True),
        sa.Column("waiting_seconds", sa.Float(), nullable=False),
        sa.Column("working_seconds", sa.Float(), nullable=False),
        sa.Column("initiator_seconds", sa.Float(), nullable=False),
        _instance_fk("report_task"),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_report_task")),
    )
    op.create_index("ix_report_task_month", "report_task", ["closed_month", "process_id"])
    op.create_index("ix_report_task_instance", "report_task", ["instance_id"])
    op.create_table(
        "report_phase",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("instance_id", _ID, nullable=False),
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("process_version_id", _ID, nullable=False),
        sa.Column("phase", sa.String(40), nullable=False),
        sa.Column("entered_at", _TS, nullable=False),
        sa.Column("left_at", _TS, nullable=False),
        sa.Column("left_month", sa.String(7), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("net_seconds", sa.Float(), nullable=False),
        _instance_fk("report_phase"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_phase")),
    )
    op.create_index("ix_report_phase_month", "report_phase", ["left_month", "process_id"])
    op.create_index("ix_report_phase_instance", "report_phase", ["instance_id"])
    _backfill_journal()


def _backfill_journal() -> None:
    """The journal of the ledger as it stands (see the module docstring for what is lost)."""
    zone = ZoneInfo("Europe/Amsterdam")
    conn = op.get_bind()
    entries = conn.execute(
        sa.text(
            "SELECT id, period_id, initiative_key, requested_cents, amount_cents, paid_cents, "
            "state, applied_at, updated_at FROM fund_entry ORDER BY id"
        )
    ).all()
    names = ("period_id", "entry_id", "initiative_key", "kind", "amount_cents")
    journal = sa.table(
        "fund_movement", *(sa.column(n) for n in (*names, "held_delta_cents", "at", "month"))
    )
    rows: list[dict[str, object]] = []

    def add(entry: Any, kind: str, amount: int, delta: int, at: datetime) -> None:
        rows.append(
            {
                "period_id": entry.period_id,
                "entry_id": entry.id,
                "initiative_key": entry.initiative_key,
                "kind": kind,
                "amount_cents": amount,
                "held_delta_cents": delta,
                "at": at,
                "month": at.astimezone(zone).strftime("%Y-%m"),
            }
        )

    for e in entries:
        applied, updated = _aware(e.applied_at), _aware(e.updated_at)
        if e.state == "refused":
            add(e, "refused", 0, 0, applied)
            continue
        reserved = e.requested_cents if e.state == "released" else e.amount_cents
        add(e, "reserved", reserved, reserved, applied)
        if e.state == "committed":
            add(e, "committed", e.amount_cents, 0, updated)
        elif e.state == "paid":
            add(e, "paid", e.paid_cents, 0, updated)
        elif e.state == "released":
            add(e, "released", reserved, -reserved, updated)
    if rows:
        op.bulk_insert(journal, rows)


def _aware(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def downgrade() -> None:
    op.drop_table("report_phase")
    op.drop_table("report_task")
    op.drop_table("report_case")
    op.drop_index("ix_fund_movement_period_at", table_name="fund_movement")
    op.drop_table("fund_movement")
