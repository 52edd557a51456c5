"""The worklist: Mijn taken and Team queues, claim / release / reassign, and the task page
(form, draft, complete) — with who may do what checked here, not in the views.

A user may see and act on an open task when the task's lane is one of their roles. Completing
needs the task to be theirs or nobody's (an unassigned task is claimed in the same transaction).
A `teamleider` may give open tasks of the lanes they hold to someone else.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    union_all,
)

from engine import Engine
from engine.clock import as_utc
from engine.persistence.prepared import PreparedRead
from engine.persistence.tables import TASK_IS_OPEN, human_task, process_instance
from workflows import forms, initiatives
from workflows.accounts import User, get_user, list_users
from workflows.errors import (
    ConflictError,
    EngineError,
    InstanceStateError,
    NotFoundError,
    TaskNotAllowedError,
)
from workflows.initiatives import Page
from workflows.roles import (
    LANE_ROLES,
    ROLES,
    TEAM_LEAD,
    acting_lanes,
    lacks_team,
    may_act,
)
from workflows.tables import initiative, task_draft


class WorkItem(NamedTuple):
    """One open task as a worklist row shows it (a tuple: 25 are built per page view)."""

    task_id: str
    instance_id: int
    zaaknummer: str | None
    initiative_title: str
    bpmn_id: str
    title: str
    context: str
    lane: str | None
    assignee: str | None
    created_at: datetime
    due_at: datetime | None
    urgency: str | None  # overdue / near_due / None
    group: str | None = None  # the team within the lane the task is for (None: the whole lane)

    @property
    def lane_label(self) -> str:
        return ROLES.get(self.lane or "", self.lane or "–")


@dataclass(frozen=True)
class Counts:
    """How many open tasks each tab holds (at most COUNT_CAP)."""

    mine: int
    team: int


_ITEM_COLUMNS = (
    human_task.c.task_id,
    human_task.c.instance_id,
    human_task.c.bpmn_id,
    human_task.c.title,
    human_task.c.lane,
    human_task.c.assignee,
    human_task.c.created_at,
    human_task.c.due_at,
    # as text: many rows share one, and `_context` reads each text once
    human_task.c.properties["context_values"].as_string().label("context_values"),
    human_task.c.candidate_group,
    initiative.c.zaaknummer,
    initiative.c.title.label("initiative_title"),
)


#: rows per worklist page: a screenful or two; the next page is one click away
WORKLIST_PAGE_SIZE = 25
#: a draft is what one person typed into one form
MAX_DRAFT_BYTES = 64 * 1024
#: deeper pages are not served: each page reads its predecessors' rows through the index
MAX_PAGE = 40
#: counts above this show as "99+" (counting stays cheap however long a queue gets)
COUNT_CAP = 100


@dataclass(frozen=True)
class Worklist:
    """One tab of the worklist: a page of tasks and the counts of both tabs."""

    tab: str  # "mine" or "team"
    page: Page[WorkItem]
    counts: Counts
    lacks_team: bool = False  # holds a team lane (vakspecialist) without being in any team


def worklist(engine: Engine, user: User, tab: str, page: int = 1) -> Worklist:
    """Use case: a page of Mijn taken ("mine") or Team ("team"), plus both counts, in one read.

    Every statement walks the partial indexes of open tasks in their order and stops after
    the page (or after COUNT_CAP for the counts), so the page costs the same however much
    history or however long a queue the database holds. The statements are built once per
    shape (lanes, teams) and reused, so SQLAlchemy's compiled cache always hits.
    """
    page = min(max(1, page), MAX_PAGE)
    shape, params = _queue(user)
    now = engine.now()
    params.update(me=user.username, wanted=page * WORKLIST_PAGE_SIZE + 1)
    dialect = engine.db.dialect
    counts = _counts(*shape)
    with engine.statement_reads() as conn:
        rows: list[Any] = []
        if tab == "mine" or any(shape):
            query = _mine_query(*shape) if tab == "mine" else _team_query(*shape)
            rows = _prepared(dialect, query).all(conn, params)
        # each row carries the counts (the database works them out once); no rows, no counts
        if rows:
            counted = rows[0][-len(counts) :]
        else:
            counted = _prepared(dialect, _counts_query(*shape)).all(conn, params)[0]
    rows = rows[(page - 1) * WORKLIST_PAGE_SIZE :]
    items = tuple(_item(r, now) for r in rows[:WORKLIST_PAGE_SIZE])
    team = int(counted[1]) if len(counted) > 1 else 0  # no lanes, no team queue
    return Worklist(
        tab,
        Page(items, page, len(rows) > WORKLIST_PAGE_SIZE),
        Counts(int(counted[0]), team),
        lacks_team=lacks_team(user.roles, user.teams),
    )


def _queue(user: User) -> tuple[tuple[int, int, int], dict[str, Any]]:
    """The shape of a user's team queue and its parameters.

    A team lead sees every task of the lanes they hold ("whole" lanes); anyone else sees, per
    lane, the tasks without a team plus those for each of their teams ("scoped" lanes).
    """
    lanes = sorted(user.roles & LANE_ROLES)
    params: dict[str, Any] = {}
    if TEAM_LEAD in user.roles:
        params.update({f"whole{i}": lane for i, lane in enumerate(lanes)})
        return (len(lanes), 0, 0), params
    teams = sorted(user.teams) if lanes else []
    params.update({f"lane{i}": lane for i, lane in enumerate(lanes)})
    params.update({f"team{j}": team for j, team in enumerate(teams)})
    return (0, len(lanes), len(teams)), params


def _queue_parts(whole: int, scoped: int, teams: int) -> list[tuple[Any, bool]]:
    """One condition per index range of the queue: (lane, no team), (lane, team), and for a
    whole lane (lane, any team) — only that last part is sorted, the others are read in order.
    Each comes with whether all its tasks have one candidate group (no team, or one team)."""
    lane, group = human_task.c.lane, human_task.c.candidate_group
    parts = []
    for i in range(whole):
        parts.append((and_(lane == bindparam(f"whole{i}"), group.is_(None)), True))
        parts.append((and_(lane == bindparam(f"whole{i}"), group.is_not(None)), False))
    for i in range(scoped):
        parts.append((and_(lane == bindparam(f"lane{i}"), group.is_(None)), True))
        parts.extend(
            (and_(lane == bindparam(f"lane{i}"), group == bindparam(f"team{j}")), True)
            for j in range(teams)
        )
    return parts


def _index_order(one_group: bool) -> tuple[Any, ...]:
    """Oldest first, in the order of the open-lane index.

    Within one candidate group, ordering by the group first changes nothing, but it lets
    PostgreSQL read `group IS NULL` in the order of the open-lane index: its planner does not
    count IS NULL as fixing the column, and would otherwise sort the whole lane (10 ms instead
    of 0.1 ms for 2,000 open casist tasks). SQLite reads the index in order either way.
    """
    order: tuple[Any, ...] = (human_task.c.created_at, human_task.c.id)
    return (human_task.c.candidate_group, *order) if one_group else order


@functools.lru_cache(maxsize=64)  # per database engine's dialect and statement (built once)
def _prepared(dialect: Any, query: Any) -> PreparedRead:
    return PreparedRead(query, dialect)


@functools.cache
def _counts_query(whole: int, scoped: int, teams: int) -> Any:
    """The counts alone (for a page without rows)."""
    return select(*_counts(whole, scoped, teams))


@functools.cache
def _mine_query(whole: int, scoped: int, teams: int) -> Any:
    """My open tasks, oldest first, read in the order of the open-assignee index (with the
    counts of this shape of team queue as the last columns)."""
    return (
        select(*_ITEM_COLUMNS, human_task.c.id, *_counts(whole, scoped, teams))
        .outerjoin(initiative, initiative.c.instance_id == human_task.c.instance_id)
        .where(TASK_IS_OPEN, human_task.c.assignee == bindparam("me"))
        .order_by(human_task.c.created_at, human_task.c.id)
        .limit(bindparam("wanted", type_=Integer))
    )


@functools.cache
def _team_query(whole: int, scoped: int, teams: int) -> Any:
    """The page's task ids from each part of the queue, read in index order and merged (no
    sort over the whole queue), then only those tasks joined with their rows and initiatives
    (with the counts as the last columns).

    The parts read just (created_at, id) from the open-lane index; joining afterwards touches
    the 26 rows shown instead of up to 26 per part. That keeps the page as fast with years of
    closed history, whose rows lie between the open ones in the tables.
    """
    keys = [
        select(human_task.c.created_at, human_task.c.id)
        .where(TASK_IS_OPEN, condition)
        .order_by(*_index_order(one_group))
        .limit(bindparam("wanted", type_=Integer))
        .subquery()
        for condition, one_group in _queue_parts(whole, scoped, teams)
    ]
    merged = union_all(*(select(part) for part in keys)).subquery()
    page = (
        select(merged.c.created_at, merged.c.id)
        .order_by(merged.c.created_at, merged.c.id)
        .limit(bindparam("wanted", type_=Integer))
        .subquery("page")
    )
    return (
        select(*_ITEM_COLUMNS, human_task.c.id, *_counts(whole, scoped, teams))
        .select_from(page)
        .join(human_task, human_task.c.id == page.c.id)
        .outerjoin(initiative, initiative.c.instance_id == human_task.c.instance_id)
        .order_by(page.c.created_at, page.c.id)
    )


def _capped_count(condition: Any) -> Any:
    capped = select(human_task.c.id).where(TASK_IS_OPEN, condition).limit(COUNT_CAP).subquery()
    return select(func.count()).select_from(capped).scalar_subquery()


@functools.cache
def _counts(whole: int, scoped: int, teams: int) -> tuple[Any, ...]:
    """Mine and the team queue's, each capped: scalar subqueries that do not depend on the
    row, so a page statement can carry them as its last columns.

    The team queue is counted over its parts in a row, and the count stops at COUNT_CAP
    wherever it gets there: a long first part spares reading the others.
    """
    mine = _capped_count(human_task.c.assignee == bindparam("me"))
    parts = [c for c, _ in _queue_parts(whole, scoped, teams)]
    if not parts:
        return (mine,)
    ids = union_all(*(select(human_task.c.id).where(TASK_IS_OPEN, c) for c in parts))
    capped = select(ids.subquery().c.id).limit(COUNT_CAP).subquery()
    return (mine, select(func.count()).select_from(capped).scalar_subquery())


def _item(r: Any, now: datetime) -> WorkItem:
    due = as_utc(r.due_at) if r.due_at else None
    return WorkItem(  # positional, in WorkItem's order: 25 per page view
        r.task_id,
        int(r.instance_id),
        r.zaaknummer,
        r.initiative_title or "",
        r.bpmn_id,
        r.title,
        _context(r.context_values),
        r.lane,
        r.assignee,
        as_utc(r.created_at),
        due,
        initiatives.urgency(due, now),
        r.candidate_group,
    )


@functools.lru_cache(maxsize=1024)
def _context(text: str | None) -> str:
    """A short label from the task's context values, given as JSON text (e.g. the aspect of
    an assessment): "BELEIDSFIT (BELEID)"."""
    values = json.loads(text) if text else None
    if not isinstance(values, dict):
        return ""
    parts = []
    for value in values.values():
        if isinstance(value, dict):
            label = value.get("code") or value.get("name")
            team = value.get("team")
            parts.append(f"{label} ({team})" if label and team else str(label or team or ""))
        elif value not in (None, ""):
            parts.append(str(value))
    return ", ".join(p for p in parts if p)


# ---------------------------------------------------------------- claim, release, reassign


def _open_task(conn: Any, task_id: str) -> Any:
    row = conn.execute(
        select(
            *_ITEM_COLUMNS,
            human_task.c.state,
            human_task.c.properties,
            process_instance.c.status.label("case_status"),
        )
        .join(process_instance, process_instance.c.id == human_task.c.instance_id)
        .outerjoin(initiative, initiative.c.instance_id == human_task.c.instance_id)
        .where(human_task.c.task_id == task_id)
    ).first()
    if row is None:
        raise NotFoundError("Deze taak bestaat niet.")
    return row


def _check_lane(user: User, row: Any) -> None:
    """The user may act on this task: its lane is theirs, and its team too when it has one."""
    mine = row.assignee == user.username
    if may_act(user.roles, user.teams, row.lane, row.candidate_group, assigned=mine):
        return
    if row.lane is None:
        raise TaskNotAllowedError(f"U mag taak '{row.title}' niet uitvoeren.")
    if row.lane not in acting_lanes(user.roles):
        raise TaskNotAllowedError(
            f"Taak '{row.title}' hoort bij de rol '{ROLES.get(row.lane, row.lane)}'; "
            "die rol heeft u niet."
        )
    raise TaskNotAllowedError(
        f"Taak '{row.title}' is voor team {row.candidate_group}; daar bent u geen lid van. "
        "Een teamleider kan de taak aan u toewijzen als dat nodig is."
    )


def claim(engine: Engine, user: User, task_id: str) -> None:
    """Use case: take a task of one's team."""
    with engine.transaction() as uow:
        row = _open_task(uow.connection, task_id)
        _check_lane(user, row)
        engine.claim_task(task_id, user.username, uow=uow)


def release(engine: Engine, user: User, task_id: str) -> None:
    """Use case: put one's task back in the team queue (a team lead may release any)."""
    with engine.transaction() as uow:
        row = _open_task(uow.connection, task_id)
        _check_lane(user, row)
        if row.assignee is None:
            return  # already in the team queue: nothing to record
        if row.assignee != user.username and TEAM_LEAD not in user.roles:
            raise TaskNotAllowedError(
                f"Taak '{row.title}' is van {row.assignee or 'niemand'}; alleen die persoon of "
                "een teamleider kan haar terugleggen."
            )
        engine.release_task(task_id, user.username, uow=uow)


def reassign(engine: Engine, user: User, task_id: str, to_username: str) -> None:
    """Use case: a team lead gives an open task to a colleague who holds its role."""
    if TEAM_LEAD not in user.roles:
        raise TaskNotAllowedError("Alleen een teamleider kan taken aan een ander toewijzen.")
    target = get_user(engine, to_username)
    if target is None:
        raise NotFoundError(f"Gebruiker '{to_username}' bestaat niet of is niet actief.")
    with engine.transaction() as uow:
        row = _open_task(uow.connection, task_id)
        _check_lane(user, row)
        if row.lane and row.lane not in acting_lanes(target.roles):
            raise TaskNotAllowedError(
                f"{target.display_name} heeft de rol '{ROLES.get(row.lane, row.lane)}' niet en kan "
                f"taak '{row.title}' dus niet uitvoeren."
            )
        engine.reassign_task(task_id, target.username, user.username, uow=uow)


def known_teams(engine: Engine) -> frozenset[str]:
    """The teams tasks have been for so far (to catch a mistyped team name when one is given)."""
    with engine.reading() as conn:
        found = conn.execute(
            select(human_task.c.candidate_group)
            .where(human_task.c.candidate_group.is_not(None))
            .distinct()
        ).scalars()
        return frozenset(str(team) for team in found)


def assignable_users(engine: Engine, lane: str | None, group: str | None = None) -> list[User]:
    """The active users who may be given a task of this lane: the task's team first."""
    found = [u for u in list_users(engine) if u.active and may_act(u.roles, u.teams, lane, None)]
    return sorted(found, key=lambda u: group is not None and group not in u.teams)


# ---------------------------------------------------------------- the task page


@dataclass(frozen=True)
class TaskPage:
    """Everything the task page shows."""

    item: WorkItem
    key_data: tuple[tuple[str, str], ...]
    description: str
    fields: tuple[forms.FieldSpec, ...]
    values: Mapping[str, Any]
    errors: Mapping[str, str]
    draft_saved_at: datetime | None
    mine: bool
    can_reassign: bool
    on_behalf_of: str | None = None  # the lane's label when filled in for someone without account
    case_problem: str | None = None  # why it cannot be completed now (e.g. the case is in error)


def open_task(engine: Engine, user: User, task_id: str) -> TaskPage:
    """Use case: the task page, with a saved draft or else the case's current values."""
    with engine.reading() as conn:
        row = _open_task(conn, task_id)
        draft = conn.execute(select(task_draft).where(task_draft.c.task_id == task_id)).first()
    _check_lane(user, row)
    if row.state != "open":
        raise ConflictError(
            f"Taak '{row.title}' is niet meer open"
            f"{' (afgerond)' if row.state == 'completed' else ''}; er is niets meer te doen."
        )
    schema = engine.task_form(task_id) or {"type": "object", "properties": {}}
    specs = tuple(forms.fields(schema))
    seen = engine.task_data(task_id)  # this task's own data, not a sibling's newer answers
    if draft is not None:
        values: Mapping[str, Any] = dict(draft.data)
    else:
        values = {s.name: _as_form_value(seen.get(s.name)) for s in specs if s.name in seen}
    return TaskPage(
        key_data=initiatives.key_data(seen),
        item=_item(row, engine.now()),
        description=str(schema.get("description") or ""),
        fields=specs,
        values=values,
        errors={},
        draft_saved_at=as_utc(draft.saved_at) if draft is not None else None,
        mine=row.assignee == user.username,
        can_reassign=TEAM_LEAD in user.roles,
        on_behalf_of=ROLES.get(row.lane) if row.lane and row.lane not in user.roles else None,
        case_problem=case_problem(row.case_status),
    )


def _as_form_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)).replace(".", ",")
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return value


def as_typed(raw: forms.RawForm) -> dict[str, Any]:
    """What was typed, as the form shows it again (one string per field, lists for multi-selects)."""
    return {
        k: (v if isinstance(v, str) else v[0] if len(v) == 1 else list(v))
        for k, v in raw.items()
        if k != "csrf_token"
    }


@dataclass(frozen=True)
class Submission:
    """The outcome of submitting a task form: done, the page again with the errors, or refused
    (the task changed meanwhile) with what was typed."""

    done: bool
    page: TaskPage | None = None
    instance_id: int | None = None
    refused: str | None = None
    kept: tuple[tuple[str, str], ...] = ()


def save_draft(engine: Engine, user: User, task_id: str, raw: forms.RawForm) -> None:
    """Use case: keep what was typed so far, unchecked, for later (claiming a free task)."""
    data = as_typed(raw)
    size = len(json.dumps(data))
    if size > MAX_DRAFT_BYTES:
        raise EngineError(
            f"Het concept is te groot om op te slaan ({size // 1024} kB; maximaal "
            f"{MAX_DRAFT_BYTES // 1024} kB). Kort de tekst in of rond de taak af."
        )
    with engine.transaction() as uow:
        conn = uow.connection
        row = _open_task(conn, task_id)
        _check_lane(user, row)
        _check_still_open(row, user)
        if row.assignee is None:  # a draft is someone's work in progress: take the task
            engine.claim_task(task_id, user.username, uow=uow)
        conn.execute(delete(task_draft).where(task_draft.c.task_id == task_id))
        conn.execute(
            insert(task_draft).values(
                task_id=task_id, data=data, saved_by=user.username, saved_at=engine.now()
            )
        )


def complete(engine: Engine, user: User, task_id: str, raw: forms.RawForm) -> Submission:
    """Use case: validate the form and complete the task in one transaction.

    Wrong input gives the page again with the errors; a task that changed meanwhile (completed,
    reassigned, its case in error) gives the reason plus what was typed, so nothing is lost.
    """
    with engine.reading() as conn:
        row = _open_task(conn, task_id)
    schema = engine.task_form(task_id) or {"type": "object", "properties": {}}
    try:
        _check_lane(user, row)
        _check_still_open(row, user, completing=True)
        result = forms.clean(schema, raw)
        if result.errors:
            page = dataclasses.replace(
                open_task(engine, user, task_id),
                values=as_typed(raw),
                errors={e.field: e.message for e in result.errors},
            )
            return Submission(done=False, page=page)
        with engine.transaction() as uow:
            conn = uow.connection
            row = _open_task(conn, task_id)
            _check_still_open(row, user, completing=True)
            if row.assignee is None:
                engine.claim_task(task_id, user.username, uow=uow)
            summary = engine.complete_task(
                task_id, result.data, actor=user.username, lanes=acting_lanes(user.roles), uow=uow
            )
            conn.execute(delete(task_draft).where(task_draft.c.task_id == task_id))
    except (ConflictError, InstanceStateError) as exc:
        return Submission(done=False, refused=str(exc), kept=_kept(schema, raw))
    return Submission(done=True, instance_id=summary.id)


def _kept(schema: Mapping[str, Any], raw: forms.RawForm) -> tuple[tuple[str, str], ...]:
    """What was typed, as (field title, text), to show back when a submission was refused."""
    titles = {spec.name: spec.title for spec in forms.fields(schema)}
    typed = as_typed(raw)
    return tuple(
        (
            titles.get(name, name),
            ", ".join(map(str, value)) if isinstance(value, list) else str(value),
        )
        for name, value in typed.items()
        if name in titles and value not in ("", [])
    )


def _check_still_open(row: Any, user: User, completing: bool = False) -> None:
    if row.state != "open":
        raise ConflictError(
            f"Taak '{row.title}' is intussen al afgerond of vervallen; uw invoer is niet verwerkt."
        )
    if row.assignee not in (None, user.username):
        raise ConflictError(
            f"Taak '{row.title}' is intussen toegewezen aan {row.assignee}; uw invoer is niet "
            "verwerkt. Vraag de teamleider als u haar toch wilt doen."
        )
    problem = case_problem(row.case_status) if completing else None
    if problem:
        raise InstanceStateError(problem)


def case_problem(status: str) -> str | None:
    """Why tasks of a case with this status cannot be completed now, in Dutch (or None)."""
    if status == "errored":
        return (
            "Deze zaak staat in fout; afronden kan pas als de beheerder haar heeft hersteld. "
            "Sla uw invoer zo lang op als concept."
        )
    if status in ("completed", "cancelled"):
        return "Deze zaak is al afgesloten; deze taak hoeft niet meer te worden gedaan."
    return None
