"""The speed-ups of engine/fast give exactly what their plain twins give: the same cases, the
same history and the same worklist, with `EngineSettings(fast_paths=...)` on and off."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from engine import Engine, ManualClock
from engine.persistence.tables import human_task
from tests.conftest import _truncate_postgres
from workflows import bootstrap
from workflows.accounts import User
from workflows.bootstrap import MIGRATIONS
from workflows.simulation import Simulation, profiles
from workflows.worklist import worklist

START = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)  # a Monday


def _run(database_url: str, fast: bool) -> tuple[Engine, dict[str, object]]:
    clock = ManualClock(START)
    settings = bootstrap.Settings(database_url=database_url)
    engine = Engine(
        dataclasses.replace(bootstrap.engine_settings(settings), fast_paths=fast), clock=clock
    )
    assert engine.fast_paths is fast
    engine.upgrade_schema(MIGRATIONS)
    bootstrap._open_fund(engine, settings)
    engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="simulatie")
    Simulation(engine, profiles(clock), START, months=2, seed=3).run()
    lead = User(
        1, "tom", "Tom", None, frozenset({"teamleider", "casist", "initiatieventeam"}), True
    )
    with engine.reading() as conn:
        tasks = sorted(
            (r.bpmn_id, r.state, r.lane, r.assignee or "", str(r.due_at))
            for r in conn.execute(select(human_task))
        )
    page = worklist(engine, lead, "team")
    seen: dict[str, object] = {
        "cases": sorted(
            (i.business_key, i.process_id, i.status, i.version)
            for i in engine.list_instances(limit=100_000)
        ),
        "events": Counter(e.type for e in engine.events(limit=1_000_000)),
        "tasks": tasks,
        "team page": [(i.bpmn_id, i.zaaknummer, i.context) for i in page.page.items],
        "counts": page.counts,
    }
    return engine, seen


def test_a_simulated_stretch_is_the_same_with_and_without_the_speed_ups(
    database_url: str, tmp_path: Path
) -> None:
    fast_engine, fast = _run(database_url, fast=True)
    fast_engine.dispose()
    if database_url.startswith("sqlite"):
        other = f"sqlite:///{tmp_path / 'plain.db'}"
    else:
        _truncate_postgres(database_url)
        other = database_url
    plain_engine, plain = _run(other, fast=False)
    plain_engine.dispose()
    assert fast["events"]["task_completed"] > 50  # type: ignore[index]
    for key, value in fast.items():
        assert plain[key] == value, key
