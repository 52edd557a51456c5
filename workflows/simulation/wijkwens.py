"""The wijkwens process in the simulation: start data and how each task is answered."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from workflows.places import WIJKEN
from workflows.simulation.common import (
    EXAMPLE_TITLES,
    FIRST_INCOMPLETE,
    HELD_FIRST,
    LOWER_AMOUNT,
    NAMES,
    NEGATIVE_ADVICE,
    PUBLIC_SPACE_TITLES,
    WIJKWENS_EXAMPLES,
    WIJKWENS_TITLES,
    Calendar,
    plan,
    round_to,
    weighted,
)
from workflows.simulation.core import TaskPlan

# ----------------------------------------------------------------- wijkwens


def _wijkwens_amount(rng: random.Random) -> int:
    """55% ≤ € 1.000; 35% € 1.000–3.000; 10% € 3.000–5.000 (DOMAIN §4.1)."""
    band = weighted(rng, (((150, 1000), 0.55), ((1000, 3000), 0.35), ((3000, 5000), 0.10)))
    return min(round_to(rng.uniform(*band), 25), 5000)


def wijkwens_start(cal: Calendar) -> Callable[[random.Random, int], dict[str, Any]]:
    def start(rng: random.Random, n: int) -> dict[str, Any]:
        if n <= len(WIJKWENS_EXAMPLES):
            title, wijk, amount, public = WIJKWENS_EXAMPLES[n - 1]
        else:
            # honoured per regiegroep ≈ Centrum 27, Oost 30, West 33 (DOMAIN §4.1), whatever
            # the number of wijken in each gebied
            wijk = rng.choice(WIJKEN[weighted(rng, GEBIED_SHARES)])
            # public-space wishes cluster before 1 October; those from 1 October are deferred
            # to next year (≈ 4% of all wishes)
            public = rng.random() < (0.25 if cal.date().month < 10 else 0.18)
            title = rng.choice(PUBLIC_SPACE_TITLES if public else WIJKWENS_TITLES).format(wijk=wijk)
            amount = _wijkwens_amount(rng)
        return {
            "initiator_name": rng.choice(NAMES),
            "initiator_email": f"initiatiefnemer{n}@example.nl",
            "wijk": wijk,
            "title": title,
            "description": f"{title}: een wens van bewoners voor hun buurt.",
            "requested_amount": amount,
            "submitted_on": cal.today(),
            "is_public_space_wish": public,
            "co_signing_entity": _co_signer(rng, title, amount),
        }

    return start


GEBIED_SHARES = (("Centrum", 27), ("Oost", 30), ("West", 33))
#: the example whose co-signer is missing at first (DOMAIN §4.1 #8: INZET078! signs later)
NO_CO_SIGNER_YET = "Kerstmarkt op het pleintje"
CO_SIGNERS = ("SSKW", "INZET078!", "Stichting Wijkwerk Dordrecht")


def _co_signer(rng: random.Random, title: str, amount: float) -> str | None:
    """Above € 1.000 a legal entity co-signs; about one in ten applications forgets it."""
    if amount <= 1000 or title == NO_CO_SIGNER_YET:
        return None
    if title not in EXAMPLE_TITLES and rng.random() < 0.10:
        return None
    return rng.choice(CO_SIGNERS)


def wijkwens_tasks(cal: Calendar) -> dict[str, TaskPlan]:
    def admissibility(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        title = str(data.get("title"))
        supplemented = "additional_info" in data
        if title in EXAMPLE_TITLES:
            verdict = (
                "incomplete" if title in FIRST_INCOMPLETE and not supplemented else "admissible"
            )
        elif supplemented:
            verdict = weighted(rng, (("admissible", 0.85), ("rejected", 0.15)))
        else:
            verdict = weighted(
                rng, (("admissible", 0.83), ("incomplete", 0.12), ("rejected", 0.05))
            )
        answer: dict[str, Any] = {
            "admissibility": verdict,
            "is_public_space_wish": bool(data.get("is_public_space_wish")),
            "has_support": verdict != "rejected",
        }
        if verdict == "admissible" and rng.random() < (
            0.4 if data.get("is_public_space_wish") else 0.08
        ):
            # a physical wish in the public space: the vakafdeling advises (DOMAIN §4)
            public = bool(data.get("is_public_space_wish"))
            answer["advice_from"] = (
                "vakafdeling"
                if public
                else weighted(rng, (("woningcorporatie", 0.5), ("welzijn", 0.5)))
            )
            answer["advice_question"] = "Kan dit op deze plek, en wat is ervoor nodig?"
        if verdict == "rejected":
            answer["admissibility_notes"] = "Voldoet niet aan de regeling wijkwensen."
        elif verdict == "incomplete":
            answer["admissibility_notes"] = "De begroting ontbreekt."
        return answer

    def provide_info(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = {"additional_info": "Begroting en medeondertekening aangeleverd."}
        if float(data.get("requested_amount") or 0) > 1000 and not data.get("co_signing_entity"):
            answer["co_signing_entity"] = "INZET078!"
        return answer

    def advice(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        title = str(data.get("title"))
        requested = float(data.get("requested_amount") or 0)
        example = title in EXAMPLE_TITLES
        held_before = "hold_reason" in data
        if (title in HELD_FIRST or (not example and rng.random() < 0.06)) and not held_before:
            return {
                "advice": "hold",
                "hold_reason": "De regiegroep wil eerst een schets en een offerte zien.",
                "advice_motivation": "Goed plan; de uitwerking is nog niet concreet genoeg.",
            }
        if not example and rng.random() < 0.03:  # a wish that fits another scheme better
            green = rng.random() < 0.5
            return {
                "advice": "refer",
                "referral": "simple_green" if green else "other",
                **({} if green else {"referral_to": "Initiatievenfonds (stadsbreed)"}),
                "advice_motivation": "Past beter bij een andere regeling.",
            }
        negative = title in NEGATIVE_ADVICE or (not example and rng.random() < 0.04)
        if negative:
            return {"advice": "negative", "advice_motivation": "Weinig draagvlak in de buurt."}
        amount = requested
        if title in LOWER_AMOUNT or (title not in EXAMPLE_TITLES and rng.random() < 0.15):
            amount = round_to(requested * rng.uniform(0.7, 0.9), 25)
        return {
            "advice": "positive",
            "advised_amount": float(min(amount, 5000)),
            "advice_motivation": "Versterkt de sociale samenhang in de buurt.",
        }

    def decide(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        if data.get("advice") == "negative":
            return {
                "decision": "reject",
                "motivation": "Conform het negatieve advies van de regiegroep.",
            }
        amount = float(data.get("advised_amount") or data.get("requested_amount") or 0)
        # the gebied's ledger refuses a grant beyond its budget (outcome refused_ceiling)
        return {
            "decision": "grant",
            "granted_amount": min(amount, 5000.0),
            "motivation": "Conform advies regiegroep.",
        }

    def external_advice(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "external_advice": "Geen bezwaar, mits de buren tijdig worden ingelicht.",
            "external_advice_positive": rng.random() < 0.85,
        }

    def report_execution(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "executed_on": cal.today(-rng.randint(3, 30)),
            "participants": rng.randint(15, 200),
            "execution_report": "Het ging goed: veel buren deden mee. Foto's in de bijlage.",
        }

    def plan_meeting(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        """Beyond the calendar: the secretariaat plans a meeting about three weeks ahead."""
        return {"meeting_date": cal.today(21)}

    def pay(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        amount = float(data.get("granted_amount") or 0)
        return {
            "paid_amount": min(amount, 5000.0),
            "payment_reference": f"BET-{cal.date().year}-{rng.randint(1, 9999):04d}",
            "paid_on": cal.today(),
        }

    return {
        # receipt → decision 42 / 75 days (DOMAIN §4.1), payment 21 / 42 days
        "wijkwens_check_admissibility": plan(admissibility, 4, 9, working=True),
        "wijkwens_provide_info": plan(provide_info, 5, 12, working=True),  # ≈ 15% too late
        # the wish waits for its meeting (a timer); the advice is recorded in the days after
        "wijkwens_regiegroep_advice": plan(advice, 1, 4, working=True),
        "wijkwens_plan_meeting": plan(plan_meeting, 2, 5, working=True),
        "wijkwens_decide": plan(decide, 4, 9, working=True),
        "wijkwens_pay": plan(pay, 21, 42),
        # advice from outside within 14 days, else the timer goes on without (≈ 15%)
        "wijkwens_record_external_advice": plan(external_advice, 8, 16),
        # after the activity; about one in ten never reports (the wish closes after 6 months)
        "wijkwens_report_execution": plan(report_execution, 60, 200),
    }
