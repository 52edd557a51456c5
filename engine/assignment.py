"""Who holds an open task: claim, release, reassign (each recorded as an event).

One read of the task row, the caller's check on it (who may), then an update that changes the
task only if nobody changed it since it was read: of two people claiming at once, exactly one
gets it and the other hears who did.
"""

from __future__ import annotations

from collections.abc import Callable

from engine import refusals
from engine.errors import ConflictError, NotFoundError
from engine.persistence import rows
from engine.persistence import statements as sql
from engine.runtime import Runtime
from engine.types import HumanTask
from engine.unit_of_work import UnitOfWork


def assign(
    rt: Runtime,
    task_id: str,
    assignee: str | None,
    actor: str,
    kind: str,
    uow: UnitOfWork | None,
    only_if_free: bool = False,
    check: Callable[[HumanTask], None] | None = None,
) -> HumanTask:
    """Give an open task to `assignee` (None: back to the team queue); `kind` names the event
    (task_claimed / task_released / task_reassigned). `check` may refuse by raising."""
    with rt.database.within(uow) as u:
        found = u.all(sql.TASK_BY_ID, {"b_task_id": task_id})
        if not found:
            raise NotFoundError("Deze taak bestaat niet.")
        row = found[0]
        task = rows.human_task(row)
        if check is not None:
            check(task)
        if row.state != "open":
            raise ConflictError(refusals.task_closed(row))
        if only_if_free and row.assignee and row.assignee != assignee:
            raise ConflictError(f"Taak '{row.title}' is intussen opgepakt door {row.assignee}.")
        now = rt.now()
        changed = u.run(
            sql.ASSIGN_IF_UNCHANGED,
            {
                "b_task_id": task_id,
                "b_seen": row.assignee or "",
                "assignee": assignee,
                "claimed_at": now if assignee else None,
            },
        )
        if changed != 1:
            raise ConflictError(
                f"Taak '{row.title}' is intussen door iemand anders gewijzigd; vernieuw de pagina."
            )
        u.run(
            sql.INSERT_EVENT,
            {
                "instance_id": row.instance_id,
                "type": kind,
                "at": now,
                "actor": actor,
                "task_id": task_id,
                "bpmn_id": row.bpmn_id,
                "detail": {"assignee": assignee, "previous": row.assignee, "title": row.title},
            },
        )
        return HumanTask(
            **{**task.__dict__, "assignee": assignee, "claimed_at": now if assignee else None}
        )
