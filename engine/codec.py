"""The one configured serializer: a workflow's state to JSON text and back, its spec left out.

The spec is stored once per deployed version and re-injected on load (`engine.specs`); what a
workflow changed in its specs at run time travels with its state (`VersionSpecs`). This is
the library's own task serialization; `engine.fast.codec.FastWorkflowCodec` writes the same
text faster.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.specs import WIRING_KEY, VersionSpecs, apply_wiring, wiring_changes


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Serialize a workflow without its spec; the spec is re-injected from the version cache."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        base = workflow.__dict__.get(VersionSpecs.BASE_WIRING_ATTR)
        if base is not None:  # a workflow on its own copy of the specs: keep what it rewired
            changed = wiring_changes(base, [workflow.spec, *workflow.subprocess_specs.values()])
            if changed:
                dct[WIRING_KEY] = changed
        return dct

    def from_dict(self, dct: dict[str, Any], specs: VersionSpecs | None = None) -> Any:
        if specs is None:
            raise ValueError("a spec is needed to restore a workflow")
        spec, subprocess_specs = specs.for_workflow()
        wiring = dct.pop(WIRING_KEY, None)
        if wiring:
            if not specs.private:
                raise ValueError("stored spec wiring for a version whose specs are shared")
            apply_wiring([spec, *subprocess_specs.values()], wiring)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        specs.adopt(workflow)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class WorkflowCodec:
    """Workflow state to JSON text and back (the library's converters, the spec left out)."""

    def __init__(self) -> None:
        registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
        SpeclessWorkflowConverter(BpmnWorkflow, registry, typename="BpmnWorkflow")
        self._serializer = BpmnWorkflowSerializer(registry)
        self._encoder = self._serializer._encoder_cls(separators=(",", ":"))
        self._registry = registry
        self._lock = threading.Lock()  # the registry's encoder mode is a shared flag
        self.version = SERIALIZER_VERSION

    def dumps(self, workflow: Any) -> str:
        with self._lock:
            registry = self._registry
            registry._encoder_mode = True
            try:
                text: str = self._encoder.encode(registry.convert(workflow))
                return text
            finally:
                registry._encoder_mode = False

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

    def version_specs(self, spec: Any, subprocess_specs: Any, forms: Any = None) -> VersionSpecs:
        """The parsed specs of one deployed version, ready to run and restore workflows on."""
        return VersionSpecs(spec, subprocess_specs, self._registry, forms or {})

    def new_workflow(self, specs: VersionSpecs, script_engine: Any) -> Any:
        """A new workflow of this version (on its own copy of the specs when it needs one)."""
        spec, subprocess_specs = specs.for_workflow()
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
        specs.adopt(workflow)
        return workflow
