"""The simple green process in the simulation: start data and how each task is answered."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from workflows.places import ALL_WIJKEN
from workflows.simulation.common import (
    EXAMPLE_TITLES,
    GREEN_EXAMPLES,
    NAMES,
    NARROW_WALKWAY,
    STREETS,
    Calendar,
    plan,
    weighted,
)
from workflows.simulation.core import TaskPlan

# ----------------------------------------------------------------- simple green


def green_start(rng: random.Random, n: int) -> dict[str, Any]:
    if n <= len(GREEN_EXAMPLES):
        title, wijk, green_type = GREEN_EXAMPLES[n - 1]
    else:
        wijk = rng.choice(ALL_WIJKEN)
        green_type = weighted(
            rng,
            (
                ("geveltuin", 200),
                ("adoptiegroen", 28),
                ("adoptie_afvalbak", 8),
                ("adoptie_speelplek", 4),
                ("zwerfvuil", 10),
                ("anders", 5),
            ),
        )
        title = {
            "geveltuin": "Geveltuin aan de {street}",
            "adoptiegroen": "Plantvak adopteren aan de {street}",
            "adoptie_afvalbak": "Afvalbak adopteren aan de {street}",
            "adoptie_speelplek": "Speelplek adopteren bij de {street}",
            "zwerfvuil": "Zwerfvuilrondje rond de {street}",
            "anders": "Groene wens voor de {street}",
        }[green_type].format(street=rng.choice(STREETS))
    return {
        "title": title,
        "initiator_name": rng.choice(NAMES),
        "initiator_email": f"initiatiefnemer{n}@example.nl",
        "wijk": wijk,
        "address": f"{rng.choice(STREETS)} {rng.randint(1, 240)}",
        "green_type": green_type,
        "description": f"{title} in {wijk}.",
    }


def green_tasks(cal: Calendar) -> dict[str, TaskPlan]:
    def register(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "green_type": str(data.get("green_type") or "geveltuin"),
            "channel": weighted(rng, (("fixi", 0.5), ("formulier", 0.35), ("wijklijn", 0.15))),
            "address": str(data.get("address") or "onbekend"),
        }

    def assess(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        title = str(data.get("title"))
        if title in NARROW_WALKWAY:
            feasible = False
        else:
            feasible = title in EXAMPLE_TITLES or rng.random() < 0.8
        if feasible:
            return {
                "geveltuin_feasible": True,
                "remaining_walkway_m": round(rng.uniform(1.5, 3), 2),
            }
        return {
            "geveltuin_feasible": False,
            "remaining_walkway_m": round(rng.uniform(0.8, 1.45), 2),
            "assessment_notes": "Stoep te smal; alternatief: plantenbak of wijkwens.",
        }

    def construct(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"constructed_on": cal.today(), "construction_notes": "Tegels eruit, grond erin."}

    def discuss(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        feasible = data.get("title") in EXAMPLE_TITLES or rng.random() < 0.85
        summary = (
            "Bewoner onderhoudt het groen; gemeente levert planten en gereedschap."
            if feasible
            else "Plek wordt binnenkort heringericht; adoptie nu niet mogelijk."
        )
        return {"adoption_feasible": feasible, "agreement_summary": summary}

    def accept(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        accepted = data.get("title") in EXAMPLE_TITLES or rng.random() < 0.92
        answer: dict[str, Any] = {"agreement_accepted": accepted}
        if not accepted:
            answer["agreement_remarks"] = "Toch te veel werk."
        return answer

    def deliver(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"delivered_on": cal.today(), "adoption_tile_placed": rng.random() < 0.9}

    return {
        # geveltuin request → construction 60 / 150 days (DOMAIN §4.1), season-bound: the
        # diagram waits for the planting season, then the work takes weeks (a few past the
        # eight-week norm)
        "green_register": plan(register, 1, 3, working=True),
        "green_assess_geveltuin": plan(assess, 6, 14, working=True),
        "green_construct_geveltuin": plan(construct, 24, 48),
        "green_discuss_adoption": plan(discuss, 6, 14, working=True),
        "green_accept_agreement": plan(accept, 7, 24),  # ≈ 7% pass the 4-week deadline
        "green_deliver_materials": plan(deliver, 14, 30),
    }
