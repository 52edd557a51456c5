"""The complex initiative in the simulation: start data and how each task is answered."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

from workflows.places import ALL_WIJKEN
from workflows.simulation.common import (
    COMPLEX_EXAMPLES,
    COMPLEX_ROUTES,
    COMPLEX_TITLES,
    NAMES,
    REROUTED_TITLES,
    Calendar,
    case_rng,
    iban,
    plan,
    round_to,
    weighted,
)
from workflows.simulation.core import TaskPlan
from workflows.simulation.staff import DEFAULT_STAFF, Staff

# ----------------------------------------------------------------- complex initiative


def _complex_amount(rng: random.Random) -> int:
    """A requested fund contribution: lognormal with a median of € 7.000, € 1.500–20.000 (the
    scheme's range, DOMAIN §4.1), per € 500. With the partial grants and the larger §4.2 examples
    the average award comes to ≈ € 8.000 (seeds 1–16: € 8.088; a median of € 8.000 gave € 9.020)."""
    amount = rng.lognormvariate(math.log(7000), 0.5)
    return round_to(min(max(amount, 1500), 20000), 500)


def complex_start(rng: random.Random, n: int) -> dict[str, Any]:
    wijk = rng.choice(ALL_WIJKEN)
    data: dict[str, Any] = {
        "title": "",
        "description": "",
        "motivation": "Bewoners willen samen iets betekenen voor de stad.",
        "wijk": wijk,
        "scale": "meerdere_wijken",
        "location_type": "geen",
        "location_duration_months": 12,
        "physical_change": False,
        "public_event": False,
        "expected_visitors": 0,
        "food_growing": False,
        "target_group_vulnerable": False,
        "commercial_activity": False,
        "requested_amount": 0,
        "disciplines_count": 2,
        "green_type": None,
        "is_council_proposal": False,
        "is_event_only": False,
        "initiator_type": rng.choice(
            ("bewonersgroep", "stichting", "vereniging", "maatschappelijke_org", "bewoner")
        ),
        "initiator_name": rng.choice(NAMES),
        "initiator_email": f"initiatiefnemer{n}@example.nl",
        "channel": "webformulier",
    }
    if n <= len(COMPLEX_EXAMPLES):
        data.update(COMPLEX_EXAMPLES[n - 1])
        data["description"] = f"{data['title']} — voorbeeldinitiatief (DOMAIN §4.2)."
        return data
    # ≈ 12 of 60 do not belong here (DOMAIN §4.1): 8 wijkwens, 2 green, 2 other.
    kind = weighted(
        rng, (("complex", 48), ("wijkwens", 8), ("green", 2), ("council", 1), ("event", 1))
    )
    if kind == "complex":
        data.update(
            scale=weighted(
                rng, (("buurt", 0.08), ("wijk", 0.27), ("meerdere_wijken", 0.40), ("stad", 0.25))
            ),
            location_type=weighted(
                rng,
                (
                    ("openbare_ruimte", 0.3),
                    ("gemeentegrond", 0.2),
                    ("gemeentelijk_vastgoed", 0.2),
                    ("particulier", 0.15),
                    ("geen", 0.15),
                ),
            ),
            physical_change=rng.random() < 0.3,
            public_event=rng.random() < 0.35,
            food_growing=rng.random() < 0.12,
            target_group_vulnerable=rng.random() < 0.25,
            commercial_activity=rng.random() < 0.1,
            disciplines_count=rng.randint(2, 5),
        )
        # how long a place is used: not at all without one, a month for an event that changes
        # nothing; else mostly weeks to a season, a third for longer (≥ 3 months asks the
        # planjurist: DOMAIN §1.3), so ≈ 4,5 aspects go to vakspecialisten per case (§4.1)
        if data["location_type"] == "geen":
            data["location_duration_months"] = 0
        elif data["public_event"] and not data["physical_change"]:
            data["location_duration_months"] = 1
        else:
            data["location_duration_months"] = weighted(
                rng, ((1, 0.35), (2, 0.35), (6, 0.1), (12, 0.1), (24, 0.05), (60, 0.05))
            )
        if data["public_event"]:
            data["expected_visitors"] = rng.choice((50, 100, 150, 200, 250, 300, 500))
        # ≈ 25 of 35 feasible ones reach the fund check in a year (22 after the assessment plus
        # ≈ 3 that apply directly, which this model lets take the same route); the rest ask no
        # money. 0.78 rather than 25/35: the cases that start late in a simulated year reach the
        # check after it ends (seeds 1–16: 23.5 checks, 10.1 applications; 0.71 gave 22.8, 9.1).
        if rng.random() < 0.78:
            local = data["scale"] in ("buurt", "wijk")
            # local and small: the fund check refers these to wijkwensen (≈ 3 of 25)
            data["requested_amount"] = (
                round_to(rng.uniform(1500, 5000), 250)
                if local and rng.random() < 0.45
                else _complex_amount(rng)
            )
        template = rng.choice(COMPLEX_TITLES)
    else:
        template = rng.choice(REROUTED_TITLES[kind])
        data.update(scale="buurt", location_duration_months=0, disciplines_count=1)
        if kind == "wijkwens":
            data.update(requested_amount=round_to(rng.uniform(300, 3000), 50), public_event=True)
            data["expected_visitors"] = rng.choice((40, 80, 120))
        elif kind == "green":
            data.update(scale="straat", green_type=rng.choice(("GEVELTUIN", "ADOPTIEGROEN")))
        elif kind == "council":
            data.update(is_council_proposal=True, scale="stad", disciplines_count=3)
        else:
            data.update(
                is_event_only=True,
                scale="wijk",
                public_event=True,
                expected_visitors=800,
                requested_amount=round_to(rng.uniform(500, 5000), 100),
            )
    data["title"] = template.format(wijk=wijk)
    data["description"] = f"{data['title']}: een initiatief van en voor Dordtenaren."
    return data


def _route(data: Mapping[str, Any], key: str) -> Any:
    return COMPLEX_ROUTES.get(str(data.get("title")), {}).get(key)


def complex_tasks(cal: Calendar, staff: Staff | None = None) -> dict[str, TaskPlan]:
    casists = (staff or Staff(DEFAULT_STAFF)).casists()

    def plan_intake(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "intake_date": cal.today(rng.randint(2, 10)),
            "intake_location": rng.choice(("Stadskantoor", "Online", "Wijkcentrum", "Op locatie")),
        }

    def hold_intake(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        complete = str(data.get("title")) in COMPLEX_ROUTES or rng.random() < 0.7
        return {
            "intake_summary": "Plan besproken; informatiepakket meegegeven.",
            "information_complete": complete,
            **({} if complete else {"missing_information": "Begroting en dekkingsplan"}),
        }

    def supply(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"supplement": rng.choice(("Begroting bijgevoegd.", "Dekkingsplan en offertes."))}

    def check_supplied(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        complete = rng.random() < 0.85
        return {
            "information_complete": complete,
            **({} if complete else {"missing_information": "Offertes ontbreken nog."}),
        }

    def assign_casist(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        person = rng.choice(casists)  # the weekly meeting picks a colleague with the role
        function = "gebiedsmanager" if "gebiedsmanager" in person.roles else "wijkmanager"
        return {
            "casist": person.username,
            "casist_name": person.display_name,
            "casist_email": person.email,
            "casist_phone": person.phone,
            "casist_role": function,
        }

    def kickoff(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"kickoff_date": cal.today(), "plan_summary": "Plan van aanpak in fasen afgestemd."}

    def assess_aspect(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        verdict = weighted(
            rng,
            (
                ("POSITIEF", 0.70),
                ("POSITIEF_MET_VOORWAARDEN", 0.20),
                ("NEGATIEF", 0.07),
                ("MEER_INFO_NODIG", 0.03),
            ),
        )
        conditions = {
            "POSITIEF_MET_VOORWAARDEN": "Onder voorwaarden (vergunning, beheerafspraken).",
            "NEGATIEF": "Past niet binnen de regels van dit aspect.",
            "MEER_INFO_NODIG": "Graag een situatietekening en een begroting per post.",
        }.get(verdict)
        return {"verdict": verdict, **({"conditions": conditions} if conditions else {})}

    def integral_advice(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        outcome = _route(data, "integral") or weighted(
            rng,
            (("HAALBAAR", 0.72), ("HAALBAAR_MET_AANPASSINGEN", 0.15), ("NIET_HAALBAAR", 0.13)),
        )
        return {"integral_outcome": outcome, "advice_summary": "Zie de bundeling van aspecten."}

    def answer_questions(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"assessment_answers": "Situatietekening en begroting per post bijgevoegd."}

    def adjust_plan(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"adjusted_plan_summary": "Plan aangepast aan de voorwaarden uit het advies."}

    def reject(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        reason = _route(data, "rejection") or weighted(
            rng,
            (
                ("ONVOLDOENDE_FINANCIELE_BASIS", 0.30),
                ("ONVOLDOENDE_ORGANISATIE", 0.20),
                ("GEEN_DRAAGVLAK", 0.15),
                ("JURIDISCH_NIET_MOGELIJK", 0.10),
                ("LOCATIE_NIET_BESCHIKBAAR", 0.15),
                ("BELEID_PAST_NIET", 0.05),
                ("OVERIG", 0.05),
            ),
        )
        return {"rejection_reason": reason, "rejection_motivation": "Zie het integrale advies."}

    def fund_check(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "activity_started": False,
            "financial_plan_feasible": True,
            "organisation_stable": True,
            "support_shown": True,
            "policy_fit": True,
            "political_support": True,
            "other_scheme_available": "GEEN",
        }
        scripted = _route(data, "fund")
        if scripted is not None:
            answer["other_scheme_available"] = scripted
            return answer
        # of the fund applications: ≈ 28% another scheme (plus the automatic wijkwens
        # referrals), ≈ 12% masterclass, ≈ 4% criteria; the rest is honoured (or the ceiling)
        u = rng.random()
        if u < 0.28:
            answer["other_scheme_available"] = weighted(
                rng,
                (
                    ("CULTUUR_EVENEMENTEN", 4),
                    ("WMO_EENZAAMHEID", 1),
                    ("SPORT", 0.5),
                    ("EXTERN_FONDS", 1.5),
                    ("CRISISFONDS", 0.5),
                ),
            )
        elif u < 0.40:
            answer[rng.choice(("financial_plan_feasible", "organisation_stable"))] = False
        elif u < 0.43:
            answer[rng.choice(("support_shown", "policy_fit", "political_support"))] = False
        elif u < 0.44:
            answer["activity_started"] = True
        return answer

    def application(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "applied_amount": float(data.get("requested_amount") or 0),
            "iban": iban(rng),
            "iban_name": str(data.get("initiator_name") or "Initiatiefnemer"),
        }

    def decision(data: Mapping[str, Any]) -> tuple[str, float]:
        scripted = _route(data, "decision")
        if scripted is not None:
            return str(scripted[0]), float(scripted[1])
        own = case_rng(data, "decision")
        # only an application with an amount reaches the decision (the gateway asks > 0)
        requested = float(data.get("requested_amount") or 0) or 1500.0
        kind = weighted(
            own, (("VERLENEN", 0.6), ("GEDEELTELIJK_VERLENEN", 0.35), ("WEIGEREN", 0.05))
        )
        if kind == "WEIGEREN":
            return kind, 0.0
        if kind == "VERLENEN":
            return kind, requested
        partial = min(round_to(requested * own.uniform(0.6, 0.9), 500), 20000)
        return kind, float(max(min(partial, requested), 1500))

    def prepare_decision(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"decision_advice": decision(data)[0], "advice_motivation": "Conform de criteria."}

    def assess_change(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        agreed = rng.random() < 0.8
        return {
            "change_decision": "AKKOORD" if agreed else "NIET_AKKOORD",
            "change_motivation": "Dat past binnen de afspraken."
            if agreed
            else "Dan valt de activiteit buiten de subsidieperiode.",
        }

    def decide(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        kind, amount = decision(data)
        held = (data.get("application") or {}).get("amount")
        if kind != "WEIGEREN" and isinstance(held, int | float) and amount > held:
            # the form allows no more than the fund reserved: a partial grant of that
            kind, amount = "GEDEELTELIJK_VERLENEN", float(held)
        return {"decision": kind, "granted_amount": amount}

    def payment(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "iban_checked": True,
            "payment_reference": f"VS-{cal.date().year}-{rng.randint(1, 9999):04d}",
        }

    def agreements(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "agreements_summary": rng.choice(
                (
                    "Gebruiksovereenkomst en afspraken over beheer en onderhoud.",
                    "Afspraken over planning, communicatie en verantwoording.",
                    "Samenwerkingsafspraken met de casist en de partners.",
                )
            )
        }

    def checkin(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        on_track = rng.random() < 0.85
        notes = "Loopt volgens plan." if on_track else "Vertraging; bijsturing afgesproken."
        return {"progress_notes": notes, "on_track": on_track}

    def realised(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        report: dict[str, Any] = {
            "activity_end_date": cal.today(),
            "realisation_report": "Activiteit uitgevoerd.",
        }
        granted = float(data.get("granted_amount") or 0)
        if granted and rng.random() < 0.8:  # most say what they spent; some spent less
            report["spent_amount"] = round(granted * min(1.0, rng.uniform(0.8, 1.1)), 2)
        return report

    def accountability(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        costs = float(data.get("requested_amount") or 0) * rng.uniform(0.9, 1.02)
        return {
            "accountability_report": "Verslag met financiële verantwoording.",
            "actual_costs": round(costs, 2),
        }

    def assess_accountability(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        # at most the grant; a rejected verantwoording is settled on what was shown
        approved = rng.random() < 0.95
        settled = round(float(data.get("granted_amount") or 0) * (1 if approved else 0.9), 2)
        notes = (
            {}
            if approved
            else {"assessment_notes": "Bonnen ontbreken; vastgesteld op wat is aangetoond."}
        )
        return {"accountability_approved": approved, "settled_amount": settled, **notes}

    def evaluate(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "evaluation_summary": rng.choice(("Goed verlopen.", "Geslaagd; veel bereik.")),
            "lessons_learned": "Vroeg beginnen met draagvlak en vergunningen.",
        }

    return {
        # DOMAIN §4.1 table: first contact 4/9 wd, intake held 12/25 wd (from receipt),
        # casist linked 4/10 wd, aspect assessment 7/18 wd, integral advice 30/60 days after the
        # intake, subsidy decision 35/60 days after the complete application (≈ 10% postponed,
        # ≈ 2% over the term).
        "plan_intake": plan(plan_intake, 4, 9, working=True),
        "hold_intake": plan(hold_intake, 8, 16, working=True),
        "supply_missing_information": plan(supply, 10, 30),  # ≈ 11% pass the P28D deadline
        "check_supplied_information": plan(check_supplied, 2, 5, working=True),
        "assign_casist": plan(assign_casist, 4, 10, working=True),
        "kickoff": plan(kickoff, 5, 10, working=True),
        "assess_aspect": plan(assess_aspect, 7, 18, working=True),
        "answer_assessment_questions": plan(answer_questions, 5, 30),  # ≈ 7% pass P28D
        "integral_advice": plan(integral_advice, 12, 35),
        "adjust_plan": plan(adjust_plan, 21, 45),  # ≈ 12% pass the P42D deadline
        "reject_with_reasons": plan(reject, 3, 7, working=True),
        "prepare_fund_check": plan(fund_check, 3, 8, working=True),
        "submit_subsidy_application": plan(application, 10, 25),  # ≈ 7% pass P28D
        "prepare_decision": plan(prepare_decision, 7, 14),
        "decide_subsidy": plan(decide, 26, 42),  # P42D: ≈ 10% postponed, P56D: ≈ 2%
        "prepare_payment": plan(payment, 10, 30),
        "record_agreements": plan(agreements, 14, 28),
        "progress_checkin": plan(checkin, 2, 5, working=True),
        "report_realisation_complete": plan(realised, 60, 160),
        "assess_change_request": plan(assess_change, 4, 10, working=True),
        "submit_accountability": plan(accountability, 40, 90),
        "assess_accountability": plan(assess_accountability, 20, 50),
        "evaluate_initiative": plan(evaluate, 10, 28),
    }
