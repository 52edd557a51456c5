"""Exports for people who analyse elsewhere: CSV of cases and of tasks, an XES event log
(IEEE 1849-2016: a trace per initiative, `concept:name`, `time:timestamp`, `org:resource`,
`lifecycle:transition`) that process-mining tools read, and an OCEL 2.0 (JSON) log with
initiatives, aspect assessments and fund applications as objects, so a case assessed on five
aspects at once is not flattened into one line.

No export holds a status-link token, a password hash, or the contact and bank details people
typed (`audit.private`). Times are ISO 8601 in UTC.

One module (~540 lines) because the four exports share one scope, one case query and the
rules above of what never leaves; the OCEL builder is most of it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import quoteattr

from sqlalchemy import Select, and_, exists, or_, select

from engine import Engine, as_utc
from engine.readmodel import event, human_task, process_instance, process_version
from workflows.reports import labels
from workflows.reports.periods import Period
from workflows.reports.stats import DAY
from workflows.tables import fund_entry, fund_movement, initiative, report_case, report_task

#: XES lifecycle transitions per engine event (the standard lifecycle model)
LIFECYCLE: Mapping[str, str] = {
    "task_created": "start",
    "task_claimed": "assign",
    "task_reassigned": "reassign",
    "task_completed": "complete",
    "task_cancelled": "ate_abort",
    "milestone_reached": "complete",
}
ASPECT_TASK = "assess_aspect"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Scope:
    """Which cases an export holds: started in `period` (None: all), of a process, category,
    gebied, wijk."""

    period: Period | None = None
    process_id: str = ""
    category: str = ""
    gebied: str = ""
    wijk: str = ""


def cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def _cases(scope: Scope) -> Select[Any]:
    query = select(
        process_instance.c.id,
        process_instance.c.process_id,
        process_instance.c.status,
        process_instance.c.started_at,
        process_instance.c.ended_at,
        process_version.c.version,
        initiative.c.zaaknummer,
        initiative.c.title,
        initiative.c.category,
        initiative.c.wijk,
        initiative.c.gebied,
        initiative.c.requested_cents,
        initiative.c.casist,
        initiative.c.phase,
        report_case.c.lead_seconds,
        report_case.c.net_seconds,
        report_case.c.initiator_seconds,
    ).select_from(
        process_instance.join(
            process_version, process_version.c.id == process_instance.c.process_version_id
        )
        .outerjoin(initiative, initiative.c.instance_id == process_instance.c.id)
        .outerjoin(report_case, report_case.c.instance_id == process_instance.c.id)
    )
    if scope.period is not None:
        query = query.where(
            process_instance.c.started_at >= scope.period.start,
            process_instance.c.started_at < scope.period.end,
        )
    if scope.process_id:
        query = query.where(process_instance.c.process_id == scope.process_id)
    if scope.category:
        code = scope.category.upper()
        implied = [p for p, c in labels.CATEGORY_OF_PROCESS.items() if c == code]
        query = query.where(
            or_(
                initiative.c.category == code,
                and_(initiative.c.category.is_(None), process_instance.c.process_id.in_(implied)),
            )
        )
    if scope.gebied:
        query = query.where(initiative.c.gebied == scope.gebied)
    if scope.wijk:
        query = query.where(initiative.c.wijk == scope.wijk)
    return query.order_by(process_instance.c.id)


def _key(row: Any) -> str:
    return str(row.zaaknummer or f"zaak-{row.id}")


def _iso(value: datetime | None) -> str:
    return as_utc(value).isoformat() if value is not None else ""


def _days(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / DAY:.2f}"


def cases_csv(engine: Engine, scope: Scope) -> str:
    """Use case: one line per case."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "zaaknummer", "proces", "versie", "titel", "categorie", "wijk", "gebied",
            "gevraagd_bedrag_eur", "casist", "fase", "status", "gestart", "beeindigd",
            "doorlooptijd_dagen", "netto_doorlooptijd_dagen", "wachten_op_initiatiefnemer_dagen",
        ]
    )  # fmt: skip
    with engine.reading() as conn:
        for r in conn.execute(_cases(scope)):
            writer.writerow(
                [
                    cell(_key(r)),
                    labels.process(r.process_id),
                    r.version,
                    cell(r.title or ""),
                    labels.category(r.category or labels.CATEGORY_OF_PROCESS.get(r.process_id)),
                    cell(r.wijk or ""),
                    cell(r.gebied or ""),
                    "" if r.requested_cents is None else f"{r.requested_cents / 100:.2f}",
                    cell(r.casist or ""),
                    labels.phase(r.phase) if r.phase else "",
                    r.status,
                    _iso(r.started_at),
                    _iso(r.ended_at),
                    _days(r.lead_seconds),
                    _days(r.net_seconds),
                    _days(r.initiator_seconds),
                ]
            )
    return out.getvalue()


def tasks_csv(engine: Engine, scope: Scope) -> str:
    """Use case: one line per user task of the cases in scope (open ones too)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "zaaknummer", "taak", "bpmn_id", "rol", "team", "status", "aangemaakt", "opgepakt",
            "afgerond", "door", "norm", "uiterlijk_netto", "binnen_norm", "wachttijd_uren",
            "werktijd_uren", "wachten_op_initiatiefnemer_uren",
        ]
    )  # fmt: skip
    cases = _cases(scope).subquery()
    query = (
        select(
            cases.c.id,
            cases.c.zaaknummer,
            human_task.c.task_id,
            human_task.c.title,
            human_task.c.bpmn_id,
            human_task.c.lane,
            human_task.c.candidate_group,
            human_task.c.state,
            human_task.c.created_at,
            human_task.c.claimed_at,
            human_task.c.completed_at,
            human_task.c.completed_by,
            human_task.c.due_at,
            human_task.c.properties,
            report_task.c.due_at.label("net_due"),
            report_task.c.within_norm,
            report_task.c.waiting_seconds,
            report_task.c.working_seconds,
            report_task.c.initiator_seconds,
        )
        .select_from(cases)
        .join(human_task, human_task.c.instance_id == cases.c.id)
        .outerjoin(report_task, report_task.c.task_id == human_task.c.task_id)
        .order_by(cases.c.id, human_task.c.created_at, human_task.c.id)
    )
    with engine.reading() as conn:
        for r in conn.execute(query):
            norm = (r.properties or {}).get("norm") or ""
            writer.writerow(
                [
                    cell(_key(r)),
                    cell(r.title),
                    r.bpmn_id,
                    labels.lane(r.lane),
                    labels.team(r.candidate_group) if r.candidate_group else "",
                    r.state,
                    _iso(r.created_at),
                    _iso(r.claimed_at),
                    _iso(r.completed_at),
                    cell(r.completed_by or ""),
                    norm,
                    _iso(r.net_due if r.net_due is not None else r.due_at),
                    "" if r.within_norm is None else ("ja" if r.within_norm else "nee"),
                    "" if r.waiting_seconds is None else f"{r.waiting_seconds / 3600:.2f}",
                    "" if r.working_seconds is None else f"{r.working_seconds / 3600:.2f}",
                    "" if r.initiator_seconds is None else f"{r.initiator_seconds / 3600:.2f}",
                ]
            )
    return out.getvalue()


# ---------------------------------------------------------------- the event log


def _xes_time(at: datetime) -> str:
    return as_utc(at).isoformat(timespec="milliseconds")


def _attr(kind: str, key: str, value: str) -> str:
    return f"<{kind} key={quoteattr(key)} value={quoteattr(value)}/>"


def _events_by_case(
    engine: Engine, scope: Scope, kinds: Iterable[str]
) -> Iterator[tuple[Any, list[Any], dict[str, Any]]]:
    """Each case in scope with its events of these kinds (in order) and its tasks' facts."""
    wanted = tuple(kinds)
    with engine.reading() as conn:
        cases = conn.execute(_cases(scope)).all()
        for offset in range(0, len(cases), 500):
            chunk = cases[offset : offset + 500]
            ids = [int(c.id) for c in chunk]
            events: dict[int, list[Any]] = defaultdict(list)
            for e in conn.execute(
                select(
                    event.c.id,
                    event.c.instance_id,
                    event.c.type,
                    event.c.at,
                    event.c.actor,
                    event.c.task_id,
                    event.c.bpmn_id,
                    event.c.detail,
                )
                .where(event.c.instance_id.in_(ids), event.c.type.in_(wanted))
                .order_by(event.c.instance_id, event.c.id)
            ):
                events[int(e.instance_id)].append(e)
            facts = {
                t.task_id: t
                for t in conn.execute(
                    select(
                        human_task.c.task_id,
                        human_task.c.lane,
                        human_task.c.candidate_group,
                        human_task.c.properties,
                    ).where(human_task.c.instance_id.in_(ids))
                )
            }
            for c in chunk:
                yield c, events[int(c.id)], facts


def xes(engine: Engine, scope: Scope) -> Iterator[str]:
    """Use case: the event log as XES, in pieces (a large log is streamed, not built in memory).

    A trace is a case (`concept:name` its zaaknummer); its events are the user tasks' lifecycle
    (start when it became ready, assign when someone took it, complete or ate_abort when it
    closed) and the phases it reached (`Fase: …`, complete).
    """
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<log xes.version="1849-2016" xes.features="nested-attributes" '
        'xmlns="http://www.xes-standard.org/">\n'
        '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
        '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
        '<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n'
        '<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>\n'
        '<global scope="trace"><string key="concept:name" value="__INVALID__"/></global>\n'
        '<global scope="event"><string key="concept:name" value="__INVALID__"/>'
        '<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>'
        '<string key="lifecycle:transition" value="complete"/></global>\n'
        '<classifier name="Activity" keys="concept:name"/>\n'
        '<classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>\n'
        '<string key="concept:name" value="Wegwijs: initiatieven Dordrecht"/>\n'
    )
    for case, events, facts in _events_by_case(engine, scope, LIFECYCLE):
        parts = [
            "<trace>",
            _attr("string", "concept:name", _key(case)),
            _attr("string", "wegwijs:process", labels.process(case.process_id)),
            _attr("int", "wegwijs:version", str(case.version)),
        ]
        category = case.category or labels.CATEGORY_OF_PROCESS.get(case.process_id)
        if category:
            parts.append(_attr("string", "wegwijs:category", labels.category(category)))
        if case.gebied:
            parts.append(_attr("string", "wegwijs:gebied", case.gebied))
        for e in events:
            parts.append(_xes_event(e, facts.get(e.task_id)))
        parts.append("</trace>\n")
        yield "".join(parts)
    yield "</log>\n"


def _xes_event(e: Any, fact: Any) -> str:
    detail = e.detail or {}
    if e.type == "milestone_reached":
        name = f"Fase: {labels.phase(str(detail.get('milestone', '')))}"
    else:
        name = str(detail.get("title") or e.bpmn_id or "")
    parts = [
        "<event>",
        _attr("string", "concept:name", name),
        _attr("date", "time:timestamp", _xes_time(e.at)),
        _attr("string", "lifecycle:transition", LIFECYCLE[e.type]),
    ]
    if e.type in ("task_claimed", "task_reassigned") and detail.get("assignee"):
        parts.append(_attr("string", "org:resource", str(detail["assignee"])))
    elif e.type == "task_completed" and e.actor:
        parts.append(_attr("string", "org:resource", str(e.actor)))
    lane = detail.get("lane") or (fact.lane if fact is not None else None)
    if lane:
        parts.append(_attr("string", "org:role", labels.lane(lane)))
    if fact is not None and fact.candidate_group:
        parts.append(_attr("string", "org:group", labels.team(fact.candidate_group)))
    if e.bpmn_id:
        parts.append(_attr("string", "wegwijs:element", str(e.bpmn_id)))
    parts.append("</event>")
    return "".join(parts)


# ---------------------------------------------------------------- OCEL 2.0


def _aspect(fact: Any) -> dict[str, Any] | None:
    values = (fact.properties or {}).get("context_values") if fact is not None else None
    found = values.get("aspect") if isinstance(values, dict) else None
    return found if isinstance(found, dict) and found.get("code") else None


def ocel(engine: Engine, scope: Scope) -> dict[str, Any]:
    """Use case: the log as OCEL 2.0 JSON (object types initiative, aspect assessment and fund
    application; attribute values are text, as the published schema wants them)."""
    objects: dict[str, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    activities: set[str] = set()
    keys: dict[str, str] = {}

    def add_object(oid: str, kind: str, attributes: list[tuple[str, str, datetime]]) -> None:
        if oid not in objects:
            objects[oid] = {
                "id": oid,
                "type": kind,
                "attributes": [{"name": n, "value": v, "time": _iso(t)} for n, v, t in attributes],
                "relationships": [],
            }

    for case, rows, facts in _events_by_case(
        engine, scope, ("task_completed", "task_cancelled", "milestone_reached")
    ):
        key = _key(case)
        keys[key] = key
        case_id = f"initiatief:{key}"
        started = as_utc(case.started_at)
        category = case.category or labels.CATEGORY_OF_PROCESS.get(case.process_id) or ""
        add_object(
            case_id,
            "initiatief",
            [
                ("zaaknummer", key, started),
                ("proces", labels.process(case.process_id), started),
                ("categorie", labels.category(category) if category else "", started),
                ("gebied", case.gebied or "", started),
                ("wijk", case.wijk or "", started),
            ],
        )
        for e in rows:
            detail = e.detail or {}
            if e.type == "milestone_reached":
                activity = f"Fase: {labels.phase(str(detail.get('milestone', '')))}"
            else:
                activity = str(detail.get("title") or e.bpmn_id or "")
                if e.type == "task_cancelled":
                    activity = f"{activity} (vervallen)"
            activities.add(activity)
            relationships = [{"objectId": case_id, "qualifier": "zaak"}]
            aspect = _aspect(facts.get(e.task_id)) if e.bpmn_id == ASPECT_TASK else None
            if aspect is not None:
                aspect_id = f"aspectbeoordeling:{key}:{aspect['code']}"
                add_object(
                    aspect_id,
                    "aspectbeoordeling",
                    [
                        ("aspect", labels.aspect(str(aspect["code"])), as_utc(e.at)),
                        ("team", labels.team(str(aspect.get("team") or "")), as_utc(e.at)),
                    ],
                )
                if {"objectId": case_id, "qualifier": "beoordeelt"} not in objects[aspect_id][
                    "relationships"
                ]:
                    objects[aspect_id]["relationships"].append(
                        {"objectId": case_id, "qualifier": "beoordeelt"}
                    )
                relationships.append({"objectId": aspect_id, "qualifier": "beoordeling"})
            attributes = [{"name": "element", "value": str(e.bpmn_id or "")}]
            if e.type == "task_completed":
                attributes.append({"name": "door", "value": str(e.actor or "")})
                verdict = (detail.get("data") or {}).get("verdict") if aspect else None
                if verdict:
                    attributes.append({"name": "oordeel", "value": str(verdict)})
            events.append(
                {
                    "id": f"e{e.id}",
                    "type": activity,
                    "time": _iso(e.at),
                    "attributes": attributes,
                    "relationships": relationships,
                }
            )
    _fund_objects(engine, keys, objects, events, activities)
    return {
        "objectTypes": [
            {
                "name": "initiatief",
                "attributes": [
                    {"name": n, "type": "string"}
                    for n in ("zaaknummer", "proces", "categorie", "gebied", "wijk")
                ],
            },
            {
                "name": "aspectbeoordeling",
                "attributes": [
                    {"name": "aspect", "type": "string"},
                    {"name": "team", "type": "string"},
                ],
            },
            {
                "name": "fondsaanvraag",
                "attributes": [
                    {"name": "volgnummer", "type": "integer"},
                    {"name": "gevraagd_bedrag", "type": "float"},
                    {"name": "stand", "type": "string"},
                ],
            },
        ],
        "eventTypes": [
            {
                "name": a,
                "attributes": [
                    {"name": "element", "type": "string"},
                    {"name": "door", "type": "string"},
                    {"name": "oordeel", "type": "string"},
                    {"name": "bedrag", "type": "float"},
                ],
            }
            for a in sorted(activities)
        ],
        "objects": list(objects.values()),
        "events": events,
    }


def _fund_objects(
    engine: Engine,
    keys: Mapping[str, str],
    objects: dict[str, dict[str, Any]],
    events: list[dict[str, Any]],
    activities: set[str],
) -> None:
    """The fund applications of the cases in the log, and their movements as events."""
    if not keys:
        return
    with engine.reading() as conn:
        entries = conn.execute(
            select(fund_entry).where(fund_entry.c.initiative_key.in_(sorted(keys)))
        ).all()
        moves = conn.execute(
            select(fund_movement)
            .where(fund_movement.c.initiative_key.in_(sorted(keys)))
            .order_by(fund_movement.c.at, fund_movement.c.id)
        ).all()
    for entry in entries:
        oid = f"fondsaanvraag:{entry.period_id}:{entry.volgnummer}"
        applied = as_utc(entry.applied_at)
        objects[oid] = {
            "id": oid,
            "type": "fondsaanvraag",
            "attributes": [
                {"name": "volgnummer", "value": str(entry.volgnummer), "time": _iso(applied)},
                {
                    "name": "gevraagd_bedrag",
                    "value": f"{entry.requested_cents / 100:.2f}",
                    "time": _iso(applied),
                },
                {
                    "name": "stand",
                    "value": labels.FUND_KINDS.get(entry.state, entry.state),
                    "time": _iso(as_utc(entry.updated_at)),
                },
            ],
            "relationships": [
                {"objectId": f"initiatief:{entry.initiative_key}", "qualifier": "aanvraag van"}
            ],
        }
    by_entry = {e.id: f"fondsaanvraag:{e.period_id}:{e.volgnummer}" for e in entries}
    for m in moves:
        activity = f"Fonds: {labels.FUND_KINDS.get(m.kind, m.kind).lower()}"
        activities.add(activity)
        events.append(
            {
                "id": f"f{m.id}",
                "type": activity,
                "time": _iso(m.at),
                "attributes": [{"name": "bedrag", "value": f"{m.amount_cents / 100:.2f}"}],
                "relationships": [
                    {"objectId": by_entry[m.entry_id], "qualifier": "aanvraag"},
                    {"objectId": f"initiatief:{m.initiative_key}", "qualifier": "zaak"},
                ],
            }
        )


def exists_case(engine: Engine, instance_id: int) -> bool:
    with engine.reading() as conn:
        return bool(
            conn.execute(select(exists().where(process_instance.c.id == instance_id))).scalar()
        )
