"""SpiffWorkflow's own multi-instance, loop and event-subprocess diagrams, driven through the
`wegwijs` command line — a new process for every step, so every load comes from the database —
end exactly as raw SpiffWorkflow ends them in memory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from tests.conftest import FIXTURES
from tests.integration.test_cli import Cli

CORPUS = FIXTURES / "spiff_corpus"
START_DATA: dict[str, dict[str, Any]] = {
    "sequential_multiinstance_loop_input": {"input_data": [0, 1, 2]},
    "parallel_multiinstance_loop_input": {"input_data": [0, 1, 2]},
    "standard_loop": {"done": False},
    "event-subprocess": {},
}


def _answer(data: dict[str, Any]) -> dict[str, Any]:
    """A person's answer: ten times the item of a multi-instance task."""
    return {"output_item": data["input_item"] * 10} if "input_item" in data else {}


def _raw_end(path: Path, data: dict[str, Any]) -> tuple[bool, dict[str, Any], list[str]]:
    """How raw SpiffWorkflow ends the diagram in memory: completed?, final data, tasks done."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(path))
    workflow = BpmnWorkflow(parser.get_spec("main"), parser.get_subprocess_specs("main"))
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    workflow.do_engine_steps()
    done = []
    while ready := workflow.get_tasks(state=TaskState.READY, manual=True):
        task = ready[0]
        task.data.update(_answer(task.data))
        task.run()
        done.append(task.task_spec.bpmn_id)
        workflow.do_engine_steps()
    return workflow.is_completed(), dict(workflow.last_task.data), done


@pytest.mark.parametrize("name", sorted(START_DATA))
def test_a_library_diagram_run_step_by_step_through_the_cli_ends_as_raw_spiffworkflow(
    name: str, database_url: str, tmp_path: Path
) -> None:
    path = CORPUS / f"{name}.bpmn"
    completed, raw_data, raw_done = _raw_end(path, START_DATA[name])
    assert completed

    cli = Cli(database_url, tmp_path)
    cli.run("db", "upgrade")
    cli.run("deploy", str(path), "--user", "tester")
    cli.run("users", "add", "tester", "--roles", "casist", "--password", "wachtwoord-tester")
    instance = str(cli.json("start", "main", "--data", json.dumps(START_DATA[name]))["id"])
    done = []
    for _ in range(10):
        open_tasks = cli.json("tasks", "--instance", instance)
        if not open_tasks:
            break
        task_id = open_tasks[0]["id"]
        data = cli.json("task", task_id)["data"]
        cli.run("complete", task_id, "--user", "tester", "--data", json.dumps(_answer(data)))
        done.append(open_tasks[0]["bpmn_id"])

    shown = cli.json("show", instance)
    assert shown["summary"]["status"] == "completed", shown["summary"]["last_error"]
    assert done == raw_done
    for key in ("output_data", "done", "input_data"):
        assert shown["data"].get(key) == raw_data.get(key), key
