"""Hand-overs: a case that another process takes over goes on as a new case of that process.

The complex route's triage hands an initiative to the wijkwensen or to simple green, the fund's
check refers one to the wijkwensen. The step that decides it writes a `handover` row to the
outbox in its own transaction (`operators.hand_over`); `run_due` carries each out once, in one
transaction: start the new case of the newest version of the target process with what the
initiator already told (`CARRIED`), link both cases (`case_link`, shown on both case pages and
in both histories), and tell the initiator once: the new case's first e-mail (its receipt) goes
with the hand-over's text, the new number, the old number and the new case's status link. If
the new case writes no e-mail at its start, the hand-over writes its own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, bindparam, insert, or_, select, update
from sqlalchemy.engine import Connection

from engine import Engine, EngineError, InstanceSummary, as_utc
from engine.readmodel import outbox, process_instance
from workflows import cases
from workflows.tables import case_link

log = logging.getLogger("wegwijs.handovers")
ZONE = ZoneInfo("Europe/Amsterdam")
KIND = "handover"
#: the number series of the processes that take cases over
PREFIXES = {"wijkwens_process": "WW", "simple_green_initiative_process": "GR"}
#: what the initiator told that the new case starts with
CARRIED = (
    "title",
    "description",
    "wijk",
    "gebied",
    "requested_amount",
    "green_type",
    "address",
    "initiator_type",
    "initiator_name",
    "initiator_email",
    "initiator_phone",
    "location_type",
    "physical_change",
    "consent_privacy_at",
)


@dataclass(frozen=True)
class HandedOver:
    """One hand-over carried out: the case it came from and the new case."""

    from_instance_id: int
    from_key: str | None
    case: InstanceSummary


@dataclass(frozen=True)
class LinkedCase:
    """A case linked to the one shown: where it went (`to`) or came from (`from`)."""

    direction: str  # "to" / "from"
    instance_id: int
    zaaknummer: str | None
    process_id: str
    process_label: str
    at: datetime


#: built once: the background loop asks at every round (the simulation after every case that
#: ends), nearly always to find nothing
_DUE = (
    select(outbox.c.id)
    .where(outbox.c.kind == KIND, outbox.c.sent_at.is_(None))
    .order_by(outbox.c.id)
    .limit(bindparam("b_limit", type_=Integer))
)


def due(engine: Engine, limit: int = 50) -> list[int]:
    """The outbox rows of hand-overs not yet carried out, oldest first."""
    with engine.statement_reads() as reads:
        return [int(row.id) for row in reads.all(_DUE, {"b_limit": limit})]


def run_due(engine: Engine, limit: int = 50) -> list[HandedOver]:
    """Use case (the system's, run by the background loop): carry out the waiting hand-overs,
    each once and in its own transaction. One that fails stays waiting, with its reason."""
    done = []
    for outbox_id in due(engine, limit):
        try:
            handed = carry_out(engine, outbox_id)
        except EngineError as exc:
            log.warning("hand-over %d failed: %s", outbox_id, exc)
            with engine.transaction() as uow:
                uow.connection.execute(
                    update(outbox)
                    .where(outbox.c.id == outbox_id)
                    .values(attempts=outbox.c.attempts + 1, last_error=str(exc)[:2000])
                )
            continue
        if handed is not None:
            done.append(handed)
    return done


def carry_out(engine: Engine, outbox_id: int) -> HandedOver | None:
    """One hand-over, in one transaction (None: another process did it a moment ago)."""
    with engine.transaction() as uow:
        conn = uow.connection
        row = conn.execute(
            select(outbox.c.instance_id, outbox.c.payload, outbox.c.created_at)
            .where(outbox.c.id == outbox_id, outbox.c.sent_at.is_(None))
            .with_for_update()
        ).first()
        if row is None:
            return None
        source = int(row.instance_id)
        payload: dict[str, Any] = dict(row.payload or {})
        process = str(payload["process"])
        from_key = payload.get("zaaknummer")
        values = engine.instance_values(source, CARRIED)
        now = engine.now()
        data = {k: v for k, v in values.items() if v is not None}
        data["handed_over_from"] = from_key
        data["submitted_on"] = now.astimezone(ZONE).date().isoformat()
        data["is_public_space_wish"] = values.get("location_type") == "openbare_ruimte" or bool(
            values.get("physical_change")
        )
        case = engine.start(
            process,
            data,
            business_key=cases.next_key(conn, PREFIXES.get(process, "ZAAK"), now.year),
            actor=None,
            uow=uow,
        )
        conn.execute(
            insert(case_link).values(
                from_instance_id=source, to_instance_id=case.id, kind=KIND, created_at=now
            )
        )
        engine.record_event(
            "case_handed_over",
            None,
            {"to": case.business_key, "process_id": process},
            uow=uow,
            instance_id=source,
        )
        engine.record_event(
            "case_taken_over",
            None,
            {"from": from_key, "process_id": process},
            uow=uow,
            instance_id=case.id,
        )
        _tell_once(conn, case, payload, from_key, data.get("initiator_email"), now)
        conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(sent_at=now))
    return HandedOver(source, from_key, case)


def _tell_once(
    conn: Connection,
    case: InstanceSummary,
    payload: dict[str, Any],
    from_key: str | None,
    to: Any,
    now: datetime,
) -> None:
    """The new case's first mail to the initiator becomes the hand-over's message (one mail,
    with both numbers); without one, the hand-over writes it."""
    first = conn.execute(
        select(outbox.c.id, outbox.c.payload)
        .where(
            outbox.c.instance_id == case.id,
            outbox.c.kind == "email",
        )
        .order_by(outbox.c.id)
        .limit(1)
    ).first()
    told = {"template": str(payload["template"]), "previous": from_key}
    if first is not None:
        conn.execute(
            update(outbox)
            .where(outbox.c.id == first.id)
            .values(payload={**dict(first.payload or {}), **told})
        )
    elif to:
        conn.execute(
            insert(outbox).values(
                instance_id=case.id,
                kind="email",
                payload={"to": str(to), "zaaknummer": case.business_key, "task": None, **told},
                created_at=now,
            )
        )


def linked(
    conn: Connection, instance_id: int, labels: Mapping[str, str] | None = None
) -> tuple[LinkedCase, ...]:
    """The cases linked to this one, both ways, oldest first (`labels`: process names)."""
    rows = conn.execute(
        select(
            case_link.c.from_instance_id,
            case_link.c.to_instance_id,
            case_link.c.created_at,
            process_instance.c.id,
            process_instance.c.business_key,
            process_instance.c.process_id,
        )
        .join(
            process_instance,
            or_(
                (case_link.c.from_instance_id == instance_id)
                & (process_instance.c.id == case_link.c.to_instance_id),
                (case_link.c.to_instance_id == instance_id)
                & (process_instance.c.id == case_link.c.from_instance_id),
            ),
        )
        .where(
            or_(
                case_link.c.from_instance_id == instance_id,
                case_link.c.to_instance_id == instance_id,
            )
        )
        .order_by(case_link.c.created_at)
    ).all()
    return tuple(
        LinkedCase(
            "to" if int(r.from_instance_id) == instance_id else "from",
            int(r.id),
            r.business_key,
            r.process_id,
            (labels or {}).get(r.process_id, r.process_id),
            as_utc(r.created_at),
        )
        for r in rows
    )
