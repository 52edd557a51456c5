"""Benchmark: a persisted task completion vs a raw in-memory SpiffWorkflow completion.

Both run the same case process (intake → assign → 5 parallel aspects → route → decision, as in
shared/PERFORMANCE.md §3a) in the same process, interleaved round by round. The figure is the
median over rounds of (median persisted completion / median raw completion). Absolute times on
this shared machine vary several-fold between runs; the ratio is what we track.

Variants measured:
- raw:        t.data.update(); t.run(); wf.do_engine_steps()            (in memory, nothing saved)
- persisted:  Engine.complete_task() on SQLite (WAL): lock, cached workflow, run, serialize,
              instance + human_task + event rows, commit
- cold:       the same with the workflow cache disabled (a naive load-complete-save)
- postgres:   the persisted variant on PostgreSQL, when a server answers

Usage: python bench/bench_complete.py [--rounds 7] [--instances 20] [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from engine import Engine, EngineSettings  # noqa: E402
from engine.persistence.database import normalise_url  # noqa: E402

DATA = {"result": "ok", "route": "full", "by": "user42"}
ASPECTS = 5
PG_URL = os.environ.get("WEGWIJS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
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


def raw_round(spec: object, instances: int) -> list[float]:
    times = []
    for _ in range(instances):
        wf = BpmnWorkflow(spec)
        wf.do_engine_steps()
        while True:
            ready = wf.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            task = ready[0]
            started = time.perf_counter()
            task.data.update(DATA)
            task.run()
            wf.do_engine_steps()
            times.append(time.perf_counter() - started)
        assert wf.is_completed()
    return times


def engine_round(engine: Engine, instances: int) -> list[float]:
    times = []
    for _ in range(instances):
        summary = engine.start("bench_case", {})
        while True:
            tasks = engine.list_tasks(instance_id=summary.id)
            if not tasks:
                break
            started = time.perf_counter()
            result = engine.complete_task(tasks[0].id, DATA, actor="bench")
            times.append(time.perf_counter() - started)
        assert result.status == "completed", result.last_error
    return times


def make_engine(url: str, cache: bool) -> Engine:
    engine = Engine(EngineSettings(database_url=url, workflow_cache_size=512 if cache else 0))
    engine.upgrade_schema()
    return engine


def postgres_url() -> str | None:
    try:
        admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
        name = f"wegwijs_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:
        print(f"(PostgreSQL not measured: {exc.__class__.__name__})")
        return None
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
        "cold": make_engine(f"sqlite:///{tmp / 'cold.db'}", cache=False),
    }
    pg = postgres_url()
    if pg:
        variants["postgres"] = make_engine(pg, cache=True)
    for engine in variants.values():
        engine.deploy_paths([str(tmp / "bench_case.bpmn")])
        engine_round(engine, 3)  # warm-up: parse, caches, connections
    raw_round(raw_spec, 5)

    per_round: dict[str, list[float]] = {name: [] for name in variants}
    medians: dict[str, list[float]] = {name: [] for name in ["raw", *variants]}
    cpu_wall: list[float] = []
    for r in range(args.rounds):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        raw = statistics.median(raw_round(raw_spec, args.instances))
        medians["raw"].append(raw)
        for name, engine in variants.items():
            med = statistics.median(engine_round(engine, args.instances))
            medians[name].append(med)
            per_round[name].append(med / raw)
        cpu_wall.append((time.perf_counter() - wall0) / max(time.process_time() - cpu0, 1e-9))
        print(
            f"round {r + 1}: raw {raw * 1000:.3f} ms; "
            + "; ".join(
                f"{n} {medians[n][-1] * 1000:.3f} ms ({per_round[n][-1]:.2f}x)" for n in variants
            )
        )

    result = {
        "rounds": args.rounds,
        "instances_per_round": args.instances,
        "completions_per_instance": 2 + ASPECTS + 1,
        "median_ms": {n: round(statistics.median(v) * 1000, 3) for n, v in medians.items()},
        "ratio_median": {n: round(statistics.median(v), 2) for n, v in per_round.items()},
        "ratio_min": {n: round(min(v), 2) for n, v in per_round.items()},
        "ratio_max": {n: round(max(v), 2) for n, v in per_round.items()},
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
        drop_postgres(pg)
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
        "| variant | median completion | ratio to raw (median of rounds) | min–max over rounds |",
        "|---|---|---|---|",
        f"| raw in-memory SpiffWorkflow | {ms['raw']:.3f} ms | 1 | – |",
    ]
    labels = {
        "persisted": "**persisted, SQLite WAL (target ≤ 3×)**",
        "cold": "persisted, SQLite, workflow cache off (naive load-complete-save)",
        "postgres": "persisted, PostgreSQL (local server)",
    }
    for name, label in labels.items():
        if name in ratio:
            lines.append(
                f"| {label} | {ms[name]:.3f} ms | **{ratio[name]:.2f}×** | {mins[name]:.2f}–{maxs[name]:.2f} |"
            )
    lines.append(MARK_END)
    block = "\n".join(lines)
    text_now = path.read_text(encoding="utf-8") if path.exists() else ""
    if MARK_BEGIN in text_now and MARK_END in text_now:
        head, rest = text_now.split(MARK_BEGIN, 1)
        tail = rest.split(MARK_END, 1)[1]
        text_now = head + block + tail
    else:
        text_now = text_now + "\n" + block + "\n"
    path.write_text(text_now, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
