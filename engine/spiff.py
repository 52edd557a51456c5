"""The one place SpiffWorkflow is configured: parser, serializer, depth-cliff fix, task queries.

Everything here works on SpiffWorkflow objects; nothing outside `engine/` sees them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskIterator, TaskState

__all__ = [
    "SERIALIZER_VERSION",
    "VALIDATOR",
    "BpmnWorkflow",
    "SpiffBpmnParser",
    "TaskState",
    "WorkflowCodec",
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


def new_parser() -> Any:
    """A SpiffWorkflow parser for our dialect, with BPMN XSD validation."""
    return SpiffBpmnParser(validator=VALIDATOR)


# ------------------------------------------------------------------ serialization


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Serialize a workflow without its spec; the spec is re-injected from the version cache."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None) -> Any:
        if spec is None:
            raise ValueError("a spec is needed to restore a workflow")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
_CACHE_ATTR = "_wegwijs_task_dicts"


class _FinishedTaskCachingConverter(TaskConverter):
    """Reuse the serialized form of finished tasks between saves of the same workflow object.

    A COMPLETED or CANCELLED task no longer changes, except through its state, its children
    (tasks dropped from the tree) or a reset — all of which change the cache key. Serializing a
    task computes a data delta against its parent, which is the bulk of the cost of a save.
    """

    def to_dict(self, task: Any) -> dict[str, Any]:
        if not task.state & _FINISHED:
            return dict(super().to_dict(task))
        cache: dict[Any, tuple[Any, dict[str, Any]]] = task.workflow.__dict__.setdefault(
            _CACHE_ATTR, {}
        )
        key = (task.state, task.last_state_change, tuple(task._children), task._parent)
        hit = cache.get(task.id)
        if hit is not None and hit[0] == key:
            return dict(hit[1])
        dct = dict(super().to_dict(task))
        cache[task.id] = (key, dct)
        return dict(dct)


class WorkflowCodec:
    """The one configured serializer: workflow state to JSON text and back, spec kept out."""

    def __init__(self, reuse_finished_tasks: bool = True) -> None:
        registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
        _SpeclessWorkflowConverter(BpmnWorkflow, registry, typename="BpmnWorkflow")
        if reuse_finished_tasks:
            _FinishedTaskCachingConverter(Task, registry, typename="Task")
        self._serializer = BpmnWorkflowSerializer(registry)
        self._registry = registry
        self.version = SERIALIZER_VERSION

    def dumps(self, workflow: Any) -> str:
        registry = self._registry
        registry._encoder_mode = True
        try:
            dct = registry.convert(workflow)
            return json.dumps(dct, cls=self._serializer._encoder_cls, separators=(",", ":"))
        finally:
            registry._encoder_mode = False

    def loads(self, text: str, version: str, spec: Any, subprocess_specs: dict[str, Any]) -> Any:
        dct = json.loads(text)
        if version != self.version:
            dct["spec"], dct["subprocess_specs"] = {}, {}
            if version in MIGRATIONS:
                MIGRATIONS[version](dct)
            dct.pop("spec", None)
            dct.pop("subprocess_specs", None)
        return self._registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)


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


def ready_user_tasks(workflow: Any) -> list[ReadyUserTask]:
    tasks = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        spec = task.task_spec
        extensions = getattr(spec, "extensions", None) or {}
        tasks.append(
            ReadyUserTask(
                id=str(task.id),
                bpmn_id=spec.bpmn_id or spec.name,
                title=spec.bpmn_name or spec.bpmn_id or spec.name,
                lane=spec.lane,
                process_id=task.workflow.spec.name,
                properties=dict(extensions.get("properties") or {}),
            )
        )
    return tasks


def next_timer_due(workflow: Any) -> datetime | None:
    """The earliest time a waiting timer of this workflow is due, or None."""
    due: list[datetime] = []
    for event in workflow.waiting_events():
        if "Timer" not in event.event_type or not event.value:
            continue
        try:
            when = datetime.fromisoformat(str(event.value))
        except ValueError:
            continue
        due.append(when if when.tzinfo else when.replace(tzinfo=UTC))
    return min(due).astimezone(UTC) if due else None


def waiting_for(workflow: Any) -> list[str]:
    """Human-readable list of what the workflow waits for (messages, timers)."""
    out = []
    for event in workflow.waiting_events():
        if event.event_type == "MessageEventDefinition":
            out.append(f"bericht '{event.name}'")
        elif "Timer" in event.event_type:
            out.append(f"timer tot {event.value}")
        else:
            out.append(f"{event.event_type} '{event.name}'")
    return out


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


def errored_tasks(workflow: Any) -> list[Any]:
    return list(workflow.get_tasks(state=TaskState.ERROR))


def is_finished(workflow: Any) -> bool:
    return bool(workflow.is_completed())
