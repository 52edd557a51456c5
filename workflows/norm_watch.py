"""Norm signals: a task that outlives its norm is signalled once, to whom the diagram names.

A process owner watches a norm without drawing anything: the user task's `norm` property sets its
due moment (working days skip weekends and Dutch holidays, see `norms`), and the property
`signal_to` names who hears when that moment passes (a team's address, such as the coordinator of
the initiatieventeam). A second, harder step is optional: `escalation` is a later norm counted
from the same start, `escalation_to` who hears then (a teammanager). Norms the diagram watches
itself with a timer on the task's edge (an aspect's reminder, the Awb postponement notice) need
neither; the diagram rule `norms_are_watched` warns of a norm that nobody hears of.

The background loop calls `signal_due` every round (the simulation once a simulated day). Each
open task past its due moment is looked at once: a row in `norm_watch` (keyed on the task) holds
what was sent, so a restart or a second process never signals twice. An escalation is sent once
per step of a case: the parallel aspect assessments of one round share one. Each signal is an
e-mail in the outbox and a line in the case's history, in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine import Engine, as_utc
from engine.readmodel import TASK_IS_OPEN, human_task, outbox, process_instance
from workflows import norms
from workflows.tables import norm_watch

ZONE = ZoneInfo(norms.DEFAULT_TZ)
#: the e-mail of a passed norm and of its escalation (texts in `mail_texts`)
SIGNAL = "norm_verstreken"
#: how a signal's message names its task (the simulation's report reads the title back)
TASK_ITEM = "Taak: "
ESCALATION = "escalatie_norm"


@dataclass(frozen=True)
class Signal:
    """One signal sent: which task of which case, at which step, to whom."""

    instance_id: int
    task_id: str
    bpmn_id: str
    level: str  # "norm" / "escalation"
    to: str
    due_at: datetime


def signal_due(engine: Engine, limit: int = 200) -> list[Signal]:
    """Send the signals whose moment has come (each once); returns what was sent."""
    now = engine.now()
    sent = _first_signals(engine, now, limit)
    sent += _escalations(engine, now, limit)
    return sent


#: what a signal says of its task
_TASK = (
    human_task.c.task_id,
    human_task.c.instance_id,
    human_task.c.bpmn_id,
    human_task.c.title,
    human_task.c.assignee,
)
# Built once and run as the engine runs its own statements: the background loop asks at every
# round (the simulation once a simulated day), nearly always to find nothing.
_WATCHED = select(norm_watch.c.task_id).where(norm_watch.c.task_id == human_task.c.task_id)
#: open tasks past their due moment that nobody looked at yet, soonest first
_PASSED = (
    select(
        *_TASK,
        human_task.c.created_at,
        human_task.c.due_at,
        human_task.c.properties,
        process_instance.c.business_key,
    )
    .join(process_instance, process_instance.c.id == human_task.c.instance_id)
    .where(TASK_IS_OPEN, human_task.c.due_at <= bindparam("b_now"), ~_WATCHED.exists())
    .order_by(human_task.c.due_at)
    .limit(bindparam("b_limit", type_=Integer))
)
#: watched tasks still open whose escalation moment passed and was not sent
_TO_ESCALATE = (
    select(
        *_TASK,
        human_task.c.properties,
        process_instance.c.business_key,
        norm_watch.c.escalate_at,
    )
    .join(norm_watch, norm_watch.c.task_id == human_task.c.task_id)
    .join(process_instance, process_instance.c.id == human_task.c.instance_id)
    .where(
        TASK_IS_OPEN,
        norm_watch.c.escalate_at <= bindparam("b_now"),
        norm_watch.c.escalated_at.is_(None),
    )
    .order_by(norm_watch.c.escalate_at)
    .limit(bindparam("b_limit", type_=Integer))
)
_INSERT_WATCH = insert(norm_watch)
#: the step's parallel tasks of one round (same start) share one escalation
_CLAIM_ESCALATION = (
    update(norm_watch)
    .where(
        and_(
            norm_watch.c.instance_id == bindparam("b_instance_id"),
            norm_watch.c.bpmn_id == bindparam("b_bpmn_id"),
            norm_watch.c.escalate_at == bindparam("b_escalate_at"),
            norm_watch.c.escalated_at.is_(None),
        )
    )
    .values(escalated_to=bindparam("b_to"), escalated_at=bindparam("b_now"))
)
_INSERT_OUTBOX = insert(outbox)


def _first_signals(engine: Engine, now: datetime, limit: int) -> list[Signal]:
    with engine.statement_reads() as reads:
        rows = reads.all(_PASSED, {"b_now": now, "b_limit": limit})
    sent: list[Signal] = []
    for row in rows:
        props: Mapping[str, Any] = row.properties or {}
        to = str(props.get("signal_to") or "") or None
        escalate_at = _escalation_due(props, as_utc(row.created_at))
        due = as_utc(row.due_at)
        try:
            with engine.transaction() as uow:
                uow.run(
                    _INSERT_WATCH,
                    {
                        "task_id": row.task_id,
                        "instance_id": row.instance_id,
                        "bpmn_id": row.bpmn_id,
                        "due_at": due,
                        "signalled_to": to,
                        "signalled_at": now,
                        "escalate_at": escalate_at,
                    },
                )
                if to:
                    _send(engine, uow, row, SIGNAL, to, str(props.get("norm")), due, now)
        except IntegrityError:
            continue  # another process looked at this task a moment ago
        if to:
            sent.append(Signal(row.instance_id, row.task_id, row.bpmn_id, "norm", to, due))
    return sent


def _escalation_due(props: Mapping[str, Any], start: datetime) -> datetime | None:
    text = props.get("escalation")
    if not text or not props.get("escalation_to"):
        return None
    return norms.due_at(start, norms.parse_norm(str(text)))


def _escalations(engine: Engine, now: datetime, limit: int) -> list[Signal]:
    with engine.statement_reads() as reads:
        rows = reads.all(_TO_ESCALATE, {"b_now": now, "b_limit": limit})
    sent: list[Signal] = []
    for row in rows:
        props: Mapping[str, Any] = row.properties or {}
        to = str(props.get("escalation_to"))
        due = as_utc(row.escalate_at)
        with engine.transaction() as uow:
            claimed = uow.run(
                _CLAIM_ESCALATION,
                {
                    "b_instance_id": row.instance_id,
                    "b_bpmn_id": row.bpmn_id,
                    "b_escalate_at": row.escalate_at,
                    "b_to": to,
                    "b_now": now,
                },
            )
            if not claimed:
                continue  # a sibling task's row was escalated already (or another process did)
            _send(engine, uow, row, ESCALATION, to, str(props.get("escalation")), due, now)
        sent.append(Signal(row.instance_id, row.task_id, row.bpmn_id, "escalation", to, due))
    return sent


def _send(
    engine: Engine,
    uow: Any,
    row: Any,
    template: str,
    to: str,
    norm: str,
    due: datetime,
    now: datetime,
) -> None:
    local = due.astimezone(ZONE)
    holder = row.assignee or "nog niemand (ligt in de teambak)"
    uow.run(
        _INSERT_OUTBOX,
        {
            "instance_id": row.instance_id,
            "kind": "email",
            "payload": {
                "template": template,
                "to": to,
                "zaaknummer": row.business_key,
                "task": row.bpmn_id,
                "items": [
                    f"{TASK_ITEM}{row.title}",
                    f"Norm: {norm}, verstreken op {local:%d-%m-%Y} om {local:%H:%M}",
                    f"Bij: {holder}",
                ],
            },
            "created_at": now,
        },
    )
    engine.record_event(
        "norm_signalled",
        None,
        {
            "title": row.title,
            "norm": norm,
            "to": to,
            "level": "escalation" if template == ESCALATION else "norm",
            "bpmn_id": row.bpmn_id,
        },
        uow=uow,
        instance_id=row.instance_id,
    )
