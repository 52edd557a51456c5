"""The run loop: the one place workflows run — start, complete a task, deliver a message,
cancel, retry, fire timers.

Every state change is one transaction: lock the instance row (`SELECT … FOR UPDATE` on
PostgreSQL; on SQLite every write transaction starts with `BEGIN IMMEDIATE`) → load the
workflow (from the cache when its `lock_version` matches, else deserialized on its version's
specs) → check → run → `do_engine_steps()` → save (engine/saving.py) → commit.

It is one module (~550 lines) because each operation is the same few steps around a different
check; splitting the operations apart would copy the loading and running they share.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, NoReturn

from sqlalchemy.exc import IntegrityError

from engine import clock as clock_module
from engine import failures, refusals, saving, services, spiff
from engine.clock import as_utc
from engine.errors import (
    ConflictError,
    EngineError,
    InstanceStateError,
    NotFoundError,
    TaskNotAllowedError,
)
from engine.persistence import rows
from engine.persistence import statements as sql
from engine.runtime import ACTIVE, Runtime
from engine.types import HumanTask, InstanceSummary, OpenTask
from engine.unit_of_work import UnitOfWork

log = logging.getLogger("wegwijs.engine")

#: the largest start, form or message data accepted at once (as JSON)
MAX_DATA_BYTES = 1_000_000


@dataclass
class Loaded:
    """A locked instance row and its workflow, plus what this transaction will write."""

    row: Any
    workflow: Any
    errors: list[str] = field(default_factory=list)
    open_tasks: dict[str, str] | None = None  # task_id -> bpmn_id of open human_task rows
    events: list[dict[str, Any]] = field(default_factory=list)
    opened: list[HumanTask] = field(default_factory=list)  # the human tasks this step created

    def add_event(
        self,
        kind: str,
        at: datetime,
        actor: str | None,
        task_id: str | None = None,
        bpmn_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(
            {
                "instance_id": int(self.row.instance_id),
                "type": kind,
                "at": at,
                "actor": actor,
                "task_id": task_id,
                "bpmn_id": bpmn_id,
                "detail": detail or {},
            }
        )


class _NewInstance(NamedTuple):
    """A process_instance row as `start` has just inserted it (the columns of INSTANCE_COLUMNS)."""

    instance_id: int
    process_version_id: int
    process_id: str
    business_key: str | None
    status: str
    serializer_version: str
    lock_version: int
    started_at: datetime
    last_error: str | None
    next_timer_due: datetime | None
    version: int


def check_data(data: Mapping[str, Any]) -> None:
    """Data handed to a case must be plain JSON values of a sane size (no NaN or Infinity)."""
    try:
        encoded = json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise EngineError(f"De gegevens zijn geen geldige JSON-waarden: {exc}") from exc
    if len(encoded) > MAX_DATA_BYTES:
        raise EngineError(
            f"De gegevens zijn te groot ({len(encoded):,} bytes; maximaal {MAX_DATA_BYTES:,})."
        )


# ---------------------------------------------------------------------- start


def start(
    rt: Runtime,
    process_id: str,
    data: Mapping[str, Any] | None,
    business_key: str | None,
    actor: str | None,
    uow: UnitOfWork | None,
) -> InstanceSummary:
    """Start the newest version of a process with initial data; runs until it waits."""
    data = dict(data or {})
    check_data(data)
    with rt.database.within(uow) as u:
        found = u.all(sql.LATEST_VERSION, {"b_process_id": process_id})
        if not found:
            known = sorted(r.process_id for r in u.all(sql.DEPLOYED_PROCESS_IDS, {}))
            hint = (
                f" Bekende processen: {', '.join(known)}."
                if known
                else " Er is nog niets gedeployed."
            )
            raise NotFoundError(f"Proces '{process_id}' bestaat niet.{hint}")
        version = found[0]
        workflow = rt.codec.new_workflow(
            rt.version_specs(u.connection, version.id), rt.script_engine
        )
        for task in workflow.get_tasks(state=spiff.TaskState.READY):
            task.data.update(data)
        now = rt.now()
        values = {
            "process_version_id": version.id,
            "process_id": process_id,
            "business_key": business_key,
            "status": "running",
            "state": "{}",
            "serializer_version": rt.codec.version,
            "lock_version": 0,
            "started_at": now,
            "updated_at": now,
            "started_by": actor,
        }
        try:
            result = u.connection.execute(sql.INSERT_INSTANCE, values)
        except IntegrityError as exc:
            if business_key is not None and "business_key" in str(exc.orig).lower() + str(exc):
                raise ConflictError(
                    f"Zaaknummer {business_key} bestaat al voor dit proces; "
                    "kies een ander zaaknummer."
                ) from None
            raise
        key = result.inserted_primary_key
        if key is None:
            raise EngineError("de database gaf geen nieuwe sleutel terug")
        instance_id = int(key[0])
        row = _NewInstance(  # the row as it was just written
            instance_id=instance_id,
            process_version_id=version.id,
            process_id=process_id,
            business_key=business_key,
            status="running",
            serializer_version=rt.codec.version,
            lock_version=0,
            started_at=now,
            last_error=None,
            next_timer_due=None,
            version=int(version.version),
        )
        loaded = Loaded(row, workflow, open_tasks={})
        loaded.add_event(  # the first event of the case: written with the others when saved
            "instance_started",
            now,
            actor,
            detail={
                "process_id": process_id,
                "version": version.version,
                "business_key": business_key,
            },
        )
        loaded.errors = advance(rt, u, loaded, lambda: None, actor, now)
        return saving.save(rt, u, loaded, actor, now)


# ---------------------------------------------------------------------- complete a task


def complete_task(
    rt: Runtime,
    task_id: str,
    data: Mapping[str, Any] | None,
    actor: str | None,
    lanes: Iterable[str] | None,
    uow: UnitOfWork | None,
    check: Callable[[OpenTask], Mapping[str, Any] | None] | None = None,
    claim: bool = False,
) -> InstanceSummary:
    """Complete a READY user task, then run the instance until it waits.

    One lock read gives the task, its case and the case's other open tasks. `check` (the
    caller's rules: who may, is the form right) gets them with the task's form and may refuse
    by raising, or return the data to complete with (e.g. the cleaned form); `lanes`: the
    acting user's roles (None: no lane check). `claim`: a task nobody holds is claimed by the
    actor in the same statement that completes it. Raises ConflictError when the task was
    completed or cancelled meanwhile.
    """
    data = dict(data or {})
    check_data(data)
    with rt.database.within(uow) as u:
        instance, open_rows = _lock_instance_of_task(rt, u, task_id)
        target = next((r for r in open_rows if r.task_id == task_id), None)
        if target is None or instance is None:
            _explain_unavailable(u, task_id)
        if lanes is not None and target.lane and target.lane not in set(lanes):
            raise TaskNotAllowedError(
                f"U mag taak '{target.title}' niet uitvoeren: die hoort bij de rol '{target.lane}'."
            )
        if check is not None:
            form = rt.version_specs(u.connection, instance.process_version_id).form(
                (target.properties or {}).get("formJsonSchemaFilename")
            )
            cleaned = check(OpenTask(rows.open_task(target, instance), instance.status, form))
            if cleaned is not None:
                data = dict(cleaned)
                check_data(data)
        if instance.status not in ACTIVE:
            raise InstanceStateError(
                refusals.not_active(
                    instance.instance_id, instance.status, "de taak kan nu niet worden afgerond."
                )
            )
        loaded = load(rt, u, instance, open_tasks={r.task_id: r.bpmn_id for r in open_rows})
        task = spiff.find_task(loaded.workflow, task_id)
        if task is None or task.state != spiff.TaskState.READY or not task.task_spec.manual:
            _explain_unavailable(u, task_id)
        now = rt.now()
        values: dict[str, Any] = {
            "b_task_id": task_id,
            "state": "completed",
            "completed_at": now,
            "completed_by": actor,
        }
        claimed = claim and target.assignee is None and actor is not None
        if claimed:
            values.update(assignee=actor, claimed_at=now)
        if u.run(sql.COMPLETE_HUMAN_TASK, values) != 1:
            _explain_unavailable(u, task_id)
        assert loaded.open_tasks is not None  # noqa: S101 - set just above
        loaded.open_tasks.pop(task_id, None)
        if claimed:
            loaded.add_event(
                "task_claimed",
                now,
                actor,
                task_id=task_id,
                bpmn_id=target.bpmn_id,
                detail={"assignee": actor, "previous": None, "title": target.title},
            )
        loaded.add_event(
            "task_completed",
            now,
            actor,
            task_id=task_id,
            bpmn_id=target.bpmn_id,
            # what was submitted, for the audit trail and for outcomes shown per task
            detail={"title": target.title, "lane": target.lane, "data": data},
        )

        def run_task() -> None:
            spec = task.task_spec
            if hasattr(spec, "add_data_from_form"):
                spec.add_data_from_form(task, data)
            else:
                task.data.update(data)
            task.run()

        loaded.errors = advance(rt, u, loaded, run_task, actor, now)
        return saving.save(rt, u, loaded, actor, now)


def _lock_instance_of_task(rt: Runtime, u: UnitOfWork, task_id: str) -> tuple[Any, list[Any]]:
    """Lock the case of a task; (its row, its open tasks). SQLite's write transaction already
    holds the database: one statement. PostgreSQL locks the row first, then reads the tasks
    (rows read before the lock was granted could be stale)."""
    if rt.database.is_postgres:
        found = u.all(sql.LOCK_INSTANCE_OF_TASK, {"b_task_id": task_id})
        if not found:
            return None, []
        return found[0], u.all(sql.OPEN_TASKS_OF_INSTANCE, {"b_id": found[0].instance_id})
    open_rows = u.all(sql.OPEN_TASKS_WITH_INSTANCE, {"b_task_id": task_id})
    return (open_rows[0] if open_rows else None), open_rows


def _explain_unavailable(u: UnitOfWork, task_id: str) -> NoReturn:
    """Raise the precise reason a task cannot be completed (cold path)."""
    found = u.all(sql.HUMAN_TASK_BY_ID, {"b_task_id": task_id})
    if not found:
        raise NotFoundError("Deze taak bestaat niet.")
    if found[0].state == "open":
        raise ConflictError(f"Taak '{found[0].title}' staat niet (meer) open; vernieuw de pagina.")
    raise ConflictError(refusals.task_closed(found[0]))


# ---------------------------------------------------------------------- messages, cancel, retry


def send_message(
    rt: Runtime,
    name: str,
    payload: Any,
    instance_id: int | None,
    business_key: str | None,
    actor: str | None,
    uow: UnitOfWork | None,
) -> InstanceSummary:
    """Deliver a BPMN message to one waiting instance (by id or business key)."""
    with rt.database.within(uow) as u:
        if instance_id is None:
            if business_key is None:
                raise EngineError("Geef een zaak-id of een zaaknummer op voor het bericht.")
            found = u.all(sql.ACTIVE_INSTANCE_BY_KEY, {"b_key": business_key})
            if not found:
                raise NotFoundError(f"Geen lopende zaak met zaaknummer '{business_key}'.")
            instance_id = int(found[0].id)
        loaded = lock_and_load(rt, u, instance_id)
        if loaded.row.status not in ACTIVE:
            raise InstanceStateError(
                f"Zaak {instance_id} heeft status '{refusals.status_nl(loaded.row.status)}' en "
                "wacht niet op berichten."
            )
        if not spiff.waits_for_message(loaded.workflow, name):
            raise ConflictError(f"Zaak {instance_id} wacht nu niet op het bericht '{name}'.")
        now = rt.now()
        loaded.add_event("message_received", now, actor, detail={"message": name})
        loaded.errors = advance(
            rt,
            u,
            loaded,
            lambda: loaded.workflow.send_event(spiff.message_event(name, payload)),
            actor,
            now,
        )
        return saving.save(rt, u, loaded, actor, now)


def cancel(
    rt: Runtime, instance_id: int, actor: str | None, reason: str | None, uow: UnitOfWork | None
) -> InstanceSummary:
    """Stop an instance; its open tasks are cancelled."""
    with rt.database.within(uow) as u:
        loaded = lock_and_load(rt, u, instance_id)
        if loaded.row.status in ("completed", "cancelled"):
            raise InstanceStateError(
                f"Zaak {instance_id} is al {refusals.status_nl(loaded.row.status)}."
            )
        now = rt.now()
        loaded.workflow.cancel()
        loaded.add_event("instance_cancelled", now, actor, detail={"reason": reason})
        return saving.save(rt, u, loaded, actor, now, force_status="cancelled")


def retry(
    rt: Runtime,
    instance_id: int,
    actor: str | None,
    data: Mapping[str, Any] | None,
    uow: UnitOfWork | None,
) -> InstanceSummary:
    """Run an errored instance again from its failed step (optionally after fixing data)."""
    if data:
        check_data(data)
    with rt.database.within(uow) as u:
        loaded = lock_and_load(rt, u, instance_id)
        if loaded.row.status != "errored":
            raise InstanceStateError(
                f"Zaak {instance_id} staat niet in fout (status "
                f"'{refusals.status_nl(loaded.row.status)}')."
            )
        _, failed = spiff.scan(loaded.workflow)
        now = rt.now()

        def rerun() -> None:
            for task in failed:
                if data:
                    task.data.update(dict(data))
                task._set_state(spiff.TaskState.READY)
                if task.task_spec.manual:
                    task.run()  # a user task whose own run failed: its input is already there
            if not failed:  # it stood still: repair what an older load left unconnected
                spiff.merge_unmerged_loop_children(loaded.workflow)
                loaded.workflow.refresh_timers()

        loaded.add_event(
            "instance_retried",
            now,
            actor,
            detail={"tasks": [t.task_spec.bpmn_id or t.task_spec.name for t in failed]},
        )
        loaded.errors = advance(rt, u, loaded, rerun, actor, now)
        return saving.save(rt, u, loaded, actor, now)


def update_data(
    rt: Runtime,
    instance_id: int,
    values: Mapping[str, Any],
    actor: str | None,
    uow: UnitOfWork | None,
    kind: str = "data_edited",
    detail: Mapping[str, Any] | None = None,
) -> InstanceSummary:
    """Change a running case's data (recorded as an event `kind`, with the keys changed)."""
    check_data(values)
    with rt.database.within(uow) as u:
        loaded = lock_and_load(rt, u, instance_id)
        if loaded.row.status not in ACTIVE:
            raise InstanceStateError(
                refusals.not_active(
                    instance_id, loaded.row.status, "haar gegevens veranderen niet meer."
                )
            )
        now = rt.now()
        spiff.set_values(loaded.workflow, values)
        loaded.add_event(kind, now, actor, detail={"keys": sorted(values), **dict(detail or {})})
        return saving.save(rt, u, loaded, actor, now)


# ---------------------------------------------------------------------- timers


def fire_due_timers(rt: Runtime, now: datetime | None, limit: int) -> list[InstanceSummary]:
    """Fire the timers that are due; each instance in its own transaction. Returns the
    instances whose timers ran, after their step, in the order they ran."""
    now = now or rt.now()
    with rt.database.reading() as conn:
        due = [
            int(r.id)
            for r in rt.database.statements.all(
                conn, sql.DUE_INSTANCES, {"b_now": now, "b_limit": limit}
            )
        ]
    fired = []
    for instance_id in due:
        try:
            summary = _fire_one(rt, instance_id, now)
        except Exception as exc:
            message = f"timer kon niet worden verwerkt: {failures.describe(exc)}"
            log.error("instance %s: %s", instance_id, message)
            saving.mark_errored(rt, instance_id, message)
            continue
        if summary is not None:
            fired.append(summary)
    return fired


def _fire_one(rt: Runtime, instance_id: int, now: datetime) -> InstanceSummary | None:
    """Fire the due timers of one instance in its own transaction; None when it did not run."""
    with rt.database.transaction() as u:
        loaded = lock_and_load(rt, u, instance_id, skip_locked=True)
        if loaded is None:
            return None  # another worker has it
        due_at = loaded.row.next_timer_due
        if loaded.row.status not in ACTIVE or due_at is None or as_utc(due_at) > now:
            return None
        before = {e.name for e in loaded.workflow.waiting_events() if spiff.is_timer(e)}
        at = rt.now()
        loaded.errors = advance(rt, u, loaded, loaded.workflow.refresh_timers, None, at)
        after = {e.name for e in loaded.workflow.waiting_events() if spiff.is_timer(e)}
        for name in sorted(before - after):
            loaded.add_event("timer_fired", at, None, bpmn_id=name)
        return saving.save(rt, u, loaded, None, at)


# ---------------------------------------------------------------------- loading and running


def lock_and_load(rt: Runtime, u: UnitOfWork, instance_id: int, skip_locked: bool = False) -> Any:
    """Lock an instance and load its workflow (None: locked by another worker, skip_locked)."""
    if rt.database.is_postgres:
        query = sql.LOCK_INSTANCE_SKIP_LOCKED if skip_locked else sql.LOCK_INSTANCE
    else:
        query = sql.INSTANCE_BY_ID
    found = u.all(query, {"b_id": instance_id})
    if not found:
        if skip_locked:
            return None
        raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
    return load(rt, u, found[0])


def load(rt: Runtime, u: UnitOfWork, row: Any, open_tasks: dict[str, str] | None = None) -> Loaded:
    """The workflow of a locked instance: from the cache when current, else deserialized."""
    workflow = take_workflow(rt, u, row)  # owned by this transaction until commit
    u.after_rollback(functools.partial(rt.workflows.evict, int(row.instance_id)))
    return Loaded(row, workflow, open_tasks=open_tasks)


def take_workflow(rt: Runtime, u: Any, row: Any) -> Any:
    """Take an instance's workflow out of the cache when current, else deserialize it.
    `u`: a UnitOfWork or a Reads (anything with `.all` and `.connection`)."""
    instance_id = int(row.instance_id)
    cached = rt.workflows.take(instance_id, row.lock_version)
    if cached is not None:
        return cached
    state = u.all(sql.SELECT_STATE, {"b_id": instance_id})[0].state
    workflow = rt.codec.loads(
        state, row.serializer_version, rt.version_specs(u.connection, row.process_version_id)
    )
    workflow.script_engine = rt.script_engine
    return workflow


def read_data(rt: Runtime, u: Any, row: Any, read: Callable[[Any], Any]) -> Any:
    """Read from an instance's workflow (borrowed from the cache and put back afterwards,
    unless a newer one was cached meanwhile). `read` must not change the workflow, and must
    return copies: the workflow may be in use by a transaction the moment it is put back."""
    workflow = take_workflow(rt, u, row)
    try:
        return read(workflow)
    finally:
        rt.workflows.put_back(int(row.instance_id), row.lock_version, workflow)


def advance(
    rt: Runtime,
    u: UnitOfWork,
    loaded: Loaded,
    step: Callable[[], None],
    actor: str | None,
    now: datetime,
) -> list[str]:
    """Run one step and then the engine until it waits; an error stays with this instance.

    Service operators called meanwhile write in this transaction; tasks carrying the
    milestone property record a `milestone_reached` event as they complete.
    """
    workflow, row = loaded.workflow, loaded.row
    marker, text_marker = rt.settings.milestone_property, rt.settings.milestone_text_property

    def completed(task: Any) -> None:
        properties = (getattr(task.task_spec, "extensions", None) or {}).get("properties") or {}
        if marker in properties:
            spec = task.task_spec
            detail = {"milestone": properties[marker], "title": spec.bpmn_name}
            if properties.get(text_marker):
                detail["text"] = str(properties[text_marker])
            loaded.add_event(
                "milestone_reached",
                rt.now(),
                actor,
                bpmn_id=spec.bpmn_id or spec.name,
                detail=detail,
            )

    try:
        with (
            clock_module.using(rt.clock),
            services.scope(
                services.Scope(
                    u.connection,
                    int(row.instance_id),
                    row.process_id,
                    row.business_key,
                    now,
                    actor,
                    functools.partial(u.statements.savepoint, u.connection),
                )
            ),
        ):
            step()
            workflow.do_engine_steps(did_complete_task=completed)
    except Exception as exc:
        message = failures.describe(exc)
        log.warning("instance %s step failed: %s", row.instance_id, message)
        return [message]
    return []
