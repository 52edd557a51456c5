"""The fast twin of the library's task serialization: the same JSON text, written faster.

Saving after every step is on the hot path, so `FastWorkflowCodec` does three things beyond
`engine.codec.WorkflowCodec`, all producing the very same text (tests/unit/test_codec.py
compares, along every path):
- UUIDs are turned into text once per workflow object;
- each task's JSON text is reused while its cache key (see _task_cache_key) is unchanged,
  and the task maps are spliced into the document instead of being encoded again;
- a changed task's text is written directly (_task_text), not built as a dict and encoded.
"""

from __future__ import annotations

import itertools
import json
import math
import secrets
import threading
from collections.abc import Callable
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from engine.codec import SpeclessWorkflowConverter, WorkflowCodec

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


class _FastSpeclessConverter(_SplicingMappings, SpeclessWorkflowConverter):
    """The engine's workflow converter, its task maps spliced in as text."""


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


class FastWorkflowCodec(WorkflowCodec):
    """`WorkflowCodec` writing the same text faster (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        registry = self._registry
        _FastSpeclessConverter(BpmnWorkflow, registry, typename="BpmnWorkflow")
        _SubWorkflowConverter(BpmnSubWorkflow, registry, typename="BpmnSubWorkflow")
        # task maps stand in the document as tokens no data can contain (secret, then unique)
        self._nonce, self._saves = secrets.token_hex(16), itertools.count()

    def dumps(self, workflow: Any) -> str:
        with self._lock:
            registry = self._registry
            registry._encoder_mode = True
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
