"""The tiny process (user task, DMN, exclusive + parallel gateways, boundary timer, message catch,
call activity) runs start to end through the engine API, persisted, on SQLite and PostgreSQL.

Every step after the first is taken by a *fresh* engine on the same database, so nothing can
come from an in-memory cache: the state must have been persisted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from engine import ConflictError, Engine, ManualClock, NotFoundError
from tests.conftest import FIXTURES

#: also run with every cache off, and with the plain paths instead of engine/fast (make test)
pytestmark = [pytest.mark.cold, pytest.mark.plain]

TINY = str(FIXTURES / "tiny")


def _only_task(engine: Engine, instance_id: int) -> object:
    tasks = engine.list_tasks(instance_id=instance_id)
    assert len(tasks) == 1, [t.bpmn_id for t in tasks]
    return tasks[0]


def _start_and_submit(make_engine: Callable[..., Engine], amount: int) -> int:
    engine = make_engine()
    engine.deploy_paths([TINY], actor="owner")
    started = engine.start("tiny_process", {}, business_key="Z-2026-001", actor="anna")
    assert started.status == "running"
    submit = _only_task(make_engine(), started.id)
    assert submit.bpmn_id == "submit_request"
    assert submit.lane == "requester"
    assert submit.properties == {"formJsonSchemaFilename": "submit_request.schema.json"}
    make_engine().complete_task(
        submit.id, {"amount": amount, "title": "Speeltuin"}, actor="anna", lanes=["requester"]
    )
    return started.id


def test_low_amount_goes_straight_to_the_call_activity_and_completes(
    make_engine: Callable[..., Engine],
) -> None:
    instance_id = _start_and_submit(make_engine, amount=50)
    confirm = _only_task(make_engine(), instance_id)
    assert confirm.bpmn_id == "confirm_result"
    assert confirm.process_id == "tiny_confirm_process"  # runs inside the called process
    done = make_engine().complete_task(confirm.id, {"confirmed": True}, actor="anna")
    assert done.status == "completed"
    detail = make_engine().get_instance(instance_id)
    assert detail.summary.status == "completed"
    assert detail.summary.ended_at is not None
    assert detail.data["level"] == "low"  # from the DMN table
    assert detail.data["amount"] == 50
    types = [e.type for e in detail.events]
    assert types[0] == "instance_started"
    assert types[-1] == "instance_completed"
    assert types.count("task_completed") == 2


def test_high_amount_waits_for_review_and_payment_message(
    make_engine: Callable[..., Engine],
) -> None:
    instance_id = _start_and_submit(make_engine, amount=5000)
    engine = make_engine()
    detail = engine.get_instance(instance_id)
    assert detail.data["level"] == "high"
    assert detail.summary.next_timer_due is not None  # the boundary timer is scheduled
    assert ("message", "payment_received") in [(w.kind, w.name) for w in detail.waiting_for]
    review = _only_task(engine, instance_id)
    assert review.bpmn_id == "review_request"
    assert review.lane == "reviewer"

    make_engine().send_message(
        "payment_received", {"amount": 42}, business_key="Z-2026-001", actor="bank"
    )
    make_engine().complete_task(review.id, {"approved": True}, actor="rob", lanes=["reviewer"])
    confirm = _only_task(make_engine(), instance_id)
    assert confirm.bpmn_id == "confirm_result"
    assert make_engine().complete_task(confirm.id, {}, actor="anna").status == "completed"

    final = make_engine().get_instance(instance_id)
    assert final.data["payment"] == {"amount": 42}
    assert final.data["approved"] is True
    assert "escalated" not in final.data
    assert final.summary.next_timer_due is None
    assert "timer_fired" not in [e.type for e in final.events]


def test_boundary_timer_fires_at_its_due_time_and_cancels_the_review(
    make_engine: Callable[..., Engine], clock: ManualClock
) -> None:
    instance_id = _start_and_submit(make_engine, amount=5000)
    review = _only_task(make_engine(), instance_id)

    clock.advance(timedelta(days=1))
    assert make_engine().fire_due_timers() == 0  # not due yet
    assert _only_task(make_engine(), instance_id).id == review.id

    clock.advance(timedelta(days=1, seconds=1))
    assert make_engine().fire_due_timers() == 1
    engine = make_engine()
    detail = engine.get_instance(instance_id)
    assert detail.data["escalated"] is True
    assert detail.open_tasks == ()  # review cancelled; the instance waits for the message
    cancelled = engine.list_tasks(instance_id=instance_id, state="cancelled")
    assert [t.bpmn_id for t in cancelled] == ["review_request"]
    types = [e.type for e in detail.events]
    assert "timer_fired" in types
    assert "task_cancelled" in types
    assert detail.summary.status == "waiting"

    make_engine().send_message("payment_received", {"amount": 7}, instance_id=instance_id)
    confirm = _only_task(make_engine(), instance_id)
    assert make_engine().complete_task(confirm.id, {}, actor="anna").status == "completed"


def test_identical_deploy_is_a_no_op_and_a_change_makes_a_new_version(
    make_engine: Callable[..., Engine], tmp_path: object
) -> None:
    engine = make_engine()
    first = engine.deploy_paths([TINY])
    assert {v.process_id for v in first.created} == {"tiny_process", "tiny_confirm_process"}
    again = engine.deploy_paths([TINY])
    assert again.created == ()
    assert {v.version for v in again.unchanged} == {1}
    assert [p.version for p in engine.list_processes()] == [1, 1]


def test_message_nobody_waits_for_is_refused_and_changes_nothing(
    make_engine: Callable[..., Engine],
) -> None:
    import pytest

    from engine import ConflictError

    instance_id = _start_and_submit(make_engine, amount=50)
    engine = make_engine()
    before = engine.get_instance(instance_id)
    with pytest.raises(ConflictError, match="wacht nu niet"):
        engine.send_message("payment_received", {}, instance_id=instance_id)
    after = make_engine().get_instance(instance_id)
    assert after.events == before.events
    assert after.open_tasks == before.open_tasks


def test_cancel_closes_open_tasks(make_engine: Callable[..., Engine]) -> None:
    instance_id = _start_and_submit(make_engine, amount=5000)
    summary = make_engine().cancel(instance_id, actor="beheer", reason="test")
    assert summary.status == "cancelled"
    engine = make_engine()
    assert engine.list_tasks(instance_id=instance_id) == []
    assert engine.get_instance(instance_id).summary.next_timer_due is None
    assert engine.fire_due_timers() == 0


def test_each_step_reports_the_tasks_it_opened_as_they_read_back(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    engine.deploy_paths([TINY], actor="owner")
    started = engine.start("tiny_process", {}, business_key="Z-2026-002", actor="anna")
    (submit,) = started.opened_tasks
    assert submit.bpmn_id == "submit_request"
    assert (submit,) == tuple(make_engine().list_tasks(instance_id=started.id))  # fresh engine
    done = engine.complete_task(submit.id, {"amount": 50, "title": "Speeltuin"}, actor="anna")
    (confirm,) = done.opened_tasks
    assert confirm.bpmn_id == "confirm_result"
    assert confirm.business_key == "Z-2026-002"
    assert confirm == make_engine().get_task(confirm.id)
    # a task that is no longer open has no form data to start from
    with pytest.raises(ConflictError):
        make_engine().task_data(submit.id)
    assert make_engine().task_data(confirm.id)["amount"] == 50
    finished = engine.complete_task(confirm.id, {"confirmed": True}, actor="anna")
    assert finished.status == "completed"
    assert finished.opened_tasks == ()
    # read back, a summary never claims to have opened anything
    assert make_engine().get_instance(started.id).summary.opened_tasks == ()
    # a few values without the whole case
    assert make_engine().instance_values(started.id, ("amount", "level", "absent")) == {
        "amount": 50,
        "level": "low",
    }
    with pytest.raises(NotFoundError):
        make_engine().instance_values(started.id + 999, ("amount",))
