"""Benchmark: the worklist pages as the closed history grows, on SQLite and on PostgreSQL.

The requirement (issue text): "flat as history grows (≤ 1.1× at 100k vs 1k closed) and p50 ≤ 8×
/healthz on SQLite and on PostgreSQL". Measured for both tabs, Mijn taken (GET /taken/mijn) and
Team (GET /taken/team):

- page ÷ /healthz: the page's p50 over the p50 of /healthz in the same app (the database with
  the big history);
- history: the page's p50 with 100,000 closed cases over its p50 with 1,000.

Four databases, each with the same 10,000 open cases: SQLite and PostgreSQL, each once with
100,000 and once with 1,000 closed cases (seeded by `worklist_seed.py`; PostgreSQL databases
are created on the local server by `scratch_postgres.py` and dropped afterwards). All routes of
all four apps are requested interleaved (`worklist_measure.py`); each ratio is taken within a
round, and the figure is the median over the rounds, with their min–max.

This file parses the arguments and reports (printed, and with --write the block between the
bench_worklist markers of a markdown page).

Usage: python bench/bench_worklist.py [--rounds 20] [--per-round 20] [--sqlite-only]
       [--closed 100000] [--closed-small 1000] [--open 10000]
       [--workdir DIR (keep and reuse the SQLite files)] [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scratch_postgres  # noqa: E402 - bench/ is on the path when run as a script
import worklist_measure as measure  # noqa: E402
from doc_block import replace_block  # noqa: E402
from sqlalchemy import text  # noqa: E402
from worklist_seed import SeededDatabase, build  # noqa: E402

MARK_BEGIN = "<!-- bench_worklist:start -->"
MARK_END = "<!-- bench_worklist:end -->"
TABS = {"mijn": "Mijn taken", "team": "Team"}
TARGET_HISTORY = 1.1
TARGET_HEALTHZ = 8.0


def _size(n: int) -> str:
    return f"{n // 1000:,}k" if n >= 1000 and n % 1000 == 0 else f"{n:,}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--per-round", type=int, default=20, help="requests per route per round")
    parser.add_argument("--warmup", type=int, default=30, help="warm-up requests per route")
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--closed-small", type=int, default=1_000)
    parser.add_argument("--sqlite-only", action="store_true", help="leave PostgreSQL out")
    parser.add_argument("--workdir", default=None, help="keep (and reuse) the SQLite files here")
    parser.add_argument("--write", default=None, help="update this markdown file's block")
    args = parser.parse_args()

    tmp = Path(args.workdir or tempfile.mkdtemp(prefix="wegwijs-bench-worklist-")).resolve()
    tmp.mkdir(parents=True, exist_ok=True)
    sizes = (args.closed, args.closed_small)
    dbs = [
        SeededDatabase(f"SQLite {_size(n)}", f"sqlite:///{tmp / f'closed_{n}.db'}", args.open, n)
        for n in sizes
    ]
    scratch: list[str] = []
    if not args.sqlite_only:  # both sizes or neither (then said why and dropped)
        urls = [scratch_postgres.create(f"wegwijs_bench_wl_{n}") for n in sizes]
        scratch = [url for url in urls if url]
        if len(scratch) == len(sizes):
            dbs += [
                SeededDatabase(f"PostgreSQL {_size(n)}", url, args.open, n)
                for n, url in zip(sizes, scratch, strict=True)
            ]
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        t0 = time.perf_counter()
        for db in dbs:
            build(db, now)
        seeding = time.perf_counter() - t0
        result = run(args, dbs)
        result["seeding_s"] = round(seeding)
    finally:
        for db in dbs:
            if db.engine is not None:
                db.engine.dispose()
        for url in scratch:
            scratch_postgres.drop(url)
        if not args.workdir:
            shutil.rmtree(tmp, ignore_errors=True)
    print_result(result)
    if args.write:
        write_markdown(Path(args.write), result)
        print(f"written to {args.write}")
    return 0 if all(f["met"] for f in result["figures"].values()) else 1


def run(args: argparse.Namespace, dbs: list[SeededDatabase]) -> dict[str, Any]:
    kinds = list(dict.fromkeys(db.label.split()[0] for db in dbs))  # SQLite, PostgreSQL
    big, small = _size(args.closed), _size(args.closed_small)
    apps = {db.label: measure.logged_in(db) for db in dbs}
    routes: list[measure.Route] = []
    for db in dbs:
        client = apps[db.label][1]
        for tab in TABS:
            routes.append(measure.Route(f"{db.label} {tab}", f"/taken/{tab}", client))
        if db.n_closed == args.closed:
            routes.append(measure.Route(f"{db.label} healthz", "/healthz", client))

    # the same open work everywhere: every database's pages must show the same tasks
    first = {}
    for route in routes:
        response = route.client.get(route.path)
        first[route.name] = measure.shown(route, response.status_code, response.text)
    for tab in TABS:
        shown = {tuple(first[f"{db.label} {tab}"]) for db in dbs}
        assert len(shown) == 1, f"the databases show different {tab} rows"
    sql = {
        f"{db.label} {tab}": measure.page_sql(*apps[db.label], f"/taken/{tab}")
        for db in dbs
        for tab in reversed(TABS)  # Team first
        if db.n_closed == args.closed
    }

    print(f"{len(routes)} routes; warm-up {args.warmup} requests each", flush=True)
    rounds = measure.run_rounds(routes, args.rounds, args.per_round, args.warmup)
    figures: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        for tab, name in TABS.items():
            page, base = f"{kind} {big} {tab}", f"{kind} {big} healthz"
            figures[f"{kind} {tab} healthz"] = _figure(
                f"{name} ÷ /healthz, {kind} {big}", rounds, page, base, TARGET_HEALTHZ
            )
            figures[f"{kind} {tab} history"] = _figure(
                f"{name}: {big} ÷ {small} closed, {kind}",
                rounds,
                page,
                f"{kind} {small} {tab}",
                TARGET_HISTORY,
            )
    every = {r.name: [s for one in rounds for s in one[r.name]] for r in routes}
    pages = [(apps[r.name.rsplit(" ", 1)[0]][0], r) for r in routes if r.path != "/healthz"]
    return {
        "rounds": args.rounds,
        "per_round": args.per_round,
        "warmup": args.warmup,
        "routes": len(routes),
        "figures": figures,
        "p50_ms": {n: round(measure.median(s) * 1000, 3) for n, s in every.items()},
        "p90_ms": {n: round(_p90([w for w, _ in s]) * 1000, 3) for n, s in every.items()},
        "cpu_p50_ms": {n: round(measure.median(s, cpu=True) * 1000, 3) for n, s in every.items()},
        "rows_shown": {tab: len(first[f"{dbs[0].label} {tab}"]) for tab in TABS},
        "databases": {
            db.label: {**db.counts, "size_mb": round(db.size_mb), "seeded_s": round(db.seconds)}
            for db in dbs
        },
        "sql": sql,
        "breakdown": measure.breakdown(pages),
        "environment": _environment(dbs),
    }


def _figure(
    label: str, rounds: list[dict[str, Any]], page: str, base: str, target: float
) -> dict[str, Any]:
    wall = [measure.median(r[page]) / measure.median(r[base]) for r in rounds]
    cpu = [measure.median(r[page], cpu=True) / measure.median(r[base], cpu=True) for r in rounds]
    value = statistics.median(wall)
    return {
        "label": label,
        "ratio": round(value, 2),
        "min": round(min(wall), 2),
        "max": round(max(wall), 2),
        "cpu": round(statistics.median(cpu), 2),
        "target": target,
        "met": value <= target,
    }


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def _environment(dbs: list[SeededDatabase]) -> dict[str, Any]:
    postgres = None
    for db in dbs:
        if db.is_postgres and db.engine is not None:
            with db.engine.reading() as conn:
                postgres = str(conn.execute(text("SHOW server_version")).scalar_one()).split()[0]
            break
    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgres": postgres,
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def print_result(result: dict[str, Any]) -> None:
    print(f"\n{'route':<24} {'p50 ms':>8} {'p90 ms':>8} {'CPU ms':>8}")
    for name, p50 in result["p50_ms"].items():
        print(
            f"{name:<24} {p50:>8.2f} {result['p90_ms'][name]:>8.2f} "
            f"{result['cpu_p50_ms'][name]:>8.2f}"
        )
    print()
    for f in result["figures"].values():
        print(
            f"{f['label']:<42} {f['ratio']:.2f}× (rounds {f['min']:.2f}–{f['max']:.2f}; "
            f"CPU {f['cpu']:.2f}×) target ≤ {f['target']}×: {'met' if f['met'] else 'NOT MET'}"
        )
    print()
    for page, got in result["sql"].items():
        print(f"{page}: {len(got['statements'])} statements, {got['commits']} commits, "
              f"{got['checkouts']} pool checkouts")  # fmt: skip
        for statement in got["statements"]:
            print(f"    {_short(statement)}")
    print("\nwhere a page view's time goes (p50, ms):")
    for name, part in result["breakdown"].items():
        print(
            f"  {name:<24} total {part['total']:.2f}: SQL {part['sql']:.2f}, "
            f"template {part['render']:.2f}, the rest {part['rest']:.2f}"
        )
    seeded = {k: v["seeded_s"] for k, v in result["databases"].items()}
    print(f"\nseeding took {result['seeding_s']} s: {seeded}")


def _short(statement: str, width: int = 110) -> str:
    return statement if len(statement) <= width else statement[: width - 1] + "…"


def write_markdown(path: Path, result: dict[str, Any]) -> None:
    env = result["environment"]
    pg = f", PostgreSQL {env['postgres']}" if env["postgres"] else ""
    lines = [
        MARK_BEGIN,
        "## The worklist as history grows (`bench/bench_worklist.py`)",
        "",
        f"Measured {env['date']} by `bench/bench_worklist.py` ({result['rounds']} rounds × "
        f"{result['per_round']} requests to each of {result['routes']} routes, interleaved "
        f"round-robin after {result['warmup']} warm-up requests each; the Flask test client of "
        "the real app, logged in through the login form as a user with the roles casist and "
        "vakspecialist and the aspect teams CASIST and BELEID). Python "
        f"{env['python']}, SQLite {env['sqlite']}{pg}, {env['cpus']} CPUs (shared), load "
        f"average {env['loadavg']}. Read the ratios, not the absolute times.",
        "",
        "| requirement (ratio of p50s; median over rounds) | wall | min–max over rounds | CPU "
        "| target | |",
        "|---|---|---|---|---|---|",
    ]
    for f in result["figures"].values():
        lines.append(
            f"| {f['label']} | **{f['ratio']:.2f}×** | {f['min']:.2f}–{f['max']:.2f} | "
            f"{f['cpu']:.2f}× | ≤ {f['target']:g}× | {'met' if f['met'] else '**not met**'} |"
        )
    lines += [
        "",
        "| database | open cases | closed cases | human_task rows (open) | event rows | "
        "initiative rows | size | seeded in |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, c in result["databases"].items():
        lines.append(
            f"| {label} | {c['open instances']:,} | {c['closed instances']:,} | "
            f"{c['human_task']:,} ({c['human_task open']:,}) | {c['event']:,} | "
            f"{c['initiative']:,} | {c['size_mb']:,} MB | {c['seeded_s'] or '–'} s |"
        )
    lines += [
        "",
        f"Seeding (bulk inserts of realistic rows, see `bench/worklist_seed.py`) took "
        f"{result['seeding_s']} s in all. Team shows a full page of "
        f"{result['rows_shown']['team']} rows, Mijn taken {result['rows_shown']['mijn']}; every "
        "database shows the same tasks.",
        "",
        "| route | p50 | p90 | p50 CPU |",
        "|---|---|---|---|",
    ]
    for name, p50 in result["p50_ms"].items():
        lines.append(
            f"| {name} | {p50:.2f} ms | {result['p90_ms'][name]:.2f} ms | "
            f"{result['cpu_p50_ms'][name]:.2f} ms |"
        )
    lines += [
        "",
        "| one page view | statements | commits | pool checkouts |",
        "|---|---|---|---|",
        *(
            f"| {page} | {len(got['statements'])} | {got['commits']} | {got['checkouts']} |"
            for page, got in result["sql"].items()
        ),
        "",
        "The statements of one view of Team (on SQLite; PostgreSQL runs the same):",
        "",
        *(f"- `{_short(s)}`" for s in next(iter(result["sql"].values()))["statements"]),
    ]
    lines += [
        "",
        "Where a page view's time goes (p50 of 40 more interleaved requests each; SQL = inside "
        "`cursor.execute`, template = `render_template`, the rest = Flask, the session and its "
        "user, the use case):",
        "",
        "| page | total | SQL | template | the rest |",
        "|---|---|---|---|---|",
    ]
    for name, part in result["breakdown"].items():
        lines.append(
            f"| {name} | {part['total']:.2f} ms | {part['sql']:.2f} ms | "
            f"{part['render']:.2f} ms | {part['rest']:.2f} ms |"
        )
    lines.append(MARK_END)
    replace_block(path, MARK_BEGIN, MARK_END, "\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
