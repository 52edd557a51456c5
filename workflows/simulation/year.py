"""The simulated year the demo and `wegwijs simulate` run: deploy bpmn/ and let the three
process profiles play out through the real engine under a virtual clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from engine import Engine, ManualClock
from workflows import accounts, bootstrap
from workflows.simulation.core import Simulation, SimulationReport, add_months
from workflows.simulation.leadtimes import year_figures
from workflows.simulation.profiles import profiles
from workflows.simulation.staff import DEFAULT_STAFF, Colleague, Staff


def simulate_year(
    settings: bootstrap.Settings,
    months: int = 12,
    seed: int = 1,
    progress: Callable[[datetime], None] | None = None,
    end: datetime | None = None,
) -> SimulationReport:
    """Use case: deploy bpmn/ and simulate `months` of cases ending now (or at `end`): the
    simulated days run from 08:00 to 08:00, the last one on the day of `end` (the day before
    when `end` is earlier than 08:00), so nothing happens after `end`.

    The work goes to the database's active accounts by their roles and teams (the demo creates
    its people first), or to `DEFAULT_STAFF` on a database without any."""
    finish = end or datetime.now(UTC)
    # before 08:00 the period ends at the day before's 08:00: never a case in the future
    last_day = finish if finish.hour >= 8 else finish - timedelta(days=1)
    start = add_months(last_day, -months).replace(hour=8, minute=0, second=0, microsecond=0)
    clock = ManualClock(start)
    engine = bootstrap.open_engine(settings, clock=clock)
    try:
        engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="simulatie")
        cases_before = engine.count_instances()
        staff = Staff(staff_of(engine) or DEFAULT_STAFF)
        simulation = Simulation(
            engine, profiles(clock, staff), start, months, seed=seed, progress=progress, staff=staff
        )
        report = simulation.run()
        report.cases_before = cases_before
        report.year = year_figures(engine, simulation.instance_profile, settings.fund_period)
        return report
    finally:
        engine.dispose()


def staff_of(engine: Engine) -> list[Colleague]:
    """The database's active accounts as simulated colleagues (none: an empty list)."""
    return [
        Colleague(u.username, u.display_name, u.roles, u.teams, u.email, u.phone)
        for u in accounts.list_users(engine)
        if u.active
    ]
