"""Benchmark: the worklist pages with a year of open work and years of closed history.

Question: with 10,000 open and 100,000 closed process instances, is the median latency of the
worklist pages (GET /taken/team and GET /taken/mijn) at most 1.1× the same page with only 1,000
closed instances, and at most 5× a trivial route (GET /healthz) of the same app? Everything is
measured side by side in one run: requests to all routes are interleaved round-robin, and each
ratio is the median over rounds of (route median / baseline median) within the round.

The databases
-------------
A: 10,000 open + 100,000 closed instances.  B: the same 10,000 open + 1,000 closed.
Both are SQLite files in a temp dir (with --postgres also two PostgreSQL databases, created on
postgresql://postgres@127.0.0.1:5432 and dropped afterwards). Each is migrated with the real
migrations (`workflows.bootstrap.open_engine`) and gets bpmn/ deployed once, so the
process_version rows are real. They are then seeded through SQLAlchemy Core executemany (2,000
instances per transaction) straight into the real tables. The generator is deterministic (fixed
seeds, one fixed "now"), so the open part of A and B is the same row for row (same task uuids,
titles, dates); only the number of closed instances differs.

- process_instance: the closed instances first (older: started 1–4 years ago, ended 1–10 months
  later, status 'completed'), then the open ones (started within the past year, status
  'waiting'). `state` is '{}': the worklist never deserializes a workflow. (Real rows carry
  15–50 KB of workflow JSON, so the real table is much bigger; the worklist does not read it.)
- human_task: each open instance has exactly 1 open task, from the real user tasks of bpmn/ in a
  lane mix of casist 20%, vakspecialist 24%, initiatieventeam 12%, fondsbeheer 12%, budgethouder
  6%, regiegroep 7%, gebiedsmanager 6% and gebiedsbeheer 13%. Its created_at lies between the
  instance's start and now (spread over a year); due_at = created_at + the task's norm, so many
  are overdue. 2% of the casist/vakspecialist tasks are assigned to the benchmark user, 35% of
  the other open tasks to colleagues. Each open instance also has 0–4 completed earlier tasks;
  each closed instance has 5 completed tasks. `properties` is the real shape (form file, norm, aspect
  context for assess_aspect), and an assess_aspect task's candidate_group is its aspect's team
  (one of 8, drawn evenly).
- initiative: the read-model row per instance (zaaknummer, title, wijk, gebied, category,
  amount, casist, phase).
- event: 10 per closed instance (instance_started, 3 × milestone_reached, 5 × task_completed,
  instance_completed); per open instance instance_started, a milestone, task_completed per
  earlier task and task_created for the open one.
Row counts are printed and written with the results. SQLite gets no ANALYZE (the product does
not run one, so the planner works without statistics as in production); PostgreSQL gets VACUUM
ANALYZE after seeding (autovacuum would do the same within minutes).

The measurement
---------------
One app per database, built by `webui.create_app(settings, engine=..., config={"TESTING": True,
"SECRET_KEY": ...})`, and a Flask test client logged in (through the real login form) as a user
holding the roles casist and vakspecialist and the aspect teams CASIST and BELEID. After a
warm-up, each round sends `--per-round` requests to every route, round-robin (the order rotates
per request), timed with time.perf_counter (and thread_time for CPU) around `client.get`.
Every response must be 200; every worklist response must hold rows (the team page a full page
of 25), and the rows of A and B must be the same tasks. The ratios are medians over rounds of the per-round median ratios.
The SQL of one page view is captured with a `before_cursor_execute` listener on the engine's
database; its SELECTs are explained (EXPLAIN QUERY PLAN / EXPLAIN (ANALYZE, BUFFERS)) and timed
on their own, interleaved over the databases. After the rounds, 40 more interleaved requests per
page split its time into SQL (inside cursor.execute), template (Flask's before_render_template
→ template_rendered signals) and the rest. With --profile, or when a target is missed, 30
requests of /taken/team on A are cProfiled (printed, not written).

Usage: python bench/bench_worklist.py [--rounds 15] [--per-round 20] [--postgres]
       [--write docs/performance.md] [--workdir DIR (keep and reuse the SQLite files)] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scratch_postgres  # noqa: E402 - bench/ is on the path when run as a script
from doc_block import replace_block  # noqa: E402
from flask import Flask, before_render_template, template_rendered  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import Engine as SqlEngine  # noqa: E402
from sqlalchemy import event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine import Engine  # noqa: E402
from engine.persistence.database import normalise_url  # noqa: E402
from engine.persistence.tables import event as event_table  # noqa: E402
from engine.persistence.tables import human_task, process_instance, process_version  # noqa: E402
from webui import ENGINE_KEY, create_app  # noqa: E402
from webui.worklist import ROW_MEMO  # noqa: E402
from workflows import accounts, bootstrap  # noqa: E402
from workflows.places import GEBIED_OF  # noqa: E402
from workflows.tables import initiative  # noqa: E402
from workflows.worklist import WORKLIST_PAGE_SIZE as PAGE_SIZE  # noqa: E402

MARK_BEGIN = "<!-- bench_worklist:start -->"
MARK_END = "<!-- bench_worklist:end -->"
USER = "bench-casist"
PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - the benchmark user of a temp database
USER_ROLES = ("casist", "vakspecialist")
#: the aspect teams the benchmark user assesses for (a casist assesses the casist team's aspects)
USER_TEAMS = ("CASIST", "BELEID")
CHUNK = 2_000  # instances per transaction while seeding
TARGET_CLOSED = 1.1
TARGET_TRIVIAL = 5.0
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
ROW = re.compile(r'data-task-id="([0-9a-f-]{36})"')

# ---------------------------------------------------------------- the generated data

COMPLEX, GREEN, WIJKWENS = (
    "complex_initiative_process",
    "simple_green_initiative_process",
    "wijkwens_process",
)
#: human_task.process_id is the (sub)process that holds the task
TASK_PROCESS = {COMPLEX: "handle_initiative", GREEN: GREEN, WIJKWENS: WIJKWENS}
DAYS = {"werkdagen": 7 / 5, "weken": 7}

#: (process, bpmn id, title, lane, norm) of the user tasks in bpmn/ (initiator tasks left out)
TASKS: tuple[tuple[str, str, str, str, str], ...] = (
    (COMPLEX, "plan_intake", "Kennismakingsgesprek plannen", "initiatieventeam", "5 werkdagen"),
    (COMPLEX, "hold_intake", "Kennismakingsgesprek voeren en informatiepakket meegeven", "initiatieventeam", "15 werkdagen"),
    (COMPLEX, "check_supplied_information", "Aanvulling op volledigheid beoordelen", "initiatieventeam", "5 werkdagen"),
    (COMPLEX, "assign_casist", "Initiatief bespreken in weekoverleg en casist koppelen", "initiatieventeam", "5 werkdagen"),
    (COMPLEX, "kickoff", "Startgesprek voeren en plan van aanpak afstemmen", "casist", "10 werkdagen"),
    (COMPLEX, "assess_aspect", "Aspect beoordelen", "vakspecialist", "10 werkdagen"),
    (COMPLEX, "integral_advice", "Integraal advies opstellen", "casist", "6 weken"),
    (COMPLEX, "reject_with_reasons", "Afwijzing motiveren en alternatieven benoemen", "casist", "5 werkdagen"),
    (COMPLEX, "prepare_fund_check", "Fondstoets voorbereiden (criteria)", "fondsbeheer", "5 werkdagen"),
    (COMPLEX, "prepare_decision", "Advies en conceptbeschikking opstellen", "fondsbeheer", "4 weken"),
    (COMPLEX, "decide_subsidy", "Besluiten op subsidieaanvraag (mandaat college)", "budgethouder", "8 weken"),
    (COMPLEX, "prepare_payment", "Betaalopdracht voorschot controleren", "fondsbeheer", "6 weken"),
    (COMPLEX, "record_agreements", "Samenwerkingsafspraken vastleggen", "casist", "4 weken"),
    (COMPLEX, "progress_checkin", "Voortgangsgesprek voeren", "casist", "5 werkdagen"),
    (COMPLEX, "assess_accountability", "Verantwoording beoordelen en subsidie vaststellen", "fondsbeheer", "8 weken"),
    (COMPLEX, "evaluate_initiative", "Evalueren en vastleggen in overzicht initiatieven", "casist", "4 weken"),
    (GREEN, "green_register", "Registreren en soort groeninitiatief bepalen", "initiatieventeam", "2 werkdagen"),
    (GREEN, "green_assess_geveltuin", "Locatie schouwen en voorwaarden toetsen", "gebiedsbeheer", "10 werkdagen"),
    (GREEN, "green_construct_geveltuin", "Geveltuin plantklaar aanleggen", "gebiedsbeheer", "6 weken"),
    (GREEN, "green_discuss_adoption", "Contact opnemen en adoptieafspraken bespreken", "gebiedsbeheer", "10 werkdagen"),
    (GREEN, "green_deliver_materials", "Materiaal leveren en adoptietegel plaatsen", "gebiedsbeheer", "4 weken"),
    (WIJKWENS, "wijkwens_check_admissibility", "Ontvankelijkheid toetsen", "initiatieventeam", "10 werkdagen"),
    (WIJKWENS, "wijkwens_regiegroep_advice", "Advies regiegroep", "regiegroep", "6 weken"),
    (WIJKWENS, "wijkwens_decide", "Besluiten op advies", "gebiedsmanager", "10 werkdagen"),
    (WIJKWENS, "wijkwens_co_sign", "Besluit medeondertekenen (> € 1.000)", "budgethouder", "5 werkdagen"),
    (WIJKWENS, "wijkwens_pay", "Toegekend bedrag uitbetalen", "fondsbeheer", "6 weken"),
)  # fmt: skip
LANE_MIX = {
    "casist": 20,
    "vakspecialist": 24,
    "initiatieventeam": 12,
    "fondsbeheer": 12,
    "budgethouder": 6,
    "regiegroep": 7,
    "gebiedsmanager": 6,
    "gebiedsbeheer": 13,
}
PROCESS_MIX = {COMPLEX: 55, GREEN: 25, WIJKWENS: 20}
ASPECTS = (
    ("BELEIDSFIT", "BELEID"),
    ("FINANCIEEL", "FONDSBEHEER"),
    ("ORGANISATIE", "CASIST"),
    ("DRAAGVLAK_PARTICIPATIE", "CASIST"),
    ("RUIMTELIJK_JURIDISCH", "STADSONTWIKKELING_PLANJURIST"),
    ("GROND_VASTGOED", "GRONDZAKEN_VASTGOED"),
    ("MILIEU_BODEM", "MILIEU_OZHZ"),
    ("SOCIAAL_DOMEIN", "MAATSCHAPPELIJKE_ONTWIKKELING"),
)
PHASES = ("ontvangen", "kennismaking", "beoordeling", "besluitvorming", "uitvoering")
CATEGORY = {COMPLEX: "COMPLEX", GREEN: "GROEN", WIJKWENS: "WIJKWENS"}
SUBJECTS = (
    "Buurtmoestuin",
    "Ontmoetingsplek",
    "Geveltuinen",
    "Speelplek",
    "Buurtfeest",
    "Bankjes en picknicktafel",
    "Repair café",
    "Bloemenlint",
    "Boomspiegels adopteren",
    "Kunstwerk",
    "Jongerenpodium",
    "Wandelroute",
)
PLACES = (
    "op het braakliggende schoolterrein",
    "bij het winkelcentrum",
    "langs de singel",
    "in de binnentuin",
    "aan de haven",
    "bij de speeltuin",
    "in het park",
    "voor het buurthuis",
)
NAMES = ("Fatima el Amrani", "Jan de Vries", "Sanne Bakker", "Mohamed Yilmaz", "Eva Jansen")


def _norm_days(norm: str) -> float:
    number, unit = norm.split()
    return int(number) * DAYS[unit]


def weighted(mix: dict[str, int]) -> tuple[list[str], list[int]]:
    return list(mix), list(mix.values())


@dataclass
class Batch:
    """Rows for the four tables, flushed together (foreign keys: instances first)."""

    instances: list[dict[str, Any]] = field(default_factory=list)
    initiatives: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> int:
        return len(self.instances) + len(self.initiatives) + len(self.tasks) + len(self.events)


class Generator:
    """Deterministic rows: the open part is the same for every database it is asked for."""

    def __init__(self, now: datetime, versions: dict[str, int]) -> None:
        self.now = now
        self.versions = versions
        self.by_lane: dict[str, list[tuple[str, str, str, str, str]]] = {}
        self.by_process: dict[str, list[tuple[str, str, str, str, str]]] = {}
        for t in TASKS:
            self.by_lane.setdefault(t[3], []).append(t)
            self.by_process.setdefault(t[0], []).append(t)

    @staticmethod
    def _uuid(rng: random.Random) -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def _properties(self, rng: random.Random, task: tuple[str, ...]) -> dict[str, Any]:
        props: dict[str, Any] = {
            "formJsonSchemaFilename": f"{task[1]}.schema.json",
            "norm": task[4],
        }
        if task[1] == "assess_aspect":
            code, team = rng.choice(ASPECTS)
            props.update(
                context="aspect",
                group="aspect.team",
                context_values={"aspect": {"code": code, "team": team}},
            )
        return props

    def _task_row(
        self,
        rng: random.Random,
        task: tuple[str, ...],
        task_id: str,
        iid: int,
        created: datetime,
        **state: Any,
    ) -> dict[str, Any]:
        """A human_task row of this task: the real properties, for an aspect its team, and the
        state-dependent columns (state, assignee, claimed/completed at and by) as given."""
        props = self._properties(rng, task)
        aspect = props.get("context_values", {}).get("aspect")
        return {
            "task_id": task_id,
            "instance_id": iid,
            "process_id": TASK_PROCESS[task[0]],
            "bpmn_id": task[1],
            "title": task[2],
            "lane": task[3],
            "created_at": created,
            "due_at": created + timedelta(days=_norm_days(task[4])),
            "properties": props,
            "candidate_group": aspect["team"] if aspect else None,
            **state,
        }

    def _instance(
        self, batch: Batch, rng: random.Random, iid: int, number: str, process: str, open_: bool
    ) -> tuple[datetime, datetime | None]:
        if open_:
            started = self.now - timedelta(days=rng.uniform(0.5, 365))
            ended = None
        else:
            started = self.now - timedelta(days=rng.uniform(365, 4 * 365))
            ended = started + timedelta(days=rng.uniform(30, 300))
        wijk = rng.choice(list(GEBIED_OF))
        title = f"{rng.choice(SUBJECTS)} {rng.choice(PLACES)} ({wijk})"
        last = ended or self.now - timedelta(hours=rng.uniform(1, 48))
        batch.instances.append(
            {
                "id": iid,
                "process_version_id": self.versions[process],
                "process_id": process,
                "business_key": number,
                "status": "waiting" if open_ else "completed",
                "state": "{}",
                "serializer_version": "1.5",
                "lock_version": rng.randint(3, 20),
                "next_timer_due": None,
                "started_at": started,
                "updated_at": last,
                "ended_at": ended,
                "started_by": "portaal",
                "last_error": None,
            }
        )
        phase = rng.choice(PHASES[1:]) if open_ else "afgerond"
        batch.initiatives.append(
            {
                "instance_id": iid,
                "zaaknummer": number,
                "process_id": process,
                "title": title,
                "wijk": wijk,
                "gebied": GEBIED_OF[wijk],
                "category": CATEGORY[process],
                "requested_cents": rng.randrange(50_000, 2_500_000, 500),
                "casist": rng.choice(NAMES),
                "phase": phase,
                "phase_at": last,
                "started_at": started,
                "updated_at": last,
            }
        )
        batch.events.append(
            {
                "instance_id": iid,
                "type": "instance_started",
                "at": started,
                "actor": "portaal",
                "task_id": None,
                "bpmn_id": None,
                "detail": {"process_id": process, "version": 1, "business_key": number},
            }
        )
        return started, ended

    def _milestone(self, batch: Batch, iid: int, at: datetime, phase: str) -> None:
        batch.events.append(
            {
                "instance_id": iid,
                "type": "milestone_reached",
                "at": at,
                "actor": None,
                "task_id": None,
                "bpmn_id": f"phase_{phase}",
                "detail": {"milestone": phase, "title": phase.title()},
            }
        )

    def _done_task(
        self,
        batch: Batch,
        rng: random.Random,
        iid: int,
        task: tuple[str, str, str, str, str],
        created: datetime,
        completed: datetime,
    ) -> None:
        task_id = self._uuid(rng)
        who = f"{task[3]}-{rng.randint(1, 6):02d}"
        batch.tasks.append(
            self._task_row(
                rng,
                task,
                task_id,
                iid,
                created,
                state="completed",
                assignee=who,
                claimed_at=created + (completed - created) / 3,
                completed_at=completed,
                completed_by=who,
            )
        )
        batch.events.append(
            {
                "instance_id": iid,
                "type": "task_completed",
                "at": completed,
                "actor": who,
                "task_id": task_id,
                "bpmn_id": task[1],
                "detail": {"title": task[2], "lane": task[3], "data": {"result": "akkoord"}},
            }
        )

    def closed(self, batch: Batch, rng: random.Random, iid: int, n: int) -> None:
        process = rng.choices(*weighted(PROCESS_MIX))[0]
        started, ended = self._instance(
            batch, rng, iid, f"INI-{2022 + n % 4}-C{n:06d}", process, open_=False
        )
        assert ended is not None
        span = ended - started
        tasks = self.by_process[process]
        for k in range(5):
            created = started + span * (k / 5)
            self._done_task(batch, rng, iid, tasks[k % len(tasks)], created, created + span / 6)
            if k in (0, 2, 4):
                self._milestone(batch, iid, created, PHASES[min(k, 4)])
        batch.events.append(
            {
                "instance_id": iid,
                "type": "instance_completed",
                "at": ended,
                "actor": "bench",
                "task_id": None,
                "bpmn_id": None,
                "detail": {},
            }
        )

    def open(self, batch: Batch, rng: random.Random, iid: int, n: int) -> None:
        lane = rng.choices(*weighted(LANE_MIX))[0]
        task = rng.choice(self.by_lane[lane])
        started, _ = self._instance(batch, rng, iid, f"INI-2026-{n:05d}", task[0], open_=True)
        created = started + (self.now - started) * rng.uniform(0.05, 1.0)
        earlier = [t for t in self.by_process[task[0]] if t is not task]
        for k in range(rng.randint(0, 4)):
            at = started + (created - started) * (k / 5)
            self._done_task(batch, rng, iid, earlier[k % len(earlier)], at, at + timedelta(days=2))
        self._milestone(batch, iid, started, "ontvangen")
        if lane in USER_ROLES and rng.random() < 0.02:
            assignee: str | None = USER
        elif rng.random() < 0.35:
            assignee = f"{lane}-{rng.randint(1, 6):02d}"
        else:
            assignee = None
        task_id = self._uuid(rng)
        batch.tasks.append(
            self._task_row(
                rng,
                task,
                task_id,
                iid,
                created,
                state="open",
                assignee=assignee,
                claimed_at=created + timedelta(hours=4) if assignee else None,
                completed_at=None,
                completed_by=None,
            )
        )
        batch.events.append(
            {
                "instance_id": iid,
                "type": "task_created",
                "at": created,
                "actor": None,
                "task_id": task_id,
                "bpmn_id": task[1],
                "detail": {"title": task[2], "lane": lane},
            }
        )


# ---------------------------------------------------------------- building a database


@dataclass
class Database:
    label: str  # "A", "B", "PG A", "PG B"
    url: str
    n_open: int
    n_closed: int
    engine: Engine | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    size_mb: float | None = None


def _flush(db: SqlEngine, batch: Batch) -> None:
    with db.begin() as conn:
        for table, rows in (
            (process_instance, batch.instances),
            (initiative, batch.initiatives),
            (human_task, batch.tasks),
            (event_table, batch.events),
        ):
            for start in range(0, len(rows), 5_000):
                conn.execute(table.insert(), rows[start : start + 5_000])


def _seed(database: Database, engine: Engine, now: datetime) -> None:
    db = engine.db
    with engine.reading() as conn:
        versions = {
            r.process_id: int(r.id)
            for r in conn.execute(select(process_version.c.process_id, process_version.c.id))
        }
    gen = Generator(now, versions)
    total = database.n_closed + database.n_open
    plan: list[tuple[Callable[..., None], random.Random, int]] = [
        (gen.closed, random.Random(2), database.n_closed),
        (gen.open, random.Random(1), database.n_open),  # the same open part in every database
    ]
    iid, done, rows = 0, 0, 0
    t0 = time.perf_counter()
    next_report = 0.1
    for make, rng, count in plan:
        batch = Batch()
        for n in range(count):
            iid += 1
            make(batch, rng, iid, n + 1)
            if len(batch.instances) >= CHUNK or n == count - 1:
                rows += batch.rows()
                _flush(db, batch)
                done += len(batch.instances)
                batch = Batch()
                if done / total >= next_report or done == total:
                    took = time.perf_counter() - t0
                    print(
                        f"  [{database.label}] {done:,}/{total:,} instances, {rows:,} rows, "
                        f"{took:.0f} s ({rows / max(took, 1e-9):,.0f} rows/s)",
                        flush=True,
                    )
                    next_report = done / total + 0.1
    if db.dialect.name == "postgresql":
        with db.begin() as conn:
            for table in ("process_instance", "human_task", "event"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def _count_rows(engine: Engine) -> dict[str, int]:
    counts: dict[str, int] = {}
    with engine.reading() as conn:
        for name, query in (
            ("open instances", select(func.count()).where(process_instance.c.status == "waiting")),
            (
                "closed instances",
                select(func.count()).where(process_instance.c.status == "completed"),
            ),
            ("human_task open", select(func.count()).where(human_task.c.state == "open")),
            ("human_task total", select(func.count()).select_from(human_task)),
            ("initiative", select(func.count()).select_from(initiative)),
            ("event", select(func.count()).select_from(event_table)),
        ):
            counts[name] = int(conn.execute(query).scalar_one())
    return counts


def build(database: Database, now: datetime, reuse: bool) -> None:
    settings = bootstrap.Settings(database_url=database.url)
    engine = bootstrap.open_engine(settings)
    database.engine = engine
    if reuse:
        counts = _count_rows(engine)
        if (
            counts["open instances"] == database.n_open
            and counts["closed instances"] == database.n_closed
            and accounts.get_user(engine, USER) is not None
        ):
            print(f"[{database.label}] reusing the seeded database {database.url}")
            database.counts = counts
            database.size_mb = _size_mb(database)
            return
        raise SystemExit(f"{database.url} is not a seeded database of this shape; remove it first")
    print(
        f"[{database.label}] seeding {database.n_open:,} open + {database.n_closed:,} closed "
        f"instances into {database.url}",
        flush=True,
    )
    t0 = time.perf_counter()
    engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="bench")
    _seed(database, engine, now)
    accounts.add_user(
        engine, USER, USER_ROLES, PASSWORD, display_name="Bench Casist", teams=USER_TEAMS
    )
    database.seconds = time.perf_counter() - t0
    database.counts = _count_rows(engine)
    database.size_mb = _size_mb(database)
    print(f"[{database.label}] seeded in {database.seconds:.1f} s: {database.counts}", flush=True)


def _size_mb(database: Database) -> float | None:
    url = make_url(normalise_url(database.url))
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        wal = path.with_name(path.name + "-wal")
        return (path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / 1e6
    assert database.engine is not None
    with database.engine.reading() as conn:
        return (
            int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
            / 1e6
        )


# ---------------------------------------------------------------- the app and the requests


def make_client(database: Database) -> tuple[Flask, FlaskClient]:
    settings = bootstrap.Settings(database_url=database.url)
    app = create_app(
        settings,
        engine=database.engine,
        config={"TESTING": True, "SECRET_KEY": "bench-secret-" + database.label},
    )
    client = app.test_client()
    page = client.get("/inloggen")
    found = TOKEN.search(page.text)
    assert found, "no CSRF token on the login page"
    done = client.post(
        "/inloggen", data={"username": USER, "password": PASSWORD, "csrf_token": found.group(1)}
    )
    assert done.status_code == 302, f"login failed: {done.status_code}"
    return app, client


@dataclass(frozen=True)
class Route:
    name: str  # e.g. "A team"
    db: str  # database label
    path: str
    client: FlaskClient
    #: for the "rows anew" routes: the app whose row memo is emptied before each request
    anew: Flask | None = None


def check(route: Route, status: int, body: str) -> list[str]:
    """The response is what we mean to measure: 200, and a worklist with rows."""
    assert status == 200, f"{route.name}: HTTP {status}"
    if route.path == "/healthz":
        assert body == "ok", f"{route.name}: {body[:80]!r}"
        return []
    rows = ROW.findall(body)
    assert rows, f"{route.name}: the worklist page shows no rows"
    if route.path == "/taken/team":
        assert len(rows) == PAGE_SIZE, f"{route.name}: {len(rows)} rows, expected {PAGE_SIZE}"
    return rows


def timed(route: Route) -> tuple[float, float]:
    """(wall, CPU) seconds of one request; the response is checked after the clock stops."""
    if route.anew is not None:
        route.anew.extensions.get(ROW_MEMO, {}).clear()  # as after every row changed
    t0, c0 = time.perf_counter(), time.thread_time()
    response = route.client.get(route.path)
    took, cpu = time.perf_counter() - t0, time.thread_time() - c0
    check(route, response.status_code, response.get_data(as_text=True))
    return took, cpu


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


# ---------------------------------------------------------------- the SQL of a page view


def capture(app: Flask, client: FlaskClient, path: str) -> dict[str, Any]:
    """The statements, transactions and pool checkouts of one page view."""
    db = app.extensions[ENGINE_KEY].db
    statements: list[tuple[str, Any]] = []
    tally = {"commit": 0, "rollback": 0, "checkout": 0}

    def on_execute(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: Any) -> None:
        statements.append((statement, params))

    def counter(kind: str) -> Callable[..., None]:
        def bump(*_args: Any) -> None:
            tally[kind] += 1

        return bump

    reads = app.extensions[ENGINE_KEY].statement_db  # the hot reads' pool (PostgreSQL)
    listeners = [
        (db, "before_cursor_execute", on_execute),
        (db, "commit", counter("commit")),
        (db, "rollback", counter("rollback")),
        (db.pool, "checkout", counter("checkout")),
    ]
    if reads is not db:
        listeners.append((reads.pool, "checkout", counter("checkout")))
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        response = client.get(path)
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
    assert response.status_code == 200
    return {"statements": statements, **tally}


def short_sql(statement: str) -> str:
    one = " ".join(statement.split())
    one = re.sub(r"SELECT (.{60}).*? FROM", r"SELECT \1… FROM", one)
    return one


def run_sql(conn: Any, statement: str, params: Any) -> list[Any]:
    """Run a captured statement on the driver as the page did (psycopg: `$1` placeholders on
    a RawCursor, see engine/persistence/prepared.py)."""
    if conn.dialect.driver == "psycopg":
        import psycopg

        with psycopg.RawCursor(conn.connection.driver_connection) as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()
    return conn.exec_driver_sql(statement, params).all()


def explain(engine: Engine, statement: str, params: Any) -> list[str]:
    with engine.statement_reads() as conn:
        if engine.db.dialect.name == "sqlite":
            rows = run_sql(conn, "EXPLAIN QUERY PLAN " + statement, params)
            return [str(r[-1]) for r in rows]
        rows = run_sql(conn, "EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
        return [str(r[0]) for r in rows]


def time_statements(
    engines: dict[str, Engine], statements: dict[tuple[str, int], tuple[str, Any]]
) -> dict[tuple[str, int], float]:
    """Median time of each statement on its own (fetch all), interleaved over the databases."""
    samples: dict[tuple[str, int], list[float]] = {key: [] for key in statements}
    for _ in range(7):
        for key, (statement, params) in statements.items():
            with engines[key[0]].statement_reads() as conn:
                for _ in range(7):
                    t0 = time.perf_counter()
                    run_sql(conn, statement, params)
                    samples[key].append(time.perf_counter() - t0)
    return {key: statistics.median(v) for key, v in samples.items()}


def breakdown(pages: list[tuple[Flask, Route]], n: int = 40) -> dict[str, dict[str, float]]:
    """Where a page view's wall time goes (medians over n requests per page, interleaved, ms):
    time inside cursor.execute, template rendering (before_render_template → template_rendered),
    and the rest."""
    clock: dict[str, float] = {"sql": 0.0, "render": 0.0}

    def before_execute(conn: Any, *_args: Any) -> None:
        conn.info["bench_t0"] = time.perf_counter()

    def after_execute(conn: Any, *_args: Any) -> None:
        clock["sql"] += time.perf_counter() - conn.info.pop("bench_t0")

    def before_render(_sender: Any, **_extra: Any) -> None:
        clock["render_t0"] = time.perf_counter()

    def rendered(_sender: Any, **_extra: Any) -> None:
        clock["render"] += time.perf_counter() - clock["render_t0"]

    apps = {id(app): app for app, _ in pages}.values()
    # a "rows anew" app shares its database with the page's app: listen once per database
    dbs = {id(e.db): e.db for e in (app.extensions[ENGINE_KEY] for app in apps)}.values()
    for db in dbs:
        event.listen(db, "before_cursor_execute", before_execute)
        event.listen(db, "after_cursor_execute", after_execute)
    for app in apps:
        before_render_template.connect(before_render, app)
        template_rendered.connect(rendered, app)
    parts: dict[str, dict[str, list[float]]] = {
        r.name: {"total": [], "sql": [], "render": [], "rest": []} for _, r in pages
    }
    try:
        for _ in range(n):
            for _app, route in pages:
                clock.update(sql=0.0, render=0.0)
                if route.anew is not None:
                    route.anew.extensions.get(ROW_MEMO, {}).clear()
                t0 = time.perf_counter()
                response = route.client.get(route.path)
                total = time.perf_counter() - t0
                assert response.status_code == 200
                got = parts[route.name]
                got["total"].append(total)
                got["sql"].append(clock["sql"])
                got["render"].append(clock["render"])
                got["rest"].append(total - clock["sql"] - clock["render"])
    finally:
        for db in dbs:
            event.remove(db, "before_cursor_execute", before_execute)
            event.remove(db, "after_cursor_execute", after_execute)
        for app in apps:
            before_render_template.disconnect(before_render, app)
            template_rendered.disconnect(rendered, app)
    return {
        name: {k: round(statistics.median(v) * 1000, 3) for k, v in got_parts.items()}
        for name, got_parts in parts.items()
    }


def profile(route: Route, n: int = 30) -> str:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        route.client.get(route.path)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    return out.getvalue()


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=20, help="requests per route per round")
    parser.add_argument("--warmup", type=int, default=30, help="warm-up requests per route")
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--closed-small", type=int, default=1_000)
    parser.add_argument("--postgres", action="store_true", help="also measure on PostgreSQL")
    parser.add_argument("--workdir", default=None, help="keep (and reuse) the SQLite files here")
    parser.add_argument("--profile", action="store_true", help="cProfile one page view")
    parser.add_argument(
        "--write", default=None, help="update this markdown file between the bench markers"
    )
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    if args.workdir:
        tmp = Path(args.workdir).resolve()
        tmp.mkdir(parents=True, exist_ok=True)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="wegwijs-bench-worklist-"))
    databases = [
        Database("A", f"sqlite:///{tmp / 'a.db'}", args.open, args.closed),
        Database("B", f"sqlite:///{tmp / 'b.db'}", args.open, args.closed_small),
    ]
    reuse = {d.label: Path(str(make_url(d.url).database)).exists() for d in databases}
    pg_urls: list[str] = []
    if args.postgres:
        for label, closed in (("A", args.closed), ("B", args.closed_small)):
            url = scratch_postgres.create(f"wegwijs_bench_wl_{label.lower()}")
            if url is None:
                break
            pg_urls.append(url)
            databases.append(Database("PG " + label, url, args.open, closed))
    try:
        seed_t0 = time.perf_counter()
        for database in databases:
            build(database, now, reuse.get(database.label, False))
        seeding = time.perf_counter() - seed_t0
        result = measure(args, databases)
        result["seeding_seconds"] = round(seeding, 1)
        result["seeded"] = {d.label: round(d.seconds, 1) for d in databases}
        result["workdir"] = str(tmp)
    finally:
        for database in databases:
            if database.engine is not None:
                database.engine.dispose()
        for url in pg_urls:
            scratch_postgres.drop(url)
        if not args.workdir:
            shutil.rmtree(tmp, ignore_errors=True)
    print_result(result)
    if args.write:
        write_markdown(Path(args.write), result)
        print(f"written to {args.write}")
    return 0


def measure(args: argparse.Namespace, databases: list[Database]) -> dict[str, Any]:
    apps: dict[str, tuple[Flask, FlaskClient]] = {d.label: make_client(d) for d in databases}
    routes: list[Route] = []
    for d in databases:
        for tab in ("team", "mijn"):
            routes.append(Route(f"{d.label} {tab}", d.label, f"/taken/{tab}", apps[d.label][1]))
        if d.label in ("A", "PG A"):
            routes.append(Route(f"{d.label} healthz", d.label, "/healthz", apps[d.label][1]))
            # an app of its own: emptying its row memo must not touch the other routes' pages
            app, client = make_client(d)
            routes.append(Route(f"{d.label} team anew", d.label, "/taken/team", client, app))

    # The same open tasks on both databases: A's and B's pages must show the same rows.
    first: dict[str, list[str]] = {}
    for route in routes:
        response = route.client.get(route.path)
        first[route.name] = check(route, response.status_code, response.get_data(as_text=True))
    for prefix in ("", "PG "):
        for tab in ("team", "mijn"):
            a, b = first.get(f"{prefix}A {tab}"), first.get(f"{prefix}B {tab}")
            if a is not None and b is not None:
                assert a == b, f"{prefix}A and {prefix}B show different {tab} rows"
    shown = {tab: len(first[f"A {tab}"]) for tab in ("team", "mijn")}

    # The SQL of one page view, its plans and its cost on its own.
    sql: dict[str, Any] = {}
    selects: dict[tuple[str, int], tuple[str, Any]] = {}
    engines: dict[str, Engine] = {}
    for d in databases:
        app, client = apps[d.label]
        assert d.engine is not None
        for tab in ("team", "mijn"):
            page = f"{d.label} {tab}"
            engines[page] = d.engine
            got = capture(app, client, f"/taken/{tab}")
            entries = []
            for j, (statement, params) in enumerate(got["statements"]):
                entry: dict[str, Any] = {"sql": short_sql(statement)}
                if statement.lstrip().upper().startswith("SELECT"):
                    entry["plan"] = explain(d.engine, statement, params)
                    selects[(page, j)] = (statement, params)
                entries.append(entry)
            sql[page] = {
                "statements": entries,
                "commits": got["commit"],
                "rollbacks": got["rollback"],
                "checkouts": got["checkout"],
            }
    for (page, j), took in time_statements(engines, selects).items():
        sql[page]["statements"][j]["ms"] = round(took * 1000, 3)

    print(f"warm-up: {args.warmup} requests per route", flush=True)
    for i in range(args.warmup):
        for route in routes[i % len(routes) :] + routes[: i % len(routes)]:
            timed(route)

    names = [r.name for r in routes]
    medians: dict[str, list[float]] = {n: [] for n in names}
    cpu_medians: dict[str, list[float]] = {n: [] for n in names}
    every: dict[str, list[float]] = {n: [] for n in names}
    every_cpu: dict[str, list[float]] = {n: [] for n in names}
    ratios: dict[str, list[float]] = {}
    cpu_ratios: dict[str, list[float]] = {}
    cpu_wall: list[float] = []
    # not a target: the team page with every row rendered anew (the row memo emptied first)
    anew: dict[str, list[float]] = defaultdict(list)
    for r in range(args.rounds):
        samples: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for i in range(args.per_round):
            k = (i + r) % len(routes)
            for route in routes[k:] + routes[:k]:
                samples[route.name].append(timed(route))
        cpu_wall.append((time.perf_counter() - wall0) / max(time.process_time() - cpu0, 1e-9))
        for n in names:
            medians[n].append(statistics.median(w for w, _ in samples[n]))
            cpu_medians[n].append(statistics.median(c for _, c in samples[n]))
            every[n].extend(w for w, _ in samples[n])
            every_cpu[n].extend(c for _, c in samples[n])
        for prefix in ("", "PG "):
            if f"{prefix}A team" not in medians:
                continue
            for tab in ("team", "mijn"):
                for kind, base in (
                    ("closed", f"{prefix}B {tab}"),
                    ("trivial", f"{prefix}A healthz"),
                ):
                    key, page = f"{prefix}{kind} {tab}", f"{prefix}A {tab}"
                    ratios.setdefault(key, []).append(medians[page][-1] / medians[base][-1])
                    cpu_ratios.setdefault(key, []).append(
                        cpu_medians[page][-1] / cpu_medians[base][-1]
                    )
            anew[f"{prefix}anew team"].append(
                medians[f"{prefix}A team anew"][-1] / medians[f"{prefix}A healthz"][-1]
            )
        print(
            f"round {r + 1}: "
            + "; ".join(f"{n} {medians[n][-1] * 1000:.2f}" for n in names)
            + " ms",
            flush=True,
        )

    ratio = {k: round(statistics.median(v), 2) for k, v in ratios.items()}
    verdict = {k: statistics.median(v) <= _target(k) for k, v in ratios.items()}  # unrounded
    result: dict[str, Any] = {
        "rounds": args.rounds,
        "per_round": args.per_round,
        "median_ms": {n: round(statistics.median(every[n]) * 1000, 3) for n in names},
        "p90_ms": {n: round(p90(every[n]) * 1000, 3) for n in names},
        "cpu_median_ms": {n: round(statistics.median(every_cpu[n]) * 1000, 3) for n in names},
        "cpu_ratio": {k: round(statistics.median(v), 2) for k, v in cpu_ratios.items()},
        "ratio": ratio,
        "ratio_min": {k: round(min(v), 2) for k, v in ratios.items()},
        "ratio_max": {k: round(max(v), 2) for k, v in ratios.items()},
        "verdict": verdict,
        "pass": all(verdict.values()),
        "anew_ratio": {k: round(statistics.median(v), 2) for k, v in anew.items()},
        "anew_range": {k: [round(min(v), 2), round(max(v), 2)] for k, v in anew.items()},
        "rows_shown": shown,
        "counts": {d.label: d.counts for d in databases},
        "size_mb": {d.label: round(d.size_mb or 0, 1) for d in databases},
        "sql": sql,
        "wall_over_cpu_median": round(statistics.median(cpu_wall), 2),
        "environment": {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "postgres": _pg_version(databases),
            "machine": f"{platform.system()} {platform.machine()}",
            "cpus": os.cpu_count(),
            "loadavg": [round(x, 2) for x in os.getloadavg()],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        },
    }
    result["breakdown"] = breakdown(
        [(r.anew or apps[r.db][0], r) for r in routes if not r.name.endswith("healthz")]
    )
    if args.profile or not result["pass"]:
        target = next(r for r in routes if r.name == "A team")
        result["profile"] = profile(target)
    return result


def _pg_version(databases: list[Database]) -> str | None:
    for d in databases:
        if d.engine is not None and d.engine.db.dialect.name == "postgresql":
            with d.engine.reading() as conn:
                return str(conn.execute(text("SHOW server_version")).scalar_one()).split()[0]
    return None


def print_result(result: dict[str, Any]) -> None:
    print()
    print(f"{'route':<16} {'median ms':>10} {'p90 ms':>10} {'CPU ms':>10}")
    for name, med in result["median_ms"].items():
        print(
            f"{name:<16} {med:>10.2f} {result['p90_ms'][name]:>10.2f} "
            f"{result['cpu_median_ms'][name]:>10.2f}"
        )
    print()
    for key, value in result["ratio"].items():
        print(
            f"{key:<22} {value:.2f}× (rounds {result['ratio_min'][key]:.2f}–"
            f"{result['ratio_max'][key]:.2f}; CPU {result['cpu_ratio'][key]:.2f}×), "
            f"target ≤ {_target(key)}×: {'PASS' if result['verdict'][key] else 'FAIL'}"
        )
    for key, value in result["anew_ratio"].items():
        low, high = result["anew_range"][key]
        print(
            f"{key:<22} {value:.2f}× (rounds {low:.2f}–{high:.2f}; rows rendered anew, no target)"
        )
    print()
    for page, got in result["sql"].items():
        print(
            f"SQL of one page view, {page}: {len(got['statements'])} statements, "
            f"{got['commits']} commits, {got['checkouts']} pool checkouts"
        )
        for entry in got["statements"]:
            cost = f" [{entry['ms']:.3f} ms alone]" if "ms" in entry else ""
            print(f"  {entry['sql']}{cost}")
            for line in entry.get("plan", []):
                print(f"      {line}")
    print()
    print("where the time goes (median ms per page view):")
    for name, part in result["breakdown"].items():
        print(
            f"  {name:<10} total {part['total']:.2f}: SQL in cursor.execute {part['sql']:.2f}, "
            f"template {part['render']:.2f}, the rest {part['rest']:.2f}"
        )
    if "profile" in result:
        print(result["profile"])
    print(f"seeding took {result['seeding_seconds']} s: {result['seeded']}")
    printable = {k: v for k, v in result.items() if k not in ("sql", "profile")}
    print(json.dumps(printable, indent=2, default=str))


def _target(key: str) -> float:
    return TARGET_CLOSED if "closed" in key else TARGET_TRIVIAL


def _label(key: str) -> str:
    pg = "PG " if key.startswith("PG ") else ""
    kind, tab = key.removeprefix("PG ").split()
    page = "/taken/team" if tab == "team" else "/taken/mijn"
    if kind == "closed":
        return f"{page}: {pg}A ÷ {pg}B (100× the closed history)"
    return f"{page} ÷ /healthz, both on {pg}A"


def _sql_lines(result: dict[str, Any], page: str, only: str | None = None) -> list[str]:
    """Markdown list items: each statement, its time on its own, and (SQLite) its plan."""
    out = []
    for entry in result["sql"][page]["statements"]:
        if only and only not in entry["sql"]:
            continue
        cost = f" — {entry['ms']:.2f} ms on its own" if "ms" in entry else ""
        out.append(f"- `{entry['sql']}`{cost}")
        if entry.get("plan") and "human_task" in entry["sql"] and not page.startswith("PG"):
            out.append(f"  (plan: {'; '.join(p.strip() for p in entry['plan'])})")
    return out


def _kind(sql: str) -> str:
    if "ORDER BY human_task" in sql:
        return "page query"
    return "count of Mijn taken" if "assignee" in sql else "count of Team"


def write_markdown(path: Path, result: dict[str, Any]) -> None:
    env = result["environment"]
    counts, ms, p90s, cpu = (
        result["counts"],
        result["median_ms"],
        result["p90_ms"],
        result["cpu_median_ms"],
    )
    lines = [
        MARK_BEGIN,
        "## The worklist at scale (`bench/bench_worklist.py`)",
        "",
        f"Measured {env['date']} by `bench/bench_worklist.py` ({result['rounds']} rounds × "
        f"{result['per_round']} requests per route, interleaved round-robin after a warm-up; "
        "Flask test client of the real app, logged in through the login form as a user with "
        "the roles casist and vakspecialist, aspect teams CASIST and BELEID). Machine: a shared "
        f"VM, {env['machine']}, "
        f"{env['cpus']} CPUs, Python {env['python']}, SQLite {env['sqlite']}"
        + (f", PostgreSQL {env['postgres']}" if env.get("postgres") else "")
        + ", load average "
        f"{env['loadavg']}, wall/CPU {result['wall_over_cpu_median']} — other sessions were "
        "running, so read the ratios, not the absolute times.",
        "",
        "| database | open instances | closed instances | human_task rows (open) | event rows | initiative rows | size |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, c in counts.items():
        lines.append(
            f"| {label} | {c['open instances']:,} | {c['closed instances']:,} | "
            f"{c['human_task total']:,} ({c['human_task open']:,}) | {c['event']:,} | "
            f"{c['initiative']:,} | {result['size_mb'][label]:,.0f} MB |"
        )
    seeded = ", ".join(f"{k} {v:.0f} s" for k, v in result["seeded"].items() if v)
    lines += [
        "",
        f"Seeding by bulk SQLAlchemy Core inserts (described in the script's docstring) took "
        f"{result['seeding_seconds']:.0f} s ({seeded or 'reused files'}). The team page shows a "
        f"full page of {result['rows_shown']['team']} rows, Mijn taken "
        f"{result['rows_shown']['mijn']}; A and B show the same tasks.",
        "",
        "| route | median (wall) | p90 (wall) | median CPU |",
        "|---|---|---|---|",
    ]
    for name in ms:
        lines.append(f"| {name} | {ms[name]:.2f} ms | {p90s[name]:.2f} ms | {cpu[name]:.2f} ms |")
    lines += [
        "",
        "| ratio (median over rounds, wall) | value | min–max over rounds | CPU | target | |",
        "|---|---|---|---|---|---|",
    ]
    for key, value in result["ratio"].items():
        lines.append(
            f"| {_label(key)} | **{value:.2f}×** | {result['ratio_min'][key]:.2f}–"
            f"{result['ratio_max'][key]:.2f} | {result['cpu_ratio'][key]:.2f}× | "
            f"≤ {_target(key)}× | {'PASS' if result['verdict'][key] else '**FAIL**'} |"
        )
    for key, value in result["anew_ratio"].items():
        low, high = result["anew_range"][key]
        pg = "PG " if key.startswith("PG ") else ""
        lines.append(
            f"| /taken/team ÷ /healthz, both on {pg}A, every row rendered anew (not a target; "
            f"see below) | {value:.2f}× | {low:.2f}–{high:.2f} | | | |"
        )
    lines += [
        "",
        '"Rendered anew" empties the worklist\'s row memo (`webui.worklist._rows_html`) before '
        "each request, as if every row had changed since the last view; the page as served "
        "renders only rows it has not rendered before.",
        "",
        "Where a page view's time goes (median of 40 more requests each, interleaved, after the "
        "rounds; SQL "
        "= time inside `cursor.execute`, template = `render_template`, the rest = Flask, the "
        "session user, building the rows):",
        "",
        "| page | total | SQL | template | the rest |",
        "|---|---|---|---|---|",
    ]
    for name, part in result["breakdown"].items():
        lines.append(
            f"| {name} | {part['total']:.2f} ms | {part['sql']:.2f} ms | "
            f"{part['render']:.2f} ms | {part['rest']:.2f} ms |"
        )
    closed_ok = all(v for k, v in result["verdict"].items() if "closed" in k)
    trivial_ok = all(v for k, v in result["verdict"].items() if "trivial" in k)
    team = result["sql"]["A team"]
    sql_ms = sum(e.get("ms", 0) for e in team["statements"])
    br = result["breakdown"]["A team"]
    lines += [
        "",
        "What it means: "
        + (
            "100× more closed history does not make the worklist slower (its queries find "
            "the open tasks through the partial indexes on open tasks, which do not grow with "
            "history)"
            if closed_ok
            else "closed history makes the worklist more than 10% slower"
        )
        + (
            ", and a worklist page costs at most 5× a request that does nothing."
            if trivial_ok
            else ", but a worklist page costs more than 5× a request that does nothing: of "
            f"the team page on A, {br['sql']:.1f} ms of {br['total']:.1f} ms is SQL (its "
            f"statements take {sql_ms:.1f} ms on their own), {br['render']:.1f} ms is "
            f"rendering {PAGE_SIZE} rows, and the rest is Flask, the session and building "
            "the rows in Python."
        ),
        "",
        f"SQL per view of /taken/team (captured with a `before_cursor_execute` listener on the "
        f"engine's database, SQLite A): {len(team['statements'])} statement(s), "
        f"{team['commits']} commits, {team['checkouts']} pool checkout(s). The page reads "
        "through `Engine.statement_reads`: no transaction is begun or committed, each "
        "statement is its own snapshot (on PostgreSQL one round trip per statement):",
        "",
        *_sql_lines(result, "A team"),
        "",
        f"/taken/mijn runs the same {len(result['sql']['A mijn']['statements'])} statements; "
        "its page query filters on `human_task.assignee = ?` instead of the lanes:",
        "",
        *_sql_lines(result, "A mijn", only="ORDER BY human_task.created_at"),
    ]
    if "PG A team" in result["sql"]:
        pg = result["sql"]["PG A team"]["statements"]
        timed_pg = [e for e in pg if "ms" in e and "human_task" in e["sql"]]
        lines += [
            "",
            "On PostgreSQL (PG A) the same statements take on their own: "
            + "; ".join(f"{_kind(e['sql'])} {e['ms']:.2f} ms" for e in timed_pg)
            + ".",
        ]
    lines.append(MARK_END)
    replace_block(path, MARK_BEGIN, MARK_END, "\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
