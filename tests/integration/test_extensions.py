"""Engine extension points the domain builds on: service operators inside the transaction,
due dates on new tasks, milestone events, and form schemas per task version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from engine import DefinitionError, Engine, TaskDueInput
from engine.persistence.tables import outbox
from engine.services import ServiceCall, ServiceError
from tests.conftest import FIXTURES
from tests.helpers import linear_process

NOTIFY = (
    '<bpmn:serviceTask id="notify_initiator" name="Initiatiefnemer informeren"><bpmn:extensionElements>'
    '<spiffworkflow:serviceTaskOperator id="notify" resultVariable="notified">'
    '<spiffworkflow:parameters><spiffworkflow:parameter id="to" type="str" value="email" />'
    '<spiffworkflow:parameter id="subject" type="str" value="&quot;Ontvangen: &quot; + title" />'
    "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>"
)


def _notify(call: ServiceCall, params: dict[str, Any]) -> dict[str, Any]:
    """A real operator: writes an outbox row in the instance's transaction."""
    call.connection.execute(
        insert(outbox).values(
            instance_id=call.instance_id,
            kind="email",
            payload={"to": params["to"], "subject": params["subject"], "task": call.task_bpmn_id},
            created_at=call.now,
        )
    )
    return {"queued": True, "to": params["to"]}


def _outbox_count(engine: Engine) -> int:
    with engine.transaction() as u:
        return int(u.connection.execute(select(func.count()).select_from(outbox)).scalar_one())


def test_service_task_writes_in_the_instance_transaction(
    make_engine: Callable[..., Engine], tmp_path: Path
) -> None:
    engine = make_engine(services={"notify": _notify})
    engine.deploy_paths([str(linear_process(tmp_path, "notify_process", [NOTIFY]))])
    summary = engine.start("notify_process", {"email": "a@example.nl", "title": "Speeltuin"})
    assert summary.status == "completed", summary.last_error
    detail = engine.get_instance(summary.id)
    assert detail.data["notified"] == {"queued": True, "to": "a@example.nl"}
    with engine.transaction() as u:
        [row] = u.connection.execute(select(outbox)).all()
    assert row.payload == {
        "to": "a@example.nl",
        "subject": "Ontvangen: Speeltuin",
        "task": "notify_initiator",
    }
    assert row.instance_id == summary.id


def test_failing_operator_leaves_no_partial_writes_and_retry_runs_it_once(
    make_engine: Callable[..., Engine], tmp_path: Path
) -> None:
    attempts: list[int] = []

    def flaky(call: ServiceCall, params: dict[str, Any]) -> Any:
        _notify(call, params)  # writes first ...
        attempts.append(1)
        if len(attempts) == 1:
            raise ServiceError("mailserver tijdelijk onbereikbaar")  # ... then fails
        return {"queued": True}

    engine = make_engine(services={"notify": flaky})
    engine.deploy_paths([str(linear_process(tmp_path, "notify_process", [NOTIFY]))])
    broken = engine.start("notify_process", {"email": "a@example.nl", "title": "x"})
    assert broken.status == "errored"
    assert "mailserver tijdelijk onbereikbaar" in (broken.last_error or "")
    assert _outbox_count(engine) == 0  # the savepoint undid the operator's write
    assert engine.retry(broken.id, actor="beheer").status == "completed"
    assert _outbox_count(engine) == 1


def test_unknown_operator_is_refused_at_deploy_with_its_location(
    make_engine: Callable[..., Engine], tmp_path: Path
) -> None:
    engine = make_engine(services={"other": _notify})
    with pytest.raises(DefinitionError) as refused:
        engine.deploy_paths([str(linear_process(tmp_path, "notify_process", [NOTIFY]))])
    [problem] = refused.value.problems
    assert "notify" in problem.message
    assert "other" in problem.message  # tells what is available
    assert problem.element_id == "notify_initiator"
    assert problem.line is not None


def test_due_date_policy_sets_due_at_of_new_tasks(make_engine: Callable[..., Engine]) -> None:
    seen: list[TaskDueInput] = []

    def due(task: TaskDueInput) -> datetime | None:
        seen.append(task)
        return task.created_at + timedelta(days=2) if task.lane == "requester" else None

    engine = make_engine(task_due=due)
    engine.deploy_paths([str(FIXTURES / "tiny")])
    started = engine.start("tiny_process", {})
    [task] = engine.list_tasks(instance_id=started.id)
    assert task.due_at == task.created_at + timedelta(days=2)
    assert seen[0].bpmn_id == "submit_request"
    assert seen[0].properties == {"formJsonSchemaFilename": "submit_request.schema.json"}


def test_milestone_property_records_an_event(
    make_engine: Callable[..., Engine], tmp_path: Path
) -> None:
    milestone = (
        '<bpmn:intermediateThrowEvent id="phase_received" name="Ontvangen"><bpmn:extensionElements>'
        '<spiffworkflow:properties><spiffworkflow:property name="phase" value="ontvangen" />'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:intermediateThrowEvent>"
    )
    user = '<bpmn:userTask id="intake" name="Intake" />'
    engine = make_engine()
    engine.deploy_paths([str(linear_process(tmp_path, "phase_process", [milestone, user]))])
    started = engine.start("phase_process", {})
    events = [e for e in engine.get_instance(started.id).events if e.type == "milestone_reached"]
    assert [(e.bpmn_id, e.detail["milestone"], e.detail["title"]) for e in events] == [
        ("phase_received", "ontvangen", "Ontvangen")
    ]


def test_task_form_comes_from_the_version_the_instance_runs_on(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    engine.deploy_paths([str(FIXTURES / "tiny")])
    started = engine.start("tiny_process", {})
    [task] = engine.list_tasks(instance_id=started.id)
    schema = engine.task_form(task.id)
    assert schema is not None
    assert set(schema["required"]) == {"amount", "title"}
    make_engine().complete_task(task.id, {"amount": 5, "title": "x"})
    [confirm] = engine.list_tasks(instance_id=started.id)
    assert engine.task_form(confirm.id) is None  # confirm_result has no form


def _grouped_task(path: str) -> str:
    return (
        '<bpmn:userTask id="assess" name="Beoordelen"><bpmn:extensionElements>'
        "<spiffworkflow:properties>"
        f'<spiffworkflow:property name="group" value="{path}" />'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>"
    )


def test_group_property_gives_each_task_its_candidate_group_from_the_data(
    make_engine: Callable[..., Engine], tmp_path: Path
) -> None:
    engine = make_engine()
    engine.deploy_paths([str(linear_process(tmp_path, "grouped", [_grouped_task("aspect.team")]))])
    found = {}
    for key, data in {
        "team": {"aspect": {"team": "BELEID"}},
        "number": {"aspect": {"team": 7}},
        "missing": {"aspect": {"code": "X"}},
        "not a mapping": {"aspect": "BELEID"},
        "a list": {"aspect": {"team": ["A", "B"]}},
        "blank": {"aspect": {"team": "  "}},
    }.items():
        instance = engine.start("grouped", data)
        [task] = engine.list_tasks(instance_id=instance.id)
        found[key] = task.group
        assert engine.get_task(task.id).group == task.group  # stored, not recomputed
    assert found == {
        "team": "BELEID",
        "number": "7",
        "missing": None,
        "not a mapping": None,
        "a list": None,
        "blank": None,
    }


def test_a_group_property_that_is_not_a_data_path_is_refused_at_deploy_located(
    make_engine: Callable[..., Engine], tmp_path: Path
) -> None:
    engine = make_engine()
    for bad in ("aspect..team", "aspect['team']", "", "1team"):
        with pytest.raises(DefinitionError) as refused:
            engine.deploy_paths([str(linear_process(tmp_path, "grouped", [_grouped_task(bad)]))])
        [problem] = refused.value.problems
        assert "eigenschap 'group'" in problem.message
        assert "aspect.team" in problem.message  # shows what a good value looks like
        assert problem.element_id == "assess"
        assert problem.line is not None
