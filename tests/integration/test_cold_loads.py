"""Cases loaded from the database run exactly like cases kept in memory.

The engine keeps recent workflows and parsed specs in memory, but after a restart, in another
gunicorn worker, after an eviction or from the CLI every case is rebuilt from its stored state
on specs parsed anew. These tests run the simulated initiatives both ways and compare them
case for case, and check that no case is left `waiting` with nothing to wait for.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, ManualClock, Waiting
from tests.conftest import _truncate_postgres
from workflows import bootstrap
from workflows.bootstrap import MIGRATIONS
from workflows.simulation import Simulation, SimulationReport, profiles

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday
WITHDRAWAL = "initiative_withdrawn"


def _simulate(
    database_url: str, caches: bool, months: int, seed: int = 7
) -> tuple[Engine, SimulationReport]:
    clock = ManualClock(START)
    settings = bootstrap.Settings(database_url=database_url, caches=caches)
    engine = bootstrap.open_engine(settings, clock=clock)
    engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="simulatie")
    report = Simulation(engine, profiles(clock), START, months=months, seed=seed).run()
    return engine, report


def _cases(engine: Engine) -> dict[str, tuple[str, str, str]]:
    """Every case by zaaknummer: (process, status, outcome)."""
    cases = {}
    for instance in engine.list_instances(limit=1_000_000):
        outcome = engine.instance_values(instance.id, ("outcome",)).get("outcome", "")
        cases[str(instance.business_key)] = (instance.process_id, instance.status, str(outcome))
    return cases


def _events_per_type(engine: Engine) -> Counter[str]:
    return Counter(e.type for e in engine.events(limit=10_000_000))


def _second_database(database_url: str, tmp_path: Path) -> str:
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'cold.db'}"
        Engine(bootstrap.engine_settings(bootstrap.Settings(database_url=url))).upgrade_schema(
            MIGRATIONS
        )
        return url
    _truncate_postgres(database_url)
    return database_url


def _nothing_to_wait_for(engine: Engine) -> list[tuple[str, str | None, tuple[Waiting, ...]]]:
    """Cases shown as waiting whose only awaited things are a withdrawal (or nothing)."""
    stuck = []
    for instance in engine.list_instances(status="waiting", limit=1_000_000):
        waiting_for = engine.get_instance(instance.id).waiting_for
        if not [w for w in waiting_for if w.name != WITHDRAWAL]:
            stuck.append((instance.process_id, instance.business_key, waiting_for))
    return stuck


def test_a_quarter_with_every_cache_off_ends_case_for_case_as_with_caches_on(
    database_url: str, tmp_path: Path
) -> None:
    warm_engine, warm = _simulate(database_url, caches=True, months=3)
    warm_cases, warm_events = _cases(warm_engine), _events_per_type(warm_engine)
    warm_engine.dispose()
    assert warm.errored == []
    assert warm_events["task_completed"] > 300  # a real quarter, not an empty run

    cold_engine, cold = _simulate(_second_database(database_url, tmp_path), caches=False, months=3)
    try:
        assert cold.errored == []
        assert _cases(cold_engine) == warm_cases
        assert _events_per_type(cold_engine) == warm_events
        assert cold.outcomes == warm.outcomes
    finally:
        cold_engine.dispose()


@pytest.mark.parametrize("caches", [True, False], ids=["warm", "cold"])
def test_no_case_of_a_simulated_year_waits_without_something_to_wait_for(
    caches: bool, tmp_path: Path
) -> None:
    """On SQLite (a cold year costs about a minute and a half; the quarter above runs cold on
    PostgreSQL too). Complex cases that finished their aspect assessments are the ones a
    reload used to stall."""
    engine, report = _simulate(f"sqlite:///{tmp_path / 'year.db'}", caches=caches, months=12)
    try:
        assert report.errored == []
        assert _nothing_to_wait_for(engine) == []
        advised: Any = Counter(e.bpmn_id for e in engine.events(limit=10_000_000))
        assert advised["integral_advice"] > 0  # complex cases got past their assessments
    finally:
        engine.dispose()
