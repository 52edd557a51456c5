"""Rows to the frozen dataclasses the engine hands out (`engine.types`)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from engine.clock import as_utc
from engine.types import EventRecord, HumanTask, InstanceSummary, ProcessVersionInfo


def opt_utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def version_info(row: Any, running: int = 0, finished: int = 0) -> ProcessVersionInfo:
    return ProcessVersionInfo(
        id=row.id,
        process_id=row.process_id,
        name=row.name,
        version=row.version,
        content_hash=row.content_hash,
        deployed_at=as_utc(row.deployed_at),
        deployed_by=row.deployed_by,
        files=tuple(sorted(row.files)),
        running_instances=running,
        finished_instances=finished,
    )


def summary(row: Any) -> InstanceSummary:
    return InstanceSummary(
        id=row.id,
        process_id=row.process_id,
        version=row.version,
        business_key=row.business_key,
        status=row.status,
        started_at=as_utc(row.started_at),
        ended_at=opt_utc(row.ended_at),
        next_timer_due=opt_utc(row.next_timer_due),
        last_error=row.last_error,
    )


def human_task(row: Any) -> HumanTask:
    return HumanTask(
        id=row.task_id,
        instance_id=row.instance_id,
        process_id=row.process_id,
        business_key=row.business_key,
        bpmn_id=row.bpmn_id,
        title=row.title,
        lane=row.lane,
        state=row.state,
        assignee=row.assignee,
        created_at=as_utc(row.created_at),
        claimed_at=opt_utc(row.claimed_at),
        completed_at=opt_utc(row.completed_at),
        completed_by=row.completed_by,
        due_at=opt_utc(row.due_at),
        properties=dict(row.properties or {}),
        group=row.candidate_group,
    )


def opened_task(row: dict[str, Any], business_key: str | None) -> HumanTask:
    """The HumanTask of a human_task row this transaction has just inserted (open)."""
    unset = dict.fromkeys(("completed_at", "completed_by"))
    return human_task(SimpleNamespace(**row, **unset, business_key=business_key))


def open_task(task: Any, instance: Any) -> HumanTask:
    """The HumanTask of an open task as the completion's lock read gives it."""
    return human_task(
        SimpleNamespace(
            task_id=task.task_id,
            instance_id=instance.instance_id,
            process_id=instance.process_id,
            business_key=instance.business_key,
            bpmn_id=task.bpmn_id,
            title=task.title,
            lane=task.lane,
            state="open",
            assignee=task.assignee,
            created_at=task.created_at,
            claimed_at=task.claimed_at,
            completed_at=None,
            completed_by=None,
            due_at=task.due_at,
            properties=task.properties,
            candidate_group=task.candidate_group,
        )
    )


def event_record(row: Any) -> EventRecord:
    return EventRecord(
        id=row.id,
        instance_id=row.instance_id,
        type=row.type,
        at=as_utc(row.at),
        actor=row.actor,
        task_id=row.task_id,
        bpmn_id=row.bpmn_id,
        detail=dict(row.detail or {}),
    )
