"""Months of realistic initiatives through the real engine under a virtual clock.

| module | what it holds |
|---|---|
| `core` | the discrete-event simulator: arrivals, task durations, answers, messages, timers |
| `common` | what the profiles share: volumes, seasons, the example initiatives, names |
| `complex`, `wijkwens`, `green` | one process each: its start data and how its tasks are answered |
| `profiles` | the three profiles together (`profiles(clock)`) |
| `year` | the use case: deploy bpmn/ and simulate a year (`simulate_year`) |
"""

from workflows.places import ALL_WIJKEN
from workflows.simulation.common import (
    COMPLEX,
    COMPLEX_EXAMPLES,
    EXAMPLE_TITLES,
    GREEN,
    WIJKWENS,
    Calendar,
)
from workflows.simulation.complex import complex_start
from workflows.simulation.core import (
    Duration,
    MessagePlan,
    ProcessProfile,
    Simulation,
    SimulationReport,
    TaskPlan,
    add_months,
    arrivals,
)
from workflows.simulation.green import green_start
from workflows.simulation.profiles import profiles
from workflows.simulation.wijkwens import wijkwens_start
from workflows.simulation.year import simulate_year

__all__ = [
    "ALL_WIJKEN",
    "COMPLEX",
    "COMPLEX_EXAMPLES",
    "EXAMPLE_TITLES",
    "GREEN",
    "WIJKWENS",
    "Calendar",
    "Duration",
    "MessagePlan",
    "ProcessProfile",
    "Simulation",
    "SimulationReport",
    "TaskPlan",
    "add_months",
    "arrivals",
    "complex_start",
    "green_start",
    "profiles",
    "simulate_year",
    "wijkwens_start",
]
