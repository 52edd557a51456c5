"""The `initiative` read model: one row per case (title, wijk/gebied, category, amount, casist,
phase), kept up to date by `on_saved` inside the engine's own transaction after every step, so
the lists never deserialize a workflow and are never out of step with the case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from engine import Engine, EngineError, SavedInstance
from engine.readmodel import human_task, process_instance
from workflows import fund
from workflows.places import GEBIED_OF
from workflows.tables import initiative, task_draft

_PROJECTED = (
    "title",
    "wijk",
    "gebied",
    "category",
    "requested_amount",
    "casist",
    "casist_name",
    "outcome",
)
#: the columns `_projected` keeps up to date from the case data
_KEPT = ("title", "wijk", "gebied", "category", "requested_cents", "casist", "outcome")
#: built once: on_saved runs at every step of every case
_CURRENT = select(*(initiative.c[name] for name in _KEPT)).where(
    initiative.c.instance_id == bindparam("b_instance_id")
)
_UPDATE_INITIATIVE = update(initiative).where(
    initiative.c.instance_id == bindparam("b_instance_id")
)
_INSERT_INITIATIVE = insert(initiative)
#: the drafts of this case's tasks that are no longer open
_DELETE_CLOSED_DRAFTS = delete(task_draft).where(
    task_draft.c.task_id.in_(
        select(human_task.c.task_id).where(
            human_task.c.instance_id == bindparam("b_instance_id"),
            human_task.c.state != "open",
        )
    )
)


def on_saved(saved: SavedInstance) -> None:
    """Engine hook: bring the initiative row of a saved instance up to date (same transaction),
    and drop the drafts of tasks that closed in this step (completed, or cancelled by a timer
    or a withdrawal): half-typed personal data is not kept for tasks nobody can finish."""
    row = _projected(saved.values(_PROJECTED), saved.at)
    closed = False
    for kind, _bpmn_id, detail in saved.events:
        if kind == "milestone_reached" and detail.get("milestone"):
            row.update(phase=str(detail["milestone"])[:40], phase_at=saved.at)
        closed = closed or kind in ("task_cancelled", "task_completed")
    if closed or saved.status in ("completed", "cancelled"):
        saved.execute(_DELETE_CLOSED_DRAFTS, {"b_instance_id": saved.instance_id})
    current = saved.fetch(_CURRENT, {"b_instance_id": saved.instance_id})
    if current:
        # Only the columns that changed: SQLite rewrites the index entry of every indexed
        # column in the SET list (wijk, gebied, outcome), changed or not, and most steps change
        # none of them (a page written per index per step for nothing).
        was = current[0]
        changed = {k: v for k, v in row.items() if k not in _KEPT or getattr(was, k) != v}
        saved.execute(_UPDATE_INITIATIVE, {"b_instance_id": saved.instance_id, **changed})
    else:
        saved.execute(
            _INSERT_INITIATIVE,
            {
                "instance_id": saved.instance_id,
                "zaaknummer": saved.business_key,
                "process_id": saved.process_id,
                "started_at": saved.at,
                **row,
            },
        )


def _projected(values: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """The read model's columns from the case data."""
    wijk = _text(values.get("wijk"), 100)
    return {
        "title": _text(values.get("title"), 300) or "",
        "wijk": wijk,
        "gebied": _text(values.get("gebied"), 100) or (GEBIED_OF.get(wijk) if wijk else None),
        "category": _text(values.get("category"), 60),
        "requested_cents": _cents(values.get("requested_amount")),
        # the casist's user name (older cases: only a name was typed in)
        "casist": _text(values.get("casist") or values.get("casist_name"), 200),
        "outcome": _text(values.get("outcome"), 60),
        "updated_at": at,
    }


def backfill(engine: Engine) -> int:
    """Give every case without a read-model row one (cases from before the read model existed).

    Run at start-up after migrating; it finds nothing to do in one query once all rows exist.
    """
    with engine.reading() as conn:
        missing = (
            conn.execute(
                select(process_instance.c.id)
                .outerjoin(initiative, initiative.c.instance_id == process_instance.c.id)
                .where(initiative.c.instance_id.is_(None))
                .order_by(process_instance.c.id)
            )
            .scalars()
            .all()
        )
    for instance_id in missing:
        detail = engine.get_instance(int(instance_id))
        row = _projected(detail.data, detail.summary.started_at)
        reached = [e for e in detail.events if e.type == "milestone_reached"]
        if reached:
            row.update(phase=str(reached[-1].detail.get("milestone"))[:40], phase_at=reached[-1].at)
        with engine.transaction() as uow:
            exists = uow.connection.execute(
                select(initiative.c.instance_id).where(initiative.c.instance_id == instance_id)
            ).first()
            if exists is None:  # a step may have written it meanwhile
                uow.connection.execute(
                    insert(initiative).values(
                        instance_id=instance_id,
                        zaaknummer=detail.summary.business_key,
                        process_id=detail.summary.process_id,
                        started_at=detail.summary.started_at,
                        **row,
                    )
                )
    return len(missing)


def _text(value: Any, limit: int) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text[:limit] or None


def _cents(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return fund.to_cents(value)
    except (EngineError, ValueError, TypeError, ArithmeticError):
        return None
