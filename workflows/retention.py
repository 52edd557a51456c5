"""Retention: after a period the municipality sets, a finished case loses its personal data.

`WEGWIJS_RETENTION_MONTHS` (default 24) months after a case ended (completed, withdrawn or
stopped), the background loop replaces the initiator's name, e-mail address, phone number,
address and bank details wherever they are kept (the case's data, its history's details, its
e-mail messages: `Engine.anonymise`), removes its attachments and its status link, and notes
in the case's history that it did. The case keeps its shape: the same tasks, phases, dates,
amounts and events, so every figure and report stays as it was. The intake page tells the
initiator this period (from the same setting).

Internal notes are kept: staff write them as work records; they should not hold personal data
(the casists' manual says so), and a beheerder can remove one that does.
"""

from __future__ import annotations

import calendar
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from engine import ConflictError, Engine
from engine.readmodel import human_task, process_instance
from workflows.tables import case_anonymised, document, status_link, task_draft

#: the data keys that hold personal data (in every process's forms; `to`: the address an
#: e-mail of the case went to; `items`: the lines a message listed, e.g. the initiator's
#: contact details in a partner's mail)
PERSONAL_KEYS = frozenset(
    {
        "to",
        "items",
        "initiator_name",
        "initiator_email",
        "initiator_phone",
        "address",
        "iban",
        "iban_name",
    }
)
#: what a removed value reads as afterwards
REPLACEMENT = "[verwijderd]"
DEFAULT_MONTHS = 24
#: how many cases one round anonymises (each in its own transaction)
BATCH = 50


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def due(engine: Engine, months: int, limit: int = BATCH) -> list[int]:
    """The finished cases whose retention period has passed and that still hold personal data."""
    cutoff = months_before(engine.now(), months)
    with engine.reading() as conn:
        return [
            int(i)
            for i in conn.execute(
                select(process_instance.c.id)
                .outerjoin(case_anonymised, case_anonymised.c.instance_id == process_instance.c.id)
                .where(
                    process_instance.c.ended_at.is_not(None),
                    process_instance.c.ended_at < cutoff,
                    process_instance.c.status.not_in(("running", "waiting")),
                    case_anonymised.c.instance_id.is_(None),
                )
                .order_by(process_instance.c.ended_at)
                .limit(limit)
            ).scalars()
        ]


def anonymise_case(engine: Engine, instance_id: int) -> int:
    """Use case (the system's): remove one finished case's personal data, in one transaction.
    Returns how many values were replaced."""
    with engine.transaction() as uow:
        conn = uow.connection
        replaced = engine.anonymise(instance_id, PERSONAL_KEYS, REPLACEMENT, uow=uow)
        documents = conn.execute(
            select(func.count()).select_from(document).where(document.c.instance_id == instance_id)
        ).scalar_one()
        conn.execute(delete(document).where(document.c.instance_id == instance_id))
        conn.execute(delete(status_link).where(status_link.c.instance_id == instance_id))
        conn.execute(
            delete(task_draft).where(
                task_draft.c.task_id.in_(
                    select(human_task.c.task_id).where(human_task.c.instance_id == instance_id)
                )
            )
        )
        conn.execute(
            insert(case_anonymised).values(
                instance_id=instance_id,
                anonymised_at=engine.now(),
                values_replaced=replaced,
                documents_removed=int(documents),
            )
        )
    return replaced


def anonymise_due(engine: Engine, months: int = DEFAULT_MONTHS, limit: int = BATCH) -> int:
    """Use case (the system's, run by the background loop): anonymise the cases whose retention
    period has passed, at most `limit` per round. Returns how many cases it anonymised."""
    done = 0
    for instance_id in due(engine, months, limit):
        try:
            anonymise_case(engine, instance_id)
        except (IntegrityError, ConflictError):
            continue  # another process anonymised it a moment ago
        done += 1
    return done
