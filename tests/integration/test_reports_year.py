"""The reports on a simulated year, on SQLite and PostgreSQL: four dashboard figures recomputed
here straight from the raw events (and the fund's ledger) give the same numbers; the rollups
equal a rebuild; the XES export is read back by a real reader (pm4py) with every trace and
event; the OCEL 2.0 export validates against the published schema; no export leaks a secret."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import warnings
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from lxml import etree
from sqlalchemy import select

from engine import Engine, EngineSettings, as_utc
from engine.readmodel import event, human_task, process_version
from tests.conftest import FIXTURES, scratch_postgres
from workflows import accounts, bootstrap, norms
from workflows.bootstrap import MIGRATIONS
from workflows.reports import dashboard, exports, fundview, rollups
from workflows.reports.periods import Period
from workflows.simulation.year import simulate_year
from workflows.tables import app_user, fund_entry, fund_period, initiative

END = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday morning
PERIOD = Period("2025-11", "2026-11")  # the whole simulated year
ZONE = ZoneInfo("Europe/Amsterdam")
INITIATOR = "initiatiefnemer"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def year(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database with a simulated year (seed 7), and an engine on it."""
    with contextlib_for(request, tmp_path_factory) as url:
        migrator = Engine(EngineSettings(database_url=url))
        migrator.upgrade_schema(MIGRATIONS)
        migrator.dispose()
        settings = bootstrap.Settings(database_url=url)
        simulate_year(settings, months=12, seed=7, end=END)
        engine = bootstrap.open_engine(settings)
        accounts.add_user(engine, "max", ("manager",), "correct-horse-battery-staple")
        yield engine
        engine.dispose()


def contextlib_for(request: pytest.FixtureRequest, factory: pytest.TempPathFactory) -> Any:
    import contextlib

    if request.param == "postgres":
        return scratch_postgres("wegwijs_reports")

    @contextlib.contextmanager
    def sqlite() -> Iterator[str]:
        yield f"sqlite:///{factory.mktemp('year') / 'year.db'}"

    return sqlite()


def _events(engine: Engine) -> list[Any]:
    with engine.reading() as conn:
        return conn.execute(select(event).order_by(event.c.instance_id, event.c.id)).all()


def _month(at: datetime) -> str:
    return as_utc(at).astimezone(ZONE).strftime("%Y-%m")


def _figures(engine: Engine) -> dashboard.Dashboard:
    return dashboard.dashboard(engine, dashboard.Filter(period=PERIOD))


def _merge(
    spans: list[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted((max(a, start), min(b, end)) for a, b in spans):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _tasks_from_events(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every user task as the raw events tell it: created, claims, closed, lane, case."""
    tasks: dict[str, dict[str, Any]] = {}
    for e in _events(engine):
        if not e.task_id:
            continue
        at = as_utc(e.at)
        if e.type == "task_created":
            tasks[e.task_id] = {
                "case": e.instance_id, "bpmn_id": e.bpmn_id, "lane": e.detail.get("lane"),
                "created": at, "claimed": at if e.detail.get("assignee") else None,
                "closed": None, "state": "open",
            }  # fmt: skip
        elif e.type in ("task_claimed", "task_reassigned"):
            tasks[e.task_id]["claimed"] = at if e.detail.get("assignee") else None
        elif e.type == "task_released":
            tasks[e.task_id]["claimed"] = None
        elif e.type in ("task_completed", "task_cancelled"):
            tasks[e.task_id]["closed"] = at
            tasks[e.task_id]["state"] = e.type.removeprefix("task_")
    return tasks


def _initiator_spans(
    tasks: dict[str, dict[str, Any]],
) -> dict[int, list[tuple[str, datetime, datetime]]]:
    far = datetime(9999, 1, 1, tzinfo=UTC)
    spans: dict[int, list[tuple[str, datetime, datetime]]] = defaultdict(list)
    for task_id, t in tasks.items():
        if t["lane"] == INITIATOR:
            spans[t["case"]].append((task_id, t["created"], t["closed"] or far))
    return spans


def test_the_rollups_kept_with_every_step_equal_a_rebuild_from_the_events(year: Engine) -> None:
    differences = rollups.differences(year)
    assert all(kept > 100 for kept, _computed, _diff in differences.values()), differences
    assert {name: diff for name, (_k, _c, diff) in differences.items()} == {
        "report_case": 0, "report_task": 0, "report_phase": 0,
    }  # fmt: skip
    before = _figures(year)
    counts = rollups.rebuild(year)
    assert counts == {name: kept for name, (kept, _c, _d) in differences.items()}
    assert _figures(year).current == before.current


def test_the_median_lead_time_gross_and_net_is_what_the_raw_events_give(year: Engine) -> None:
    started: dict[int, datetime] = {}
    completed: dict[int, datetime] = {}
    for e in _events(year):
        if e.type == "instance_started":
            started[e.instance_id] = as_utc(e.at)
        elif e.type == "instance_completed":
            completed[e.instance_id] = as_utc(e.at)
    spans = _initiator_spans(_tasks_from_events(year))
    gross, net = [], []
    for case, end in completed.items():
        if PERIOD.first <= _month(end) <= PERIOD.last:
            lead = (end - started[case]).total_seconds()
            waited = _merge([(a, b) for _id, a, b in spans.get(case, [])], started[case], end)
            gross.append(lead)
            net.append(lead - sum((b - a).total_seconds() for a, b in waited))
    figures = _figures(year).current
    assert len(gross) > 200
    assert figures.lead.count == len(gross)
    assert figures.lead.median == pytest.approx(statistics.median(gross), abs=1e-3)
    p80 = statistics.quantiles(gross, n=10, method="inclusive")[7]
    assert figures.lead.p80 == pytest.approx(p80, abs=1e-3)
    assert figures.lead_net.median == pytest.approx(statistics.median(net), abs=1e-3)
    assert figures.lead_net.median < figures.lead.median  # the year has cases waiting on initiators


def _norms_from_the_diagrams(engine: Engine) -> dict[str, str]:
    """bpmn_id → norm, read from the deployed BPMN files (not from any task row)."""
    found: dict[str, str] = {}
    ns = {
        "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
        "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    }
    with engine.reading() as conn:
        for (files,) in conn.execute(select(process_version.c.files)):
            for name, text in files.items():
                if not name.endswith(".bpmn"):
                    continue
                root = etree.fromstring(text.encode(), etree.XMLParser(resolve_entities=False))
                for task in root.iterfind(".//bpmn:userTask", ns):
                    for prop in task.iterfind(".//spiffworkflow:property", ns):
                        if prop.get("name") == "norm":
                            found[task.get("id")] = prop.get("value")
    return found


def test_the_share_within_norm_net_of_initiator_waiting_is_what_the_raw_events_give(
    year: Engine,
) -> None:
    norm_of = _norms_from_the_diagrams(year)
    tasks = _tasks_from_events(year)
    spans = _initiator_spans(tasks)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    paused_somewhere = 0
    for task_id, t in tasks.items():
        norm = norm_of.get(t["bpmn_id"])
        if t["state"] != "completed" or t["lane"] == INITIATOR or not norm:
            continue
        if not PERIOD.first <= _month(t["closed"]) <= PERIOD.last:
            continue
        pauses = _merge(
            [(a, b) for other, a, b in spans.get(t["case"], []) if other != task_id],
            t["created"],
            t["closed"],
        )
        paused_somewhere += bool(pauses)
        due = norms.due_at(t["created"], norms.parse_norm(norm), pauses)
        counts[(t["bpmn_id"], norm)][0] += 1
        counts[(t["bpmn_id"], norm)][1] += t["closed"] <= due
    figures = _figures(year).current
    assert paused_somewhere > 0  # the net figure really differs from a gross one somewhere
    assert {(n.bpmn_id, n.norm): [n.count, n.within] for n in figures.norms} == dict(counts)
    within, total = sum(w for _c, w in counts.values()), sum(c for c, _w in counts.values())
    assert figures.within_share == pytest.approx(within / total)
    assert 0.3 < figures.within_share < 1.0


def test_waiting_versus_working_per_task_is_what_the_claim_events_give(year: Engine) -> None:
    waiting: dict[str, list[float]] = defaultdict(list)
    working: dict[str, list[float]] = defaultdict(list)
    for t in _tasks_from_events(year).values():
        if t["state"] != "completed" or t["lane"] == INITIATOR:
            continue
        if not PERIOD.first <= _month(t["closed"]) <= PERIOD.last:
            continue
        taken = t["claimed"] or t["closed"]
        waiting[t["bpmn_id"]].append((taken - t["created"]).total_seconds())
        working[t["bpmn_id"]].append((t["closed"] - taken).total_seconds())
    split = {s.bpmn_id: s for s in _figures(year).current.split}
    assert set(split) == set(waiting)
    for bpmn_id, values in waiting.items():
        assert split[bpmn_id].count == len(values)
        assert split[bpmn_id].waiting.median == pytest.approx(statistics.median(values), abs=1e-3)
        assert split[bpmn_id].working.median == pytest.approx(
            statistics.median(working[bpmn_id]), abs=1e-3
        )
    assert sum(statistics.median(v) for v in working.values()) > 0  # people work, not only wait


def test_the_funds_available_amount_is_what_its_ledger_gives(year: Engine) -> None:
    with year.reading() as conn:  # the initiative fund's ledger (the gebieds have their own)
        held = sum(
            r.amount_cents
            for r in conn.execute(
                select(fund_entry.c.amount_cents, fund_entry.c.state)
                .join(fund_period, fund_period.c.id == fund_entry.c.period_id)
                .where(fund_period.c.code == "initiatievenfonds")
            )
            if r.state in ("reserved", "committed", "paid")
        )
    overview = fundview.overview(year, "initiatievenfonds", PERIOD)
    assert held > 0
    assert overview.available == overview.summary.ceiling - held
    assert overview.months[-1].available_end == overview.available
    # "Stand nu" and the months tell the same story of what went back to the fund (the
    # unspent rests at settlement included): the period covers the whole simulated year
    released = sum(m.amounts["released"] for m in overview.months)
    assert released > 0
    assert overview.summary.released == released
    assert overview.forecast.basis >= 1


def _quiet_pm4py() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

        return pm4py


def test_the_xes_export_is_read_back_by_pm4py_with_every_trace_and_event(
    year: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "year.xes"
    path.write_text("".join(exports.xes(year, exports.Scope())), encoding="utf-8")
    pm4py = _quiet_pm4py()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = pm4py.read_xes(str(path))
    events = [e for e in _events(year) if e.type in exports.LIFECYCLE]
    cases = {e.instance_id for e in _events(year) if e.type == "instance_started"}
    assert log["case:concept:name"].nunique() == len(cases)
    assert len(log) == len(events)
    assert set(log["lifecycle:transition"]) >= {"start", "complete", "assign"}
    assert log["org:resource"].notna().sum() > 1000
    assert str(log["time:timestamp"].dt.tz) == "UTC"


def test_the_ocel_export_validates_against_the_published_ocel_2_schema(year: Engine) -> None:
    log = exports.ocel(year, exports.Scope())
    schema = json.loads((FIXTURES / "ocel" / "ocel20-schema-json.json").read_text())
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
    kinds = defaultdict(int)
    for o in log["objects"]:
        kinds[o["type"]] += 1
    with year.reading() as conn:
        entries = len(conn.execute(select(fund_entry.c.id)).all())
    cases = {e.instance_id for e in _events(year) if e.type == "instance_started"}
    assert kinds["initiatief"] == len(cases)
    assert kinds["fondsaanvraag"] == entries > 0
    assert kinds["aspectbeoordeling"] > 50
    ids = {o["id"] for o in log["objects"]}
    related = {r["objectId"] for e in log["events"] for r in e["relationships"]}
    assert related <= ids  # every relationship points at an object in the log
    # a multi-aspect case is not flattened: one event per assessment, each with its own object
    multi = [
        e
        for e in log["events"]
        if len(e["relationships"]) == 2 and e["relationships"][1]["qualifier"] == "beoordeling"
    ]
    assert len({r["relationships"][1]["objectId"] for r in multi}) == kinds["aspectbeoordeling"]


def test_no_export_holds_a_password_hash_or_contact_or_bank_details(year: Engine) -> None:
    with year.reading() as conn:
        hashes = [h for (h,) in conn.execute(select(app_user.c.password_hash))]
    secrets: set[str] = set(hashes)
    for e in _events(year):
        data = (e.detail or {}).get("data") or {}
        for key, value in data.items():
            # (not iban_name: an account holder may share a name with a casist, who is in the export)
            if (key == "iban" or "email" in key or "phone" in key) and value:
                secrets.add(str(value))
    with year.reading() as conn:
        from engine.readmodel import process_instance

        for (state,) in conn.execute(select(process_instance.c.state).limit(50)):
            for key in ("initiator_email", "iban"):
                found = (
                    json.loads(state).get("data", {}).get(key) if state.startswith("{") else None
                )
                if found:
                    secrets.add(str(found))
    assert len(secrets) > 10
    scope = exports.Scope()
    texts = {
        "cases": exports.cases_csv(year, scope),
        "tasks": exports.tasks_csv(year, scope),
        "xes": "".join(exports.xes(year, scope)),
        "ocel": json.dumps(exports.ocel(year, scope)),
    }
    leaks = [(name, s) for name, text in texts.items() for s in secrets if s in text]
    assert leaks == []
    assert not any("$argon2" in text or "token" in text.lower() for text in texts.values())


def test_the_command_line_gives_the_dashboards_figures_as_json_and_csv(year: Engine) -> None:
    url = year.db.url.render_as_string(hide_password=False)
    env = {"WEGWIJS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    base = [
        str(Path(sys.executable).parent / "wegwijs"),
        "report",
        "leadtimes",
        "--from",
        PERIOD.first,
        "--to",
        PERIOD.last,
    ]

    def run(*extra: str) -> str:
        done = subprocess.run(
            [*base, *extra],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            cwd=Path(__file__).parents[2],
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    figures = _figures(year).current
    as_json = json.loads(run("--json"))
    assert as_json["current"]["lead"]["median"] == pytest.approx(figures.lead.median)
    assert as_json["current"]["lead"]["count"] == figures.lead.count
    rows = run("--csv", "--by", "norm").splitlines()
    assert rows[0].startswith("taak,bpmn_id,norm")
    assert len(rows) == 1 + len(figures.norms)


def test_the_filter_choices_read_by_index_seeks_are_every_value_a_plain_distinct_gives(
    year: Engine,
) -> None:
    """The dashboard's gebieden, wijken and teams come from a loose index scan (one seek per
    value, so a long history is not scanned); they are exactly what SELECT DISTINCT gives."""
    choices = dashboard.choices(year)
    with year.reading() as conn:
        plain_gebieden = sorted(
            g for (g,) in conn.execute(select(initiative.c.gebied).distinct()) if g
        )
        plain_wijken = sorted(w for (w,) in conn.execute(select(initiative.c.wijk).distinct()) if w)
        lanes = {t for (t,) in conn.execute(select(human_task.c.lane).distinct()) if t}
        groups = {t for (t,) in conn.execute(select(human_task.c.candidate_group).distinct()) if t}
    assert len(plain_wijken) > 3
    assert len(plain_gebieden) >= 3
    assert choices.gebieden == plain_gebieden
    assert choices.wijken == plain_wijken
    assert {code for code, _label in choices.teams} == (lanes - {"initiatiefnemer"}) | groups
