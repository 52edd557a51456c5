"""What happens to a case as a whole: start it, pass on a message, stop it, run it again after
an error, fire the timers that are due.

Each is the one path for the web app and the command line: a person needs the role the rule
in `workflows.roles` names; the system (`accounts.System`: the command line's operator, the
simulator, the timer loop) may.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from engine import Engine, InstanceSummary, TaskNotAllowedError
from engine.readmodel import process_instance
from workflows.accounts import Actor, User
from workflows.roles import MAY_CANCEL, MAY_RETRY, MAY_SEND_MESSAGE, MAY_START, ROLES


def require(actor: Actor, allowed: frozenset[str], what: str) -> None:
    """Refuse a person without one of these roles (the system may)."""
    if isinstance(actor, User) and not actor.has_any(allowed):
        names = ", ".join(ROLES.get(r, r) for r in sorted(allowed))
        raise TaskNotAllowedError(
            f"U mag {what} niet; daarvoor is een van deze rollen nodig: {names}."
        )


def start(
    engine: Engine,
    actor: Actor,
    process_id: str,
    data: Mapping[str, Any] | None = None,
    business_key: str | None = None,
) -> InstanceSummary:
    """Use case: start a case of the newest version of a process."""
    require(actor, MAY_START, "geen zaak starten")
    return engine.start(process_id, data, business_key=business_key, actor=actor.username)


def send_message(
    engine: Engine,
    actor: Actor,
    name: str,
    data: Mapping[str, Any] | None = None,
    instance_id: int | None = None,
    business_key: str | None = None,
) -> InstanceSummary:
    """Use case: deliver a message to the case waiting for it (by id or zaaknummer)."""
    require(actor, MAY_SEND_MESSAGE, "geen bericht aan een zaak doorgeven")
    return engine.send_message(
        name,
        dict(data or {}),
        instance_id=instance_id,
        business_key=business_key,
        actor=actor.username,
    )


def cancel(
    engine: Engine, actor: Actor, instance_id: int, reason: str | None = None
) -> InstanceSummary:
    """Use case: stop a case; its open tasks are cancelled."""
    require(actor, MAY_CANCEL, "geen zaak stoppen")
    return engine.cancel(instance_id, actor=actor.username, reason=reason)


def retry(
    engine: Engine, actor: Actor, instance_id: int, data: Mapping[str, Any] | None = None
) -> InstanceSummary:
    """Use case: run a case in error again from the step that failed (optionally with fixed data)."""
    require(actor, MAY_RETRY, "geen zaak in fout opnieuw starten")
    return engine.retry(instance_id, actor=actor.username, data=data)


def fire_timers(engine: Engine) -> int:
    """Use case (the system's): fire the timers that are due; how many cases they moved."""
    return engine.fire_due_timers()


def next_key(conn: Connection, prefix: str, year: int) -> str:
    """The next free case number of a series this year (INI-2026-0042, WW-2026-0007)."""
    series = f"{prefix}-{year}-"
    keys = conn.execute(
        select(process_instance.c.business_key).where(
            process_instance.c.business_key.like(f"{series}%")
        )
    ).scalars()
    numbers = [int(k[len(series) :]) for k in keys if k and k[len(series) :].isdigit()]
    return f"{series}{max(numbers, default=0) + 1:04d}"
