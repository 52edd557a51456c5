"""Benchmark: the dashboard and the heatmap as history grows.

Question: with 100,000 closed cases, is the median latency of GET /dashboard (the default
period: the last 12 months, compared with the 12 before) and of GET /dashboard/heatmap at most
1.5× the same page with 1,000 closed cases? Measured side by side in one run, on SQLite and on
PostgreSQL: requests to the four databases' apps are interleaved round-robin, and each ratio is
the median over rounds of (page median on B / page median on A) within the round.

The databases: A holds 1,000 closed cases, all in the last 12 months; B holds the same 1,000
(row for row) plus 99,000 older ones, ended 2 to 25 years ago (the history that grows: older
than both periods the dashboard shows, so both databases hold the same cases in them). Both
also hold the same 300 open cases with an open task each. They are migrated and get bpmn/
deployed by the real code (`bootstrap.open_engine`), then seeded with multi-row INSERTs
straight into the real tables the pages read: process_instance, initiative, human_task (the
open tasks, and 6 closed ones per case), and the rollups report_case (1 per case),
report_phase (3) and report_task (6). The event table is not seeded: no page reads it.
The generator is deterministic (fixed seed and "now").

Usage: python bench/bench_dashboard.py [--rounds 9] [--per-round 5] [--no-postgres]
       [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scratch_postgres
from doc_block import replace_block
from sqlalchemy import insert, select

from engine import ManualClock
from engine.readmodel import human_task, process_instance, process_version
from webui import create_app
from workflows import accounts, bootstrap
from workflows.reports.periods import month_of
from workflows.tables import initiative, report_case, report_phase, report_task

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
MARK_BEGIN = "<!-- bench_dashboard:begin -->"
MARK_END = "<!-- bench_dashboard:end -->"
PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - a throw-away benchmark account
TASKS = [
    ("plan_intake", "Kennismakingsgesprek plannen", "initiatieventeam", None, "5 werkdagen"),
    ("hold_intake", "Kennismakingsgesprek voeren", "initiatieventeam", None, "15 werkdagen"),
    ("assign_casist", "Casist koppelen", "initiatieventeam", None, "5 werkdagen"),
    ("kickoff", "Startgesprek voeren", "casist", None, "10 werkdagen"),
    ("assess_aspect", "Aspect beoordelen", "vakspecialist", "BELEID", "10 werkdagen"),
    ("integral_advice", "Integraal advies opstellen", "casist", None, "6 weken"),
]
PHASES = ("kennismaking", "beoordeling", "besluitvorming")
WIJKEN = (("Crabbehof", "West"), ("Binnenstad", "Centrum"), ("Dubbeldam", "Oost"))


def _rows(
    version_id: int,
    first_id: int,
    count: int,
    start: datetime,
    end: datetime,
    seed: int,
    state: str,
) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in ("pi", "ini", "ht", "rc", "rp", "rt")}
    span = (end - start).total_seconds()
    for n in range(count):
        iid = first_id + n
        ended = start + timedelta(seconds=rng.random() * span)
        lead = timedelta(days=rng.lognormvariate(3.4, 0.6))
        began = ended - lead if state == "completed" else ended
        wijk, gebied = rng.choice(WIJKEN)
        out["pi"].append(
            {
                "id": iid,
                "process_version_id": version_id,
                "process_id": "complex_initiative_process",
                "business_key": f"INI-{iid:07d}",
                "status": state if state == "completed" else "running",
                "state": "{}",
                "serializer_version": "1",
                "lock_version": 1,
                "started_at": began,
                "updated_at": ended,
                "ended_at": ended if state == "completed" else None,
            }
        )
        out["ini"].append(
            {
                "instance_id": iid,
                "zaaknummer": f"INI-{iid:07d}",
                "process_id": "complex_initiative_process",
                "title": f"Initiatief {iid}",
                "wijk": wijk,
                "gebied": gebied,
                "category": "COMPLEX",
                "phase": "afgerond" if state == "completed" else "beoordeling",
                "phase_at": ended,
                "started_at": began,
                "updated_at": ended,
            }
        )
        if state != "completed":
            bpmn_id, title, lane, group, norm = rng.choice(TASKS)
            out["ht"].append(
                {
                    "task_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "instance_id": iid,
                    "process_id": "handle_initiative",
                    "bpmn_id": bpmn_id,
                    "title": title,
                    "lane": lane,
                    "state": "open",
                    "assignee": rng.choice([None, "anouk", "daan", "kim"]),
                    "created_at": began - timedelta(days=rng.randint(0, 40)),
                    "due_at": began,
                    "properties": {"norm": norm},
                    "candidate_group": group,
                    "claimed_at": None,
                    "completed_at": None,
                    "completed_by": None,
                }
            )
            continue
        out["rc"].append(
            {
                "instance_id": iid,
                "process_id": "complex_initiative_process",
                "process_version_id": version_id,
                "end_status": "completed",
                "started_at": began,
                "ended_at": ended,
                "ended_month": month_of(ended),
                "lead_seconds": lead.total_seconds(),
                "initiator_seconds": 0.0,
                "net_seconds": lead.total_seconds(),
            }
        )
        step = lead / 6
        for i, (bpmn_id, title, lane, group, norm) in enumerate(TASKS):
            created, closed = began + step * i, began + step * (i + 1)
            task_id = str(uuid.UUID(int=rng.getrandbits(128)))
            out["ht"].append(
                {
                    "task_id": task_id,
                    "instance_id": iid,
                    "process_id": "handle_initiative",
                    "bpmn_id": bpmn_id,
                    "title": title,
                    "lane": lane,
                    "state": "completed",
                    "assignee": "kim",
                    "created_at": created,
                    "claimed_at": created + step / 2,
                    "completed_at": closed,
                    "completed_by": "kim",
                    "due_at": closed,
                    "properties": {"norm": norm},
                    "candidate_group": group,
                }
            )
            out["rt"].append(
                {
                    "task_id": task_id,
                    "instance_id": iid,
                    "process_id": "complex_initiative_process",
                    "process_version_id": version_id,
                    "bpmn_id": bpmn_id,
                    "title": title,
                    "lane": lane,
                    "team": group,
                    "state": "completed",
                    "created_at": created,
                    "claimed_at": created + step / 2,
                    "closed_at": closed,
                    "closed_month": month_of(closed),
                    "closed_by": "kim",
                    "norm": norm,
                    "due_at": closed,
                    "within_norm": rng.random() < 0.8,
                    "waiting_seconds": (step / 2).total_seconds(),
                    "working_seconds": (step / 2).total_seconds(),
                    "initiator_seconds": 0.0,
                }
            )
        for i, phase in enumerate(PHASES):
            entered, left = began + lead * i / 3, began + lead * (i + 1) / 3
            out["rp"].append(
                {
                    "instance_id": iid,
                    "process_id": "complex_initiative_process",
                    "process_version_id": version_id,
                    "phase": phase,
                    "entered_at": entered,
                    "left_at": left,
                    "left_month": month_of(left),
                    "seconds": (left - entered).total_seconds(),
                    "net_seconds": (left - entered).total_seconds(),
                }
            )
    return out


def seed(url: str, closed: int) -> Any:
    settings = bootstrap.Settings(database_url=url)
    engine = bootstrap.open_engine(settings, clock=ManualClock(NOW))
    engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="bench")
    with engine.reading() as conn:
        version_id = conn.execute(
            select(process_version.c.id).where(
                process_version.c.process_id == "complex_initiative_process"
            )
        ).scalar_one()
    year_ago = NOW - timedelta(days=360)
    parts = [
        _rows(
            version_id, 1, 1000, year_ago, NOW - timedelta(days=1), 1, "completed"
        ),  # the same in A and B
        _rows(version_id, 10_001, 300, year_ago, NOW - timedelta(days=1), 2, "running"),
    ]
    if closed > 1000:  # the older history
        parts.append(
            _rows(
                version_id,
                100_001,
                closed - 1000,
                NOW - timedelta(days=25 * 365),
                NOW - timedelta(days=2 * 365 + 40),  # before the compared period too
                3,
                "completed",
            )
        )
    tables = (
        ("pi", process_instance),
        ("ini", initiative),
        ("ht", human_task),
        ("rc", report_case),
        ("rp", report_phase),
        ("rt", report_task),
    )
    for key, table in tables:
        rows = [r for part in parts for r in part[key]]
        for i in range(0, len(rows), 2000):
            with engine.transaction() as uow:
                uow.connection.execute(insert(table), rows[i : i + 2000])
    if engine.db.dialect.name == "postgresql":
        with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            from sqlalchemy import text

            conn.execute(text("VACUUM ANALYZE"))
    accounts.add_user(engine, "max", ("manager",), PASSWORD)
    app = create_app(
        settings,
        engine=engine,
        config={"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False},
    )
    client = app.test_client()
    done = client.post("/inloggen", data={"username": "max", "password": PASSWORD})
    assert done.status_code == 302, done.text[:300]
    return engine, client


PAGES = {
    "dashboard": "/dashboard",
    "heatmap": "/dashboard/heatmap?proces=complex_initiative_process",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--per-round", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--write", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_dashboard_"))
    targets: list[tuple[str, str]] = [
        ("SQLite", f"sqlite:///{folder / 'a.db'}"),
        ("SQLite", f"sqlite:///{folder / 'b.db'}"),
    ]
    made: list[str] = []
    if not args.no_postgres:
        for _ in range(2):
            url = scratch_postgres.create("bench_dashboard")
            if url:
                made.append(url)
                targets.append(("PostgreSQL", url))
    apps: dict[tuple[str, int], Any] = {}
    began = time.perf_counter()
    for i, (db, url) in enumerate(targets):
        closed = 1000 if i % 2 == 0 else 100_000
        t = time.perf_counter()
        apps[(db, closed)] = seed(url, closed)
        print(
            f"seeded {db} with {closed:,} closed cases in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
    for (_db, _c), (_e, client) in apps.items():  # warm up, and check every page answers
        for url in PAGES.values():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
    samples: dict[tuple[str, int, str], list[list[float]]] = {
        (db, c, p): [] for (db, c) in apps for p in PAGES
    }
    for _round in range(args.rounds):
        got: dict[tuple[str, int, str], list[float]] = {k: [] for k in samples}
        for _ in range(args.per_round):
            for page, url in PAGES.items():
                for (db, closed), (_e, client) in apps.items():
                    t = time.perf_counter()
                    response = client.get(url)
                    got[(db, closed, page)].append(time.perf_counter() - t)
                    assert response.status_code == 200
        for key, values in got.items():
            samples[key].append(values)
    lines = [
        MARK_BEGIN,
        "",
        "## Dashboard and heatmap as history grows (`bench/bench_dashboard.py`)",
        "",
    ]
    lines.append(
        f"Run {NOW.date()} (virtual now), {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
        f"{args.rounds} rounds × {args.per_round} requests per page and database, interleaved. "
        "A: 1,000 closed cases (all in the last 12 months). B: the same plus 99,000 that ended 2 to 25 years ago "
        "(before both periods shown). Both: 300 open cases."
    )
    lines += [
        "",
        "| database | page | median A (1,000 closed) | median B (100,000 closed) | ratio B ÷ A (median of rounds; min–max) | target ≤ 1.5 |",
        "|---|---|---|---|---|---|",
    ]
    ok = True
    for db in dict.fromkeys(db for db, _ in apps):
        for page in PAGES:
            a, b = samples[(db, 1000, page)], samples[(db, 100_000, page)]
            ratios = [
                statistics.median(rb) / statistics.median(ra) for ra, rb in zip(a, b, strict=True)
            ]
            ratio = statistics.median(ratios)
            ok = ok and ratio <= 1.5
            ma = statistics.median(v for r in a for v in r) * 1000
            mb = statistics.median(v for r in b for v in r) * 1000
            lines.append(
                f"| {db} | {page} | {ma:.1f} ms | {mb:.1f} ms | **{ratio:.2f}×** ({min(ratios):.2f}–{max(ratios):.2f}) | {'met' if ratio <= 1.5 else 'MISSED'} |"
            )
    lines += [
        "",
        f"Seeding and measuring took {time.perf_counter() - began:.0f} s. The pages read the rollups of the months asked "
        "(indexes on the month columns), the open tasks (partial index) and the filters' gebieden, wijken and teams "
        "one index seek per value (`dashboard.distinct_values`), so older history is not scanned.",
        "",
        MARK_END,
    ]
    print("\n".join(lines))
    for engine, _client in apps.values():
        engine.dispose()
    for url in made:
        scratch_postgres.drop(url)
    if args.write:
        replace_block(Path(args.write), MARK_BEGIN, MARK_END, "\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
