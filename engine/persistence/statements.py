"""The engine's SQL: every statement the rooms of the engine run, built once at import.

Statements that run on every step take bound parameters (`b_…`), so each is compiled once and
reused, whether through `Connection.execute` or the prepared path of `engine.fast`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, insert, select, update

from engine.persistence.tables import (
    TASK_IS_OPEN,
    event,
    human_task,
    process_instance,
    process_version,
)

INSERT_INSTANCE = insert(process_instance)
INSERT_EVENT = insert(event)
INSERT_HUMAN_TASK = insert(human_task)
INSERT_VERSION = insert(process_version)

LATEST_VERSION = (
    select(process_version.c.id, process_version.c.version)
    .where(process_version.c.process_id == bindparam("b_process_id"))
    .order_by(process_version.c.version.desc())
    .limit(1)
)
VERSION_BY_HASH = select(process_version).where(
    process_version.c.process_id == bindparam("b_process_id"),
    process_version.c.content_hash == bindparam("b_hash"),
)
VERSION_BY_ID = select(process_version).where(process_version.c.id == bindparam("b_id"))
HIGHEST_VERSION = select(func.max(process_version.c.version)).where(
    process_version.c.process_id == bindparam("b_process_id")
)
VERSION_FILES = select(process_version.c.process_id, process_version.c.files).where(
    process_version.c.id == bindparam("b_id")
)
DEPLOYED_PROCESS_IDS = select(process_version.c.process_id).distinct()

#: the columns of an instance row that a step needs (not its state)
INSTANCE_COLUMNS = (
    process_instance.c.id.label("instance_id"),
    process_instance.c.process_version_id,
    process_instance.c.process_id,
    process_instance.c.business_key,
    process_instance.c.status,
    process_instance.c.serializer_version,
    process_instance.c.lock_version,
    process_instance.c.started_at,
    process_instance.c.last_error,
    process_instance.c.next_timer_due,
    select(process_version.c.version)
    .where(process_version.c.id == process_instance.c.process_version_id)
    .scalar_subquery()
    .label("version"),
)
#: what a completion or an assignment needs of an open task
OPEN_TASK_COLUMNS = (
    human_task.c.task_id,
    human_task.c.bpmn_id,
    human_task.c.title,
    human_task.c.lane,
    human_task.c.assignee,
    human_task.c.candidate_group,
    human_task.c.properties,
    human_task.c.created_at,
    human_task.c.claimed_at,
    human_task.c.due_at,
)
_INSTANCE_OF_TASK_ID = (
    select(human_task.c.instance_id)
    .where(human_task.c.task_id == bindparam("b_task_id"))
    .scalar_subquery()
)
#: SQLite (whose write transactions already hold the database): the instance of a task and
#: all its open tasks, in one statement
OPEN_TASKS_WITH_INSTANCE = (
    select(*OPEN_TASK_COLUMNS, *INSTANCE_COLUMNS)
    .join(process_instance, process_instance.c.id == human_task.c.instance_id)
    .where(human_task.c.instance_id == _INSTANCE_OF_TASK_ID, TASK_IS_OPEN)
)
#: PostgreSQL: lock the instance of a task first …
LOCK_INSTANCE_OF_TASK = (
    select(*INSTANCE_COLUMNS)
    .where(process_instance.c.id == _INSTANCE_OF_TASK_ID)
    .with_for_update(of=process_instance)
)
#: … then read its open tasks (rows read before the lock was granted could be stale)
OPEN_TASKS_OF_INSTANCE = select(*OPEN_TASK_COLUMNS).where(
    human_task.c.instance_id == bindparam("b_id"), TASK_IS_OPEN
)
INSTANCE_BY_ID = select(*INSTANCE_COLUMNS).where(process_instance.c.id == bindparam("b_id"))
LOCK_INSTANCE = INSTANCE_BY_ID.with_for_update()
LOCK_INSTANCE_SKIP_LOCKED = INSTANCE_BY_ID.with_for_update(skip_locked=True)
SELECT_STATE = select(process_instance.c.state).where(process_instance.c.id == bindparam("b_id"))
UPDATE_INSTANCE = update(process_instance).where(
    process_instance.c.id == bindparam("b_id"),
    process_instance.c.lock_version == bindparam("b_lock"),
)
MARK_ERRORED = (
    update(process_instance)
    .where(process_instance.c.id == bindparam("b_id"))
    .values(
        status="errored",
        last_error=bindparam("b_error"),
        next_timer_due=None,
        updated_at=bindparam("b_now"),
        lock_version=process_instance.c.lock_version + 1,
    )
)
ACTIVE_INSTANCE_BY_KEY = (
    select(process_instance.c.id)
    .where(
        process_instance.c.business_key == bindparam("b_key"),
        process_instance.c.status.in_(("running", "waiting")),
    )
    .order_by(process_instance.c.id.desc())
    .limit(1)
)
COMPLETE_HUMAN_TASK = update(human_task).where(
    human_task.c.task_id == bindparam("b_task_id"), TASK_IS_OPEN
)
CANCEL_HUMAN_TASKS = (
    update(human_task)
    .where(human_task.c.task_id.in_(bindparam("b_task_ids", expanding=True)), TASK_IS_OPEN)
    .values(state="cancelled", completed_at=bindparam("b_now"))
)
#: an assignment changes the task only if nobody changed it since it was read
ASSIGN_IF_UNCHANGED = update(human_task).where(
    human_task.c.task_id == bindparam("b_task_id"),
    TASK_IS_OPEN,
    func.coalesce(human_task.c.assignee, "") == bindparam("b_seen"),
)
#: Only active instances carry a next_timer_due (saving and marking errored clear it), so
#: the timer queries walk the partial index on it instead of every active instance.
HAS_TIMER = process_instance.c.next_timer_due.is_not(None)
NEXT_TIMER_DUE = (
    select(process_instance.c.next_timer_due)
    .where(HAS_TIMER)
    .order_by(process_instance.c.next_timer_due)
    .limit(1)
)
DUE_INSTANCES = (
    select(process_instance.c.id)
    .where(HAS_TIMER, process_instance.c.next_timer_due <= bindparam("b_now"))
    # timers due at the same moment (a season opening) fire oldest case first, on every database
    .order_by(process_instance.c.next_timer_due, process_instance.c.id)
    .limit(bindparam("b_limit", type_=Integer))
)
#: a user task row as `HumanTask` reads it
TASK_ROW = select(human_task, process_instance.c.business_key).join(
    process_instance, process_instance.c.id == human_task.c.instance_id
)
TASK_BY_ID = TASK_ROW.where(human_task.c.task_id == bindparam("b_task_id"))
HUMAN_TASK_BY_ID = select(human_task).where(human_task.c.task_id == bindparam("b_task_id"))
INSTANCE_OF_TASK = (
    select(*INSTANCE_COLUMNS, human_task.c.state.label("task_state"), human_task.c.title)
    .join(human_task, human_task.c.instance_id == process_instance.c.id)
    .where(human_task.c.task_id == bindparam("b_task_id"))
)
FORM_OF_TASK = (
    select(human_task.c.properties, process_instance.c.process_version_id)
    .join(process_instance, process_instance.c.id == human_task.c.instance_id)
    .where(human_task.c.task_id == bindparam("b_task_id"))
)
EVENTS_OF_INSTANCE = (
    select(event).where(event.c.instance_id == bindparam("b_id")).order_by(event.c.id)
)
#: an instance's summary (with its version number)
SUMMARY = select(
    process_instance.c.id,
    process_instance.c.process_id,
    process_version.c.version,
    process_instance.c.business_key,
    process_instance.c.status,
    process_instance.c.started_at,
    process_instance.c.ended_at,
    process_instance.c.next_timer_due,
    process_instance.c.last_error,
).join(process_version, process_version.c.id == process_instance.c.process_version_id)
SUMMARY_BY_ID = SUMMARY.where(process_instance.c.id == bindparam("b_id"))
DIAGRAM_FILES = (
    select(process_instance.c.process_id, process_version.c.files)
    .join(process_version, process_version.c.id == process_instance.c.process_version_id)
    .where(process_instance.c.id == bindparam("b_id"))
)


def task_list(state: str | None, by_assignee: bool, by_instance: bool) -> Select[Any]:
    """The user tasks in a state (open: as the partial indexes need it; any other: bound as
    `b_state`; None: any state), of one assignee or instance, oldest first, at most
    `b_limit`."""
    query = TASK_ROW.order_by(human_task.c.created_at, human_task.c.id).limit(
        bindparam("b_limit", type_=Integer)
    )
    if state == "open":
        query = query.where(TASK_IS_OPEN)
    elif state is not None:
        query = query.where(human_task.c.state == bindparam("b_state"))
    if by_assignee:
        query = query.where(human_task.c.assignee == bindparam("b_assignee"))
    if by_instance:
        query = query.where(human_task.c.instance_id == bindparam("b_instance"))
    return query


#: one statement per shape of task list, built at import (12 shapes)
TASK_LISTS: dict[tuple[str | None, bool, bool], Select[Any]] = {
    (state, by_assignee, by_instance): task_list(state, by_assignee, by_instance)
    for state in ("open", "other", None)
    for by_assignee in (False, True)
    for by_instance in (False, True)
}
