"""The audit trail of one case: every event in order, with who and when, read-only; and the
same as CSV. Values people typed are shown, except those that identify or pay someone."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine import Engine, NotFoundError, as_utc
from engine.readmodel import event, human_task, process_instance
from workflows import forms, people
from workflows.people import Contact
from workflows.reports import labels
from workflows.tables import initiative

#: data keys never shown in an audit trail or an export (contact and bank details, secrets)
PRIVATE_KEYS = ("email", "phone", "telefoon", "iban", "token", "password", "wachtwoord", "address")


@dataclass(frozen=True)
class AuditLine:
    number: int
    at: datetime
    what: str
    step: str
    actor: str
    detail: str
    kind: str


@dataclass(frozen=True)
class AuditTrail:
    instance_id: int
    zaaknummer: str
    title: str
    process_label: str
    lines: list[AuditLine]


def private(key: str) -> bool:
    low = key.lower()
    return any(word in low for word in PRIVATE_KEYS)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value).split())
    return text if len(text) <= 120 else text[:119] + "…"


def _detail(
    kind: str,
    detail: Mapping[str, Any],
    known: Mapping[str, Contact],
    form: Mapping[str, Any] | None = None,
) -> str:
    if kind == "milestone_reached":
        return labels.phase(str(detail.get("milestone", "")))
    if kind in ("task_claimed", "task_reassigned", "task_released", "casist_changed"):
        parts = []
        if detail.get("assignee"):
            parts.append(f"aan {people.label(str(detail['assignee']), known)}")
        if detail.get("previous"):
            parts.append(f"was {people.label(str(detail['previous']), known)}")
        return ", ".join(parts)
    if kind == "task_created":
        return labels.lane(detail.get("lane"))
    if kind == "message_received":
        return labels.message(str(detail.get("message") or ""))
    if kind == "instance_cancelled":
        return str(detail.get("reason") or "")
    if kind == "instance_errored":
        return str(detail.get("error") or "")[:300]
    if kind == "task_completed" and isinstance(detail.get("data"), Mapping):
        data = {k: v for k, v in detail["data"].items() if not private(str(k))}
        if form is not None:  # as the form asked it: its titles, its options' words
            return "; ".join(
                f"{title}: {_value(text)}" for title, text in forms.answers(form, data)
            )
        shown = [
            f"{labels.tidy(str(k))}: {_value(v)}"
            for k, v in data.items()
            if not isinstance(v, dict | list)
        ]
        return "; ".join(shown)
    return ""


def trail(engine: Engine, instance_id: int) -> AuditTrail:
    """Use case: one case's events, oldest first."""
    with engine.reading() as conn:
        case = conn.execute(
            select(process_instance.c.process_id, initiative.c.zaaknummer, initiative.c.title)
            .outerjoin(initiative, initiative.c.instance_id == process_instance.c.id)
            .where(process_instance.c.id == instance_id)
        ).first()
        if case is None:
            raise NotFoundError("Deze zaak bestaat niet.")
        rows = conn.execute(
            select(
                event.c.type,
                event.c.at,
                event.c.actor,
                event.c.bpmn_id,
                event.c.task_id,
                event.c.detail,
            )
            .where(event.c.instance_id == instance_id)
            .order_by(event.c.id)
        ).all()
        # a step's name for events that do not carry it (e.g. a task cancelled by a timer)
        titles = dict(
            conn.execute(
                select(human_task.c.task_id, human_task.c.title).where(
                    human_task.c.instance_id == instance_id
                )
            ).all()
        )
    known = people.names(
        engine,
        [r.actor or "" for r in rows]
        + [str((r.detail or {}).get(k) or "") for r in rows for k in ("assignee", "previous")],
    )
    lines = []
    for number, r in enumerate(rows, start=1):
        detail = r.detail or {}
        step = str(detail.get("title") or titles.get(r.task_id) or "") or (r.bpmn_id or "")
        if r.type == "timer_fired":
            step = r.bpmn_id or ""
        lines.append(
            AuditLine(
                number=number,
                at=as_utc(r.at),
                what=labels.event(r.type),
                step=step,
                actor=people.label(r.actor, known) if r.actor else people.SYSTEM_NAME,
                detail=_detail(r.type, detail, known, _form(engine, r)),
                kind=r.type,
            )
        )
    return AuditTrail(
        instance_id=instance_id,
        zaaknummer=case.zaaknummer or f"zaak {instance_id}",
        title=case.title or "",
        process_label=labels.process(case.process_id),
        lines=lines,
    )


def _form(engine: Engine, row: Any) -> Mapping[str, Any] | None:
    """The form of a completed task (its titles and options name what was filled in)."""
    task_id = row.task_id if row.type == "task_completed" else None
    if not task_id:
        return None
    try:
        return engine.task_form(str(task_id))
    except NotFoundError:
        return None


def cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def trail_csv(found: AuditTrail) -> str:
    """The audit trail as CSV (UTF-8, comma-separated, ISO 8601 times in UTC)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["nr", "zaaknummer", "tijdstip", "gebeurtenis", "stap", "door", "toelichting", "code"]
    )
    for line in found.lines:
        writer.writerow(
            [
                line.number,
                cell(found.zaaknummer),
                line.at.isoformat(),
                line.what,
                cell(line.step),
                cell(line.actor),
                cell(line.detail),
                line.kind,
            ]
        )
    return out.getvalue()
