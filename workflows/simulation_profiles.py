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

import hashlib
import math
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from engine import Clock
from workflows.places import ALL_WIJKEN
from workflows.simulation import Answer, Duration, MessagePlan, ProcessProfile, TaskPlan

COMPLEX = "complex_initiative_process"
WIJKWENS = "wijkwens_process"
GREEN = "simple_green_initiative_process"


# Yearly volumes (DOMAIN §4.1).
COMPLEX_PER_YEAR = 60.0
WIJKWENS_PER_YEAR = 118.0
GREEN_PER_YEAR = 255.0  # ≈ 200 geveltuinen + ≈ 50 adoptions + a few "anders" (rerouted)

# Monthly weights January..December (DOMAIN §4.1 "Seasonality").
COMPLEX_SEASON = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.6, 1.0, 1.0, 1.0, 1.0)
WIJKWENS_SEASON = (0.6, 0.7, 1.2, 1.3, 1.3, 1.2, 0.8, 1.1, 1.3, 1.2, 0.7, 0.6)
GREEN_SEASON = (0.6, 1.4, 1.6, 1.5, 1.0, 0.7, 0.5, 0.6, 1.3, 1.3, 0.7, 0.4)

WITHDRAWAL = "initiative_withdrawn"

# ----------------------------------------------------------------- the examples of §4.2

# (title, wijk, green_type) — simple green, §4.2 #1–5
GREEN_EXAMPLES: tuple[tuple[str, str, str], ...] = (
    ("Geveltuintjes in onze straat", "Binnenstad", "geveltuin"),
    ("Adoptie plantvak bij het speelpleintje", "Noordflank", "adoptiegroen"),
    ("Boomspiegels vergroenen in de straat", "Oud Krispijn", "adoptiegroen"),
    ("Afvalbak adopteren en maandelijks zwerfvuilrondje", "Wielwijk", "adoptie_afvalbak"),
    ("Geveltuin bij smalle stoep", "Staart", "geveltuin"),
)
# (title, wijk, requested amount, public-space wish) — wijkwens, §4.2 #6–13
WIJKWENS_EXAMPLES: tuple[tuple[str, str, int, bool], ...] = (
    ("Buurtbarbecue op Burendag", "Sterrenburg", 650, False),
    ("Sinterklaasfeest voor de kinderen uit de buurt", "Crabbehof", 900, False),
    ("Kerstmarkt op het pleintje", "Reeland", 1400, False),
    ("Samen op stap tegen eenzaamheid (dagje Keukenhof)", "Nieuw Krispijn", 1800, False),
    ("Jeu-de-boulesbaan bij de seniorenflat", "Dubbeldam", 3500, True),
    ("Muurschildering met buurtbewoners", "Staart", 2750, False),
    ("Kinderkookclub in het wijkcentrum", "Wielwijk", 1200, False),
    ("Bankje en picknicktafel bij de vijver", "Zuidhoven", 2200, True),
)
# Complex, §4.2 #14–20 and the two additional demo ideas: overrides of the generated start data.
COMPLEX_EXAMPLES: tuple[dict[str, Any], ...] = (
    {
        "title": "Buurtmoestuin en ontmoetingsplek op braakliggend schoolterrein",
        "wijk": "Crabbehof",
        "scale": "wijk",
        "requested_amount": 18500,
        "location_type": "gemeentegrond",
        "location_duration_months": 60,
        "physical_change": True,
        "food_growing": True,
        "target_group_vulnerable": True,
        "disciplines_count": 5,
    },
    {
        "title": "Voedselbos aan de stadsrand",
        "wijk": "Dubbeldam",
        "scale": "stad",
        "requested_amount": 25000,
        "location_type": "gemeentegrond",
        "location_duration_months": 120,
        "physical_change": True,
        "food_growing": True,
        "disciplines_count": 4,
    },
    {
        "title": "Stadswaardehuis: podium en huiskamer voor de stad",
        "wijk": "Binnenstad",
        "scale": "stad",
        "requested_amount": 20000,
        "location_type": "gemeentelijk_vastgoed",
        "location_duration_months": 24,
        "public_event": True,
        "expected_visitors": 400,
        "disciplines_count": 3,
    },
    {
        "title": "Repair Café-netwerk in drie wijken",
        "wijk": "Reeland",
        "wijken": ["Reeland", "Krispijn", "Wielwijk"],
        "scale": "meerdere_wijken",
        "requested_amount": 6500,
        "location_type": "particulier",
        "location_duration_months": 12,
        "disciplines_count": 2,
    },
    {
        "title": "Jongeren pitchen voor hun wijk (sociaal ondernemen)",
        "wijk": "stadsbreed",
        "scale": "stad",
        "requested_amount": 12000,
        "location_type": "geen",
        "location_duration_months": 0,
        "public_event": True,
        "expected_visitors": 120,
        "commercial_activity": True,
        "target_group_vulnerable": True,
        "disciplines_count": 3,
        "partners": ["Stichting MBO Dordrecht"],
    },
    {
        "title": "Zwemles en beweegclub voor moeders",
        "wijk": "Nieuw Krispijn",
        "scale": "wijk",
        "requested_amount": 9500,
        "location_type": "particulier",
        "location_duration_months": 12,
        "target_group_vulnerable": True,
        "disciplines_count": 2,
    },
    {
        "title": "Deelbakfietsen voor buurtkracht",
        "wijk": "Stadspolders",
        "wijken": ["Stadspolders", "Sterrenburg"],
        "scale": "meerdere_wijken",
        "requested_amount": 14000,
        "location_type": "openbare_ruimte",
        "location_duration_months": 36,
        "commercial_activity": True,
        "disciplines_count": 3,
    },
    {
        "title": "Pop-up buurtbioscoop",
        "wijk": "Noordflank",
        "scale": "buurt",
        "requested_amount": 4000,
        "location_type": "openbare_ruimte",
        "location_duration_months": 3,
        "public_event": True,
        "expected_visitors": 200,
        "disciplines_count": 2,
    },
    {
        "title": "Buurtbieb-kastjes stadsbreed",
        "wijk": "stadsbreed",
        "scale": "stad",
        "requested_amount": 3000,
        "location_type": "openbare_ruimte",
        "location_duration_months": 36,
        "physical_change": True,
        "disciplines_count": 2,
    },
)
EXAMPLE_TITLES: tuple[str, ...] = (
    *(t for t, _, _ in GREEN_EXAMPLES),
    *(t for t, _, _, _ in WIJKWENS_EXAMPLES),
    *(str(e["title"]) for e in COMPLEX_EXAMPLES),
)

# The §4.2 routes the answers follow for the examples (by title).
_NARROW_WALKWAY = {"Geveltuin bij smalle stoep"}
_NEGATIVE_ADVICE = {"Bankje en picknicktafel bij de vijver"}
_FIRST_INCOMPLETE = {"Kerstmarkt op het pleintje", "Muurschildering met buurtbewoners"}
_LOWER_AMOUNT = {"Jeu-de-boulesbaan bij de seniorenflat"}
_COMPLEX_ROUTES: Mapping[str, Mapping[str, Any]] = {
    "Buurtmoestuin en ontmoetingsplek op braakliggend schoolterrein": {
        "integral": "HAALBAAR",
        "fund": "GEEN",
        "decision": ("GEDEELTELIJK_VERLENEN", 15000),
    },
    "Voedselbos aan de stadsrand": {
        "integral": "HAALBAAR",
        "fund": "GEEN",
        "decision": ("GEDEELTELIJK_VERLENEN", 20000),
    },
    "Stadswaardehuis: podium en huiskamer voor de stad": {
        "integral": "HAALBAAR",
        "fund": "CULTUUR_EVENEMENTEN",
    },
    "Repair Café-netwerk in drie wijken": {
        "integral": "HAALBAAR",
        "fund": "GEEN",
        "decision": ("VERLENEN", 6500),
    },
    "Jongeren pitchen voor hun wijk (sociaal ondernemen)": {
        "integral": "HAALBAAR",
        "fund": "GEEN",
        "decision": ("GEDEELTELIJK_VERLENEN", 10000),
    },
    "Zwemles en beweegclub voor moeders": {"integral": "HAALBAAR", "fund": "SPORT"},
    "Deelbakfietsen voor buurtkracht": {
        "integral": "NIET_HAALBAAR",
        "rejection": "ONVOLDOENDE_FINANCIELE_BASIS",
    },
}

# ----------------------------------------------------------------- generated titles

_WIJKWENS_TITLES = (
    "Buurtfeest in {wijk}",
    "Straatspeeldag in {wijk}",
    "Burendag-ontbijt in {wijk}",
    "Kerstborrel voor de buurt in {wijk}",
    "Sinterklaasintocht in {wijk}",
    "Halloweenspeurtocht voor kinderen in {wijk}",
    "Koffieochtend voor ouderen in {wijk}",
    "Zomerfestival op het pleintje in {wijk}",
    "Opschoondag met de buurt in {wijk}",
    "Voetbaltoernooi voor de jeugd in {wijk}",
    "Buurtkoor {wijk}",
    "Dagje uit met eenzame buurtgenoten uit {wijk}",
)
_PUBLIC_SPACE_TITLES = (
    "Bankje bij de speeltuin in {wijk}",
    "Plantenbakken op het plein in {wijk}",
    "Jeu-de-boulesbaan in {wijk}",
    "Extra speeltoestel in {wijk}",
    "Buurtmoestuinbakken in {wijk}",
)
_COMPLEX_TITLES = (
    "Buurtkamer en ontmoetingsplek in {wijk}",
    "Voedseltuin en kookworkshops in {wijk}",
    "Stadslandbouw op braakliggende grond in {wijk}",
    "Huiskamer voor jongeren in {wijk}",
    "Wijkfestival met podium voor lokaal talent in {wijk}",
    "Klussenbus voor ouderen in {wijk}",
    "Energiecoöperatie en zonnepanelen op het buurthuis in {wijk}",
    "Taalcafé en huiswerkbegeleiding in {wijk}",
    "Speeltuinvereniging vernieuwt speelplek in {wijk}",
    "Kunstroute langs de Dordtse wijken",
    "Stadsbrede sport- en beweegweek",
    "Deeltuinen-netwerk in meerdere wijken",
)
_REROUTED_TITLES = {
    "wijkwens": ("Buurtbarbecue in {wijk}", "Kinderdisco in {wijk}", "Lampionnenoptocht {wijk}"),
    "green": ("Geveltuintjes in {wijk}", "Boomspiegels adopteren in {wijk}"),
    "council": ("Burgerinitiatief: autoluwe binnenstad",),
    "event": ("Muziekfestival op het plein in {wijk}",),
}
_STREETS = (
    "Voorstraat",
    "Johan de Wittstraat",
    "Karel Doormanweg",
    "Brouwersdijk",
    "Dubbeldamseweg",
    "Reeweg",
    "Bankastraat",
    "Patersweg",
    "Krommedijk",
    "Laan van Londen",
)
_NAMES = (
    "Fatima el Amrani",
    "Kees de Vries",
    "Anja Bakker",
    "Mohamed Yilmaz",
    "Els van der Linden",
    "Jeroen Visser",
    "Sanne Smit",
    "Ahmed Bouzid",
    "Marieke Jansen",
    "Pieter van Dam",
    "Noor Hendriks",
    "Wim de Graaf",
)
_CASISTS = (
    ("Fatima el Amrani", "gebiedsmanager"),
    ("Ruud Verhoeven", "wijkmanager"),
    ("Linda Mulder", "wijkmanager"),
    ("Hans Kok", "specialist"),
    ("Yvonne de Jong", "gebiedsmanager"),
    ("Bas Willems", "wijkmanager"),
)


# ----------------------------------------------------------------- helpers


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    """One of the options, with the given weights."""
    total = sum(w for _, w in options)
    u = rng.random() * total
    for value, weight in options:
        u -= weight
        if u < 0:
            return value
    return options[-1][0]


def _round_to(amount: float, step: int) -> int:
    return int(round(amount / step) * step)


def _case_rng(data: Mapping[str, Any], salt: str) -> random.Random:
    """A random stream fixed per case: for steps that must agree with each other."""
    ident = f"{data.get('initiator_email')}|{data.get('title')}|{salt}"
    digest = hashlib.sha256(ident.encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 - simulation


def _iban(rng: random.Random) -> str:
    bank = rng.choice(("ABNA", "INGB", "RABO", "TRIO", "SNSB"))
    return f"NL{rng.randint(10, 99)}{bank}{rng.randint(0, 9_999_999_999):010d}"


class _Calendar:
    """Today's date in the simulation (the clock's), for date fields in start data and forms."""

    def __init__(self, clock: Clock | None) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now() if self.clock is not None else datetime.now(UTC)

    def today(self, plus_days: int = 0) -> str:
        return (self.now().date() + timedelta(days=plus_days)).isoformat()

    def date(self) -> date:
        return self.now().date()


def _plan(answer: Answer, median: float, p90: float, working: bool = False) -> TaskPlan:
    return TaskPlan(answer, Duration(median, p90, working=working))


# ----------------------------------------------------------------- complex initiative


def _complex_amount(rng: random.Random) -> int:
    """A requested fund contribution: lognormal around € 6.500, € 1.500–25.000, per € 500."""
    amount = rng.lognormvariate(math.log(6500), 0.55)
    return _round_to(min(max(amount, 1500), 25000), 500)


def _complex_start(rng: random.Random, n: int) -> dict[str, Any]:
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
        "initiator_name": rng.choice(_NAMES),
        "initiator_email": f"initiatiefnemer{n}@example.nl",
        "channel": "webformulier",
    }
    if n <= len(COMPLEX_EXAMPLES):
        data.update(COMPLEX_EXAMPLES[n - 1])
        data["description"] = f"{data['title']} — voorbeeldinitiatief (DOMAIN §4.2)."
        return data
    # ≈ 12 of 60 do not belong here (DOMAIN §4.1): 8 wijkwens, 2 green, 2 other.
    kind = _weighted(
        rng, (("complex", 48), ("wijkwens", 8), ("green", 2), ("council", 1), ("event", 1))
    )
    if kind == "complex":
        data.update(
            scale=_weighted(
                rng, (("buurt", 0.08), ("wijk", 0.27), ("meerdere_wijken", 0.35), ("stad", 0.30))
            ),
            location_type=_weighted(
                rng,
                (
                    ("openbare_ruimte", 0.3),
                    ("gemeentegrond", 0.2),
                    ("gemeentelijk_vastgoed", 0.2),
                    ("particulier", 0.15),
                    ("geen", 0.15),
                ),
            ),
            location_duration_months=rng.choice((3, 6, 12, 24, 36, 60)),
            physical_change=rng.random() < 0.4,
            public_event=rng.random() < 0.4,
            food_growing=rng.random() < 0.15,
            target_group_vulnerable=rng.random() < 0.3,
            commercial_activity=rng.random() < 0.1,
            disciplines_count=rng.randint(2, 5),
        )
        if data["public_event"]:
            data["expected_visitors"] = rng.choice((50, 100, 150, 300, 500))
        # ≈ 13 of 35 feasible ones ask no money (facilitation only).
        if rng.random() < 0.64:
            local = data["scale"] in ("buurt", "wijk")
            # local and small: the fund check refers these to wijkwensen (≈ 3 of 25)
            data["requested_amount"] = (
                _round_to(rng.uniform(1500, 5000), 250)
                if local and rng.random() < 0.45
                else _complex_amount(rng)
            )
        template = rng.choice(_COMPLEX_TITLES)
    else:
        template = rng.choice(_REROUTED_TITLES[kind])
        data.update(scale="buurt", location_duration_months=0, disciplines_count=1)
        if kind == "wijkwens":
            data.update(requested_amount=_round_to(rng.uniform(300, 3000), 50), public_event=True)
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
                requested_amount=_round_to(rng.uniform(500, 5000), 100),
            )
    data["title"] = template.format(wijk=wijk)
    data["description"] = f"{data['title']}: een initiatief van en voor Dordtenaren."
    return data


def _route(data: Mapping[str, Any], key: str) -> Any:
    return _COMPLEX_ROUTES.get(str(data.get("title")), {}).get(key)


def _complex_tasks(cal: _Calendar) -> dict[str, TaskPlan]:
    def plan_intake(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "intake_date": cal.today(rng.randint(2, 10)),
            "intake_location": rng.choice(("Stadskantoor", "Online", "Wijkcentrum", "Op locatie")),
        }

    def hold_intake(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        complete = str(data.get("title")) in _COMPLEX_ROUTES or rng.random() < 0.7
        return {
            "intake_summary": "Plan besproken; informatiepakket meegegeven.",
            "information_complete": complete,
            "missing_information": "" if complete else "Begroting en dekkingsplan",
        }

    def supply(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"supplement": rng.choice(("Begroting bijgevoegd.", "Dekkingsplan en offertes."))}

    def check_supplied(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        complete = rng.random() < 0.85
        return {
            "information_complete": complete,
            "missing_information": "" if complete else "Offertes ontbreken nog.",
        }

    def assign_casist(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        name, role = rng.choice(_CASISTS)
        email = name.lower().replace(" ", ".") + "@dordrecht.nl"
        return {"casist_name": name, "casist_email": email, "casist_role": role}

    def kickoff(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"kickoff_date": cal.today(), "plan_summary": "Plan van aanpak in fasen afgestemd."}

    def assess_aspect(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        verdict = _weighted(
            rng,
            (
                ("POSITIEF", 0.70),
                ("POSITIEF_MET_VOORWAARDEN", 0.20),
                ("NEGATIEF", 0.07),
                ("MEER_INFO_NODIG", 0.03),
            ),
        )
        conditions = (
            "Onder voorwaarden (vergunning, beheerafspraken)." if "VOORWAARDEN" in verdict else ""
        )
        return {"verdict": verdict, "conditions": conditions}

    def integral_advice(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        outcome = _route(data, "integral") or _weighted(
            rng,
            (("HAALBAAR", 0.72), ("HAALBAAR_MET_AANPASSINGEN", 0.15), ("NIET_HAALBAAR", 0.13)),
        )
        return {"integral_outcome": outcome, "advice_summary": "Zie de bundeling van aspecten."}

    def adjust_plan(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"adjusted_plan_summary": "Plan aangepast aan de voorwaarden uit het advies."}

    def reject(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        reason = _route(data, "rejection") or _weighted(
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
            answer["other_scheme_available"] = _weighted(
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
            "iban": _iban(rng),
            "iban_name": str(data.get("initiator_name") or "Initiatiefnemer"),
        }

    def decision(data: Mapping[str, Any]) -> tuple[str, float]:
        scripted = _route(data, "decision")
        if scripted is not None:
            return str(scripted[0]), float(scripted[1])
        own = _case_rng(data, "decision")
        requested = float(data.get("requested_amount") or 0)
        kind = _weighted(
            own, (("VERLENEN", 0.6), ("GEDEELTELIJK_VERLENEN", 0.35), ("WEIGEREN", 0.05))
        )
        if kind == "WEIGEREN":
            return kind, 0.0
        if kind == "VERLENEN":
            return kind, requested
        partial = min(_round_to(requested * own.uniform(0.6, 0.9), 500), 20000)
        return kind, float(max(min(partial, requested), 1500))

    def prepare_decision(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"decision_advice": decision(data)[0], "advice_motivation": "Conform de criteria."}

    def decide(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        kind, amount = decision(data)
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
        return {"activity_end_date": cal.today(), "realisation_report": "Activiteit uitgevoerd."}

    def accountability(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        costs = float(data.get("requested_amount") or 0) * rng.uniform(0.9, 1.02)
        return {
            "accountability_report": "Verslag met financiële verantwoording.",
            "actual_costs": round(costs, 2),
        }

    def assess_accountability(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        settled = float(data.get("requested_amount") or 0)
        return {"accountability_approved": rng.random() < 0.95, "settled_amount": settled}

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
        "plan_intake": _plan(plan_intake, 4, 9, working=True),
        "hold_intake": _plan(hold_intake, 8, 16, working=True),
        "supply_missing_information": _plan(supply, 10, 30),  # ≈ 11% pass the P28D deadline
        "check_supplied_information": _plan(check_supplied, 2, 5, working=True),
        "assign_casist": _plan(assign_casist, 4, 10, working=True),
        "kickoff": _plan(kickoff, 5, 10, working=True),
        "assess_aspect": _plan(assess_aspect, 7, 18, working=True),
        "integral_advice": _plan(integral_advice, 12, 35),
        "adjust_plan": _plan(adjust_plan, 21, 45),  # ≈ 12% pass the P42D deadline
        "reject_with_reasons": _plan(reject, 3, 7, working=True),
        "prepare_fund_check": _plan(fund_check, 3, 8, working=True),
        "submit_subsidy_application": _plan(application, 10, 25),  # ≈ 7% pass P28D
        "prepare_decision": _plan(prepare_decision, 7, 14),
        "decide_subsidy": _plan(decide, 26, 42),  # P42D: ≈ 10% postponed, P56D: ≈ 2%
        "prepare_payment": _plan(payment, 10, 30),
        "record_agreements": _plan(agreements, 14, 28),
        "progress_checkin": _plan(checkin, 2, 5, working=True),
        "report_realisation_complete": _plan(realised, 60, 160),
        "submit_accountability": _plan(accountability, 40, 90),
        "assess_accountability": _plan(assess_accountability, 20, 50),
        "evaluate_initiative": _plan(evaluate, 10, 28),
    }


# ----------------------------------------------------------------- wijkwens


def _wijkwens_amount(rng: random.Random) -> int:
    """55% ≤ € 1.000; 35% € 1.000–3.000; 10% € 3.000–5.000 (DOMAIN §4.1)."""
    band = _weighted(rng, (((150, 1000), 0.55), ((1000, 3000), 0.35), ((3000, 5000), 0.10)))
    return min(_round_to(rng.uniform(*band), 25), 5000)


def _wijkwens_start(cal: _Calendar) -> Callable[[random.Random, int], dict[str, Any]]:
    def start(rng: random.Random, n: int) -> dict[str, Any]:
        if n <= len(WIJKWENS_EXAMPLES):
            title, wijk, amount, public = WIJKWENS_EXAMPLES[n - 1]
        else:
            wijk = rng.choice(ALL_WIJKEN)
            # public-space wishes cluster before 1 October; those from 1 October are deferred
            # to next year (≈ 4% of all wishes)
            public = rng.random() < (0.25 if cal.date().month < 10 else 0.18)
            title = rng.choice(_PUBLIC_SPACE_TITLES if public else _WIJKWENS_TITLES).format(
                wijk=wijk
            )
            amount = _wijkwens_amount(rng)
        return {
            "initiator_name": rng.choice(_NAMES),
            "initiator_email": f"initiatiefnemer{n}@example.nl",
            "wijk": wijk,
            "title": title,
            "description": f"{title}: een wens van bewoners voor hun buurt.",
            "requested_amount": amount,
            "submitted_on": cal.today(),
            "is_public_space_wish": public,
        }

    return start


def _wijkwens_tasks(cal: _Calendar) -> dict[str, TaskPlan]:
    def admissibility(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        title = str(data.get("title"))
        supplemented = "additional_info" in data
        if title in EXAMPLE_TITLES:
            verdict = (
                "incomplete" if title in _FIRST_INCOMPLETE and not supplemented else "admissible"
            )
        elif supplemented:
            verdict = _weighted(rng, (("admissible", 0.85), ("rejected", 0.15)))
        else:
            verdict = _weighted(
                rng, (("admissible", 0.83), ("incomplete", 0.12), ("rejected", 0.05))
            )
        answer: dict[str, Any] = {
            "admissibility": verdict,
            "is_public_space_wish": bool(data.get("is_public_space_wish")),
            "has_support": verdict != "rejected",
        }
        if verdict == "rejected":
            answer["admissibility_notes"] = "Voldoet niet aan de regeling wijkwensen."
        elif verdict == "incomplete":
            answer["admissibility_notes"] = "Begroting of medeondertekening ontbreekt."
        return answer

    def provide_info(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"additional_info": "Begroting en medeondertekening aangeleverd."}

    def advice(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        title = str(data.get("title"))
        requested = float(data.get("requested_amount") or 0)
        negative = title in _NEGATIVE_ADVICE or (
            title not in EXAMPLE_TITLES and rng.random() < 0.04
        )
        if negative:
            return {
                "advice": "negative",
                "meeting_date": cal.today(),
                "advice_motivation": "Weinig draagvlak in de buurt.",
            }
        amount = requested
        if title in _LOWER_AMOUNT or (title not in EXAMPLE_TITLES and rng.random() < 0.15):
            amount = _round_to(requested * rng.uniform(0.7, 0.9), 25)
        return {
            "advice": "positive",
            "advised_amount": float(min(amount, 5000)),
            "meeting_date": cal.today(),
            "advice_motivation": "Versterkt de sociale samenhang in de buurt.",
        }

    def decide(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        if data.get("advice") == "negative":
            return {
                "decision": "reject",
                "budget_sufficient": True,
                "motivation": "Conform het negatieve advies van de regiegroep.",
            }
        amount = float(data.get("advised_amount") or data.get("requested_amount") or 0)
        if data.get("co_sign_decision") == "refuse":  # back from the second signature: less
            amount = float(_round_to(amount * 0.8, 25))
        budget = data.get("title") in EXAMPLE_TITLES or rng.random() > 0.01
        return {
            "decision": "grant",
            "granted_amount": min(amount, 5000.0),
            "budget_sufficient": budget,
            "motivation": "Conform advies regiegroep."
            if budget
            else "Budget van het gebied is op.",
        }

    def co_sign(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        again = data.get("co_sign_decision") == "refuse"
        refuse = not again and data.get("title") not in EXAMPLE_TITLES and rng.random() < 0.08
        answer: dict[str, Any] = {
            "co_sign_decision": "refuse" if refuse else "agree",
            "co_signer_role": rng.choice(("gebiedsmanager", "teamleider")),
        }
        if refuse:
            answer["co_sign_remarks"] = "Bedrag te hoog; graag lager toekennen."
        return answer

    def pay(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        amount = float(data.get("granted_amount") or 0)
        return {
            "paid_amount": min(amount, 5000.0),
            "payment_reference": f"BET-{cal.date().year}-{rng.randint(1, 9999):04d}",
            "paid_on": cal.today(),
        }

    return {
        # receipt → decision 42 / 75 days (DOMAIN §4.1), payment 21 / 42 days
        "wijkwens_check_admissibility": _plan(admissibility, 4, 9, working=True),
        "wijkwens_provide_info": _plan(provide_info, 5, 12, working=True),  # ≈ 15% too late
        "wijkwens_regiegroep_advice": _plan(advice, 26, 45),
        "wijkwens_decide": _plan(decide, 4, 9, working=True),
        "wijkwens_co_sign": _plan(co_sign, 2, 5, working=True),
        "wijkwens_pay": _plan(pay, 21, 42),
    }


# ----------------------------------------------------------------- simple green


def _green_start(rng: random.Random, n: int) -> dict[str, Any]:
    if n <= len(GREEN_EXAMPLES):
        title, wijk, green_type = GREEN_EXAMPLES[n - 1]
    else:
        wijk = rng.choice(ALL_WIJKEN)
        green_type = _weighted(
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
        }[green_type].format(street=rng.choice(_STREETS))
    return {
        "title": title,
        "initiator_name": rng.choice(_NAMES),
        "initiator_email": f"initiatiefnemer{n}@example.nl",
        "wijk": wijk,
        "address": f"{rng.choice(_STREETS)} {rng.randint(1, 240)}",
        "green_type": green_type,
        "description": f"{title} in {wijk}.",
    }


def _green_tasks(cal: _Calendar) -> dict[str, TaskPlan]:
    def register(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "green_type": str(data.get("green_type") or "geveltuin"),
            "channel": _weighted(rng, (("fixi", 0.5), ("formulier", 0.35), ("wijklijn", 0.15))),
            "address": str(data.get("address") or "onbekend"),
        }

    def assess(rng: random.Random, data: Mapping[str, Any]) -> dict[str, Any]:
        title = str(data.get("title"))
        if title in _NARROW_WALKWAY:
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
        # geveltuin request → construction 60 / 150 days (DOMAIN §4.1), season-bound
        "green_register": _plan(register, 1, 3, working=True),
        "green_assess_geveltuin": _plan(assess, 6, 14, working=True),
        "green_construct_geveltuin": _plan(construct, 40, 125),
        "green_discuss_adoption": _plan(discuss, 6, 14, working=True),
        "green_accept_agreement": _plan(accept, 7, 24),  # ≈ 7% pass the 4-week deadline
        "green_deliver_materials": _plan(deliver, 14, 30),
    }


# ----------------------------------------------------------------- public API


def profiles(clock: Clock | None = None) -> list[ProcessProfile]:
    """The three processes with DOMAIN §4.1 volumes, seasonality, durations and outcome mix.

    Pass the simulation's clock: start data (`submitted_on`) and date fields in answers use its
    date. Without a clock they use today's date.
    """
    cal = _Calendar(clock)
    withdrawn = {"reason": "De initiatiefnemer ziet af van het initiatief."}
    return [
        ProcessProfile(
            process_id=COMPLEX,
            per_year=COMPLEX_PER_YEAR,
            start_data=_complex_start,
            tasks=_complex_tasks(cal),
            key_prefix="INI",
            seasonality=COMPLEX_SEASON,
            messages=(MessagePlan(WITHDRAWAL, 0.12, Duration(30, 120), withdrawn),),
        ),
        ProcessProfile(
            process_id=WIJKWENS,
            per_year=WIJKWENS_PER_YEAR,
            start_data=_wijkwens_start(cal),
            tasks=_wijkwens_tasks(cal),
            key_prefix="WW",
            seasonality=WIJKWENS_SEASON,
            messages=(MessagePlan(WITHDRAWAL, 0.06, Duration(20, 50), withdrawn),),
        ),
        ProcessProfile(
            process_id=GREEN,
            per_year=GREEN_PER_YEAR,
            start_data=_green_start,
            tasks=_green_tasks(cal),
            key_prefix="GR",
            seasonality=GREEN_SEASON,
            messages=(MessagePlan(WITHDRAWAL, 0.03, Duration(5, 12), withdrawn),),
        ),
    ]
