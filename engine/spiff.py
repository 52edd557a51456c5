"""The one place SpiffWorkflow is configured: parser, serializer, depth-cliff fix, task queries.

Everything here works on SpiffWorkflow objects; nothing outside `engine/` sees them.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import AdHocSubprocessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskIterator, TaskState

__all__ = [
    "SERIALIZER_VERSION",
    "VALIDATOR",
    "BpmnWorkflow",
    "SpiffBpmnParser",
    "TaskState",
    "VersionSpecs",
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


def new_parser(validate: bool = True) -> Any:
    """A SpiffWorkflow parser for our dialect, with BPMN XSD validation unless told not to."""
    return SpiffBpmnParser(validator=VALIDATOR if validate else None)


# ------------------------------------------------------------------ serialization
#
# Saving after every step is on the hot path, so the codec does four things beyond the
# library's serializer, all producing the same text (tests/unit/test_codec.py compares):
# - the spec is left out (stored once per deployed version, re-injected on load);
# - UUIDs are turned into text once per workflow object;
# - each task's JSON text is reused while its cache key (see _task_cache_key) is unchanged,
#   and the task maps are spliced into the document instead of being encoded again;
# - a changed task's text is written directly (_task_text), not built as a dict and encoded.

_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
_CACHE_ATTR = "_wegwijs_task_json"
_NAMES_ATTR = "_wegwijs_uuid_names"


def _uuid_names(workflow: Any) -> dict[Any, str]:
    """Per-workflow memo of str(UUID): str() of a UUID is slow and a save needs ~4 per task."""
    top = getattr(workflow, "top_workflow", None) or workflow
    names: dict[Any, str] | None = top.__dict__.get(_NAMES_ATTR)
    if names is None:
        names = top.__dict__[_NAMES_ATTR] = {}
    return names


def _name(names: dict[Any, str], value: Any) -> str:
    text = names.get(value)
    if text is None:
        text = names[value] = str(value)
    return text


def _uuid_names_of_mapping(mapping: Any) -> dict[Any, str]:
    first = next(iter(mapping.values()), None)
    workflow = getattr(first, "workflow", None) or getattr(first, "top_workflow", None)
    return _uuid_names(workflow) if workflow is not None else {}


def _task_cache_key(task: Any) -> tuple[Any, ...] | None:
    """A key that fixes a task's serialized form exactly, or None when it must be recomputed.

    A COMPLETED or CANCELLED task no longer changes, except through its state, its children
    (tasks dropped from the tree) or its parent — all in the key. A predicted task without data
    of its own serializes as "delete every key of the parent", so the parent's keys complete
    its key.
    """
    if task.state & _FINISHED:
        return (task.state, task.last_state_change, tuple(task._children), task._parent)
    if not task.data and not task.internal_data:
        parent = task.parent
        if parent is not None:
            return (
                task.state,
                task.last_state_change,
                tuple(task._children),
                task._parent,
                task.triggered,
                tuple(parent.data),
            )
    return None


class _Splice(threading.local):
    """Per-call state of WorkflowCodec.dumps: task maps stand in the document as tokens."""

    def __init__(self) -> None:
        self.parts: dict[str, str] | None = None
        self.nonce = ""
        self.encoder: Any = None


_splice = _Splice()


def _tasks_json(registry: Any, mapping: Any) -> str:
    """The JSON object of a workflow's task map (all of one workflow), reusing each unchanged
    task's text."""
    encode = _splice.encoder
    workflow = next(iter(mapping.values())).workflow
    cache: dict[Any, tuple[Any, str]] = workflow.__dict__.setdefault(_CACHE_ATTR, {})
    names = _uuid_names(workflow)
    items = []
    for task_id, task in mapping.items():
        key = _task_cache_key(task)
        hit = cache.get(task_id) if key is not None else None
        if hit is not None and hit[0] == key:
            items.append(hit[1])
            continue
        item = f'"{_name(names, task_id)}":{_task_text(task, names, registry, encode)}'
        if key is not None:
            cache[task_id] = (key, item)
        items.append(item)
    return "{" + ",".join(items) + "}"


class _SplicingMappings:
    """Mixin for workflow converters: during dumps() a task map becomes a token."""

    registry: Any

    def mapping_to_dict(self, mapping: Any, **kwargs: Any) -> Any:
        parts = _splice.parts
        if parts is not None and isinstance(next(iter(mapping.values()), None), Task):
            token = f"\x00tasks:{_splice.nonce}:{len(parts)}\x00"
            parts[token] = _tasks_json(self.registry, mapping)
            return token
        names = _uuid_names_of_mapping(mapping)
        convert = self.registry.convert
        return {_name(names, k): convert(v, **kwargs) for k, v in mapping.items()}


class _SpeclessWorkflowConverter(_SplicingMappings, BpmnWorkflowConverter):
    """Serialize a workflow without its spec; the spec is re-injected from the version cache."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        base = workflow.__dict__.get(_BASE_WIRING_ATTR)
        if base is not None:  # a workflow on its own copy of the specs: keep what it rewired
            changed = _wiring_changes(base, [workflow.spec, *workflow.subprocess_specs.values()])
            if changed:
                dct[_WIRING_KEY] = changed
        return dct

    def from_dict(self, dct: dict[str, Any], specs: VersionSpecs | None = None) -> Any:
        if specs is None:
            raise ValueError("a spec is needed to restore a workflow")
        spec, subprocess_specs = specs.for_workflow()
        wiring = dct.pop(_WIRING_KEY, None)
        if wiring:
            if not specs.private:
                raise ValueError("stored spec wiring for a version whose specs are shared")
            _apply_wiring([spec, *subprocess_specs.values()], wiring)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        specs.adopt(workflow)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class _SubWorkflowConverter(_SplicingMappings, BpmnSubWorkflowConverter):
    """Subprocesses (call activities) splice their task maps too."""


def _fragment_encoder(default: Callable[[Any], Any]) -> Callable[[Any], str]:
    """JSON text of a value exactly as the codec's JSONEncoder writes it (compact separators,
    ASCII, the registry's `default`), without JSONEncoder.encode's per-call set-up."""
    if c_make_encoder is None:  # pragma: no cover - CPython always has the C encoder
        return json.JSONEncoder(separators=(",", ":"), default=default).encode
    encode = c_make_encoder(
        {}, default, encode_basestring_ascii, None, ":", ",", False, False, True
    )
    return lambda value: "".join(encode(value, 0))


def _json_number(value: Any, encode: Callable[[Any], str]) -> str:
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)  # what the JSON encoder writes for a finite float
    return encode(value)


def _task_text(
    task: Any, names: dict[Any, str], registry: Any, encode: Callable[[Any], str]
) -> str:
    """One task's JSON text: the library's TaskConverter.to_dict plus its typename, in the same
    key order, written directly (tests/unit/test_codec.py compares it with the library's)."""
    parent = task.parent
    if parent is None:
        parent_ref = "null"
        data = encode(task.data) if task.data else "{}"
        delta = "{}"
    else:
        parent_ref = f'"{_name(names, task._parent)}"'
        data = "{}"
        updates = DeepMerge.get_updated_keys(parent.data, task.data)
        deletions = DeepMerge.get_deleted_keys(parent.data, task.data)
        delta = (
            '{"updates":'
            + (encode(updates) if updates else "{}")
            + ',"deletions":'
            + (encode(deletions) if deletions else "[]")
            + "}"
        )
    internal = task.internal_data
    children = ",".join(f'"{_name(names, child)}"' for child in task._children)
    state, triggered = task.state, task.triggered
    return (
        f'{{"id":"{_name(names, task.id)}","parent":{parent_ref},"children":[{children}],'
        f'"last_state_change":{_json_number(task.last_state_change, encode)},'
        f'"state":{str(state) if type(state) is int else encode(state)},'
        f'"task_spec":{encode_basestring_ascii(task.task_spec.name)},'
        f'"triggered":{"true" if triggered is True else "false" if triggered is False else encode(triggered)},'
        f'"internal_data":{encode(registry.convert(internal)) if internal else "{}"},'
        f'"data":{data},"delta":{delta},"typename":"Task"}}'
    )


# ------------------------------------------------------------------ specs of a version
#
# SpiffWorkflow changes specs while a workflow runs, and its own serializer (which stores the
# spec inside every instance) carries those changes over a save and a load. We store the spec
# once per version and re-parse it, so each change is made to survive here, by the library's
# own means where it has them:
# - a loop or multi-instance task connects its body's completion to its `merge_child` when it
#   creates the first child. The library's spec deserializer connects every loop task up
#   front; `VersionSpecs` does the same once per parsed version (the connection holds no
#   instance state, so it is safe to share).
# - an event subprocess that fires (BpmnStartTask.trigger_wf) and an ad hoc subprocess path
#   (AdHocSubprocessSpec.add_path) connect new outputs in the spec: a change to that one
#   workflow, which on a shared spec would leak into every other instance of the version
#   (a new one would start the event subprocess at once). A version with such elements gives
#   each workflow its own copy of the specs, made with the library's spec converter; the
#   connections it gained are stored with the workflow's state and made again on load.

_WIRING_KEY = "wegwijs_spec_wiring"
_BASE_WIRING_ATTR = "_wegwijs_base_wiring"
Wiring = dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]]


def _wiring_of(specs: Iterable[Any]) -> Wiring:
    """Every task spec's inputs and outputs (by name), per process spec."""
    return {
        spec.name: {
            name: (tuple(task_spec._inputs), tuple(task_spec._outputs))
            for name, task_spec in spec.task_specs.items()
        }
        for spec in specs
        if spec is not None
    }


def _wiring_changes(base: Wiring, specs: Iterable[Any]) -> dict[str, dict[str, list[list[str]]]]:
    """The task specs whose inputs or outputs differ from `base`, as storable lists."""
    changed: dict[str, dict[str, list[list[str]]]] = {}
    for spec_name, task_specs in _wiring_of(specs).items():
        before = base.get(spec_name, {})
        for name, links in task_specs.items():
            if before.get(name) != links:
                changed.setdefault(spec_name, {})[name] = [list(links[0]), list(links[1])]
    return changed


def _apply_wiring(specs: Iterable[Any], changes: Mapping[str, Mapping[str, Any]]) -> None:
    by_name = {spec.name: spec for spec in specs if spec is not None}
    for spec_name, task_specs in changes.items():
        spec = by_name.get(spec_name)
        if spec is None:
            raise ValueError(f"stored wiring names an unknown process spec {spec_name!r}")
        for name, (inputs, outputs) in task_specs.items():
            task_spec = spec.task_specs.get(name)
            if task_spec is None:
                raise ValueError(f"stored wiring names an unknown task spec {name!r}")
            task_spec._inputs, task_spec._outputs = list(inputs), list(outputs)


def _connect_loop_bodies(spec: Any) -> None:
    """What the library's spec deserializer does for every loop and multi-instance task."""
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, LoopTask):
            body = spec.task_specs.get(task_spec.task_spec)
            if body is not None and not body.completed_event.is_connected(task_spec.merge_child):
                body.completed_event.connect(task_spec.merge_child)


def _rewired_at_run_time(spec: Any) -> bool:
    """Whether running a workflow may connect new outputs in this spec."""
    start = getattr(spec, "start", None)
    return isinstance(spec, AdHocSubprocessSpec) or bool(getattr(start, "trigger_specs", None))


class VersionSpecs:
    """The parsed specs of one deployed version (its process and the subprocesses it uses)."""

    def __init__(self, spec: Any, subprocess_specs: Mapping[str, Any], registry: Any) -> None:
        self.spec = spec
        self.subprocess_specs = {k: v for k, v in subprocess_specs.items() if v is not None}
        specs = [spec, *self.subprocess_specs.values()]
        for each in specs:
            _connect_loop_bodies(each)
        #: workflows of this version run on their own copy of the specs (see above)
        self.private = any(_rewired_at_run_time(each) for each in specs)
        self._registry = registry
        self._base: Wiring = {}
        self._dicts: tuple[dict[str, Any], dict[str, dict[str, Any]]] | None = None
        if self.private:
            self._base = _wiring_of(specs)
            self._dicts = (
                registry.convert(spec),
                {name: registry.convert(s) for name, s in self.subprocess_specs.items()},
            )

    def for_workflow(self) -> tuple[Any, dict[str, Any]]:
        """The specs one workflow runs on: shared, or a fresh copy when workflows rewire them."""
        if self._dicts is None:
            return self.spec, dict(self.subprocess_specs)
        spec_dict, sub_dicts = self._dicts
        restore = self._registry.restore
        return restore(copy.deepcopy(spec_dict)), {
            name: restore(copy.deepcopy(d)) for name, d in sub_dicts.items()
        }

    def adopt(self, workflow: Any) -> None:
        """Mark a workflow on a private copy so that its saves keep what it rewires."""
        if self.private:
            workflow.__dict__[_BASE_WIRING_ATTR] = self._base


class WorkflowCodec:
    """The one configured serializer: workflow state to JSON text and back, spec kept out.

    `fast=False` gives the library's own task serialization (used by tests as the reference).
    """

    def __init__(self, fast: bool = True) -> None:
        registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
        _SpeclessWorkflowConverter(BpmnWorkflow, registry, typename="BpmnWorkflow")
        if fast:
            _SubWorkflowConverter(BpmnSubWorkflow, registry, typename="BpmnSubWorkflow")
        self.fast = fast
        self._serializer = BpmnWorkflowSerializer(registry)
        self._encoder = self._serializer._encoder_cls(separators=(",", ":"))
        self._registry = registry
        self._lock = threading.Lock()  # the registry's encoder mode is a shared flag
        # task maps stand in the document as tokens no data can contain (secret, then unique)
        self._nonce, self._saves = secrets.token_hex(16), itertools.count()
        self.version = SERIALIZER_VERSION

    def dumps(self, workflow: Any) -> str:
        with self._lock:
            registry = self._registry
            registry._encoder_mode = True
            if self.fast:
                _splice.parts, _splice.encoder = {}, _fragment_encoder(self._encoder.default)
                _splice.nonce = f"{self._nonce}{next(self._saves)}"
            try:
                text: str = self._encoder.encode(registry.convert(workflow))
                for token, part in (_splice.parts or {}).items():
                    text = text.replace(json.dumps(token), part, 1)
                return text
            finally:
                registry._encoder_mode = False
                _splice.parts, _splice.encoder = None, None

    def loads(self, text: str, version: str, specs: VersionSpecs) -> Any:
        """The workflow stored as `text` (by serializer `version`), on the specs of its version."""
        dct = json.loads(text)
        if version != self.version:
            dct["spec"], dct["subprocess_specs"] = {}, {}
            if version in MIGRATIONS:
                MIGRATIONS[version](dct)
            dct.pop("spec", None)
            dct.pop("subprocess_specs", None)
        return self._registry.restore(dct, specs=specs)

    def version_specs(self, spec: Any, subprocess_specs: Mapping[str, Any]) -> VersionSpecs:
        """The parsed specs of one deployed version, ready to run and restore workflows on."""
        return VersionSpecs(spec, subprocess_specs, self._registry)

    def new_workflow(self, specs: VersionSpecs, script_engine: Any) -> Any:
        """A new workflow of this version (on its own copy of the specs when it needs one)."""
        spec, subprocess_specs = specs.for_workflow()
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
        specs.adopt(workflow)
        return workflow


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


def current_values(workflow: Any, keys: Iterable[str]) -> dict[str, Any]:
    """Deep copies of just these keys of the current case data (cheaper than current_data)."""
    data = _current(workflow)
    return {key: copy.deepcopy(data[key]) for key in keys if key in data}


#: a user task property naming data keys (comma-separated) whose values the worklist shows
CONTEXT_PROPERTY = "context"
#: a user task property naming a data path (e.g. `aspect.team`) whose value is the task's
#: candidate group: who in the lane may take it (each aspect's assessment goes to its team)
GROUP_PROPERTY = "group"
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
    """The value at a dotted path of the task's data as text, or None when it is not there."""
    value: Any = data
    for key in path.strip().split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text[:MAX_GROUP_LENGTH] or None


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
    group_path = properties.get(GROUP_PROPERTY)
    return ReadyUserTask(
        id=str(task.id),
        bpmn_id=spec.bpmn_id or spec.name,
        title=spec.bpmn_name or spec.bpmn_id or spec.name,
        lane=spec.lane,
        process_id=task.workflow.spec.name,
        properties=properties,
        group=_group_of(task.data, str(group_path)) if group_path else None,
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
        if not is_timer(event) or not event.value:
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
        elif is_timer(event):
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
