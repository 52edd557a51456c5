"""Benchmark: a persisted task completion vs a raw in-memory SpiffWorkflow completion.

Both run the same case process (intake → assign → 5 parallel aspects → route → decision, as in
shared/PERFORMANCE.md §3a) in the same process, interleaved round by round. The figure is the
median over rounds of (median persisted completion / median raw completion). Absolute times on
this shared machine vary several-fold between runs; the ratio is what we track.

Variants measured:
- raw:        t.data.update(); t.run(); wf.do_engine_steps()            (in memory, nothing saved)
- persisted:  Engine.complete_task() on SQLite (WAL): lock, cached workflow, run, serialize,
              instance + human_task + event rows, commit
- plain:      the persisted variant with the speed-ups of engine/fast off (EngineSettings
              fast_paths=False, as WEGWIJS_FAST_PATHS=off): SQLAlchemy's Connection.execute
              and the library's own serializer
- cold:       the same with the workflow cache disabled (a naive load-complete-save)
- coldest:    every cache off (WEGWIJS_CACHES=off): the workflow deserialized and its
              version's spec parsed from the stored files on every completion, as the first
              request after a restart or in another worker process
- postgres:   the persisted variant on PostgreSQL, when a server answers (and postgres cold,
              its workflow cache off)

Usage: python bench/bench_complete.py [--rounds 7] [--instances 20] [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scratch_postgres  # noqa: E402 - bench/ is on the path when run as a script
from doc_block import replace_block  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine import Engine, EngineSettings  # noqa: E402

DATA = {"result": "ok", "route": "full", "by": "user42"}
ASPECTS = 5
MARK_BEGIN = "<!-- bench_complete:begin -->"
MARK_END = "<!-- bench_complete:end -->"


def case_bpmn() -> str:
    """The benchmark process of PERFORMANCE.md §3a."""
    nodes = [
        '<bpmn:startEvent id="start_event"/>',
        '<bpmn:userTask id="intake" name="Intake"/>',
        '<bpmn:userTask id="assign_casist" name="Casist toewijzen"/>',
        '<bpmn:parallelGateway id="split"/>',
        '<bpmn:parallelGateway id="join"/>',
        '<bpmn:exclusiveGateway id="route" default="f_short"/>',
        '<bpmn:userTask id="decision" name="Besluit"/>',
        '<bpmn:endEvent id="end_full"/>',
        '<bpmn:endEvent id="end_short"/>',
    ]
    flows = [
        ("f0", "start_event", "intake", None),
        ("f1", "intake", "assign_casist", None),
        ("f2", "assign_casist", "split", None),
        ("f_full", "route", "decision", 'route == "full"'),
        ("f_short", "route", "end_short", None),
        ("f9", "join", "route", None),
        ("f10", "decision", "end_full", None),
    ]
    for i in range(1, ASPECTS + 1):
        nodes.append(f'<bpmn:userTask id="aspect_{i}" name="Aspect {i}"/>')
        flows.append((f"fa{i}", "split", f"aspect_{i}", None))
        flows.append((f"fb{i}", f"aspect_{i}", "join", None))
    flow_xml = []
    for fid, src, dst, cond in flows:
        body = (
            f"<bpmn:conditionExpression>{escape(cond)}</bpmn:conditionExpression>" if cond else ""
        )
        flow_xml.append(
            f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}">{body}</bpmn:sequenceFlow>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" '
        'targetNamespace="http://wegwijs.bench">'
        '<bpmn:process id="bench_case" name="Benchmark case" isExecutable="true">'
        + "".join(nodes)
        + "".join(flow_xml)
        + "</bpmn:process></bpmn:definitions>"
    )


Sample = tuple[list[float], list[float]]  # (wall, cpu) per completion


def raw_instance(spec: object, out: Sample) -> None:
    """One instance in memory; records each user-task completion."""
    wf = BpmnWorkflow(spec)
    wf.do_engine_steps()
    while True:
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        task = ready[0]
        wall, cpu = time.perf_counter(), time.thread_time()
        task.data.update(DATA)
        task.run()
        wf.do_engine_steps()
        out[1].append(time.thread_time() - cpu)
        out[0].append(time.perf_counter() - wall)
    assert wf.is_completed()


def engine_instance(engine: Engine, out: Sample) -> None:
    """One instance through the engine; records each persisted completion."""
    summary = engine.start("bench_case", {})
    while True:
        tasks = engine.list_tasks(instance_id=summary.id)
        if not tasks:
            break
        wall, cpu = time.perf_counter(), time.thread_time()
        result = engine.complete_task(tasks[0].id, DATA, actor="bench")
        out[1].append(time.thread_time() - cpu)
        out[0].append(time.perf_counter() - wall)
    assert result.status == "completed", result.last_error


def make_engine(url: str, cache: bool, spec_cache: bool = True, fast: bool = True) -> Engine:
    settings = EngineSettings(
        database_url=url,
        workflow_cache_size=512 if cache else 0,
        caches=spec_cache,
        fast_paths=fast,
    )
    engine = Engine(settings)
    # fast paths fall back to the plain twins on untested library versions: say so, not guess
    assert engine.fast_paths == fast, "engine/fast is off: see the warning about library versions"
    engine.upgrade_schema()
    return engine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument(
        "--write", default=None, help="update this markdown file between the bench markers"
    )
    args = parser.parse_args()

    bpmn = case_bpmn()
    raw_parser = SpiffBpmnParser()
    raw_parser.add_bpmn_str(bpmn.encode(), filename="bench_case.bpmn")
    raw_spec = raw_parser.get_spec("bench_case")

    tmp = Path(tempfile.mkdtemp(prefix="wegwijs-bench-"))
    (tmp / "bench_case.bpmn").write_text(bpmn, encoding="utf-8")
    variants: dict[str, Engine] = {
        "persisted": make_engine(f"sqlite:///{tmp / 'warm.db'}", cache=True),
        "plain": make_engine(f"sqlite:///{tmp / 'plain.db'}", cache=True, fast=False),
        "cold": make_engine(f"sqlite:///{tmp / 'cold.db'}", cache=False),
        "coldest": make_engine(f"sqlite:///{tmp / 'coldest.db'}", cache=False, spec_cache=False),
    }
    pg = scratch_postgres.create("wegwijs_bench")
    if pg:
        variants["postgres"] = make_engine(pg, cache=True)
        variants["postgres_cold"] = make_engine(pg, cache=False)
    for engine in variants.values():
        engine.deploy_paths([str(tmp / "bench_case.bpmn")])
        for _ in range(3):  # warm-up: parse, caches, connections
            engine_instance(engine, ([], []))
    for _ in range(5):
        raw_instance(raw_spec, ([], []))

    names = ["raw", *variants]
    ratios: dict[str, list[float]] = {n: [] for n in variants}
    cpu_ratios: dict[str, list[float]] = {n: [] for n in variants}
    medians: dict[str, list[float]] = {n: [] for n in names}
    cpu_wall: list[float] = []
    for r in range(args.rounds):
        samples: dict[str, Sample] = {n: ([], []) for n in names}
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(args.instances):  # interleaved per instance: all see the same machine
            raw_instance(raw_spec, samples["raw"])
            for name, engine in variants.items():
                engine_instance(engine, samples[name])
        cpu_wall.append((time.perf_counter() - wall0) / max(time.process_time() - cpu0, 1e-9))
        raw_wall = statistics.median(samples["raw"][0])
        raw_cpu = statistics.median(samples["raw"][1])
        medians["raw"].append(raw_wall)
        for name in variants:
            med = statistics.median(samples[name][0])
            medians[name].append(med)
            ratios[name].append(med / raw_wall)
            cpu_ratios[name].append(statistics.median(samples[name][1]) / raw_cpu)
        print(
            f"round {r + 1}: raw {raw_wall * 1000:.3f} ms; "
            + "; ".join(
                f"{n} {medians[n][-1] * 1000:.3f} ms ({ratios[n][-1]:.2f}x)" for n in variants
            )
        )
    per_round = ratios

    result = {
        "rounds": args.rounds,
        "instances_per_round": args.instances,
        "completions_per_instance": 2 + ASPECTS + 1,
        "median_ms": {n: round(statistics.median(v) * 1000, 3) for n, v in medians.items()},
        "ratio_median": {n: round(statistics.median(v), 2) for n, v in per_round.items()},
        "ratio_min": {n: round(min(v), 2) for n, v in per_round.items()},
        "ratio_max": {n: round(max(v), 2) for n, v in per_round.items()},
        "cpu_ratio_median": {n: round(statistics.median(v), 2) for n, v in cpu_ratios.items()},
        "wall_over_cpu_median": round(statistics.median(cpu_wall), 2),
        "environment": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg": [round(x, 2) for x in os.getloadavg()],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        },
    }
    print(json.dumps(result, indent=2))
    for engine in variants.values():
        engine.dispose()
    if pg:
        scratch_postgres.drop(pg)
    shutil.rmtree(tmp, ignore_errors=True)
    if args.write:
        write_markdown(Path(args.write), result)
    return 0


def write_markdown(path: Path, result: dict) -> None:
    ratio, mins, maxs, ms = (
        result["ratio_median"],
        result["ratio_min"],
        result["ratio_max"],
        result["median_ms"],
    )
    env = result["environment"]
    lines = [
        MARK_BEGIN,
        f"Measured {env['date']} by `bench/bench_complete.py` ({result['rounds']} rounds × "
        f"{result['instances_per_round']} instances × {result['completions_per_instance']} completions; "
        f"Python {env['python']}, {env['cpus']} CPUs, load average {env['loadavg']}, "
        f"wall/CPU {result['wall_over_cpu_median']}).",
        "",
        "| variant | median completion (wall) | ratio to raw, wall (median of rounds) | min–max over rounds | ratio to raw, CPU |",
        "|---|---|---|---|---|",
        f"| raw in-memory SpiffWorkflow | {ms['raw']:.3f} ms | 1 | – | 1 |",
    ]
    labels = {
        "persisted": "**persisted, SQLite WAL (target ≤ 3×)**",
        "plain": "persisted, SQLite, speed-ups of engine/fast off (`WEGWIJS_FAST_PATHS=off`)",
        "cold": "persisted, SQLite, workflow cache off (naive load-complete-save)",
        "coldest": "persisted, SQLite, every cache off (spec parsed per completion too)",
        "postgres": "persisted, PostgreSQL (local server)",
        "postgres_cold": "persisted, PostgreSQL, workflow cache off",
    }
    for name, label in labels.items():
        if name in ratio:
            lines.append(
                f"| {label} | {ms[name]:.3f} ms | **{ratio[name]:.2f}×** | {mins[name]:.2f}–{maxs[name]:.2f} "
                f"| {result['cpu_ratio_median'][name]:.2f}× |"
            )
    lines.append(MARK_END)
    replace_block(path, MARK_BEGIN, MARK_END, "\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
