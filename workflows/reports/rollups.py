"""The reports' rollups: closed cases, closed tasks and the phases cases went through, kept in the
engine's own transaction after every step (`on_saved`), and recomputed from the events by
`rebuild` (`wegwijs reports rebuild`), which must give exactly the same rows.

What a row holds, and why it is computed once, when something closes:
- a task: how long it waited in a queue (created → claimed by whoever held it last) and was
  worked on (claimed → closed), its norm's end *net of the time the case waited on the
  initiator* (tasks in the `initiatiefnemer` lane, Awb hersteltermijn / opschorting, while the
  task was open) and whether it was completed within it — working days with Dutch holidays are
  too costly to count per page view over years of tasks;
- a phase (milestone to milestone, or to the end): its duration, gross and net;
- a case: its lead time, gross and net.

A step reads one statement (the case's tasks that closed and are not counted yet, its
initiator tasks, its current phase) and writes only what closed. Claims and releases do not
pass here (the engine writes them without `on_saved`): a task's `claimed_at` is read from
`human_task` when it closes, and rebuilt from the claim events.

One module (~530 lines) on purpose: the step (`on_saved`) and the rebuild (`compute`) must
make the same rows, so both use the row builders here and are read side by side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
)

from engine import Engine, SavedInstance, as_utc
from engine.readmodel import event, human_task, process_instance
from workflows import norms
from workflows.reports.periods import month_of
from workflows.tables import initiative, report_case, report_phase, report_task

INITIATOR_LANE = "initiatiefnemer"
_OPEN_END = datetime.max.replace(tzinfo=UTC)  # a pause still going on: clipped where used
TASK_CLOSED = ("task_completed", "task_cancelled")
CASE_ENDED = {"instance_completed": "completed", "instance_cancelled": "cancelled"}
ROLLUPS = (report_case, report_task, report_phase)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class ClosedTask:
    """A user task as the rollup needs it, when it closed."""

    task_id: str
    instance_id: int
    process_id: str
    process_version_id: int
    bpmn_id: str
    title: str
    lane: str | None
    team: str | None
    state: str
    created_at: datetime
    claimed_at: datetime | None
    closed_at: datetime
    closed_by: str | None
    norm: str | None


# ---------------------------------------------------------------- the arithmetic (one place)


def clipped(pauses: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """Pauses cut to [start, end], sorted and merged (overlaps never count twice)."""
    merged: list[Interval] = []
    for a, b in sorted((max(a, start), min(b, end)) for a, b in pauses):
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _seconds(intervals: Iterable[Interval]) -> float:
    return sum((b - a).total_seconds() for a, b in intervals)


def task_row(task: ClosedTask, initiator: Iterable[tuple[str, Interval]]) -> dict[str, Any]:
    """The report_task row of a closed task; `initiator` holds (task id, open interval) of the
    case's initiator tasks (an open one up to now)."""
    pauses = clipped(
        (span for other, span in initiator if other != task.task_id),
        task.created_at,
        task.closed_at,
    )
    claimed = task.claimed_at
    started = claimed if claimed is not None else task.closed_at
    due: datetime | None = None
    within: bool | None = None
    if task.norm:
        try:
            due = norms.due_at(task.created_at, norms.parse_norm(task.norm), pauses)
        except norms.NormError:
            due = None  # a norm deploy once accepted but no longer understood: no verdict
        if due is not None and task.state == "completed":
            within = task.closed_at <= due
    return {
        "task_id": task.task_id,
        "instance_id": task.instance_id,
        "process_id": task.process_id,
        "process_version_id": task.process_version_id,
        "bpmn_id": task.bpmn_id,
        "title": task.title,
        "lane": task.lane,
        "team": task.team,
        "state": task.state,
        "created_at": task.created_at,
        "claimed_at": claimed,
        "closed_at": task.closed_at,
        "closed_month": month_of(task.closed_at),
        "closed_by": task.closed_by,
        "norm": (task.norm or None) and task.norm[:100],
        "due_at": due,
        "within_norm": within,
        "waiting_seconds": (started - task.created_at).total_seconds(),
        "working_seconds": (task.closed_at - started).total_seconds(),
        "initiator_seconds": _seconds(pauses),
    }


def phase_row(
    instance_id: int,
    process_id: str,
    version_id: int,
    phase: str,
    entered: datetime,
    left: datetime,
    initiator: Iterable[Interval],
) -> dict[str, Any]:
    gross = (left - entered).total_seconds()
    return {
        "instance_id": instance_id,
        "process_id": process_id,
        "process_version_id": version_id,
        "phase": phase,
        "entered_at": entered,
        "left_at": left,
        "left_month": month_of(left),
        "seconds": gross,
        "net_seconds": gross - _seconds(clipped(initiator, entered, left)),
    }


def case_row(
    instance_id: int,
    process_id: str,
    version_id: int,
    end_status: str,
    started: datetime,
    ended: datetime,
    initiator: Iterable[Interval],
) -> dict[str, Any]:
    gross = (ended - started).total_seconds()
    waiting = _seconds(clipped(initiator, started, ended))
    return {
        "instance_id": instance_id,
        "process_id": process_id,
        "process_version_id": version_id,
        "end_status": end_status,
        "started_at": started,
        "ended_at": ended,
        "ended_month": month_of(ended),
        "lead_seconds": gross,
        "initiator_seconds": waiting,
        "net_seconds": gross - waiting,
    }


def _norm(properties: Any) -> str | None:
    if isinstance(properties, Mapping) and properties.get("norm"):
        return str(properties["norm"])
    return None


# ---------------------------------------------------------------- kept with every step

#: built once and run as the engine runs its own statements (on_saved runs at every step)
_INSERT_TASK = insert(report_task)
_INSERT_PHASE = insert(report_phase)
_INSERT_CASE = insert(report_case)
_reported = exists().where(report_task.c.task_id == human_task.c.task_id)
_STEP_QUERY = (
    select(
        process_instance.c.process_version_id,
        process_instance.c.started_at,
        initiative.c.phase,
        initiative.c.phase_at,
        human_task.c.task_id,
        human_task.c.bpmn_id,
        human_task.c.title,
        human_task.c.lane,
        human_task.c.candidate_group,
        human_task.c.state,
        human_task.c.created_at,
        human_task.c.claimed_at,
        human_task.c.completed_at,
        human_task.c.completed_by,
        human_task.c.properties,
        _reported.label("reported"),
    )
    .select_from(process_instance)
    .outerjoin(initiative, initiative.c.instance_id == process_instance.c.id)
    .outerjoin(
        human_task,
        and_(
            human_task.c.instance_id == process_instance.c.id,
            or_(
                human_task.c.lane == literal_column(f"'{INITIATOR_LANE}'"),
                and_(human_task.c.state != literal_column("'open'"), ~_reported),
            ),
        ),
    )
    .where(process_instance.c.id == bindparam("instance_id"))
)


def on_saved(saved: SavedInstance) -> None:
    """Engine hook: add what closed in this step to the rollups (same transaction)."""
    kinds = {kind for kind, _bpmn_id, _detail in saved.events}
    ended = next((CASE_ENDED[k] for k in CASE_ENDED if k in kinds), None)
    if not (kinds & {*TASK_CLOSED, "milestone_reached"} or ended):
        return
    rows = saved.fetch(_STEP_QUERY, {"instance_id": saved.instance_id})
    if not rows:
        return
    first = rows[0]
    version_id = int(first.process_version_id)
    now = saved.at
    initiator: list[tuple[str, Interval]] = []
    closed: list[ClosedTask] = []
    for r in rows:
        if r.task_id is None:
            continue
        created = as_utc(r.created_at)
        end = as_utc(r.completed_at) if r.completed_at is not None else now
        if r.lane == INITIATOR_LANE:
            initiator.append((r.task_id, (created, end)))
        if r.state != "open" and not r.reported:
            closed.append(
                ClosedTask(
                    task_id=r.task_id,
                    instance_id=saved.instance_id,
                    process_id=saved.process_id,
                    process_version_id=version_id,
                    bpmn_id=r.bpmn_id,
                    title=r.title,
                    lane=r.lane,
                    team=r.candidate_group,
                    state=r.state,
                    created_at=created,
                    claimed_at=None if r.claimed_at is None else as_utc(r.claimed_at),
                    closed_at=end,
                    closed_by=r.completed_by,
                    norm=_norm(r.properties),
                )
            )
    if closed:
        # a task that is open in the database but already reported cannot occur; an
        # initiator task still open is only a pause, not a closed task
        for t in closed:
            saved.execute(_INSERT_TASK, task_row(t, initiator))
    spans = [span for _id, span in initiator]
    phases: list[dict[str, Any]] = []
    current = (first.phase, None if first.phase_at is None else as_utc(first.phase_at))
    for kind, _bpmn_id, detail in saved.events:
        if kind == "milestone_reached" and detail.get("milestone"):
            if current[0] and current[1] is not None:
                phases.append(
                    phase_row(
                        saved.instance_id,
                        saved.process_id,
                        version_id,
                        current[0],
                        current[1],
                        now,
                        spans,
                    )
                )
            current = (str(detail["milestone"])[:40], now)
    if ended is not None:
        if current[0] and current[1] is not None:
            phases.append(
                phase_row(
                    saved.instance_id,
                    saved.process_id,
                    version_id,
                    current[0],
                    current[1],
                    now,
                    spans,
                )
            )
        saved.execute(
            _INSERT_CASE,
            case_row(
                saved.instance_id,
                saved.process_id,
                version_id,
                ended,
                as_utc(first.started_at),
                now,
                spans,
            ),
        )
    for phase in phases:
        saved.execute(_INSERT_PHASE, phase)


# ---------------------------------------------------------------- recomputed from the events


@dataclass
class _Task:
    created: datetime
    bpmn_id: str
    title: str
    lane: str | None
    claimed: datetime | None = None
    closed: datetime | None = None
    state: str = "open"
    closed_by: str | None = None


def _instance_rows(
    instance_id: int,
    process_id: str,
    version_id: int,
    events: Sequence[Any],
    statics: Mapping[str, tuple[str | None, str | None]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any] | None]:
    """The rollup rows of one case from its events, in order (task norm and team from
    `statics`: what the task's definition said when it was created)."""
    tasks: dict[str, _Task] = {}
    started: datetime | None = None
    ended: tuple[str, datetime] | None = None
    milestones: list[tuple[str, datetime]] = []
    for e in events:
        at = as_utc(e.at)
        detail = e.detail or {}
        if e.type == "instance_started":
            started = at
        elif e.type == "task_created" and e.task_id:
            tasks[e.task_id] = _Task(
                at, e.bpmn_id or "", str(detail.get("title", "")), detail.get("lane")
            )
            if detail.get("assignee"):  # given to someone from the start (the case's casist)
                tasks[e.task_id].claimed = at
        elif e.type in ("task_claimed", "task_reassigned") and e.task_id in tasks:
            tasks[e.task_id].claimed = at if detail.get("assignee") else None
        elif e.type == "task_released" and e.task_id in tasks:
            tasks[e.task_id].claimed = None
        elif e.type in TASK_CLOSED and e.task_id in tasks:
            task = tasks[e.task_id]
            task.closed = at
            task.state = "completed" if e.type == "task_completed" else "cancelled"
            task.closed_by = e.actor if e.type == "task_completed" else None
        elif e.type == "milestone_reached" and detail.get("milestone"):
            milestones.append((str(detail["milestone"])[:40], at))
        elif e.type in CASE_ENDED and ended is None:
            ended = (CASE_ENDED[e.type], at)
    initiator: list[tuple[str, Interval]] = []
    for task_id, t in tasks.items():
        if t.lane == INITIATOR_LANE:
            initiator.append((task_id, (t.created, t.closed or _OPEN_END)))
    task_rows = []
    for task_id, t in tasks.items():
        if t.closed is None:
            continue
        norm, team = statics.get(task_id, (None, None))
        closed = ClosedTask(
            task_id=task_id,
            instance_id=instance_id,
            process_id=process_id,
            process_version_id=version_id,
            bpmn_id=t.bpmn_id,
            title=t.title,
            lane=t.lane,
            team=team,
            state=t.state,
            created_at=t.created,
            claimed_at=t.claimed,
            closed_at=t.closed,
            closed_by=t.closed_by,
            norm=norm,
        )
        task_rows.append(task_row(closed, initiator))
    spans = [span for _id, span in initiator]
    phase_rows = []
    for (phase, entered), nxt in zip(milestones, [*milestones[1:], None], strict=True):
        left = nxt[1] if nxt is not None else (ended[1] if ended else None)
        if left is not None:
            phase_rows.append(
                phase_row(instance_id, process_id, version_id, phase, entered, left, spans)
            )
    case = None
    if ended is not None and started is not None:
        case = case_row(instance_id, process_id, version_id, ended[0], started, ended[1], spans)
    return task_rows, phase_rows, case


def compute(conn: Connection, batch: int = 500) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every rollup row from the events, as (table name, row), case by case."""
    instances = conn.execute(
        select(
            process_instance.c.id,
            process_instance.c.process_id,
            process_instance.c.process_version_id,
        ).order_by(process_instance.c.id)
    ).all()
    for offset in range(0, len(instances), batch):
        chunk = instances[offset : offset + batch]
        ids = [int(i.id) for i in chunk]
        by_instance: dict[int, list[Any]] = defaultdict(list)
        for e in conn.execute(
            select(
                event.c.instance_id,
                event.c.type,
                event.c.at,
                event.c.actor,
                event.c.task_id,
                event.c.bpmn_id,
                event.c.detail,
            )
            .where(event.c.instance_id.in_(ids))
            .order_by(event.c.instance_id, event.c.id)
        ):
            by_instance[int(e.instance_id)].append(e)
        statics = {
            r.task_id: (_norm(r.properties), r.candidate_group)
            for r in conn.execute(
                select(
                    human_task.c.task_id, human_task.c.properties, human_task.c.candidate_group
                ).where(human_task.c.instance_id.in_(ids))
            )
        }
        for i in chunk:
            tasks, phases, case = _instance_rows(
                int(i.id), i.process_id, int(i.process_version_id), by_instance[int(i.id)], statics
            )
            for row in tasks:
                yield "report_task", row
            for row in phases:
                yield "report_phase", row
            if case is not None:
                yield "report_case", case


def rebuild(engine: Engine) -> dict[str, int]:
    """Use case (`wegwijs reports rebuild`): recompute every rollup from the events, in one
    transaction; returns the rows written per table."""
    counts = {t.name: 0 for t in ROLLUPS}
    tables = {t.name: t for t in ROLLUPS}
    with engine.transaction() as uow:
        conn = uow.connection
        for table in ROLLUPS:
            conn.execute(delete(table))
        pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for name, row in compute(conn):
            pending[name].append(row)
            counts[name] += 1
            if len(pending[name]) >= 1000:
                conn.execute(insert(tables[name]), pending.pop(name))
        for name, rows in pending.items():
            if rows:
                conn.execute(insert(tables[name]), rows)
    return counts


def backfill(engine: Engine) -> bool:
    """Fill empty rollups from the events (a database from before the reports, at start-up);
    one cheap read when they are filled or there is nothing to fill."""
    with engine.reading() as conn:
        filled = conn.execute(select(report_task.c.task_id).limit(1)).first() is not None
        filled = (
            filled or conn.execute(select(report_case.c.instance_id).limit(1)).first() is not None
        )
        if filled:
            return False
        closed = conn.execute(
            select(human_task.c.task_id).where(human_task.c.state != "open").limit(1)
        ).first()
    if closed is None:
        return False
    rebuild(engine)
    return True


def differences(engine: Engine) -> dict[str, tuple[int, int, int]]:
    """What the rollups hold that a rebuild would not, per table: (rows kept, rows a rebuild
    gives, rows that differ either way). All zero differences: the rollups equal a rebuild."""
    with engine.reading() as conn:
        wanted: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for name, row in compute(conn):
            wanted[name].append(row)
        out: dict[str, tuple[int, int, int]] = {}
        for table in ROLLUPS:
            columns = [c.name for c in table.columns if c.name != "id"]
            kept = {
                _key(dict(r._mapping), columns)
                for r in conn.execute(select(*[table.c[c] for c in columns]))
            }
            computed = {_key(r, columns) for r in wanted[table.name]}
            out[table.name] = (len(kept), len(computed), len(kept ^ computed))
    return out


def _key(row: Mapping[str, Any], columns: Sequence[str]) -> tuple[Any, ...]:
    out: list[Any] = []
    for c in columns:
        value = row.get(c)
        if isinstance(value, datetime):
            value = as_utc(value).isoformat()
        elif isinstance(value, float):
            value = round(value, 3)
        out.append(value)
    return tuple(out)


def count_rows(conn: Connection) -> dict[str, int]:
    return {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in ROLLUPS
    }
