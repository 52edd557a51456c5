"""The worklist: the queues of Mijn taken and Team, one page and both counts per read.

A user sees an open task in the team queue when its lane is one of their roles (and its team
one of theirs, when it has one; a `teamleider` sees every task of the lanes they hold). What
people do with a task is `workflows.tasks`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, and_, bindparam, func, select, union_all

from engine import Engine, as_utc
from engine.readmodel import TASK_IS_OPEN, human_task
from workflows import labels, norms
from workflows.accounts import User
from workflows.pages import Page
from workflows.roles import LANE_ROLES, ROLES, TEAM_LEAD, lacks_team
from workflows.tables import app_user, initiative


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
    assignee_name: str | None = None  # who holds it, by name

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
    # as text: the page needs only this part of the properties
    human_task.c.properties["context_values"].as_string().label("context_values"),
    human_task.c.candidate_group,
    initiative.c.zaaknummer,
    initiative.c.title.label("initiative_title"),
    app_user.c.display_name.label("assignee_name"),
)


#: rows per worklist page: a screenful or two; the next page is one click away
WORKLIST_PAGE_SIZE = 25
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
    history or however long a queue the database holds.
    """
    page = min(max(1, page), MAX_PAGE)
    shape, params = _queue(user)
    now = engine.now()
    params.update(me=user.username, wanted=page * WORKLIST_PAGE_SIZE + 1)
    counts = _counts(*shape)
    with engine.statement_reads() as reads:
        rows: list[Any] = []
        if tab == "mine" or any(shape):
            query = _mine_query(*shape) if tab == "mine" else _team_query(*shape)
            rows = reads.all(query, params)
        # each row carries the counts (the database works them out once); no rows, no counts
        counted = rows[0][-len(counts) :] if rows else reads.all(_counts_query(*shape), params)[0]
    rows = rows[(page - 1) * WORKLIST_PAGE_SIZE :]
    items = tuple(item_of(r, now) for r in rows[:WORKLIST_PAGE_SIZE])
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


@functools.lru_cache(maxsize=128)  # a statement per queue shape (immutable, no engine state)
def _counts_query(whole: int, scoped: int, teams: int) -> Any:
    """The counts alone (for a page without rows)."""
    return select(*_counts(whole, scoped, teams))


@functools.lru_cache(maxsize=128)  # a statement per queue shape (immutable, no engine state)
def _mine_query(whole: int, scoped: int, teams: int) -> Any:
    """My open tasks, oldest first, read in the order of the open-assignee index (with the
    counts of this shape of team queue as the last columns)."""
    return (
        select(*_ITEM_COLUMNS, human_task.c.id, *_counts(whole, scoped, teams))
        .outerjoin(initiative, initiative.c.instance_id == human_task.c.instance_id)
        .outerjoin(app_user, app_user.c.username == human_task.c.assignee)
        .where(TASK_IS_OPEN, human_task.c.assignee == bindparam("me"))
        .order_by(human_task.c.created_at, human_task.c.id)
        .limit(bindparam("wanted", type_=Integer))
    )


@functools.lru_cache(maxsize=128)  # a statement per queue shape (immutable, no engine state)
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
        .outerjoin(app_user, app_user.c.username == human_task.c.assignee)
        .order_by(page.c.created_at, page.c.id)
    )


def _capped_count(condition: Any) -> Any:
    capped = select(human_task.c.id).where(TASK_IS_OPEN, condition).limit(COUNT_CAP).subquery()
    return select(func.count()).select_from(capped).scalar_subquery()


@functools.lru_cache(maxsize=128)  # a statement per queue shape (immutable, no engine state)
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


def item_of(r: Any, now: datetime) -> WorkItem:
    """A worklist row from a task row joined with its initiative."""
    due = as_utc(r.due_at) if r.due_at else None
    return WorkItem(  # positional, in WorkItem's order: 25 per page view
        r.task_id,
        int(r.instance_id),
        r.zaaknummer,
        r.initiative_title or "",
        r.bpmn_id,
        r.title,
        labels.context(_context_values(r)),
        r.lane,
        r.assignee,
        as_utc(r.created_at),
        due,
        norms.urgency(due, now),
        r.candidate_group,
        getattr(r, "assignee_name", None),
    )


def _context_values(r: Any) -> Any:
    """The task's context values: from the page statement as JSON text, else from its properties."""
    text = getattr(r, "context_values", None)
    if text is not None:
        return json.loads(text) if isinstance(text, str) else text
    return (getattr(r, "properties", None) or {}).get("context_values")
