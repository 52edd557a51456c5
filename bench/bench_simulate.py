"""Benchmark: a simulated year through Wegwijs vs the same paths in raw in-memory SpiffWorkflow.

1. The recorded run: the simulation of `wegwijs simulate` (SQLite, virtual clock) runs while
   every engine operation is recorded per case: start data, each task completion (task id, its
   ordinal among the open tasks with that id, the form data), each message, and every result a
   service operator returned — with the virtual time of each. It also times the engine calls.
2. Rounds (`--rounds`, default 3): a timed run — the same simulation, same seed, on a fresh
   database, with nothing wrapped or recorded (the recorder's own reads would count against the
   product) — followed by the raw replay: every case replayed on bare SpiffWorkflow in memory,
   with the same specs, the same sandboxed script engine and clock, operators answered from the
   recording, timers refreshed before each operation; no database, no serialization, no
   simulator around it. Each timed run must repeat the recorded year case for case, and the
   replay must reach the same outcome for every case, else the comparison is void (exit 1).
3. Prints each round and the median of the rounds' ratios (this machine's speed drifts by tens
   of percent over minutes, so each ratio compares two runs made moments apart).

Usage: python bench/bench_simulate.py [--months 12] [--seed 1] [--rounds 3]
       [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from doc_block import replace_block  # noqa: E402 - bench/ is on the path when run as a script

from engine import ManualClock, spiff  # noqa: E402
from engine.clock import using  # noqa: E402
from engine.definitions import load_bundle, read_paths  # noqa: E402
from engine.scripting import make_script_engine  # noqa: E402
from workflows import bootstrap, operators  # noqa: E402
from workflows.simulation import (  # noqa: E402
    Simulation,
    add_months,
    profiles,
)

MARK_BEGIN = "<!-- bench_simulate:begin -->"
MARK_END = "<!-- bench_simulate:end -->"
#: the runs' databases, removed when the benchmark ends
_SCRATCH = tempfile.TemporaryDirectory(prefix="wegwijs-sim-")


class Recorder:
    """Wraps the engine's public operations and the service operators; keeps a trace per case."""

    def __init__(self) -> None:
        self.trace: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        self.results: dict[int, list[Any]] = defaultdict(list)
        self.engine_seconds = 0.0

    def attach(self, engine: Any) -> None:
        """Wrap the engine's public operations (its operators are wrapped by `_fresh_engine`)."""
        self.engine = engine
        self._wrap("start", self._after_start)
        self._wrap_complete()
        self._wrap("send_message", None)
        self._wrap("fire_timers", None)

    def _timed(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.engine_seconds += time.perf_counter() - started

    def _wrap(self, name: str, after: Callable[..., None] | None) -> None:
        original = getattr(self.engine, name)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = self._timed(original, *args, **kwargs)
            if name == "send_message":
                self.trace[kwargs["instance_id"]].append(
                    ("message", self.engine.now(), args[0], dict(args[1] or {}))
                )
            if after is not None:
                after(result, *args, **kwargs)
            return result

        setattr(self.engine, name, wrapped)

    def _after_start(self, summary: Any, process_id: str, data: Any = None, **_: Any) -> None:
        self.trace[summary.id].append(("start", self.engine.now(), process_id, dict(data or {})))

    def _wrap_complete(self) -> None:
        original = self.engine.complete_task

        def wrapped(task_id: str, data: Any = None, **kwargs: Any) -> Any:
            task = self.engine.get_task(task_id)
            same = [
                t.id
                for t in self.engine.list_tasks(instance_id=task.instance_id)
                if t.bpmn_id == task.bpmn_id
            ]
            ordinal = same.index(task_id) if task_id in same else 0
            result = self._timed(original, task_id, data, **kwargs)
            self.trace[task.instance_id].append(
                ("complete", self.engine.now(), task.bpmn_id, ordinal, dict(data or {}))
            )
            return result

        self.engine.complete_task = wrapped

    def record_operator(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(call: Any, params: dict[str, Any]) -> Any:
            result = fn(call, params)
            self.results[call.instance_id].append(result)
            return result

        return wrapped


def fire_until(wf: Any, clock: ManualClock, until: datetime) -> None:
    """Fire the workflow's timers at their own moments up to `until`, as the engine's timer loop
    does: a step after a timer (e.g. planning the next meeting from today's date) must see the
    moment the timer fired, not the next operation's."""
    due = spiff.next_timer_due(wf)
    while due is not None and due <= until:
        clock.set(
            max(due + timedelta(milliseconds=1), clock.now())
        )  # a timer fires after its moment
        wf.refresh_timers()
        wf.do_engine_steps()
        after = spiff.next_timer_due(wf)
        if after == due:  # nothing fired (a timer that cannot): leave it to the operations
            break
        due = after


def replay(
    trace: dict[int, list[tuple[Any, ...]]], results: dict[int, list[Any]], end: datetime
) -> tuple[dict[int, Any], float, float]:
    """Run every recorded case on bare SpiffWorkflow; returns the outcomes and the seconds it
    took (wall, process CPU)."""
    _, parser = load_bundle(read_paths([str(bootstrap.BPMN_DIR)]))
    specs = {
        pid: (parser.get_spec(pid), parser.get_subprocess_specs(pid))
        for pid in parser.get_process_ids()
    }
    current: dict[str, Any] = {}

    def stub(task_bpmn_id: str, data: Any, name: str, params: dict[str, Any]) -> Any:
        return current["results"].pop(0)

    script_engine = make_script_engine(dict(operators.SCRIPT_HELPERS), services=stub)
    outcomes: dict[int, Any] = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    for instance_id, ops in trace.items():
        current["results"] = list(results.get(instance_id, []))
        clock = ManualClock(ops[0][1])
        with using(clock):
            _, _, process_id, data = ops[0]
            spec, subs = specs[process_id]
            wf = spiff.BpmnWorkflow(spec, subs, script_engine=script_engine)
            for task in wf.get_tasks(state=spiff.TaskState.READY):
                task.data.update(data)
            wf.do_engine_steps()
            for op in ops[1:]:
                fire_until(wf, clock, op[1])
                clock.set(op[1])
                wf.refresh_timers()
                wf.do_engine_steps()
                if op[0] == "complete":
                    _, _, bpmn_id, ordinal, answer = op
                    ready, _ = spiff.scan(wf)
                    same = [r for r in ready if r.bpmn_id == bpmn_id]
                    task = spiff.find_task(wf, same[min(ordinal, len(same) - 1)].id)
                    task.task_spec.add_data_from_form(task, answer)
                    task.run()
                    wf.do_engine_steps()
                elif op[0] == "message":
                    wf.send_event(spiff.message_event(op[2], op[3]))
                    wf.do_engine_steps()
            fire_until(wf, clock, end)
            clock.set(end)
            wf.refresh_timers()
            wf.do_engine_steps()
        outcomes[instance_id] = (
            spiff.current_data(wf).get("outcome") if spiff.is_finished(wf) else None
        )
    return outcomes, time.perf_counter() - started, time.process_time() - cpu_started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", default=None)
    args = parser.parse_args()

    end = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    start = add_months(end, -args.months)

    # 1. the recorded run: the trace the raw replay follows, and the time inside engine calls
    recorder = Recorder()
    clock, engine = _fresh_engine(start, recorder.record_operator)
    recorder.attach(engine)
    report = Simulation(engine, profiles(clock), start, args.months, seed=args.seed).run()
    recorded = _outcomes(engine)
    recorded_end = clock.now()
    trace, results, engine_seconds = recorder.trace, recorder.results, recorder.engine_seconds
    engine.dispose()
    # let go of the engine and its cached workflows: a heap full of them would slow down every
    # garbage collection of the runs after it
    del recorder, engine
    gc.collect()

    # 2. the timed runs, each followed by the raw replay, so that each ratio compares two
    # runs made moments apart (this machine's speed drifts by tens of percent over minutes).
    # A timed run is `wegwijs simulate` as it runs for a user, with nothing wrapped (the
    # recorder's own reads would count against it); the same seed must give the same year.
    rounds: list[tuple[float, float]] = []
    cpu_rounds: list[tuple[float, float]] = []  # the same in process CPU seconds
    same = len(recorded)  # the fewest cases with the same outcome in any round
    for _ in range(args.rounds):
        clock, engine = _fresh_engine(start)
        began, cpu_began = time.perf_counter(), time.process_time()
        timed = Simulation(engine, profiles(clock), start, args.months, seed=args.seed).run()
        simulation_seconds = time.perf_counter() - began
        simulation_cpu = time.process_time() - cpu_began
        sim_outcomes = _outcomes(engine)
        engine.dispose()
        del engine
        gc.collect()
        if sim_outcomes != recorded or timed.tasks_completed != report.tasks_completed:
            print("a timed run did not repeat the recorded one: the comparison is void")
            return 1
        raw_outcomes, raw_seconds, raw_cpu = replay(
            trace, results, recorded_end + timedelta(seconds=1)
        )
        cpu_rounds.append((simulation_cpu, raw_cpu))
        same = min(same, sum(1 for i, o in sim_outcomes.items() if raw_outcomes.get(i) == o))
        rounds.append((simulation_seconds, raw_seconds))
        print(
            f"round {len(rounds)}: simulation {simulation_seconds:.2f} s, raw {raw_seconds:.2f} s"
            f" (CPU {simulation_cpu:.2f} s, {cpu_rounds[-1][1]:.2f} s)"
        )
    ratio = statistics.median(sim / raw for sim, raw in rounds)
    raw_median = statistics.median(raw for _, raw in rounds)
    result = {
        "months": args.months,
        "cases": len(recorded),
        "tasks": report.tasks_completed,
        "errored": len(report.errored),
        "same_outcome": same,
        "rounds": len(rounds),
        "simulation_s": round(statistics.median(sim for sim, _ in rounds), 2),
        "raw_replay_s": round(raw_median, 2),
        "ratio_simulation": round(ratio, 2),
        "ratio_range": [
            round(min(a / b for a, b in rounds), 2),
            round(max(a / b for a, b in rounds), 2),
        ],
        "ratio_cpu": round(statistics.median(a / b for a, b in cpu_rounds), 2),
        "engine_calls_s": round(engine_seconds, 2),
        "ratio_engine_calls": round(engine_seconds / raw_median, 2),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    print(result)
    if args.write:
        write_markdown(Path(args.write), result)
    return 0 if same == len(recorded) else 1


def _fresh_engine(
    start: datetime, wrap_operator: Callable[[Any], Any] | None = None
) -> tuple[ManualClock, Any]:
    """An engine on a new SQLite file with bpmn/ deployed, its virtual clock at `start`
    (`wrap_operator`: wraps each service operator the composition root registers)."""
    clock = ManualClock(start)
    db = Path(tempfile.mkdtemp(dir=_SCRATCH.name)) / "sim.db"
    settings = bootstrap.Settings(database_url=f"sqlite:///{db}")
    if wrap_operator is None:
        engine = bootstrap.open_engine(settings, clock=clock)
    else:
        made = operators.operators
        wrapped = lambda period: {n: wrap_operator(f) for n, f in made(period).items()}  # noqa: E731
        with mock.patch.object(operators, "operators", wrapped):
            engine = bootstrap.open_engine(settings, clock=clock)
    engine.deploy_paths([str(bootstrap.BPMN_DIR)])
    return clock, engine


def _outcomes(engine: Any) -> dict[int, Any]:
    """Each case's outcome (None while it runs)."""
    return {
        i.id: (
            engine.instance_values(i.id, ("outcome",)).get("outcome")
            if i.status == "completed"
            else None
        )
        for i in engine.list_instances(limit=100_000)
    }


def write_markdown(path: Path, r: dict[str, Any]) -> None:
    low, high = r["ratio_range"]
    block = "\n".join(
        [
            MARK_BEGIN,
            f"Measured {r['date']} by `bench/bench_simulate.py --rounds {r['rounds']}` "
            f"({r['months']} months, seed 1, SQLite): {r['cases']} cases, {r['tasks']} task "
            f"completions, {r['errored']} errored; in every round the timed run repeated the "
            f"recorded year case for case, and the raw replay reached the same outcome for "
            f"{r['same_outcome']} of {r['cases']} cases.",
            "",
            "| what | seconds (median of the rounds) | ratio to the raw replay |",
            "|---|---|---|",
            f"| raw in-memory SpiffWorkflow, same paths | {r['raw_replay_s']} | 1 |",
            f"| the whole `wegwijs simulate` run | {r['simulation_s']} | "
            f"**{r['ratio_simulation']}×** (median of the rounds' ratios; rounds {low}–{high}×; "
            f"in process CPU time {r['ratio_cpu']}×) |",
            f"| engine calls alone (start, complete, message, timers), timed in the recorded run "
            f"| {r['engine_calls_s']} | {r['ratio_engine_calls']}× |",
            MARK_END,
        ]
    )
    replace_block(path, MARK_BEGIN, MARK_END, block)


if __name__ == "__main__":
    raise SystemExit(main())
