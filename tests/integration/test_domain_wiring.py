"""The engine as the domain wires it (workflows.bootstrap): fund operators, notify, norms as due
dates and working-day timers, phases checked at deploy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import DefinitionError, Engine, ManualClock
from engine.persistence.tables import outbox
from tests.helpers import linear_process
from workflows import bootstrap, fund, norms


@pytest.fixture
def domain(database_url: str) -> Iterator[tuple[Engine, ManualClock]]:
    clock = ManualClock(
        datetime(2026, 4, 24, 9, 0, tzinfo=UTC)
    )  # a Friday; Monday 27 April is King's Day
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
    yield engine, clock
    engine.dispose()


def _service(task_id: str, operator: str, result: str, **params: str) -> str:
    parameters = "".join(
        f'<spiffworkflow:parameter id="{k}" type="str" value="{v}" />' for k, v in params.items()
    )
    return (
        f'<bpmn:serviceTask id="{task_id}"><bpmn:extensionElements>'
        f'<spiffworkflow:serviceTaskOperator id="{operator}" resultVariable="{result}">'
        f"<spiffworkflow:parameters>{parameters}</spiffworkflow:parameters>"
        "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>"
    )


def _props(**props: str) -> str:
    inner = "".join(f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in props.items())
    return f"<bpmn:extensionElements><spiffworkflow:properties>{inner}</spiffworkflow:properties></bpmn:extensionElements>"


def test_fund_and_notify_operators_run_in_the_instance_transaction(
    domain: tuple[Engine, ManualClock], tmp_path: Path
) -> None:
    engine, _ = domain
    nodes = [
        _service("check_fund", "fund_status", "fund_before"),
        _service("apply_fund", "fund_apply", "application", amount="requested_amount"),
        _service("confirm", "notify", "mail", template="&quot;aanvraag_ontvangen&quot;"),
    ]
    engine.deploy_paths([str(linear_process(tmp_path, "fund_process", nodes))])
    done = engine.start(
        "fund_process",
        {"requested_amount": 2500, "initiator_email": "i@example.nl"},
        business_key="Z-2026-0001",
    )
    assert done.status == "completed", done.last_error
    data = engine.get_instance(done.id).data
    assert data["fund_before"] == {"ceiling": 120000.0, "available": 120000.0, "exhausted": False}
    assert data["application"] == {
        "volgnummer": 1,
        "outcome": "reserved",
        "amount": 2500.0,
        "available": 117500.0,
    }
    with engine.transaction() as u:
        held = fund.entry(u.connection, "initiatievenfonds", "Z-2026-0001")
        [mail] = u.connection.execute(select(outbox)).all()
    assert (held.state, held.amount) == ("reserved", fund.to_cents(2500))
    assert mail.payload["template"] == "aanvraag_ontvangen"
    assert mail.payload["to"] == "i@example.nl"


def test_norm_property_sets_the_due_date_in_working_days(
    domain: tuple[Engine, ManualClock], tmp_path: Path
) -> None:
    engine, clock = domain
    task = f'<bpmn:userTask id="intake" name="Intake">{_props(norm="2 werkdagen")}</bpmn:userTask>'
    engine.deploy_paths([str(linear_process(tmp_path, "norm_process", [task]))])
    started = engine.start("norm_process", {})
    [intake] = engine.list_tasks(instance_id=started.id)
    # Friday 24 April: Monday 27 April is King's Day, so 2 working days end on Wednesday 29 April.
    assert intake.due_at == norms.due_at(clock.now(), norms.parse_norm("2 werkdagen"))
    assert intake.due_at is not None
    assert (
        intake.due_at.astimezone(norms.ZoneInfo("Europe/Amsterdam")).date().isoformat()
        == "2026-04-29"
    )


def test_due_in_helper_makes_a_working_day_timer(
    domain: tuple[Engine, ManualClock], tmp_path: Path
) -> None:
    engine, clock = domain
    timer = (
        '<bpmn:intermediateCatchEvent id="wait_reply"><bpmn:timerEventDefinition>'
        '<bpmn:timeDate>due_in("1 werkdag")</bpmn:timeDate></bpmn:timerEventDefinition>'
        "</bpmn:intermediateCatchEvent>"
    )
    engine.deploy_paths([str(linear_process(tmp_path, "timer_process", [timer]))])
    started = engine.start("timer_process", {})
    expected = norms.due_at(clock.now(), norms.parse_norm("1 werkdag"))
    assert started.next_timer_due == expected
    clock.set(expected - timedelta(minutes=1))
    assert engine.fire_due_timers() == 0
    assert engine.get_instance(started.id).summary.status == "waiting"
    clock.set(expected + timedelta(seconds=1))
    assert engine.fire_due_timers() == 1
    assert engine.get_instance(started.id).summary.status == "completed"


def test_bad_norm_and_unknown_phase_are_refused_at_deploy(
    domain: tuple[Engine, ManualClock], tmp_path: Path
) -> None:
    engine, _ = domain
    nodes = [
        f'<bpmn:userTask id="intake" name="Intake">{_props(norm="tien dagen")}</bpmn:userTask>',
        f'<bpmn:intermediateThrowEvent id="milestone">{_props(phase="klaar")}</bpmn:intermediateThrowEvent>',
    ]
    with pytest.raises(DefinitionError) as refused:
        engine.deploy_paths([str(linear_process(tmp_path, "bad_process", nodes))])
    by_element = {p.element_id: p.message for p in refused.value.problems}
    assert "tien dagen" in by_element["intake"]
    assert "klaar" in by_element["milestone"]
    assert "ontvangen" in by_element["milestone"]  # lists the known phases
