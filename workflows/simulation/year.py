"""The simulated year the demo and `wegwijs simulate` run: deploy bpmn/ and let the three
process profiles play out through the real engine under a virtual clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from engine import ManualClock
from workflows import bootstrap
from workflows.simulation.core import Simulation, SimulationReport, add_months
from workflows.simulation.profiles import profiles


def simulate_year(
    settings: bootstrap.Settings,
    months: int = 12,
    seed: int = 1,
    progress: Callable[[datetime], None] | None = None,
    end: datetime | None = None,
) -> SimulationReport:
    """Use case: deploy bpmn/ and simulate `months` of cases ending now (or at `end`)."""
    finish = end or datetime.now(UTC)
    start = add_months(finish, -months).replace(hour=8, minute=0, second=0, microsecond=0)
    clock = ManualClock(start)
    engine = bootstrap.open_engine(settings, clock=clock)
    try:
        engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="simulatie")
        return Simulation(
            engine, profiles(clock), start, months, seed=seed, progress=progress
        ).run()
    finally:
        engine.dispose()
