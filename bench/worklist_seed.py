"""Seeding for bench_worklist.py: a database with open work and a history of closed cases.

Each database is migrated with the real migrations (`workflows.bootstrap.open_engine`) and gets
bpmn/ deployed once, so the process_version rows are real. The cases are then bulk-inserted with
SQLAlchemy Core executemany (2,000 instances per transaction) straight into the real tables:
running 100,000 cases through the engine would take hours, and the worklist reads none of what
only the engine would write. The generator is deterministic (fixed seeds, one fixed "now"), so
the open part is the same row for row (same task uuids, titles, dates) in every database; only
the number of closed instances differs. The closed instances come first (lower ids, older).

- process_instance: closed ones started 1–4 years ago and ended 1–10 months later ('completed');
  open ones started within the past year ('waiting'). `state` is '{}': the worklist never
  deserializes a workflow (real rows carry 15–50 KB of workflow JSON; the worklist reads none).
- human_task: each open instance has 1 open task, from the real user tasks of bpmn/ in the lane
  mix of LANE_MIX; created between the instance's start and now, due after the task's norm (so
  many are overdue). 2% of the casist/vakspecialist tasks are assigned to the benchmark user,
  35% of the other open tasks to colleagues. Each open instance also has 0–4 completed earlier
  tasks, each closed instance 5. `properties` has the real shape (form file, norm, the aspect
  context for assess_aspect, whose candidate_group is its aspect's team).
- initiative: the read-model row per instance (zaaknummer, title, wijk, gebied, category, amount,
  casist, phase).
- event: 10 per closed instance (started, 3 milestones, 5 task_completed, completed); per open
  instance started, a milestone, task_completed per earlier task and task_created for the open one.

SQLite gets no ANALYZE (the product runs none); PostgreSQL gets VACUUM ANALYZE after seeding
(autovacuum would do the same within minutes).
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from engine import Engine
from engine.readmodel import event, human_task, process_instance, process_version
from workflows import accounts, bootstrap
from workflows.places import GEBIED_OF
from workflows.tables import initiative

USER = "bench-casist"
PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - the benchmark user of a scratch database
USER_ROLES = ("casist", "vakspecialist")
#: the aspect teams the benchmark user assesses for
USER_TEAMS = ("CASIST", "BELEID")
CHUNK = 2_000  # instances per transaction

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
    (GREEN, "green_discuss_adoption", "Adoptieafspraken bespreken", "gebiedsbeheer", "10 werkdagen"),
    (GREEN, "green_deliver_materials", "Materiaal leveren en adoptietegel plaatsen", "gebiedsbeheer", "4 weken"),
    (WIJKWENS, "wijkwens_check_admissibility", "Ontvankelijkheid toetsen", "initiatieventeam", "10 werkdagen"),
    (WIJKWENS, "wijkwens_regiegroep_advice", "Advies regiegroep", "regiegroep", "5 werkdagen"),
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
    "Buurtmoestuin", "Ontmoetingsplek", "Geveltuinen", "Speelplek", "Buurtfeest",
    "Bankjes en picknicktafel", "Repair café", "Bloemenlint", "Boomspiegels adopteren",
    "Kunstwerk", "Jongerenpodium", "Wandelroute",
)  # fmt: skip
PLACES = (
    "op het braakliggende schoolterrein", "bij het winkelcentrum", "langs de singel",
    "in de binnentuin", "aan de haven", "bij de speeltuin", "in het park", "voor het buurthuis",
)  # fmt: skip
NAMES = ("Fatima el Amrani", "Jan de Vries", "Sanne Bakker", "Mohamed Yilmaz", "Eva Jansen")

Task = tuple[str, str, str, str, str]


@dataclass
class Batch:
    """Rows for the four tables, flushed together (instances first: foreign keys)."""

    instances: list[dict[str, Any]] = field(default_factory=list)
    initiatives: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> int:
        return len(self.instances) + len(self.initiatives) + len(self.tasks) + len(self.events)


def _event(iid: int, kind: str, at: datetime, **rest: Any) -> dict[str, Any]:
    row = {"instance_id": iid, "type": kind, "at": at, "actor": None, "task_id": None}
    return {**row, "bpmn_id": None, "detail": {}, **rest}


class Generator:
    """Deterministic rows: the open part is the same for every database it is asked for."""

    def __init__(self, now: datetime, versions: dict[str, int]) -> None:
        self.now = now
        self.versions = versions
        self.by_lane: dict[str, list[Task]] = {}
        self.by_process: dict[str, list[Task]] = {}
        for t in TASKS:
            self.by_lane.setdefault(t[3], []).append(t)
            self.by_process.setdefault(t[0], []).append(t)

    def _task_row(
        self, rng: random.Random, task: Task, iid: int, created: datetime, **state: Any
    ) -> dict[str, Any]:
        """A human_task row: the real properties, for an aspect its team, and `state`."""
        props: dict[str, Any] = {
            "formJsonSchemaFilename": f"{task[1]}.schema.json",
            "norm": task[4],
        }
        team = None
        if task[1] == "assess_aspect":
            code, team = rng.choice(ASPECTS)
            props.update(
                context="aspect",
                group="aspect.team",
                context_values={"aspect": {"code": code, "team": team}},
            )
        number, unit = task[4].split()
        return {
            "task_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "instance_id": iid,
            "process_id": TASK_PROCESS[task[0]],
            "bpmn_id": task[1],
            "title": task[2],
            "lane": task[3],
            "created_at": created,
            "due_at": created + timedelta(days=int(number) * DAYS[unit]),
            "properties": props,
            "candidate_group": team,
            **state,
        }

    def _instance(
        self, batch: Batch, rng: random.Random, iid: int, number: str, process: str, open_: bool
    ) -> tuple[datetime, datetime | None]:
        if open_:
            started, ended = self.now - timedelta(days=rng.uniform(0.5, 365)), None
        else:
            started = self.now - timedelta(days=rng.uniform(365, 4 * 365))
            ended = started + timedelta(days=rng.uniform(30, 300))
        wijk = rng.choice(list(GEBIED_OF))
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
        batch.initiatives.append(
            {
                "instance_id": iid,
                "zaaknummer": number,
                "process_id": process,
                "title": f"{rng.choice(SUBJECTS)} {rng.choice(PLACES)} ({wijk})",
                "wijk": wijk,
                "gebied": GEBIED_OF[wijk],
                "category": CATEGORY[process],
                "requested_cents": rng.randrange(50_000, 2_500_000, 500),
                "casist": rng.choice(NAMES),
                "phase": rng.choice(PHASES[1:]) if open_ else "afgerond",
                "phase_at": last,
                "started_at": started,
                "updated_at": last,
            }
        )
        detail = {"process_id": process, "version": 1, "business_key": number}
        batch.events.append(
            _event(iid, "instance_started", started, actor="portaal", detail=detail)
        )
        return started, ended

    @staticmethod
    def _milestone(batch: Batch, iid: int, at: datetime, phase: str) -> None:
        detail = {"milestone": phase, "title": phase.title()}
        batch.events.append(
            _event(iid, "milestone_reached", at, bpmn_id=f"phase_{phase}", detail=detail)
        )

    def _done_task(
        self,
        batch: Batch,
        rng: random.Random,
        iid: int,
        task: Task,
        created: datetime,
        at: datetime,
    ) -> None:
        who = f"{task[3]}-{rng.randint(1, 6):02d}"
        row = self._task_row(
            rng,
            task,
            iid,
            created,
            state="completed",
            assignee=who,
            claimed_at=created + (at - created) / 3,
            completed_at=at,
            completed_by=who,
        )
        batch.tasks.append(row)
        detail = {"title": task[2], "lane": task[3], "data": {"result": "akkoord"}}
        batch.events.append(
            _event(iid, "task_completed", at, actor=who, task_id=row["task_id"], bpmn_id=task[1], detail=detail)
        )  # fmt: skip

    def closed(self, batch: Batch, rng: random.Random, iid: int, n: int) -> None:
        process = rng.choices(list(PROCESS_MIX), list(PROCESS_MIX.values()))[0]
        number = f"INI-{2022 + n % 4}-C{n:06d}"
        started, ended = self._instance(batch, rng, iid, number, process, open_=False)
        assert ended is not None
        span = ended - started
        tasks = self.by_process[process]
        for k in range(5):
            created = started + span * (k / 5)
            self._done_task(batch, rng, iid, tasks[k % len(tasks)], created, created + span / 6)
            if k in (0, 2, 4):
                self._milestone(batch, iid, created, PHASES[k])
        batch.events.append(_event(iid, "instance_completed", ended, actor="bench"))

    def open(self, batch: Batch, rng: random.Random, iid: int, n: int) -> None:
        lane = rng.choices(list(LANE_MIX), list(LANE_MIX.values()))[0]
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
        row = self._task_row(
            rng,
            task,
            iid,
            created,
            state="open",
            assignee=assignee,
            claimed_at=created + timedelta(hours=4) if assignee else None,
            completed_at=None,
            completed_by=None,
        )
        batch.tasks.append(row)
        detail = {"title": task[2], "lane": lane}
        batch.events.append(
            _event(iid, "task_created", created, task_id=row["task_id"], bpmn_id=task[1], detail=detail)
        )  # fmt: skip


@dataclass
class SeededDatabase:
    """One database of the benchmark: its shape, and what seeding it found or took."""

    label: str  # "SQLite 100k", "PostgreSQL 1k", ...
    url: str
    n_open: int
    n_closed: int
    engine: Engine | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0  # 0 when a kept file was reused
    size_mb: float = 0.0

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")


def _flush(engine: Engine, batch: Batch) -> None:
    with engine.db.begin() as conn:
        for table, rows in (
            (process_instance, batch.instances),
            (initiative, batch.initiatives),
            (human_task, batch.tasks),
            (event, batch.events),
        ):
            conn.execute(table.insert(), rows)


def _seed(db: SeededDatabase, engine: Engine, now: datetime) -> None:
    with engine.reading() as conn:
        versions = {
            r.process_id: int(r.id)
            for r in conn.execute(select(process_version.c.process_id, process_version.c.id))
        }
    gen = Generator(now, versions)
    iid, rows, t0 = 0, 0, time.perf_counter()
    # the closed history first (older, lower ids); then the same open part in every database
    for make, rng, count in (
        (gen.closed, random.Random(2), db.n_closed),
        (gen.open, random.Random(1), db.n_open),
    ):
        batch = Batch()
        for n in range(1, count + 1):
            iid += 1
            make(batch, rng, iid, n)
            if len(batch.instances) >= CHUNK or n == count:
                rows += batch.rows()
                _flush(engine, batch)
                batch = Batch()
        took = time.perf_counter() - t0
        print(f"  [{db.label}] {iid:,} instances, {rows:,} rows, {took:.0f} s", flush=True)
    if db.is_postgres:
        with engine.db.begin() as conn:
            for table in ("process_instance", "human_task", "event"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def count_rows(engine: Engine) -> dict[str, int]:
    queries = {
        "open instances": select(func.count()).where(process_instance.c.status == "waiting"),
        "closed instances": select(func.count()).where(process_instance.c.status == "completed"),
        "human_task open": select(func.count()).where(human_task.c.state == "open"),
        "human_task": select(func.count()).select_from(human_task),
        "event": select(func.count()).select_from(event),
        "initiative": select(func.count()).select_from(initiative),
    }
    with engine.reading() as conn:
        return {name: int(conn.execute(q).scalar_one()) for name, q in queries.items()}


def _size_mb(db: SeededDatabase, engine: Engine) -> float:
    if db.is_postgres:
        with engine.reading() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        return int(size) / 1e6
    path = Path(str(make_url(db.url).database))
    wal = path.with_name(path.name + "-wal")
    return (path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / 1e6


def build(db: SeededDatabase, now: datetime) -> None:
    """Open (creating and migrating) the database and seed it, or reuse a seeded one of this
    shape (a kept SQLite file)."""
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=db.url))
    db.engine = engine
    counts = count_rows(engine)
    if counts["open instances"] or counts["closed instances"]:
        if (counts["open instances"], counts["closed instances"]) != (db.n_open, db.n_closed):
            raise SystemExit(f"{db.url} holds a database of another shape; remove it first")
        print(f"[{db.label}] reusing {db.url}", flush=True)
    else:
        print(f"[{db.label}] seeding {db.n_open:,} open + {db.n_closed:,} closed", flush=True)
        t0 = time.perf_counter()
        engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="bench")
        _seed(db, engine, now)
        accounts.add_user(
            engine, USER, USER_ROLES, PASSWORD, display_name="Bench Casist", teams=USER_TEAMS
        )
        db.seconds = time.perf_counter() - t0
        counts = count_rows(engine)
    db.counts = counts
    db.size_mb = _size_mb(db, engine)
