"""Realistic simulation profiles for Dordrecht's three initiative processes (shared/DOMAIN.md §4).

`profiles(clock)` returns one `ProcessProfile` per process in bpmn/:

- `complex_initiative_process` — ≈ 60 webformulier submissions a year, flat with a dip in July and
  August; ≈ 12 of them are rerouted at triage (8 wijkwens, 2 green, 2 other), the rest run the
  whole process with the outcome mix of §4.1 (≈ 15% withdrawn / no response, ≈ 12% not feasible,
  ≈ 13 honoured without money, ≈ 25 fund applications: ≈ 40% honoured, 40% referred, 20% rejected);
- `wijkwens_process` — ≈ 118 wishes a year, peaks in March–June and August–October (≈ 78%
  honoured, ≈ 10% rejected, ≈ 8% withdrawn / not processed, ≈ 4% deferred to next year);
- `simple_green_initiative_process` — ≈ 200 geveltuin requests (≈ 80% feasible) and ≈ 50
  adoptions a year, peaks in February–April and September–October.

The first cases of each process are the twenty example initiatives of §4.2 (plus the two
additional demo ideas, both complex); where §4.2 names a route the answers follow it (e.g. the
narrow walkway, the negative regiegroep advice, the masterclass). After them come generated cases
with Dutch titles from templates, wijken from `dmn_wijk_to_gebied` and
`initiatiefnemer{n}@example.nl`.

Task durations follow the lognormal table of §4.1 (median / p90, working days where the table says
so). Steps the table does not name have assumed durations, chosen so that the deadline timers of
the diagrams (hersteltermijn, P28D application, P42D plan adjustment, 4 weeks agreement) catch a
realistic share of cases; those are the "no response" / "not processed" outcomes.

Answers only see the case data the engine shows (`Engine.get_instance(...).data`). For the
complex process that is the data as it was at triage while the embedded subprocess runs (see
bpmn/complex_initiative/README.md), so its answers decide from the start data and the rng; the two
steps that must agree with each other (the decision advice and the decision itself) draw from a
random stream keyed by the case.
"""

from __future__ import annotations

from engine import Clock
from workflows.handovers import PREFIXES
from workflows.simulation.common import (
    COMPLEX,
    COMPLEX_PER_YEAR,
    COMPLEX_SEASON,
    GREEN,
    GREEN_PER_YEAR,
    GREEN_SEASON,
    WIJKWENS,
    WIJKWENS_PER_YEAR,
    WIJKWENS_SEASON,
    WITHDRAWAL,
    Calendar,
)
from workflows.simulation.complex import complex_start, complex_tasks
from workflows.simulation.core import Duration, MessagePlan, ProcessProfile
from workflows.simulation.green import green_start, green_tasks
from workflows.simulation.staff import Staff
from workflows.simulation.wijkwens import wijkwens_start, wijkwens_tasks

#: the message of a change request during the realisation (complex route)
CHANGE_REQUEST = "change_requested"

# ----------------------------------------------------------------- public API


def profiles(clock: Clock | None = None, staff: Staff | None = None) -> list[ProcessProfile]:
    """The three processes with DOMAIN §4.1 volumes, seasonality, durations and outcome mix.

    Pass the simulation's clock: start data (`submitted_on`) and date fields in answers use its
    date. Without a clock they use today's date. `staff` is who the casist is chosen from
    (`DEFAULT_STAFF` when not given).
    """
    cal = Calendar(clock)
    withdrawn = {"reason": "De initiatiefnemer ziet af van het initiatief."}
    change = {"text": "Wij willen de activiteit een maand later houden.", "by": "initiatiefnemer"}
    return [
        ProcessProfile(
            process_id=COMPLEX,
            per_year=COMPLEX_PER_YEAR,
            start_data=complex_start,
            tasks=complex_tasks(cal, staff),
            key_prefix="INI",
            seasonality=COMPLEX_SEASON,
            messages=(
                MessagePlan(WITHDRAWAL, 0.12, Duration(30, 120), withdrawn),
                # some initiators ask to change the plan during the realisation (a message
                # that comes before it is tried again daily, a few times)
                MessagePlan(CHANGE_REQUEST, 0.2, Duration(170, 260), change),
            ),
        ),
        ProcessProfile(
            process_id=WIJKWENS,
            per_year=WIJKWENS_PER_YEAR,
            start_data=wijkwens_start(cal),
            tasks=wijkwens_tasks(cal),
            key_prefix=PREFIXES[WIJKWENS],
            seasonality=WIJKWENS_SEASON,
            messages=(MessagePlan(WITHDRAWAL, 0.06, Duration(20, 50), withdrawn),),
        ),
        ProcessProfile(
            process_id=GREEN,
            per_year=GREEN_PER_YEAR,
            start_data=green_start,
            tasks=green_tasks(cal),
            key_prefix=PREFIXES[GREEN],
            seasonality=GREEN_SEASON,
            messages=(MessagePlan(WITHDRAWAL, 0.03, Duration(5, 12), withdrawn),),
        ),
    ]
