"""The dashboard's figures for one period and filter: cases in and out per month, lead times
(median, p80, p90; gross and net of waiting on the initiator) overall and per phase, % within
norm per norm, waiting versus working time per task, a second period beside the first, work
about to pass its norm, and the workload per person and team.

Everything closed is read from the rollups (`rollups`), only for the months asked; open work
from `human_task` (its partial index on open tasks), so a page costs the same however long the
history grows. The web dashboard and `wegwijs report` both call `dashboard()`.

One module (~660 lines, a third of it the result types) because every figure is cut by the
same filter and period helpers (`_case_conditions`, `_scope`, `_window`); split per figure,
each part would import all of them back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select

from engine import Engine, as_utc
from engine.readmodel import TASK_IS_OPEN, human_task, process_instance, process_version
from workflows import norms
from workflows.reports import labels
from workflows.reports.periods import Period, last_months, month_label, month_of
from workflows.reports.rollups import INITIATOR_LANE, clipped
from workflows.reports.stats import DAY, Durations, share
from workflows.tables import app_user, initiative, report_case, report_phase, report_task

#: phases a case ends in: no time is spent there
FINAL_PHASES = frozenset({"afgerond"})
#: open work that passes its norm within this many working days is "about to breach"
BREACH_WORKING_DAYS = 5
#: ages of open work, in calendar days: up to 7, 8–14, 15–30, more
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 14), (15, 30), (31, None))
BREACH_LIMIT = 100


@dataclass(frozen=True)
class Filter:
    """What the figures are about; empty strings mean "all"."""

    period: Period
    compare: Period | None = None
    process_id: str = ""
    version: int | None = None
    category: str = ""
    gebied: str = ""
    wijk: str = ""
    team: str = ""  # an aspect team, or a lane
    breach_days: int = BREACH_WORKING_DAYS

    @classmethod
    def default(cls, now: datetime) -> Filter:
        period = last_months(now, 12)
        return cls(period=period, compare=period.before())


@dataclass(frozen=True)
class MonthFlow:
    month: str
    label: str
    started: int
    completed: int
    cancelled: int


@dataclass(frozen=True)
class PhaseTime:
    phase: str
    label: str
    gross: Durations
    net: Durations


@dataclass(frozen=True)
class NormRow:
    """One norm of one task type: how many of its completions were within it (net)."""

    bpmn_id: str
    title: str
    norm: str
    count: int
    within: int

    @property
    def share(self) -> float | None:
        return share(self.within, self.count)


@dataclass(frozen=True)
class SplitRow:
    """Waiting (created → claimed) versus working (claimed → completed) for one task type."""

    bpmn_id: str
    title: str
    count: int
    waiting: Durations
    working: Durations

    @property
    def waiting_share(self) -> float | None:
        w, k = self.waiting.median or 0.0, self.working.median or 0.0
        return share(int(w), int(w + k)) if (w + k) > 0 else None


@dataclass(frozen=True)
class Comparison:
    """One phase or team in two periods: where the time went."""

    kind: str  # "phase" or "team"
    key: str
    label: str
    first: Durations
    second: Durations

    @property
    def change_days(self) -> float | None:
        if self.first.median is None or self.second.median is None:
            return None
        return (self.first.median - self.second.median) / DAY


@dataclass(frozen=True)
class OpenItem:
    """Open work that passes its norm soon (or has passed it)."""

    task_id: str
    instance_id: int
    zaaknummer: str
    case_title: str
    title: str
    team: str
    holder: str | None
    due_at: datetime
    working_days_left: int

    @property
    def overdue(self) -> bool:
        return self.working_days_left < 0


@dataclass(frozen=True)
class Load:
    """Open work of one person or team, by age."""

    key: str
    label: str
    buckets: tuple[int, ...]
    oldest_days: int

    @property
    def total(self) -> int:
        return sum(self.buckets)


@dataclass(frozen=True)
class Window:
    """The closed-work figures of one period."""

    period: Period
    lead: Durations
    lead_net: Durations
    phases: list[PhaseTime]
    teams: dict[str, Durations]
    norms: list[NormRow]
    split: list[SplitRow]
    completed: int
    cancelled: int

    @property
    def within(self) -> int:
        return sum(n.within for n in self.norms)

    @property
    def with_norm(self) -> int:
        return sum(n.count for n in self.norms)

    @property
    def within_share(self) -> float | None:
        return share(self.within, self.with_norm)


@dataclass(frozen=True)
class Dashboard:
    filter: Filter
    now: datetime
    months: list[MonthFlow]
    current: Window
    previous: Window | None
    comparisons: list[Comparison]
    about_to_breach: list[OpenItem]
    overdue: int
    open_tasks: int
    people: list[Load]
    teams: list[Load]
    started: int = field(default=0)

    @property
    def changes(self) -> list[Comparison]:
        """The phases and teams seen in both periods, the largest rise first."""
        both = [c for c in self.comparisons if c.change_days is not None]
        return sorted(both, key=lambda c: -(c.change_days or 0.0))


# ---------------------------------------------------------------- choices for the filter form


@dataclass(frozen=True)
class Choices:
    processes: list[tuple[str, str]]
    versions: list[tuple[str, int]]  # (process id, version)
    categories: list[tuple[str, str]]
    gebieden: list[str]
    wijken: list[str]
    teams: list[tuple[str, str]]


def distinct_values(conn: Connection, column: Any) -> list[Any]:
    """The distinct non-empty values of an indexed column, one index seek per value (a loose
    index scan as a recursive CTE): the cost grows with the number of values, not of rows."""
    found = select(func.min(column).label("value")).cte("found", recursive=True)
    following = select(func.min(column)).where(column > found.c.value).scalar_subquery()
    found = found.union_all(select(following).where(found.c.value.is_not(None)))
    return [v for (v,) in conn.execute(select(found.c.value)) if v]


def choices(engine: Engine) -> Choices:
    """What the filters offer: the deployed processes and versions, the gebieden and wijken of
    the cases, and the teams of closed and open tasks — never a scan of the whole history."""
    with engine.reading() as conn:
        versions = [
            (r.process_id, int(r.version))
            for r in conn.execute(
                select(process_version.c.process_id, process_version.c.version).order_by(
                    process_version.c.process_id, process_version.c.version
                )
            )
        ]
        gebieden = sorted(distinct_values(conn, initiative.c.gebied))
        wijken = sorted(distinct_values(conn, initiative.c.wijk))
        lanes = set(distinct_values(conn, report_task.c.lane))
        groups = set(distinct_values(conn, report_task.c.team))
        for lane, group in conn.execute(  # open tasks: the open-lane index, no history
            select(human_task.c.lane, human_task.c.candidate_group).where(TASK_IS_OPEN).distinct()
        ):
            lanes.add(lane)
            groups.add(group)
        lanes.discard(None)
        groups.discard(None)
    processes = sorted({p for p, _v in versions})
    teams = sorted(
        ((code, labels.team(code)) for code in (lanes - {INITIATOR_LANE}) | groups),
        key=lambda item: item[1].lower(),
    )
    categories = [
        (code, labels.category(code))
        for code in ("COMPLEX", "WIJKWENS", "EENVOUDIG_GROEN", "OVERIG")
    ]
    return Choices(
        processes=[(p, labels.process(p)) for p in processes],
        versions=versions,
        categories=categories,
        gebieden=gebieden,
        wijken=wijken,
        teams=teams,
    )


# ---------------------------------------------------------------- the figures


def dashboard(engine: Engine, wanted: Filter) -> Dashboard:
    """Use case: every figure of the dashboard for this filter, read in one snapshot."""
    now = engine.now()
    with engine.reading() as conn:
        version_id = _version_id(conn, wanted)
        current = _window(conn, wanted, wanted.period, version_id)
        previous = _window(conn, wanted, wanted.compare, version_id) if wanted.compare else None
        flows, started = _flows(conn, wanted, version_id)
        open_rows = _open_work(conn, wanted, version_id)
        people_names = _names(conn, {r["assignee"] for r in open_rows if r["assignee"]})
    breach, overdue = _breaches(open_rows, now, wanted.breach_days, people_names)
    people, teams = _workload(open_rows, now, people_names)
    return Dashboard(
        filter=wanted,
        now=now,
        months=flows,
        current=current,
        previous=previous,
        comparisons=_comparisons(current, previous) if previous else [],
        about_to_breach=breach,
        overdue=overdue,
        open_tasks=len([r for r in open_rows if r["lane"] != INITIATOR_LANE]),
        people=people,
        teams=teams,
        started=started,
    )


def _version_id(conn: Connection, wanted: Filter) -> int | None:
    if not wanted.process_id or wanted.version is None:
        return None
    found = conn.execute(
        select(process_version.c.id).where(
            process_version.c.process_id == wanted.process_id,
            process_version.c.version == wanted.version,
        )
    ).scalar()
    return int(found) if found is not None else -1  # a version that does not exist: nothing


def _case_conditions(wanted: Filter, instance_col: Any) -> list[Any]:
    """Conditions on the case (category, gebied, wijk) through the read model."""
    ini = initiative.alias("case_filter")
    out: list[Any] = []
    if wanted.category:
        code = wanted.category.upper()
        implied = [p for p, c in labels.CATEGORY_OF_PROCESS.items() if c == code]
        matches = func.upper(ini.c.category) == code
        if implied:
            matches = or_(matches, and_(ini.c.category.is_(None), ini.c.process_id.in_(implied)))
        out.append(matches)
    if wanted.gebied:
        out.append(ini.c.gebied == wanted.gebied)
    if wanted.wijk:
        out.append(ini.c.wijk == wanted.wijk)
    if out:
        return [exists().where(ini.c.instance_id == instance_col, *out)]
    return []


def _team_condition(wanted: Filter, team_col: Any, lane_col: Any) -> Any:
    return or_(team_col == wanted.team, and_(team_col.is_(None), lane_col == wanted.team))


def _case_team_condition(wanted: Filter, instance_col: Any) -> list[Any]:
    """A case is a team's when the team closed one of its tasks."""
    if not wanted.team:
        return []
    return [
        exists().where(
            report_task.c.instance_id == instance_col,
            _team_condition(wanted, report_task.c.team, report_task.c.lane),
        )
    ]


def _scope(wanted: Filter, table: Any, version_id: int | None) -> list[Any]:
    out: list[Any] = []
    if wanted.process_id:
        out.append(table.c.process_id == wanted.process_id)
    if version_id is not None:
        out.append(table.c.process_version_id == version_id)
    return out


def _months(period: Period, column: Any) -> list[Any]:
    return [column >= period.first, column <= period.last]


def _window(conn: Connection, wanted: Filter, period: Period, version_id: int | None) -> Window:
    cases = conn.execute(
        select(
            report_case.c.end_status, report_case.c.lead_seconds, report_case.c.net_seconds
        ).where(
            *_months(period, report_case.c.ended_month),
            *_scope(wanted, report_case, version_id),
            *_case_conditions(wanted, report_case.c.instance_id),
            *_case_team_condition(wanted, report_case.c.instance_id),
        )
    ).all()
    done = [c for c in cases if c.end_status == "completed"]
    phase_rows = conn.execute(
        select(report_phase.c.phase, report_phase.c.seconds, report_phase.c.net_seconds).where(
            *_months(period, report_phase.c.left_month),
            report_phase.c.phase.not_in(FINAL_PHASES),
            *_scope(wanted, report_phase, version_id),
            *_case_conditions(wanted, report_phase.c.instance_id),
            *_case_team_condition(wanted, report_phase.c.instance_id),
        )
    ).all()
    gross: dict[str, list[float]] = defaultdict(list)
    net: dict[str, list[float]] = defaultdict(list)
    for r in phase_rows:
        gross[r.phase].append(r.seconds)
        net[r.phase].append(r.net_seconds)
    order = {code: i for i, code in enumerate(_phase_order())}
    phases = [
        PhaseTime(code, labels.phase(code), Durations.of(gross[code]), Durations.of(net[code]))
        for code in sorted(gross, key=lambda c: (order.get(c, 99), c))
    ]
    task_conditions = [
        *_months(period, report_task.c.closed_month),
        report_task.c.state == "completed",
        *_scope(wanted, report_task, version_id),
        *_case_conditions(wanted, report_task.c.instance_id),
    ]
    if wanted.team:
        task_conditions.append(_team_condition(wanted, report_task.c.team, report_task.c.lane))
    tasks = conn.execute(
        select(
            report_task.c.bpmn_id,
            report_task.c.title,
            report_task.c.lane,
            report_task.c.team,
            report_task.c.norm,
            report_task.c.within_norm,
            report_task.c.waiting_seconds,
            report_task.c.working_seconds,
        ).where(*task_conditions)
    ).all()
    norm_counts: dict[tuple[str, str], list[int]] = {}
    titles: dict[str, str] = {}
    waiting: dict[str, list[float]] = defaultdict(list)
    working: dict[str, list[float]] = defaultdict(list)
    by_team: dict[str, list[float]] = defaultdict(list)
    for t in tasks:
        if t.lane == INITIATOR_LANE:
            continue  # the initiator's own work: time the municipality waits, not works
        titles.setdefault(t.bpmn_id, t.title)
        if t.norm and t.within_norm is not None:
            counts = norm_counts.setdefault((t.bpmn_id, t.norm), [0, 0])
            counts[0] += 1
            counts[1] += 1 if t.within_norm else 0
        waiting[t.bpmn_id].append(t.waiting_seconds)
        working[t.bpmn_id].append(t.working_seconds)
        by_team[t.team or t.lane or ""].append(t.waiting_seconds + t.working_seconds)
    norm_rows = sorted(
        (
            NormRow(bpmn_id, titles[bpmn_id], norm, count, within)
            for (bpmn_id, norm), (count, within) in norm_counts.items()
        ),
        key=lambda n: (n.share if n.share is not None else 2.0, -n.count, n.bpmn_id, n.norm),
    )
    split = sorted(
        (
            SplitRow(
                b, titles[b], len(waiting[b]), Durations.of(waiting[b]), Durations.of(working[b])
            )
            for b in waiting
        ),
        key=lambda s: -((s.waiting.median or 0) + (s.working.median or 0)),
    )
    return Window(
        period=period,
        lead=Durations.of(c.lead_seconds for c in done),
        lead_net=Durations.of(c.net_seconds for c in done),
        phases=phases,
        teams={k: Durations.of(v) for k, v in by_team.items() if k},
        norms=norm_rows,
        split=split,
        completed=len(done),
        cancelled=len(cases) - len(done),
    )


def _phase_order() -> list[str]:
    from workflows.phases import PHASES

    return [p.code for p in PHASES]


def _flows(conn: Connection, wanted: Filter, version_id: int | None) -> tuple[list[MonthFlow], int]:
    period = wanted.period
    started_at = select(initiative.c.started_at).where(
        initiative.c.started_at >= period.start,
        initiative.c.started_at < period.end,
        *([initiative.c.process_id == wanted.process_id] if wanted.process_id else []),
        *_case_conditions(wanted, initiative.c.instance_id),
        *_case_team_condition(wanted, initiative.c.instance_id),
    )
    if version_id is not None:
        started_at = started_at.where(
            exists().where(
                process_instance.c.id == initiative.c.instance_id,
                process_instance.c.process_version_id == version_id,
            )
        )
    started: dict[str, int] = defaultdict(int)
    for (at,) in conn.execute(started_at):
        started[month_of(as_utc(at))] += 1
    ended: dict[tuple[str, str], int] = defaultdict(int)
    for month, status, count in conn.execute(
        select(report_case.c.ended_month, report_case.c.end_status, func.count())
        .where(
            *_months(period, report_case.c.ended_month),
            *_scope(wanted, report_case, version_id),
            *_case_conditions(wanted, report_case.c.instance_id),
            *_case_team_condition(wanted, report_case.c.instance_id),
        )
        .group_by(report_case.c.ended_month, report_case.c.end_status)
    ):
        ended[(month, status)] += int(count)
    flows = [
        MonthFlow(
            m,
            month_label(m),
            started.get(m, 0),
            ended.get((m, "completed"), 0),
            ended.get((m, "cancelled"), 0),
        )
        for m in period.months
    ]
    return flows, sum(started.values())


def _comparisons(current: Window, previous: Window) -> list[Comparison]:
    out: list[Comparison] = []
    before = {p.phase: p for p in previous.phases}
    for p in current.phases:
        other = before.get(p.phase)
        out.append(
            Comparison("phase", p.phase, p.label, p.net, other.net if other else Durations.of(()))
        )
    for key in sorted(set(current.teams) | set(previous.teams), key=labels.team):
        out.append(
            Comparison(
                "team",
                key,
                labels.team(key),
                current.teams.get(key, Durations.of(())),
                previous.teams.get(key, Durations.of(())),
            )
        )
    return out


# ---------------------------------------------------------------- open work


def _open_work(conn: Connection, wanted: Filter, version_id: int | None) -> list[dict[str, Any]]:
    """Open tasks in scope, each with the initiator waiting of its case so far."""
    conditions = [TASK_IS_OPEN, *_case_conditions(wanted, human_task.c.instance_id)]
    if wanted.process_id:  # a task's own process_id is its subprocess's: ask the case
        conditions.append(process_instance.c.process_id == wanted.process_id)
    if wanted.team:
        conditions.append(_team_condition(wanted, human_task.c.candidate_group, human_task.c.lane))
    query = (
        select(
            human_task.c.task_id,
            human_task.c.instance_id,
            human_task.c.title,
            human_task.c.lane,
            human_task.c.candidate_group,
            human_task.c.assignee,
            human_task.c.created_at,
            human_task.c.due_at,
            human_task.c.properties,
            initiative.c.zaaknummer,
            initiative.c.title.label("case_title"),
        )
        .join(process_instance, process_instance.c.id == human_task.c.instance_id)
        .outerjoin(initiative, initiative.c.instance_id == human_task.c.instance_id)
        .where(*conditions)
    )
    if version_id is not None:
        query = query.where(process_instance.c.process_version_id == version_id)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    cases = {r["instance_id"] for r in rows if r["lane"] != INITIATOR_LANE}
    pauses: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    if cases:
        for p in conn.execute(
            select(
                human_task.c.instance_id, human_task.c.created_at, human_task.c.completed_at
            ).where(
                human_task.c.lane == INITIATOR_LANE, human_task.c.instance_id.in_(sorted(cases))
            )
        ):
            pauses[int(p.instance_id)].append(
                (as_utc(p.created_at), None if p.completed_at is None else as_utc(p.completed_at))
            )
    for r in rows:
        r["pauses"] = pauses.get(int(r["instance_id"]), [])
    return rows


def _breaches(
    rows: Iterable[dict[str, Any]], now: datetime, days: int, names: dict[str, str]
) -> tuple[list[OpenItem], int]:
    items: list[OpenItem] = []
    overdue = 0
    for r in rows:
        norm = (r["properties"] or {}).get("norm")
        if r["lane"] == INITIATOR_LANE or not norm:
            continue
        created = as_utc(r["created_at"])
        spans = clipped(((a, b or now) for a, b in r["pauses"]), created, now)
        try:
            due = norms.due_at(created, norms.parse_norm(str(norm)), spans)
        except norms.NormError:
            continue
        left = (
            norms.working_days_between(now, due)
            if due >= now
            else -max(1, norms.working_days_between(due, now))
        )
        if left < 0:
            overdue += 1
        if left <= days:
            items.append(
                OpenItem(
                    task_id=r["task_id"],
                    instance_id=int(r["instance_id"]),
                    zaaknummer=r["zaaknummer"] or f"zaak {r['instance_id']}",
                    case_title=r["case_title"] or "",
                    title=r["title"],
                    team=labels.team(r["candidate_group"] or r["lane"]),
                    holder=names.get(r["assignee"], r["assignee"]) if r["assignee"] else None,
                    due_at=due,
                    working_days_left=left,
                )
            )
    items.sort(key=lambda i: i.due_at)
    return items[:BREACH_LIMIT], overdue


def _bucket(days: int) -> int:
    for i, (low, high) in enumerate(AGE_BUCKETS):
        if days >= low and (high is None or days <= high):
            return i
    return len(AGE_BUCKETS) - 1


def _workload(
    rows: Sequence[dict[str, Any]], now: datetime, names: dict[str, str]
) -> tuple[list[Load], list[Load]]:
    people: dict[str, list[int]] = defaultdict(lambda: [0] * len(AGE_BUCKETS))
    teams: dict[str, list[int]] = defaultdict(lambda: [0] * len(AGE_BUCKETS))
    oldest: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        if r["lane"] == INITIATOR_LANE:
            continue
        age = max(0, (now - as_utc(r["created_at"])).days)
        bucket = _bucket(age)
        team = r["candidate_group"] or r["lane"] or ""
        teams[team][bucket] += 1
        oldest[("team", team)] = max(oldest[("team", team)], age)
        if r["assignee"]:
            people[r["assignee"]][bucket] += 1
            oldest[("person", r["assignee"])] = max(oldest[("person", r["assignee"])], age)

    def loads(kind: str, table: dict[str, list[int]], label: Any) -> list[Load]:
        out = [Load(k, label(k), tuple(v), oldest[(kind, k)]) for k, v in table.items()]
        return sorted(out, key=lambda load: (-load.total, load.label))

    return loads("person", people, lambda k: names.get(k, k)), loads("team", teams, labels.team)


def _names(conn: Connection, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    return {
        r.username: r.display_name
        for r in conn.execute(
            select(app_user.c.username, app_user.c.display_name).where(
                app_user.c.username.in_(sorted(usernames))
            )
        )
    }


def with_period(wanted: Filter, period: Period, compare: Period | None) -> Filter:
    return replace(wanted, period=period, compare=compare)
