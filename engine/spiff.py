"""The one place SpiffWorkflow is configured and read: parser, the depth-cliff fix, and the
questions the engine asks a workflow (what is ready, what it waits for, where it stands).

Everything here works on SpiffWorkflow objects; nothing outside `engine/` sees them.
Serialization is `engine.codec`; the specs of a version are `engine.specs`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskIterator, TaskState

from engine.types import Waiting

__all__ = [
    "VALIDATOR",
    "BpmnWorkflow",
    "SpiffBpmnParser",
    "TaskState",
    "lift_depth_cliff",
]

# ------------------------------------------------------------------ the depth cliff
#
# SpiffWorkflow 3.2.0's TaskIterator stops descending at depth 1000 by default. A loop through a
# gateway adds depth on every pass, so after ~250-333 passes `do_engine_steps()` no longer sees
# the READY task and `is_completed()` wrongly says True: the instance silently stops. The
# iterator is constructed directly in several library modules (Workflow.is_completed, Join,
# the BPMN control specs), so subclassing the workflow does not reach them all; raising the
# default of both iterator classes does.

_UNBOUNDED_DEPTH = 10**9


def _replace_default(func: Any, old: int, new: int) -> None:
    defaults = list(func.__defaults__ or ())
    if new in defaults:
        return
    if old not in defaults:
        raise RuntimeError(
            f"SpiffWorkflow changed {func.__qualname__}; re-check the depth-cliff fix"
        )
    defaults[defaults.index(old)] = new
    func.__defaults__ = tuple(defaults)


def lift_depth_cliff() -> None:
    """Let task iteration reach any depth (idempotent)."""
    _replace_default(TaskIterator.__init__, 1000, _UNBOUNDED_DEPTH)
    _replace_default(BpmnTaskIterator.__init__, 1000, _UNBOUNDED_DEPTH)


lift_depth_cliff()


def new_parser(validate: bool = True) -> Any:
    """A SpiffWorkflow parser for our dialect, with BPMN XSD validation unless told not to."""
    return SpiffBpmnParser(validator=VALIDATOR if validate else None)


# ------------------------------------------------------------------ task queries


@dataclass(frozen=True)
class ReadyUserTask:
    """A READY manual task, in engine terms."""

    id: str
    bpmn_id: str
    title: str
    lane: str | None
    process_id: str
    properties: dict[str, Any]
    group: str | None = None  # the candidate group within the lane (see GROUP_PROPERTY)
    assignee: str | None = None  # who holds it from the start (see ASSIGNEE_PROPERTY)


def _all_tasks(workflow: Any) -> Iterator[Any]:
    """Every task of the workflow and its subprocesses, from the flat task maps (no tree walk)."""
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def scan(workflow: Any) -> tuple[list[ReadyUserTask], list[Any]]:
    """READY user tasks and ERROR tasks in one pass (cheaper than two tree walks)."""
    ready, errored = [], []
    for task in _all_tasks(workflow):
        state = task.state
        if state == TaskState.READY and task.task_spec.manual:
            ready.append(_ready_user_task(task))
        elif state == TaskState.ERROR:
            errored.append(task)
    return ready, errored


def _current(workflow: Any) -> dict[str, Any]:
    """The live data dict of the most recently completed task anywhere in the tree, subprocesses
    included (the top level's last task lags while a subprocess runs). Never hand it out."""
    newest = None
    for task in _all_tasks(workflow):
        if task.state == TaskState.COMPLETED and (
            newest is None or task.last_state_change > newest.last_state_change
        ):
            newest = task
    return dict(workflow.data) if newest is None else newest.data


def current_data(workflow: Any) -> dict[str, Any]:
    """The case data as it stands (a deep copy: callers never hold parts of a cached workflow)."""
    return copy.deepcopy(dict(_current(workflow)))


def set_values(workflow: Any, values: Mapping[str, Any]) -> None:
    """Change case data as it stands: in the current data and in every task still to finish
    (READY, WAITING or STARTED), so the change goes on with the case."""
    _current(workflow).update(copy.deepcopy(dict(values)))
    for task in _all_tasks(workflow):
        if task.state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            task.data.update(copy.deepcopy(dict(values)))


def current_values(workflow: Any, keys: Iterable[str]) -> dict[str, Any]:
    """Deep copies of just these keys of the current case data (cheaper than current_data)."""
    data = _current(workflow)
    return {key: copy.deepcopy(data[key]) for key in keys if key in data}


#: a user task property naming data keys (comma-separated) whose values the worklist shows
CONTEXT_PROPERTY = "context"
#: a user task property naming a data path (e.g. `aspect.team`) whose value is the task's
#: candidate group: who in the lane may take it (each aspect's assessment goes to its team)
GROUP_PROPERTY = "group"
#: a user task property naming a data path (e.g. `casist`) whose value is the user who holds
#: the task from the moment it opens: the case's own casist does the casist's tasks
ASSIGNEE_PROPERTY = "assignee"
#: a user task property naming a data path (e.g. `aspect.lane`) whose value, when there, is the
#: task's lane instead of the one it is drawn in: one multi-instance task whose instances go to
#: different roles (an aspect the casist assesses, the others the vakspecialisten)
LANE_PROPERTY = "lane"
_DATA_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
MAX_GROUP_LENGTH = 200


def check_group_path(value: str) -> str | None:
    """Why a `group` property value is not a data path like `aspect.team`, or None."""
    if not _DATA_PATH.match(value.strip()):
        return (
            f"'{value}' is geen gegevenspad; schrijf de sleutels met punten ertussen, "
            "bijvoorbeeld aspect.team"
        )
    return None


def _group_of(data: Mapping[str, Any], path: str) -> str | None:
    """The value at a dotted path of the task's data as text, or None when it is not there
    (a candidate group or an assignee)."""
    value: Any = data
    for key in path.strip().split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text[:MAX_GROUP_LENGTH] or None


#: the property a user task's instructions (spiffworkflow:instructionsForEndUser) are kept in
INSTRUCTIONS_PROPERTY = "instructions"
MAX_INSTRUCTIONS = 4000


def _ready_user_task(task: Any) -> ReadyUserTask:
    spec = task.task_spec
    extensions = getattr(spec, "extensions", None) or {}
    properties = dict(extensions.get("properties") or {})
    if properties.get(CONTEXT_PROPERTY):
        # e.g. the element of a multi-instance task ("which aspect is this?"), kept with the row
        keys = [k.strip() for k in str(properties[CONTEXT_PROPERTY]).split(",") if k.strip()]
        properties["context_values"] = {
            k: copy.deepcopy(task.data[k]) for k in keys if k in task.data
        }
    instructions = extensions.get("instructionsForEndUser")
    if instructions:  # what the diagram tells whoever does it (a template over the task data)
        properties[INSTRUCTIONS_PROPERTY] = str(instructions)[:MAX_INSTRUCTIONS]
    group_path = properties.get(GROUP_PROPERTY)
    assignee_path = properties.get(ASSIGNEE_PROPERTY)
    lane_path = properties.get(LANE_PROPERTY)
    return ReadyUserTask(
        id=str(task.id),
        bpmn_id=spec.bpmn_id or spec.name,
        title=spec.bpmn_name or spec.bpmn_id or spec.name,
        lane=(_group_of(task.data, str(lane_path)) if lane_path else None) or spec.lane,
        process_id=task.workflow.spec.name,
        properties=properties,
        group=_group_of(task.data, str(group_path)) if group_path else None,
        assignee=_group_of(task.data, str(assignee_path)) if assignee_path else None,
    )


TIMER_EVENT_TYPES = frozenset(
    {
        "TimeDateEventDefinition",
        "DurationTimerEventDefinition",
        "CycleTimerEventDefinition",
        "TimerEventDefinition",
    }
)


def is_timer(event: Any) -> bool:
    """Whether a pending event (from waiting_events()) is a timer of any kind."""
    return event.event_type in TIMER_EVENT_TYPES


def next_timer_due(workflow: Any) -> datetime | None:
    """The earliest time a waiting timer of this workflow is due, or None."""
    due: list[datetime] = []
    for event in workflow.waiting_events():
        when = _moment(event.value) if is_timer(event) and event.value else None
        if when is not None:
            due.append(when)
    return min(due) if due else None


def waiting_for(workflow: Any) -> list[Waiting]:
    """What the workflow waits for (messages, timers), as facts the other layers word, each
    with its element's id and properties in the diagram (in subprocesses too)."""
    out = []
    for task in list(workflow.event_manager.tasks.values()):
        spec = task.task_spec
        event = spec.event_definition.details(task)
        bpmn_id = str(spec.bpmn_id or "")
        properties = dict((getattr(spec, "extensions", None) or {}).get("properties") or {})
        if event.event_type == "MessageEventDefinition":
            kind, due = "message", None
        elif is_timer(event):
            kind, due = "timer", _moment(event.value)
        else:
            kind, due = str(event.event_type), None
        out.append(Waiting(kind, str(event.name), due, bpmn_id, properties))
    return out


def _moment(value: Any) -> datetime | None:
    """A timer's due moment (aware, UTC) from its event value, or None."""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def waits_for_message(workflow: Any, name: str) -> bool:
    return any(
        e.event_type == "MessageEventDefinition" and e.name == name
        for e in workflow.waiting_events()
    )


def message_event(name: str, payload: Any) -> Any:
    return BpmnEvent(MessageEventDefinition(name), payload=payload)


def find_task(workflow: Any, task_id: str) -> Any:
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (KeyError, ValueError):
        return None


def is_finished(workflow: Any) -> bool:
    return bool(workflow.is_completed())


def stalled_at(workflow: Any) -> Any | None:
    """Where an unfinished workflow stands that can no longer move, or None when it can.

    It can move when it has a READY task (a person's, or the engine's next step), a waiting
    timer (boundary timers included), or a waiting catch event that is not a boundary event.
    A boundary event such as "withdrawal received" can arrive at any time, but it interrupts an
    activity; it never finishes one, so waiting only for such events is standing still.
    Returns the task to name in the error: an unfinished activity that is not itself waiting
    for an event, preferring one inside a (sub)process over the call activity around it.
    """
    if workflow.is_completed():
        return None
    candidates = []
    for task in _all_tasks(workflow):
        state = task.state
        if state == TaskState.READY:
            return None
        if not state & (TaskState.WAITING | TaskState.STARTED):
            continue
        spec = task.task_spec
        if isinstance(spec, CatchingEvent):
            if not isinstance(spec, BoundaryEvent):
                return None
            if isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
                return None
            continue
        candidates.append(task)
    if not candidates:
        return workflow.task_tree
    candidates.sort(
        key=lambda t: (not isinstance(t.task_spec, SubWorkflowTask), t.last_state_change)
    )
    return candidates[-1]


def element_label(task: Any) -> str:
    """How a person recognises a task's element: "'Aspect beoordelen' (assess_aspect)"."""
    spec = task.task_spec
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    name = getattr(spec, "bpmn_name", None)
    if not name and isinstance(spec, LoopTask):  # the name is on the loop's body
        name = getattr(spec._wf_spec.task_specs.get(spec.task_spec), "bpmn_name", None)
    return f"'{name}' ({bpmn_id})" if name and name != bpmn_id else f"'{bpmn_id}'"


def merge_unmerged_loop_children(workflow: Any) -> int:
    """Repair what a load on an unconnected spec left behind: a loop or multi-instance task
    whose finished children were never merged into it (their completion reached nothing).

    Merges them in order, as the library would have done on completion; returns how many.
    Used when an errored case is retried; a workflow saved by this version never needs it.
    """
    repaired = 0
    for task in list(_all_tasks(workflow)):
        spec = task.task_spec
        if not isinstance(spec, LoopTask) or task.state != TaskState.STARTED:
            continue
        merged = task.internal_data.setdefault("merged", [])
        for child in task.children:
            if (
                child.task_spec.name == spec.task_spec
                and child.state == TaskState.COMPLETED
                and str(child.id) not in merged
            ):
                spec.merge_child(task.workflow, child)
                repaired += 1
    return repaired


def trail(workflow: Any) -> tuple[list[str], list[str], list[str]]:
    """(done, current, ended end events) as BPMN element ids, subprocesses included."""
    done: set[str] = set()
    current: set[str] = set()
    ended: set[str] = set()
    for task in _all_tasks(workflow):
        spec = task.task_spec
        bpmn_id = getattr(spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        state = task.state
        if state == TaskState.COMPLETED:
            done.add(bpmn_id)
            if isinstance(spec, EndEvent):
                ended.add(bpmn_id)
        elif state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            current.add(bpmn_id)
    return sorted(done), sorted(current - done), sorted(ended)
