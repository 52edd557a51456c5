"""The simulator drives the real engine through months of virtual time, reproducibly."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, ManualClock
from tests.conftest import FIXTURES
from workflows.bootstrap import MIGRATIONS
from workflows.simulation import (
    Duration,
    MessagePlan,
    ProcessProfile,
    Simulation,
    TaskPlan,
    arrivals,
)

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _amount(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
    return {"amount": rng.choice([50, 500, 5000]), "title": "Buurtfeest"}


def _profiles() -> list[ProcessProfile]:
    tiny = ProcessProfile(
        process_id="tiny_process",
        per_year=24,
        start_data=lambda rng, n: {"source": "simulatie", "number": n},
        tasks={
            "submit_request": TaskPlan(_amount, Duration(1, 3, working=True)),
            "review_request": TaskPlan(
                lambda rng, d: {"approved": rng.random() < 0.8}, Duration(2, 5)
            ),
            "confirm_result": TaskPlan(lambda rng, d: {}, Duration(1, 2, working=True)),
        },
        key_prefix="T",
        messages=(MessagePlan("payment_received", 1.0, Duration(3, 10), {"amount": 42}),),
    )
    versioned = ProcessProfile(
        process_id="versioned_process",
        per_year=12,
        start_data=lambda rng, n: {},
        tasks={},
        key_prefix="V",
        seasonality=(2, 2, 2, 1, 1, 1, 0.2, 0.2, 1, 1, 1, 1),
    )
    return [tiny, versioned]


def _run(engine: Engine, clock: ManualClock, seed: int) -> Any:
    engine.deploy_paths([str(FIXTURES / "tiny"), str(FIXTURES / "versions" / "v2")])
    assert engine.clock is clock
    return Simulation(engine, _profiles(), START, months=6, seed=seed).run()


def test_six_months_run_to_the_end_without_errors(engine: Engine, clock: ManualClock) -> None:
    report = _run(engine, clock, seed=7)
    assert report.errored == []
    assert report.started["tiny_process"] > 0
    assert report.started["versioned_process"] > 0
    # every case that started in time finished: nothing waits forever
    finished = sum(n for (_, status), n in report.statuses.items() if status == "completed")
    assert finished >= sum(report.started.values()) - 3  # the last few may still be under way
    tiny = [i for i in engine.list_instances(process_id="tiny_process", limit=10_000)]
    high = [i for i in tiny if engine.get_instance(i.id).data.get("level") == "high"]
    assert high  # the seed gives some high-amount cases
    assert report.messages_delivered == len(high)  # only those wait for the payment message
    assert report.tasks_completed >= 2 * report.started["tiny_process"]
    assert clock.now() == datetime(2026, 7, 5, 8, 0, tzinfo=UTC)
    # the database holds the real history
    assert len(engine.list_instances(limit=10_000)) == sum(report.started.values())
    assert engine.events(limit=100_000)[-1].at <= clock.now()


def test_the_same_seed_tells_the_same_story(tmp_path: Path) -> None:
    # Determinism is a property of the simulator, shown on SQLite files of its own.
    first = _run_fresh(f"sqlite:///{tmp_path / 'first.db'}", seed=3)
    second = _run_fresh(f"sqlite:///{tmp_path / 'second.db'}", seed=3)
    assert first.started == second.started
    assert first.outcomes == second.outcomes
    assert first.tasks_completed == second.tasks_completed


def test_a_simulation_needs_virtual_time(database_url: str) -> None:
    from engine import EngineError, EngineSettings

    real_time = Engine(EngineSettings(database_url=database_url))
    try:
        with pytest.raises(EngineError, match="ManualClock"):
            Simulation(real_time, _profiles(), START, months=1)
    finally:
        real_time.dispose()


def _run_fresh(database_url: str, seed: int) -> Any:
    from engine import EngineSettings

    engine = Engine(EngineSettings(database_url=database_url), clock=ManualClock())
    engine.upgrade_schema(MIGRATIONS)
    try:
        return _run(engine, engine.clock, seed)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_arrivals_follow_volume_and_seasonality() -> None:
    profile = ProcessProfile(
        process_id="p",
        per_year=1200,
        start_data=lambda rng, n: {},
        tasks={},
        key_prefix="P",
        seasonality=(1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1),  # nothing in July and August
    )
    rng = random.Random(11)
    moments = arrivals(
        profile, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), rng
    )
    assert 1050 < len(moments) < 1350  # Poisson around 1200
    assert not [m for m in moments if m.month in (7, 8)]
    assert moments == sorted(moments)


def test_lognormal_duration_has_the_given_median() -> None:
    rng = random.Random(5)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    days = sorted(
        (Duration(10, 30).after(rng, start) - start).total_seconds() / 86400 for _ in range(2001)
    )
    assert 9 < days[1000] < 11
    assert 26 < days[1800] < 34  # the 90th percentile


def test_simulating_twice_on_one_database_uses_every_case_number_once_and_errors_nothing(
    database_url: str, tmp_path: Path
) -> None:
    """A second `wegwijs simulate` on the same database continues the case numbers (it used to
    replay them: 300 duplicate keys a year, and fund entries keyed by zaaknummer errored)."""
    from sqlalchemy import func, select

    from engine.readmodel import process_instance
    from tests.integration.test_cli import Cli
    from workflows import bootstrap

    cli = Cli(database_url, tmp_path)
    first = cli.run("simulate", "--months", "2", "--seed", "7").stdout
    second = cli.run("simulate", "--months", "2", "--seed", "7").stdout
    assert first
    assert second
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url))
    try:
        with engine.reading() as conn:
            cases = conn.execute(
                select(process_instance.c.process_id, process_instance.c.business_key)
            ).all()
            errored = conn.execute(
                select(func.count()).where(process_instance.c.status == "errored")
            ).scalar_one()
    finally:
        engine.dispose()
    keys = [(p, k) for p, k in cases if k]
    assert len(keys) > 20  # both runs started cases
    assert len(set(keys)) == len(keys)
    assert errored == 0


def test_a_case_number_taken_in_the_process_is_refused_in_dutch(
    engine: Engine, clock: ManualClock
) -> None:
    from engine import ConflictError

    engine.deploy_paths([str(FIXTURES / "tiny")])
    engine.start("tiny_process", {}, business_key="T-2026-0001")
    with pytest.raises(ConflictError, match="Zaaknummer T-2026-0001 bestaat al"):
        engine.start("tiny_process", {}, business_key="T-2026-0001")
    engine.start("tiny_process", {}, business_key="T-2026-0002")  # the engine still works
    engine.start("tiny_process", {})  # and cases without a number are never in each other's way
    engine.start("tiny_process", {})


def test_a_simulation_ending_at_night_puts_nothing_after_its_end(database_url: str) -> None:
    """`wegwijs demo` at 02:00 used to simulate until 08:00 that day: tasks made hours in the
    future of the real clock. A period now ends at the last 08:00 before its end."""
    from workflows import bootstrap
    from workflows.simulation import simulate_year

    settings = bootstrap.Settings(database_url=database_url)
    end = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # a Monday, 02:00
    report = simulate_year(settings, months=1, seed=4, end=end)
    assert not report.errored
    engine = bootstrap.open_engine(settings)
    try:
        instances = engine.list_instances(limit=10_000)
        tasks = [t for i in instances for t in engine.list_tasks(instance_id=i.id, state=None)]
        moments = [i.started_at for i in instances] + [t.created_at for t in tasks]
        assert instances
        assert max(moments) <= datetime(2026, 3, 15, 8, 0, tzinfo=UTC)
        assert min(i.started_at for i in instances) >= datetime(2026, 2, 15, 8, 0, tzinfo=UTC)
    finally:
        engine.dispose()


def test_the_simulated_year_reports_per_route_the_wait_for_the_answer_and_the_signals(
    database_url: str,
) -> None:
    """`wegwijs simulate` prints these figures: each is checked here against the history."""
    from sqlalchemy import select

    from engine.readmodel import outbox
    from workflows import bootstrap, fund
    from workflows.roles import INITIATOR_LANE
    from workflows.simulation import simulate_year
    from workflows.simulation.leadtimes import ANSWER_NORM_DAYS, ANSWER_PHASES, SIGNALS

    settings = bootstrap.Settings(database_url=database_url)
    report = simulate_year(settings, months=4, seed=7)
    assert not report.errored
    engine = bootstrap.open_engine(settings)
    try:
        instances = engine.list_instances(limit=100_000)
        by_route = {r.process_id: r for r in report.routes}
        assert set(by_route) == set(ANSWER_NORM_DAYS)
        for process_id, figures in by_route.items():
            mine = [i for i in instances if i.process_id == process_id]
            waits = []
            for i in mine:
                answers = [
                    e.at
                    for e in engine.events(i.id)
                    if e.type == "milestone_reached" and e.detail["milestone"] in ANSWER_PHASES
                ]
                if answers:
                    waits.append((min(answers) - i.started_at).total_seconds() / 86400)
            waits.sort()
            assert figures.answered == len(waits) > 0, process_id
            assert figures.median_days is not None
            assert figures.p80_days is not None
            assert waits[0] <= figures.median_days <= figures.p80_days <= waits[-1]
            norm = ANSWER_NORM_DAYS[process_id]
            assert figures.within_norm == sum(w <= norm for w in waits)
            with engine.reading() as conn:
                sent = [
                    p["template"]
                    for (p,) in conn.execute(
                        select(outbox.c.payload).where(
                            outbox.c.instance_id.in_([i.id for i in mine])
                        )
                    )
                ]
            assert figures.signals == sum(t in SIGNALS for t in sent)
            assert sum(n for _, n in figures.signal_kinds) == figures.signals
        assert by_route["complex_initiative_process"].signals > 0  # norms do pass
        # the passed norms of tasks are signalled too (norm_watch), in every route
        for figures in by_route.values():
            assert any(k.startswith("Norm verstreken · ") for k, _ in figures.signal_kinds)
            # in words a manager reads: subjects and task titles, no template codes or ids
            assert not [k for k, _ in figures.signal_kinds if "_" in k]
        # the year's figures against DOMAIN §4.1, counted here from the tables
        year = report.year
        assert year is not None
        tasks = [t for i in instances for t in engine.list_tasks(instance_id=i.id, state=None)]
        aspects = [t for t in tasks if t.bpmn_id == "assess_aspect"]
        assert year.aspects == len(aspects) > 0
        assert year.specialist_aspects == sum(t.lane == "vakspecialist" for t in aspects)
        assert year.assessment_rounds == sum(
            t.properties["context_values"]["aspect"]["code"] == "BELEIDSFIT" for t in aspects
        )
        assert year.fund_checks == sum(t.bpmn_id == "prepare_fund_check" for t in tasks)
        # what a process asks of the initiator is theirs: no colleague claims it first (the
        # demo once handed a casist a green case's "Afsprakenbrief accepteren" that way)
        asked = {t.id for t in tasks if t.lane == INITIATOR_LANE}
        assert asked
        claims = [e for i in instances for e in engine.events(i.id) if e.type == "task_claimed"]
        assert claims
        assert not [e for e in claims if e.task_id in asked and e.actor != INITIATOR_LANE]
        with engine.reading() as conn:
            held = fund.summary(conn, settings.fund_period)
        assert year.fund_awarded_cents == held.reserved + held.committed + held.paid
        assert {code.split("-")[1] for code, _, _ in year.gebied_budgets} <= {
            "Centrum",
            "Oost",
            "West",
        }
    finally:
        engine.dispose()
