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
