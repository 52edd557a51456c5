"""What the three process profiles share: process ids, volumes and seasons (shared/DOMAIN.md
§4.1), the example initiatives of §4.2, generated titles and names, and small helpers."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from engine import Clock
from workflows.simulation.core import Answer, Duration, TaskPlan

# the process ids, defined once (the lead-time figures key on them too)
from workflows.simulation.leadtimes import COMPLEX as COMPLEX
from workflows.simulation.leadtimes import GREEN as GREEN
from workflows.simulation.leadtimes import WIJKWENS as WIJKWENS

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
NARROW_WALKWAY = {"Geveltuin bij smalle stoep"}
NEGATIVE_ADVICE = {"Bankje en picknicktafel bij de vijver"}
FIRST_INCOMPLETE = {"Kerstmarkt op het pleintje", "Muurschildering met buurtbewoners"}
LOWER_AMOUNT = {"Jeu-de-boulesbaan bij de seniorenflat"}
#: held by the regiegroep to its next meeting once (the artist's sketch is not there yet)
HELD_FIRST = {"Muurschildering met buurtbewoners"}
COMPLEX_ROUTES: Mapping[str, Mapping[str, Any]] = {
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

WIJKWENS_TITLES = (
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
PUBLIC_SPACE_TITLES = (
    "Bankje bij de speeltuin in {wijk}",
    "Plantenbakken op het plein in {wijk}",
    "Jeu-de-boulesbaan in {wijk}",
    "Extra speeltoestel in {wijk}",
    "Buurtmoestuinbakken in {wijk}",
)
COMPLEX_TITLES = (
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
REROUTED_TITLES = {
    "wijkwens": ("Buurtbarbecue in {wijk}", "Kinderdisco in {wijk}", "Lampionnenoptocht {wijk}"),
    "green": ("Geveltuintjes in {wijk}", "Boomspiegels adopteren in {wijk}"),
    "council": ("Burgerinitiatief: autoluwe binnenstad",),
    "event": ("Muziekfestival op het plein in {wijk}",),
}
STREETS = (
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
NAMES = (
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


# ----------------------------------------------------------------- helpers


def weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    """One of the options, with the given weights."""
    total = sum(w for _, w in options)
    u = rng.random() * total
    for value, weight in options:
        u -= weight
        if u < 0:
            return value
    return options[-1][0]


def round_to(amount: float, step: int) -> int:
    return int(round(amount / step) * step)


def case_rng(data: Mapping[str, Any], salt: str) -> random.Random:
    """A random stream fixed per case: for steps that must agree with each other."""
    ident = f"{data.get('initiator_email')}|{data.get('title')}|{salt}"
    digest = hashlib.sha256(ident.encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 - simulation


def iban(rng: random.Random) -> str:
    bank = rng.choice(("ABNA", "INGB", "RABO", "TRIO", "SNSB"))
    return f"NL{rng.randint(10, 99)}{bank}{rng.randint(0, 9_999_999_999):010d}"


class Calendar:
    """Today's date in the simulation (the clock's), for date fields in start data and forms."""

    def __init__(self, clock: Clock | None) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now() if self.clock is not None else datetime.now(UTC)

    def today(self, plus_days: int = 0) -> str:
        return (self.now().date() + timedelta(days=plus_days)).isoformat()

    def date(self) -> date:
        return self.now().date()


def plan(answer: Answer, median: float, p90: float, working: bool = False) -> TaskPlan:
    return TaskPlan(answer, Duration(median, p90, working=working))
