"""Reads: tasks, instances, what a case holds and waits for, its diagram and its history.

Lists come from the tables (the worklist never deserializes a workflow); what only the
workflow knows (the data a task's form starts from, what a case waits for) is read from it,
borrowed from the cache and put back.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine import instances, spiff
from engine.clock import as_utc
from engine.errors import ConflictError, NotFoundError
from engine.persistence import rows
from engine.persistence import statements as sql
from engine.persistence.tables import event, human_task, process_instance
from engine.runtime import ACTIVE, Runtime
from engine.types import EventRecord, HumanTask, InstanceDetail, InstanceSummary, Trail, Waiting
from engine.unit_of_work import Reads


def next_timer_due(rt: Runtime) -> datetime | None:
    """The earliest due timer over all active instances (for workers and the simulator)."""
    with rt.database.reading() as conn:
        found = rt.database.statements.all(conn, sql.NEXT_TIMER_DUE, {})
    return as_utc(found[0].next_timer_due) if found else None


def list_tasks(
    rt: Runtime,
    lanes: Iterable[str] | None,
    assignee: str | None,
    instance_id: int | None,
    state: str | None,
    limit: int,
) -> list[HumanTask]:
    """User tasks from the human_task table (never deserializes a workflow)."""
    params = {"b_state": state, "b_assignee": assignee, "b_instance": instance_id, "b_limit": limit}
    by_assignee, by_instance = assignee is not None, instance_id is not None
    kind = state if state in ("open", None) else "other"
    query = sql.TASK_LISTS[(kind, by_assignee, by_instance)]
    with rt.database.reading() as conn:
        if lanes is not None:  # a list of lanes: expanded at run time, not prepared
            query = query.where(human_task.c.lane.in_(list(lanes)))
            return [rows.human_task(r) for r in conn.execute(query, params).all()]
        return [rows.human_task(r) for r in rt.database.statements.all(conn, query, params)]


def get_task(rt: Runtime, task_id: str) -> HumanTask:
    with rt.database.reading() as conn:
        found = rt.database.statements.all(conn, sql.TASK_BY_ID, {"b_task_id": task_id})
    if not found:
        raise NotFoundError("Deze taak bestaat niet.")
    return rows.human_task(found[0])


def task_data(rt: Runtime, task_id: str) -> dict[str, Any]:
    """The data an open user task sees (a copy): what its form starts from.

    Not the case's newest data: in a multi-instance task that would be a sibling's answers.
    Raises ConflictError when the task is no longer open (completed or cancelled).
    """
    with rt.database.reading() as conn:
        reads = Reads(conn, rt.database.statements)
        found = reads.all(sql.INSTANCE_OF_TASK, {"b_task_id": task_id})
        if not found:
            raise NotFoundError("Deze taak bestaat niet.")
        if found[0].task_state != "open":
            raise ConflictError(f"Taak '{found[0].title}' is niet meer open.")

        def read(workflow: Any) -> dict[str, Any]:
            task = spiff.find_task(workflow, task_id)
            return copy.deepcopy(dict(task.data)) if task is not None else {}

        data: dict[str, Any] = instances.read_data(rt, reads, found[0], read)
    return data


def task_form(rt: Runtime, task_id: str) -> dict[str, Any] | None:
    """The JSON Schema of a user task's form (from its instance's version), or None."""
    with rt.database.reading() as conn:
        found = rt.database.statements.all(conn, sql.FORM_OF_TASK, {"b_task_id": task_id})
        if not found:
            raise NotFoundError("Deze taak bestaat niet.")
        name = (found[0].properties or {}).get("formJsonSchemaFilename")
        if not name:
            return None
        schema = rt.version_specs(conn, found[0].process_version_id).form(name)
    if schema is None:
        raise NotFoundError(f"Het formulier '{name}' ontbreekt in de versie van deze zaak.")
    return schema


def list_instances(
    rt: Runtime,
    status: str | None,
    process_id: str | None,
    limit: int,
    before_id: int | None = None,
) -> list[InstanceSummary]:
    """Instances, newest first; `before_id` continues a list after its last row."""
    query = sql.SUMMARY.order_by(process_instance.c.id.desc()).limit(limit)
    if status is not None:
        query = query.where(process_instance.c.status == status)
    if process_id is not None:
        query = query.where(process_instance.c.process_id == process_id)
    if before_id is not None:
        query = query.where(process_instance.c.id < before_id)
    with rt.database.reading() as conn:
        return [rows.summary(r) for r in conn.execute(query).all()]


def count_instances(rt: Runtime, status: str | None, process_id: str | None) -> int:
    from sqlalchemy import func

    query = select(func.count()).select_from(process_instance)
    if status is not None:
        query = query.where(process_instance.c.status == status)
    if process_id is not None:
        query = query.where(process_instance.c.process_id == process_id)
    with rt.database.reading() as conn:
        return int(conn.execute(query).scalar_one())


def get_instance(rt: Runtime, instance_id: int) -> InstanceDetail:
    """One instance with its current data, open tasks, what it waits for and its history."""
    with rt.database.reading() as conn:
        reads = Reads(conn, rt.database.statements)
        found = reads.all(sql.INSTANCE_BY_ID, {"b_id": instance_id})
        if not found:
            raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
        row = found[0]
        summary = rows.summary(reads.all(sql.SUMMARY_BY_ID, {"b_id": instance_id})[0])

        def read(workflow: Any) -> tuple[dict[str, Any], tuple[Waiting, ...]]:
            waiting = tuple(spiff.waiting_for(workflow)) if row.status in ACTIVE else ()
            return spiff.current_data(workflow), waiting

        data, waiting = instances.read_data(rt, reads, row, read)
        events = reads.all(sql.EVENTS_OF_INSTANCE, {"b_id": instance_id})
        open_tasks = tuple(
            rows.human_task(r)
            for r in reads.all(
                sql.TASK_LISTS[("open", False, True)], {"b_instance": instance_id, "b_limit": 1000}
            )
        )
    return InstanceDetail(
        summary=summary,
        data=data,
        open_tasks=open_tasks,
        waiting_for=waiting,
        events=tuple(rows.event_record(e) for e in events),
    )


def instance_values(rt: Runtime, instance_id: int, keys: Iterable[str]) -> dict[str, Any]:
    """Copies of these keys of an instance's current data (those it has): a cheaper read
    than `get_instance` when a few values are all that is needed."""
    wanted = list(keys)
    with rt.database.reading() as conn:
        reads = Reads(conn, rt.database.statements)
        found = reads.all(sql.INSTANCE_BY_ID, {"b_id": instance_id})
        if not found:
            raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
        values: dict[str, Any] = instances.read_data(
            rt, reads, found[0], lambda wf: spiff.current_values(wf, wanted)
        )
    return values


def diagram(rt: Runtime, instance_id: int) -> str:
    """The BPMN file (text) of the version an instance runs on that defines its process."""
    with rt.database.reading() as conn:
        found = rt.database.statements.all(conn, sql.DIAGRAM_FILES, {"b_id": instance_id})
    if not found:
        raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
    row = found[0]
    marker = re.compile(rf"<(?:\w+:)?process\b[^>]*\bid=[\"']{re.escape(row.process_id)}[\"']")
    for name, text in sorted(row.files.items()):
        if name.endswith(".bpmn") and marker.search(text):
            return str(text)
    raise NotFoundError(f"Het diagram van zaak {instance_id} ontbreekt in de versie.")


def milestones(rt: Runtime, instance_id: int) -> frozenset[str]:
    """The milestones (values of the milestone property) the diagram of an instance's version
    marks: the phases this case can pass."""
    with rt.database.reading() as conn:
        found = conn.execute(
            select(process_instance.c.process_version_id).where(
                process_instance.c.id == instance_id
            )
        ).first()
        if found is None:
            raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
        specs = rt.version_specs(conn, int(found[0]))
    return specs.property_values(rt.settings.milestone_property)


def events(rt: Runtime, instance_id: int | None, limit: int) -> list[EventRecord]:
    query = select(event).order_by(event.c.id).limit(limit)
    if instance_id is not None:
        query = query.where(event.c.instance_id == instance_id)
    with rt.database.reading() as conn:
        return [rows.event_record(e) for e in conn.execute(query).all()]


def trail(rt: Runtime, instance_id: int) -> Trail:
    """Where a case has been and where it is (BPMN element ids)."""
    with rt.database.reading() as conn:
        reads = Reads(conn, rt.database.statements)
        found = reads.all(sql.INSTANCE_BY_ID, {"b_id": instance_id})
        if not found:
            raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
        done, current, ended = instances.read_data(rt, reads, found[0], spiff.trail)
    return Trail(tuple(done), tuple(current), tuple(ended))
