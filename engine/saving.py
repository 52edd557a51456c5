"""Save and sync: write a workflow after a step, with its human tasks, events and read models.

After every step of the run loop: decide the status (a case that can no longer move is in
error), serialize, `UPDATE … WHERE lock_version = ?` (a miss is a conflict), make the open
`human_task` rows match the workflow's READY user tasks, insert the events, let the
application keep its read models (`on_saved`), and put the workflow in the cache after the
commit.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from engine import failures, spiff
from engine.clock import as_utc
from engine.errors import ConflictError, EngineError
from engine.persistence import rows
from engine.persistence import statements as sql
from engine.runtime import ACTIVE, Runtime
from engine.settings import SavedInstance, TaskDueInput
from engine.types import InstanceSummary
from engine.unit_of_work import UnitOfWork


def save(
    rt: Runtime,
    u: UnitOfWork,
    loaded: Any,
    actor: str | None,
    now: datetime,
    force_status: str | None = None,
) -> InstanceSummary:
    """Write the instance (lock_version + 1), its human tasks and events; cache after commit."""
    workflow, row = loaded.workflow, loaded.row
    instance_id = int(row.instance_id)
    ready, failed = spiff.scan(workflow)
    if not (loaded.errors or failed or ready or force_status):
        stuck = spiff.stalled_at(workflow)
        if stuck is not None:
            loaded.errors.append(failures.stalled(stuck))
    errored = bool(loaded.errors) or bool(failed)
    if errored or force_status:
        ready = []
    if force_status:
        status = force_status
    elif errored:
        status = "errored"
    elif spiff.is_finished(workflow):
        status = "completed"
    else:
        status = "running" if ready else "waiting"
    ended = now if status in ("completed", "cancelled") else None
    next_due = spiff.next_timer_due(workflow) if status in ACTIVE else None
    last_error = (
        "; ".join(loaded.errors) if loaded.errors else (row.last_error if errored else None)
    )
    new_lock = row.lock_version + 1
    values = {
        "b_id": instance_id,
        "b_lock": row.lock_version,
        "state": _dumps(rt, workflow, instance_id),
        "lock_version": new_lock,
        "updated_at": now,
        "ended_at": ended,
        "last_error": last_error,
        "serializer_version": rt.codec.version,
    }
    # Indexed columns only when they change: SQLite rewrites an index entry for every
    # column in the SET list, changed or not (a page written per completion for nothing).
    if status != row.status:
        values["status"] = status
    if next_due != rows.opt_utc(row.next_timer_due):
        values["next_timer_due"] = next_due
    if u.run(sql.UPDATE_INSTANCE, values) != 1:
        raise ConflictError(
            f"Zaak {instance_id} is tegelijk door iemand anders gewijzigd; probeer het opnieuw."
        )
    if not errored:
        sync_tasks(rt, u, loaded, ready, now, actor)
    if status != row.status or force_status:
        if status == "completed":
            loaded.add_event("instance_completed", now, actor)
        elif status == "errored":
            loaded.add_event("instance_errored", now, actor, detail={"error": last_error})
    if loaded.events:
        u.statements.run_many(u.connection, sql.INSERT_EVENT, loaded.events)
    if rt.settings.on_saved is not None:
        rt.settings.on_saved(
            SavedInstance(
                connection=u.connection,
                instance_id=instance_id,
                process_id=row.process_id,
                business_key=row.business_key,
                status=status,
                at=now,
                events=tuple((e["type"], e["bpmn_id"], e["detail"]) for e in loaded.events),
                values=functools.partial(spiff.current_values, workflow),
                execute=u.run,
                fetch=u.all,
            )
        )
    u.after_commit(functools.partial(rt.workflows.put, instance_id, new_lock, workflow))
    return InstanceSummary(
        id=instance_id,
        process_id=row.process_id,
        version=int(row.version),
        business_key=row.business_key,
        status=status,
        started_at=as_utc(row.started_at),
        ended_at=ended,
        next_timer_due=next_due,
        last_error=last_error,
        opened_tasks=tuple(loaded.opened),
    )


def _dumps(rt: Runtime, workflow: Any, instance_id: int) -> str:
    try:
        return rt.codec.dumps(workflow)
    except (TypeError, ValueError, OverflowError) as exc:
        raise EngineError(
            f"Zaak {instance_id} bevat gegevens die niet bewaard kunnen worden ({exc}); "
            "de stap is niet uitgevoerd. Meld dit aan de beheerder."
        ) from exc


def mark_errored(rt: Runtime, instance_id: int, message: str) -> None:
    """Take a case out of circulation with a visible error (its state stays as last saved)."""
    now = rt.now()
    text = message[: failures.MAX_ERROR_LENGTH]
    with rt.database.transaction() as u:
        u.run(sql.MARK_ERRORED, {"b_id": instance_id, "b_error": text, "b_now": now})
        u.run(
            sql.INSERT_EVENT,
            {
                "instance_id": instance_id,
                "type": "instance_errored",
                "at": now,
                "actor": None,
                "task_id": None,
                "bpmn_id": None,
                "detail": {"error": text},
            },
        )
    rt.workflows.evict(instance_id)


def sync_tasks(
    rt: Runtime,
    u: UnitOfWork,
    loaded: Any,
    ready: list[spiff.ReadyUserTask],
    now: datetime,
    actor: str | None,
) -> None:
    """Make the open human_task rows match the workflow's READY user tasks."""
    instance_id = int(loaded.row.instance_id)
    open_tasks = loaded.open_tasks
    if open_tasks is None:
        open_tasks = {
            r.task_id: r.bpmn_id for r in u.all(sql.OPEN_TASKS_OF_INSTANCE, {"b_id": instance_id})
        }
    ready_ids = {t.id for t in ready}
    new = [t for t in ready if t.id not in open_tasks]
    if new:
        rows_new = [
            {
                "task_id": t.id,
                "instance_id": instance_id,
                "process_id": t.process_id,
                "bpmn_id": t.bpmn_id,
                "title": t.title,
                "lane": t.lane,
                "state": "open",
                "created_at": now,
                "due_at": _due(rt, t, now),
                "properties": t.properties,
                "candidate_group": t.group,
                "assignee": t.assignee,
                "claimed_at": now if t.assignee else None,
            }
            for t in new
        ]
        u.statements.run_many(u.connection, sql.INSERT_HUMAN_TASK, rows_new)
        loaded.opened.extend(rows.opened_task(r, loaded.row.business_key) for r in rows_new)
        for t in new:
            loaded.add_event(
                "task_created",
                now,
                None,
                task_id=t.id,
                bpmn_id=t.bpmn_id,
                detail={"title": t.title, "lane": t.lane}
                | ({"assignee": t.assignee} if t.assignee else {}),
            )
    gone = [
        (task_id, bpmn_id) for task_id, bpmn_id in open_tasks.items() if task_id not in ready_ids
    ]
    if gone:
        u.run(sql.CANCEL_HUMAN_TASKS, {"b_task_ids": [t for t, _ in gone], "b_now": now})
        for task_id, bpmn_id in gone:
            loaded.add_event("task_cancelled", now, actor, task_id=task_id, bpmn_id=bpmn_id)


def _due(rt: Runtime, task: spiff.ReadyUserTask, now: datetime) -> datetime | None:
    if rt.settings.task_due is None:
        return None
    return rt.settings.task_due(
        TaskDueInput(task.process_id, task.bpmn_id, task.lane, dict(task.properties), now)
    )
