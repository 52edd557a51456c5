"""The specs of a deployed version, as workflows of it run on them (`VersionSpecs`).

SpiffWorkflow changes specs while a workflow runs, and its own serializer (which stores the
spec inside every instance) carries those changes over a save and a load. We store the spec
once per version and parse it again, so each change is made to survive here, by the
library's own means where it has them:

- a loop or multi-instance task connects its body's completion to its `merge_child` when it
  creates the first child. The library's spec deserializer connects every loop task up
  front; `VersionSpecs` does the same once per parsed version (the connection holds no
  instance state, so it is safe to share).
- an event subprocess that fires (BpmnStartTask.trigger_wf) and an ad hoc subprocess path
  (AdHocSubprocessSpec.add_path) connect new outputs in the spec: a change to that one
  workflow, which on a shared spec would leak into every other instance of the version
  (a new one would start the event subprocess at once). A version with such elements gives
  each workflow its own copy of the specs, made with the library's spec converter; the
  connections it gained are stored with the workflow's state and made again on load.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import AdHocSubprocessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask

WIRING_KEY = "wegwijs_spec_wiring"
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


def wiring_changes(base: Wiring, specs: Iterable[Any]) -> dict[str, dict[str, list[list[str]]]]:
    """The task specs whose inputs or outputs differ from `base`, as storable lists."""
    changed: dict[str, dict[str, list[list[str]]]] = {}
    for spec_name, task_specs in _wiring_of(specs).items():
        before = base.get(spec_name, {})
        for name, links in task_specs.items():
            if before.get(name) != links:
                changed.setdefault(spec_name, {})[name] = [list(links[0]), list(links[1])]
    return changed


def apply_wiring(specs: Iterable[Any], changes: Mapping[str, Mapping[str, Any]]) -> None:
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


def _properties(task_spec: Any) -> Mapping[str, Any]:
    return (getattr(task_spec, "extensions", None) or {}).get("properties") or {}


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
    """The parsed specs of one deployed version (its process and the subprocesses it uses),
    and the JSON Schemas of the forms its user tasks name."""

    #: set on a workflow that runs on its own copy: the wiring it started from
    BASE_WIRING_ATTR = "_wegwijs_base_wiring"

    def __init__(
        self,
        spec: Any,
        subprocess_specs: Mapping[str, Any],
        registry: Any,
        forms: Mapping[str, dict[str, Any]],
    ) -> None:
        self.spec = spec
        #: form schemas by file name (without folders)
        self.forms = dict(forms)
        self.subprocess_specs = {k: v for k, v in subprocess_specs.items() if v is not None}
        specs = [spec, *self.subprocess_specs.values()]
        for each in specs:
            _connect_loop_bodies(each)
        #: workflows of this version run on their own copy of the specs (see above)
        self.private = any(_rewired_at_run_time(each) for each in specs)
        self._registry = registry
        self._property_values: dict[str, frozenset[str]] = {}
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
            workflow.__dict__[self.BASE_WIRING_ATTR] = self._base

    def property_values(self, name: str) -> frozenset[str]:
        """The values an extension property takes on this version's task specs (its process
        and its subprocesses): e.g. the phases a diagram marks."""
        found = self._property_values.get(name)
        if found is None:
            found = frozenset(
                str(value)
                for each in (self.spec, *self.subprocess_specs.values())
                for task_spec in each.task_specs.values()
                if (value := _properties(task_spec).get(name)) not in (None, "")
            )
            self._property_values[name] = found
        return found

    def form(self, name: str | None) -> dict[str, Any] | None:
        """The schema of a form named by a task's `formJsonSchemaFilename` (folders ignored)."""
        if not name:
            return None
        return self.forms.get(str(name).rsplit("/", 1)[-1])


class SpecLibrary:
    """The specs of deployed versions, parsed from their stored files, kept per version
    (only a cache: `size` 0 parses on every use)."""

    def __init__(self, codec: Any, size: int) -> None:
        from engine.cache import LRU

        self._codec = codec
        self._cache: LRU[int, VersionSpecs] = LRU(size)

    def put(self, version_id: int, specs: VersionSpecs) -> None:
        self._cache.put(version_id, specs)

    def get(self, read_files: Any, version_id: int) -> VersionSpecs:
        """The specs of a version; `read_files(version_id)` gives (process id, {name: text})."""
        cached = self._cache.get(version_id)
        if cached is not None:
            return cached
        from engine.definitions import parse_version_files

        process_id, files = read_files(version_id)
        spec, subprocess_specs, forms = parse_version_files(
            {name: text.encode("utf-8") for name, text in files.items()}, process_id
        )
        parsed: VersionSpecs = self._codec.version_specs(spec, subprocess_specs, forms)
        self._cache.put(version_id, parsed)
        return parsed
