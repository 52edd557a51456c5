"""A workflow saved and restored after every step — on specs parsed anew each time, as after a
restart — runs exactly like the same workflow kept in memory by raw SpiffWorkflow.

SpiffWorkflow changes specs while a workflow runs (a loop task connects its body's completion
to itself; a firing event subprocess connects itself to the start). Its own serializer keeps
those changes because it stores the spec in every instance; ours stores the spec once per
version, so `engine.VersionSpecs` must make them survive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine import spiff
from engine.codec import WorkflowCodec
from engine.definitions import load_bundle, read_paths
from engine.specs import VersionSpecs
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "spiff_corpus"
CODEC = WorkflowCodec()

CASES: dict[str, dict[str, Any]] = {
    "sequential_multiinstance_loop_input": {"input_data": [0, 1, 2]},
    "parallel_multiinstance_loop_input": {"input_data": [0, 1, 2]},
    "standard_loop": {"done": False},
    "event-subprocess": {},
}


def _answer(task: Any) -> dict[str, Any]:
    """What the person fills in: ten times the item of a multi-instance task."""
    return {"output_item": task.data["input_item"] * 10} if "input_item" in task.data else {}


def _run(workflow: Any, restore: Any = None, steps: int = 30) -> tuple[Any, list[str]]:
    """Complete the first READY manual task until none is left; `restore` (if given) saves and
    loads the workflow after every step. Returns the workflow and the tasks completed, in order."""
    done: list[str] = []
    workflow.do_engine_steps()
    for _ in range(steps):
        if restore is not None:
            workflow = restore(workflow)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        task = ready[0]
        task.data.update(_answer(task))
        task.run()
        done.append(task.task_spec.name)
        workflow.do_engine_steps()
    return workflow, done


def _raw(path: Path, data: dict[str, Any]) -> tuple[Any, list[str]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(path))
    workflow = BpmnWorkflow(parser.get_spec("main"), parser.get_subprocess_specs("main"))
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    return _run(workflow)


def _fresh_specs(path: Path) -> VersionSpecs:
    _, parser = load_bundle(read_paths([str(path)]))
    return CODEC.version_specs(parser.get_spec("main"), parser.get_subprocess_specs("main"))


def _stored(path: Path, data: dict[str, Any]) -> tuple[Any, list[str]]:
    workflow = CODEC.new_workflow(_fresh_specs(path), None)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)

    def restore(wf: Any) -> Any:  # a new process: specs parsed again from the stored files
        return CODEC.loads(CODEC.dumps(wf), CODEC.version, _fresh_specs(path))

    return _run(workflow, restore)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_workflow_restored_after_every_step_ends_as_raw_spiffworkflow_ends_it(
    name: str,
) -> None:
    path = CORPUS / f"{name}.bpmn"
    raw, raw_done = _raw(path, CASES[name])
    stored, stored_done = _stored(path, CASES[name])
    assert raw.is_completed(), "the reference run itself must finish"
    assert stored.is_completed()
    assert stored_done == raw_done
    assert spiff.current_data(stored) == spiff.current_data(raw)


def test_the_library_results_are_the_documented_ones() -> None:
    """The reference is what the fixtures README says raw SpiffWorkflow does."""
    for name in ("sequential_multiinstance_loop_input", "parallel_multiinstance_loop_input"):
        raw, done = _raw(CORPUS / f"{name}.bpmn", CASES[name])
        assert raw.data.get("output_data") == [0, 10, 20]
        assert done == ["any_task [child]"] * 3
    _, done = _raw(CORPUS / "standard_loop.bpmn", CASES["standard_loop"])
    assert done == ["any_task [child]"] * 3
    _, done = _raw(CORPUS / "event-subprocess.bpmn", {})
    assert done == ["set_data", "task"]


def test_an_event_subprocess_rewires_only_its_own_workflow_specs() -> None:
    """Firing the event subprocess in one case leaves the version's shared specs as parsed,
    so a case started afterwards does not start that subprocess with its first step."""
    specs = _fresh_specs(CORPUS / "event-subprocess.bpmn")
    assert specs.private
    parsed_outputs = [s.name for s in specs.spec.start.outputs]
    first = CODEC.new_workflow(specs, None)
    _run(first)
    assert first.is_completed()
    assert [s.name for s in specs.spec.start.outputs] == parsed_outputs
    second = CODEC.new_workflow(specs, None)
    second.do_engine_steps()
    assert second.subprocesses == {}


def test_a_workflow_on_its_own_specs_stores_nothing_extra_until_it_rewires_them() -> None:
    specs = _fresh_specs(CORPUS / "event-subprocess.bpmn")
    workflow = CODEC.new_workflow(specs, None)
    workflow.do_engine_steps()
    assert "wegwijs_spec_wiring" not in CODEC.dumps(workflow)
    workflow.get_tasks(state=TaskState.READY, manual=True)[0].run()
    workflow.do_engine_steps()  # the signal fires the event subprocess
    assert "wegwijs_spec_wiring" in CODEC.dumps(workflow)


def test_versions_without_run_time_rewiring_share_one_spec() -> None:
    """The initiative processes have no event subprocess: their cases share the parsed spec."""
    _, parser = load_bundle(read_paths([str(Path(__file__).parents[2] / "bpmn")]))
    for process_id in parser.get_process_ids():
        specs = CODEC.version_specs(
            parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
        )
        assert not specs.private, process_id
        assert specs.for_workflow()[0] is specs.spec


def test_a_workflow_that_can_no_longer_move_names_where_it_stands() -> None:
    """A multi-instance task whose body's completion reaches nothing (what a load on an
    unconnected spec did) stands still; stalled_at names it, and the repair merges it."""
    path = CORPUS / "sequential_multiinstance_loop_input.bpmn"
    specs = _fresh_specs(path)
    workflow = CODEC.new_workflow(specs, None)
    workflow.get_tasks(state=TaskState.READY)[0].data.update({"input_data": [0, 1]})
    workflow.do_engine_steps()
    body = specs.spec.task_specs["any_task [child]"]
    body.completed_event.disconnect(specs.spec.task_specs["any_task"].merge_child)
    try:
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(_answer(task))
        task.run()
        workflow.do_engine_steps()
        assert workflow.get_tasks(state=TaskState.READY, manual=True) == []
        stuck = spiff.stalled_at(workflow)
        assert stuck is not None
        assert spiff.element_label(stuck) == "'Any Task' (any_task)"
    finally:
        body.completed_event.connect(specs.spec.task_specs["any_task"].merge_child)
    assert spiff.merge_unmerged_loop_children(workflow) == 1
    workflow.do_engine_steps()
    assert spiff.stalled_at(workflow) is None
    assert [t.task_spec.name for t in workflow.get_tasks(state=TaskState.READY, manual=True)] == [
        "any_task [child]"
    ]


def test_a_workflow_waiting_for_a_message_or_a_timer_is_not_standing_still() -> None:
    _, parser = load_bundle(read_paths([str(FIXTURES / "tiny")]))
    specs = CODEC.version_specs(
        parser.get_spec("tiny_process"), parser.get_subprocess_specs("tiny_process")
    )
    workflow = CODEC.new_workflow(specs, None)
    workflow.do_engine_steps()
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    task.data.update({"amount": 5000, "title": "t"})
    task.run()
    workflow.do_engine_steps()
    review = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    review.run()  # what is left waits for the payment message and the review timer
    workflow.do_engine_steps()
    assert workflow.get_tasks(state=TaskState.READY, manual=True) == []
    assert spiff.stalled_at(workflow) is None
