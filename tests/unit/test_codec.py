"""The engine's fast serializer writes exactly what SpiffWorkflow's own converter writes, at
every step of real paths, and what it writes restores to an equivalent workflow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from engine import ManualClock, spiff
from engine.clock import install_into_spiffworkflow, using
from engine.codec import WorkflowCodec
from engine.definitions import load_bundle, read_paths
from engine.fast.codec import FastWorkflowCodec
from tests.conftest import FIXTURES

FAST = FastWorkflowCodec()
FULL = WorkflowCodec()


def _workflow(folder: str, process_id: str, data: dict[str, Any]) -> tuple[Any, Any]:
    _, parser = load_bundle(read_paths([str(FIXTURES / folder)]))
    specs = FAST.version_specs(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))
    wf = FAST.new_workflow(specs, None)
    for task in wf.get_tasks(state=spiff.TaskState.READY):
        task.data.update(data)
    wf.do_engine_steps()
    return wf, specs


def _same(wf: Any) -> None:
    text = FAST.dumps(wf)
    assert text == FULL.dumps(wf)  # the very same text, not just the same JSON value
    assert FAST.dumps(wf) == text  # second save of the same object: cached parts


def _complete_first(wf: Any, data: dict[str, Any]) -> None:
    task = wf.get_tasks(state=spiff.TaskState.READY, manual=True)[0]
    task.data.update(data)
    task.run()
    wf.do_engine_steps()


@pytest.mark.parametrize("amount", [50, 5000])
def test_fast_serializer_matches_the_library_at_every_step(amount: int) -> None:
    wf, specs = _workflow("tiny", "tiny_process", {})
    _same(wf)
    _complete_first(wf, {"amount": amount, "title": "t"})
    _same(wf)
    if amount >= 1000:
        wf.send_event(spiff.message_event("payment_received", {"amount": 1}))
        wf.do_engine_steps()
        _same(wf)
        _complete_first(wf, {"approved": True})
        _same(wf)
    restored = FAST.loads(FAST.dumps(wf), FAST.version, specs)
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
        wf, _ = _workflow("tiny", "tiny_process", {})
        _complete_first(wf, {"amount": 5000, "title": "t"})
        _same(wf)
        clock.advance(timedelta(days=3))
        wf.refresh_timers()
        wf.do_engine_steps()
    _same(wf)
    assert wf.get_tasks(state=spiff.TaskState.READY, manual=True) == []


def test_fast_serializer_matches_on_a_long_loop() -> None:
    wf, specs = _workflow("loop", "loop_process", {"limit": 40})
    _same(wf)
    restored = FAST.loads(FAST.dumps(wf), FAST.version, specs)
    assert restored.last_task.data["count"] == 40


AWKWARD = {
    "title": 'Moestuin aan de Oude Maas — ‘Wij’ 🌱 "quoted" \\ back\nslash',
    "amount": 1234.5,
    "tiny": 1e-300,
    "huge": 10**30,
    "ratio": 0.1 + 0.2,
    "flags": [True, False, None],
    "nested": {"a": {"b": [1, {"c": "ç"}]}, "empty": {}, "list": []},
    "when": datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
    "span": timedelta(days=3, seconds=5),
    "ref": UUID("12345678-1234-5678-1234-567812345678"),
    "day": date(2026, 12, 1).isoformat(),
}


def test_fast_serializer_writes_awkward_values_exactly_as_the_library() -> None:
    """Non-ASCII text, escapes, float edge cases, nested and empty containers, and the types
    the registry converts (datetime, timedelta, UUID): the same text as the library's."""
    wf, _ = _workflow("tiny", "tiny_process", {"start_note": "één", **AWKWARD})
    _same(wf)
    _complete_first(wf, {**AWKWARD, "amount": 5000.25, "removed": None})
    _same(wf)
    task = wf.get_tasks(state=spiff.TaskState.READY, manual=True)[0]
    del task.data["nested"]  # a deletion relative to the parent
    task.data["later"] = {"x": {1, 2}}  # a set is written as a list by both
    task.triggered = True  # as for a task an event started
    _same(wf)
