"""The engine's fast serializer writes exactly what SpiffWorkflow's own converter writes, at
every step of real paths, and what it writes restores to an equivalent workflow."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from engine import ManualClock, spiff
from engine.clock import install_into_spiffworkflow, using
from engine.definitions import load_bundle, read_paths
from tests.conftest import FIXTURES

FAST = spiff.WorkflowCodec(fast=True)
FULL = spiff.WorkflowCodec(fast=False)


def _workflow(folder: str, process_id: str, data: dict[str, Any]) -> tuple[Any, Any, Any]:
    _, parser = load_bundle(read_paths([str(FIXTURES / folder)]))
    spec, subs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    wf = spiff.BpmnWorkflow(spec, subs)
    for task in wf.get_tasks(state=spiff.TaskState.READY):
        task.data.update(data)
    wf.do_engine_steps()
    return wf, spec, subs


def _same(wf: Any) -> None:
    fast = json.loads(FAST.dumps(wf))
    assert fast == json.loads(FULL.dumps(wf))
    assert json.loads(FAST.dumps(wf)) == fast  # second save of the same object: cached parts


def _complete_first(wf: Any, data: dict[str, Any]) -> None:
    task = wf.get_tasks(state=spiff.TaskState.READY, manual=True)[0]
    task.data.update(data)
    task.run()
    wf.do_engine_steps()


@pytest.mark.parametrize("amount", [50, 5000])
def test_fast_serializer_matches_the_library_at_every_step(amount: int) -> None:
    wf, spec, subs = _workflow("tiny", "tiny_process", {})
    _same(wf)
    _complete_first(wf, {"amount": amount, "title": "t"})
    _same(wf)
    if amount >= 1000:
        wf.send_event(spiff.message_event("payment_received", {"amount": 1}))
        wf.do_engine_steps()
        _same(wf)
        _complete_first(wf, {"approved": True})
        _same(wf)
    restored = FAST.loads(FAST.dumps(wf), FAST.version, spec, subs)
    assert [
        t.task_spec.name for t in restored.get_tasks(state=spiff.TaskState.READY, manual=True)
    ] == ["confirm_result"]
    _complete_first(wf, {})
    _same(wf)
    assert wf.is_completed()


def test_fast_serializer_matches_after_a_timer_cancels_a_task() -> None:
    install_into_spiffworkflow()
    clock = ManualClock()
    with using(clock):
        wf, _, _ = _workflow("tiny", "tiny_process", {})
        _complete_first(wf, {"amount": 5000, "title": "t"})
        _same(wf)
        clock.advance(timedelta(days=3))
        wf.refresh_timers()
        wf.do_engine_steps()
    _same(wf)
    assert wf.get_tasks(state=spiff.TaskState.READY, manual=True) == []


def test_fast_serializer_matches_on_a_long_loop() -> None:
    wf, spec, subs = _workflow("loop", "loop_process", {"limit": 40})
    _same(wf)
    restored = FAST.loads(FAST.dumps(wf), FAST.version, spec, subs)
    assert restored.last_task.data["count"] == 40
