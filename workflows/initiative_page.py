"""The initiative page: one case as the municipality sees it — its key data, phases, open
tasks, aspect board, notes, documents, linked cases, history in words, and the diagram with
the path it took. The list of initiatives is `workflows.initiatives`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine import Engine, EventRecord, NotFoundError, Waiting, as_utc
from engine.readmodel import human_task
from workflows import fund, handovers, initiatives, labels, notes, people, phases
from workflows.contacts import DESKS, WITH_CASIST
from workflows.handovers import LinkedCase
from workflows.initiatives import InitiativeRow
from workflows.notes import DocumentItem, NoteItem
from workflows.people import Contact
from workflows.reports.periods import ZONE
from workflows.roles import ROLES

#: the user task whose instances make up the aspect board
ASPECT_TASK = "assess_aspect"
#: the case data shown on the initiative page, in this order, with Dutch labels
KEY_DATA: tuple[tuple[str, str], ...] = (
    ("description", "Omschrijving"),
    ("initiator_name", "Initiatiefnemer"),
    ("initiator_type", "Soort initiatiefnemer"),
    ("initiator_email", "E-mailadres"),
    ("wijk", "Wijk"),
    ("scale", "Schaal"),
    ("category", "Categorie"),
    ("requested_amount", "Gevraagd bedrag"),
    ("granted_amount", "Toegekend bedrag"),
)
#: amounts a case starts with at 0 until someone decides: not shown while 0
NONE_MEANS_ZERO = frozenset({"granted_amount"})

#: how the history names the messages a case can receive (by BPMN message name)
MESSAGE_TEXTS: Mapping[str, str] = {
    "initiative_withdrawn": "De initiatiefnemer heeft het initiatief ingetrokken",
}


# ---------------------------------------------------------------- the initiative page


@dataclass(frozen=True)
class PhaseStep:
    """One phase on the timeline: reached when, and whether it is the current one."""

    code: str
    label: str
    text: str
    reached_at: datetime | None
    current: bool
    skipped: bool = False  # the case ended without passing it


@dataclass(frozen=True)
class AspectRow:
    """One aspect on the aspect board."""

    task_id: str
    code: str
    team: str
    assessor: str | None
    state: str  # open / completed / cancelled
    verdict: str | None
    conditions: str | None
    due_at: datetime | None
    completed_at: datetime | None

    @property
    def verdict_label(self) -> str:
        return labels.word("verdict", self.verdict) if self.verdict else "Nog niet beoordeeld"

    @property
    def aspect_label(self) -> str:
        return labels.word("aspect", self.code)

    @property
    def team_label(self) -> str:
        return labels.word("team", self.team)


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    actor: str | None  # the person's name (or the system's)
    text: str


@dataclass(frozen=True)
class OpenTaskItem:
    """An open task of the case as its page lists it."""

    task_id: str
    title: str
    lane: str
    holder: str  # who holds it, by name ("nog niemand")
    due_at: datetime | None


@dataclass(frozen=True)
class InitiativePage:
    """Everything the initiative page shows."""

    row: InitiativeRow
    key_data: tuple[tuple[str, str], ...]
    timeline: tuple[PhaseStep, ...]
    open_tasks: tuple[OpenTaskItem, ...]
    aspects: tuple[AspectRow, ...]
    notes: tuple[NoteItem, ...]
    documents: tuple[DocumentItem, ...]
    history: tuple[HistoryItem, ...]
    #: the diagram's colours: elements passed, where the case is now, the ends it reached
    done: tuple[str, ...]
    highlight: tuple[str, ...]
    ended: tuple[str, ...]
    waiting_for: tuple[str, ...]
    last_error: str | None
    #: the case's casist: the initiator's one point of contact (None until one is chosen)
    contact: Contact | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: the case it was handed over to, or taken over from
    linked: tuple[LinkedCase, ...] = ()
    #: a route without a casist: the desk that is its point of contact ("" with a casist)
    desk: str = ""
    #: the timers the case waits for whose diagram element tells the initiator what happens
    #: then (`initiator_text`): (when, that text), soonest first
    initiator_waits: tuple[tuple[datetime, str], ...] = ()


def get_initiative(engine: Engine, instance_id: int) -> InitiativePage:
    """Use case: the initiative page of one case."""
    detail = engine.get_instance(instance_id)
    trail = engine.trail(instance_id)
    with engine.reading() as conn:
        row = initiatives.row_of(conn, instance_id)
        aspect_rows = conn.execute(
            select(human_task)
            .where(human_task.c.instance_id == instance_id, human_task.c.bpmn_id == ASPECT_TASK)
            .order_by(human_task.c.id)
        ).all()
        found_notes = notes.of_case(conn, instance_id)
        found_documents = notes.documents_of_case(conn, instance_id)
        found_links = handovers.linked(conn, instance_id, initiatives.PROCESS_LABELS)
    if row is None:
        raise NotFoundError(f"Zaak {instance_id} is geen initiatief.")
    known = people.names(
        engine,
        [
            *(e.actor for e in detail.events if e.actor),
            *(str(e.detail.get("assignee")) for e in detail.events if e.detail.get("assignee")),
            *(r.completed_by or r.assignee for r in aspect_rows if r.completed_by or r.assignee),
            *(t.assignee for t in detail.open_tasks if t.assignee),
            *(n.author for n in found_notes),
            *(d.uploaded_by for d in found_documents),
            *([row.casist] if row.casist else []),
        ],
    )
    return InitiativePage(
        row=row,
        key_data=key_data(detail.data),
        timeline=_timeline(detail.events, row.phase, row.closed, engine.milestones(instance_id)),
        open_tasks=tuple(
            OpenTaskItem(
                t.id,
                t.title,
                ROLES.get(t.lane or "", t.lane or "–"),
                people.label(t.assignee, known) if t.assignee else "nog niemand",
                t.due_at,
            )
            for t in detail.open_tasks
        ),
        aspects=_aspects(aspect_rows, detail.events, known),
        notes=tuple(
            NoteItem(n.id, people.label(n.author, known), n.body, n.created_at) for n in found_notes
        ),
        documents=tuple(
            dataclasses.replace(d, uploaded_by=people.label(d.uploaded_by, known))
            for d in found_documents
        ),
        history=_history(detail.events, known),
        linked=found_links,
        done=trail.done,
        highlight=() if row.closed else trail.current,  # a closed case stands nowhere
        ended=trail.ended if row.closed else (),
        waiting_for=waiting_words(detail.waiting_for),
        last_error=detail.summary.last_error if detail.summary.status == "errored" else None,
        contact=known.get(row.casist) if row.casist else None,
        desk="" if row.process_id == WITH_CASIST else DESKS.get(row.process_id, ""),
        initiator_waits=initiator_waits(detail.waiting_for),
    )


#: the property of a timer in a diagram that tells the initiator what happens when it is due
INITIATOR_TEXT = "initiator_text"


def initiator_waits(found: Iterable[Waiting]) -> tuple[tuple[datetime, str], ...]:
    """The waiting timers whose element has an `initiator_text`: (due, text), soonest first
    (reminders and escalations have none: they are the municipality's own business)."""
    return tuple(
        sorted(
            (w.due, str(w.properties[INITIATOR_TEXT]))
            for w in found
            if w.kind == "timer" and w.due is not None and w.properties.get(INITIATOR_TEXT)
        )
    )


#: what an initiator may send at any time while a case runs: not what the case waits for
WITHDRAWAL = "initiative_withdrawn"
ANY_TIME = frozenset({WITHDRAWAL})


def waiting_words(found: Iterable[Waiting]) -> tuple[str, ...]:
    """What a case without an open task waits for, as people read it: a timer by the name of
    its element and when it runs out, a message by its word in labels.json (none for one the
    initiator may always send, such as a withdrawal)."""
    out = []
    for waiting in found:
        if waiting.kind == "timer":
            when = f" ({waiting.due.astimezone(ZONE):%d-%m-%Y %H:%M})" if waiting.due else ""
            out.append(f"{waiting.name}{when}")
        elif waiting.kind == "message":
            if waiting.name not in ANY_TIME:
                out.append(labels.word("message", waiting.name))
        else:
            out.append(waiting.name)
    return tuple(out)


def key_data(data: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The case data people read first, as (Dutch label, text) pairs."""
    return tuple(
        (label, _show(key, data[key]))
        for key, label in KEY_DATA
        if data.get(key) not in (None, "", [])
        # nothing granted (yet): the outcome says why; "€ 0,00" would read as a decision
        and not (key in NONE_MEANS_ZERO and data.get(key) == 0)
    )


def _show(key: str, value: Any) -> str:
    if "amount" in key and isinstance(value, int | float) and not isinstance(value, bool):
        return fund.euros(fund.to_cents(value))
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if key == "category":
        return initiatives.category_label(str(value))
    if isinstance(value, list):
        return ", ".join(_show(key, v) for v in value)
    return labels.value(key, value) or str(value)


def _timeline(
    events: Sequence[EventRecord], current: str | None, closed: bool, marked: frozenset[str]
) -> tuple[PhaseStep, ...]:
    """The phases the case's diagram marks (`marked`; a wijkwens has no kennismaking), with
    when each was reached and what it means for the initiator (the `phase_text` the diagram
    gave the milestone reached, else the phase's own text); an unreached phase was skipped
    when the case closed or went on to a later phase (a rejection has no uitvoering)."""
    reached: dict[str, datetime] = {}
    texts: dict[str, str] = {}  # the diagram's own text for a phase (the last reached)
    for e in events:
        if e.type == "milestone_reached":
            code = str(e.detail.get("milestone"))
            reached.setdefault(code, e.at)
            if e.detail.get("text"):
                texts[code] = str(e.detail["text"])
    route = [p for p in phases.PHASES if p.code in marked or p.code in reached] or phases.PHASES
    order = [p.code for p in route]
    last = max((order.index(code) for code in reached if code in order), default=-1)
    return tuple(
        PhaseStep(
            p.code,
            p.label,
            texts.get(p.code, p.text),
            reached.get(p.code),
            p.code == current,
            skipped=p.code not in reached and (closed or n < last),
        )
        for n, p in enumerate(route)
    )


def _aspects(
    rows: Iterable[Any], events: Sequence[EventRecord], known: Mapping[str, Contact]
) -> tuple[AspectRow, ...]:
    submitted = {
        e.task_id: e.detail.get("data") or {} for e in events if e.type == "task_completed"
    }
    out = []
    for r in rows:
        context = ((r.properties or {}).get("context_values") or {}).get("aspect") or {}
        data = submitted.get(r.task_id, {})
        out.append(
            AspectRow(
                task_id=r.task_id,
                code=str(context.get("code") or "?"),
                team=str(context.get("team") or "–"),
                assessor=people.label(r.completed_by or r.assignee, known)
                if (r.completed_by or r.assignee)
                else None,
                state=r.state,
                verdict=data.get("verdict"),
                conditions=data.get("conditions") or None,
                due_at=as_utc(r.due_at) if r.due_at else None,
                completed_at=as_utc(r.completed_at) if r.completed_at else None,
            )
        )
    return tuple(out)


def _history(
    events: Sequence[EventRecord], known: Mapping[str, Contact]
) -> tuple[HistoryItem, ...]:
    titles = {e.task_id: e.detail.get("title") for e in events if e.type == "task_created"}
    items = []
    for e in events:
        title = e.detail.get("title") or titles.get(e.task_id) or e.bpmn_id or ""
        detail = dict(e.detail)
        if detail.get("assignee"):
            detail["assignee"] = people.label(str(detail["assignee"]), known)
        items.append(
            HistoryItem(
                e.at,
                people.label(e.actor, known) if e.actor else None,
                describe_event(e.type, title, detail),
            )
        )
    return tuple(reversed(items))


#: the history's line per event type; `{title}` is the task's name, the rest come from the detail
EVENT_TEXTS: Mapping[str, str] = {
    "task_created": "Taak klaargezet: {title} (rol {lane})",
    "data_edited": "Gegevens gewijzigd: {keys}",
    "casist_changed": "Casist gewijzigd: {previous} → {assignee}",
    "task_claimed": "Taak opgepakt: {title}",
    "task_released": "Taak teruggelegd in de teambak: {title}",
    "task_reassigned": "Taak toegewezen aan {assignee}: {title}",
    "task_completed": "Taak afgerond: {title}",
    "task_cancelled": "Taak vervallen: {title}",
    "timer_fired": "Termijn verstreken: {title}",
    "instance_completed": "Zaak afgerond",
    "instance_errored": "Fout in de zaak: {error}",
    "instance_retried": "Zaak opnieuw gestart na een fout",
    "instance_anonymised": "Persoonsgegevens verwijderd (bewaartermijn verstreken)",
}


def describe_event(kind: str, title: str, detail: Mapping[str, Any]) -> str:
    """One Dutch line for an event of the audit trail."""
    if kind == "instance_started":
        process = str(detail.get("process_id"))
        return f"Zaak gestart ({initiatives.PROCESS_LABELS.get(process, process)}, versie {detail.get('version')})"
    if kind == "milestone_reached":
        phase = phases.BY_CODE.get(str(detail.get("milestone")))
        return f"Fase bereikt: {phase.label if phase else detail.get('milestone')}"
    if kind == "message_received":
        name = str(detail.get("message") or detail.get("name") or title)
        return MESSAGE_TEXTS.get(name, f"Bericht ontvangen: {name}")
    if kind == "task_reassigned" and not detail.get("assignee"):
        return f"Taak teruggelegd in de teambak: {title}"
    if kind == "case_handed_over":
        process = str(detail.get("process_id"))
        return f"Doorgezet: gaat verder als {initiatives.PROCESS_LABELS.get(process, process)} {detail.get('to')}"
    if kind == "norm_signalled":
        step = "Escalatie" if detail.get("level") == "escalation" else "Signaal"
        return (
            f"{step} aan {detail.get('to')}: norm ({detail.get('norm')}) verstreken voor "
            f"{detail.get('title') or title}"
        )
    if kind == "case_taken_over":
        return f"Overgenomen van initiatief {detail.get('from')}"
    if kind == "instance_cancelled":
        return f"Zaak gestopt{': ' + str(detail['reason']) if detail.get('reason') else ''}"
    template = EVENT_TEXTS.get(kind)
    if template is None:
        return kind.replace("_", " ")
    lane = str(detail.get("lane") or "")
    return template.format(
        title=title,
        lane=ROLES.get(lane, lane or "–"),
        assignee=detail.get("assignee") or "–",
        previous=detail.get("previous") or "–",
        keys=", ".join(str(k) for k in detail.get("keys") or ()) or "–",
        error=detail.get("error") or "",
    )


def diagram(engine: Engine, instance_id: int) -> str:
    """Use case: the BPMN XML of the process version the case runs on (for the viewer)."""
    return engine.diagram(instance_id)
