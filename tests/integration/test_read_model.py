"""The initiative read model: kept by the engine hook, and rebuilt for cases that predate it."""

from __future__ import annotations

import dataclasses
import random

from sqlalchemy import select

from engine import Engine, ManualClock
from tests.integration.conftest import MONDAY
from workflows import bootstrap, read_model
from workflows.simulation import complex_start
from workflows.tables import initiative


def test_cases_started_before_the_read_model_get_their_row_at_start_up(database_url: str) -> None:
    settings = bootstrap.Settings(database_url=database_url)
    clock = ManualClock(MONDAY)
    # an engine as it was before the read model: no hook
    old = Engine(
        dataclasses.replace(bootstrap.engine_settings(settings), on_saved=None), clock=clock
    )
    old.deploy_paths([str(bootstrap.BPMN_DIR)])
    started = old.start(
        "complex_initiative_process", complex_start(random.Random(1), 1), business_key="INI-OUD-1"
    )
    with old.reading() as conn:
        assert conn.execute(select(initiative)).first() is None
    old.dispose()

    engine = bootstrap.open_engine(settings, clock=clock)  # what every start-up does
    try:
        with engine.reading() as conn:
            row = conn.execute(
                select(initiative).where(initiative.c.instance_id == started.id)
            ).one()
        assert row.zaaknummer == "INI-OUD-1"
        assert row.title.startswith("Buurtmoestuin")
        assert row.gebied == "West"
        assert row.phase == "kennismaking"  # the last phase reached, from the events
        assert read_model.backfill(engine) == 0  # nothing left to do
    finally:
        engine.dispose()


def test_each_step_writes_what_changed_and_keeps_the_rest(database_url: str) -> None:
    """The hook writes only the columns whose value changed (SQLite rewrites an index entry
    for every indexed column in the SET list); what it keeps must still be right."""
    from datetime import timedelta

    clock = ManualClock(MONDAY)
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)

    def row() -> tuple[object, ...]:
        with engine.reading() as conn:
            found = conn.execute(
                select(
                    initiative.c.title,
                    initiative.c.wijk,
                    initiative.c.gebied,
                    initiative.c.requested_cents,
                    initiative.c.updated_at,
                ).where(initiative.c.instance_id == started.id)
            ).one()
        return tuple(found)

    try:
        engine.deploy_paths([str(bootstrap.BPMN_DIR)])
        data = complex_start(random.Random(1), 1)
        started = engine.start("complex_initiative_process", data, business_key="INI-2026-0001")
        title, wijk, gebied, _cents, first = row()
        assert (wijk, gebied) == (data["wijk"], "West")
        clock.advance(timedelta(hours=1))
        engine.update_data(started.id, {"requested_amount": 2500}, actor="ines")
        assert row()[:4] == (title, wijk, gebied, 250_000)  # only the amount changed
        assert row()[4] != first  # and the moment of the step
        clock.advance(timedelta(hours=1))
        engine.update_data(started.id, {"wijk": "Sterrenburg", "gebied": None}, actor="ines")
        assert row()[:4] == (title, "Sterrenburg", "Oost", 250_000)  # gebied follows the wijk
    finally:
        engine.dispose()
