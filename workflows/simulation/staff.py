"""Who does the simulated work: colleagues with a name, roles and teams, as accounts have them.

The simulation hands each task to someone who may do it (`roles.may_act`: the lane, and the
aspect team for an assessment), as the real worklist would: the casist's tasks of a case to
its casist, an assessment to a member of its team. On a database with accounts (the demo
creates them first) the work goes to those accounts, so every name on every page is a person
one can log in as; without accounts it goes to `DEFAULT_STAFF`, a municipality of its own.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workflows.roles import LANE_ROLES, TEAM_LEAD, may_act

#: every aspect team of dmn_aspect_selection.dmn whose assessments go to vakspecialisten (the
#: CASIST aspects go to the case's casist)
ASPECT_TEAMS = (
    "BELEID",
    "COMMUNICATIE",
    "EVENEMENTENBUREAU_OOV",
    "FONDSBEHEER",
    "GRONDZAKEN_VASTGOED",
    "JURIDISCHE_ZAKEN",
    "MAATSCHAPPELIJKE_ONTWIKKELING",
    "MILIEU_OZHZ",
    "STADSBEHEER",
    "STADSONTWIKKELING_PLANJURIST",
)


@dataclass(frozen=True)
class Colleague:
    """A member of staff as the simulation sees them (a `workflows.accounts.User` has these too)."""

    username: str
    display_name: str
    roles: frozenset[str]
    teams: frozenset[str] = frozenset()
    email: str | None = None
    phone: str | None = None


def colleague(
    username: str, name: str, roles: Iterable[str], teams: Iterable[str] = (), phone: str = ""
) -> Colleague:
    email = f"{name.lower().replace(' ', '.')}@dordrecht.example"
    return Colleague(username, name, frozenset(roles), frozenset(teams), email, phone or None)


#: the simulated municipality when the database has no accounts of its own
DEFAULT_STAFF: tuple[Colleague, ...] = (
    colleague("anouk", "Anouk Jansen", ["initiatieventeam"]),
    colleague("bas", "Bas de Groot", ["initiatieventeam"]),
    colleague("mila", "Mila Verbeek", ["wijkwenssecretariaat"]),
    colleague("hamza", "Hamza Aydin", ["wijkwenssecretariaat"]),
    colleague("kees", "Kees Molenaar", ["kcc"]),
    colleague("esra", "Esra Yilmaz", ["kcc"]),
    colleague("daan", "Daan Visser", ["casist"], phone="078 770 4101"),
    colleague("fatima", "Fatima el Amrani", ["casist", "gebiedsmanager"], phone="078 770 4102"),
    colleague("joost", "Joost Bakker", ["casist"], phone="078 770 4103"),
    colleague("kim", "Kim de Wit", ["vakspecialist"], ASPECT_TEAMS[:6]),
    colleague("lars", "Lars Mulder", ["vakspecialist"], ASPECT_TEAMS[5:]),
    colleague("noor", "Noor Hendriks", ["vakspecialist"], ASPECT_TEAMS[::2]),
    colleague("olaf", "Olaf Smit", ["fondsbeheer"]),
    colleague("sanne", "Sanne Bos", ["budgethouder"]),
    colleague("thijs", "Thijs van Dijk", ["regiegroep"]),
    colleague("wouter", "Wouter Meijer", ["gebiedsmanager"]),
    colleague("lotte", "Lotte de Boer", ["gebiedsmanager"]),
    colleague("ruud", "Ruud Vermeulen", ["gebiedsbeheer"]),
    colleague("yara", "Yara Kok", ["teamleider", "casist", "initiatieventeam", "vakspecialist"]),
)


class Staff:
    """The colleagues of one simulation, and who of them may take a task."""

    def __init__(self, colleagues: Sequence[Colleague]) -> None:
        self.colleagues = tuple(c for c in colleagues if c.roles & (LANE_ROLES | {TEAM_LEAD}))
        self.by_username = {c.username: c for c in self.colleagues}

    def candidates(self, lane: str | None, group: str | None) -> list[Colleague]:
        """Who may take a task of this lane and group: its team's members first, a team lead
        only when no member is there (as a lead steps in on a real team)."""
        able = [c for c in self.colleagues if may_act(c.roles, c.teams, lane, group)]
        members = [c for c in able if TEAM_LEAD not in c.roles]
        return members or able

    def pick(self, rng: random.Random, lane: str | None, group: str | None) -> Colleague | None:
        found = self.candidates(lane, group)
        return rng.choice(found) if found else None

    def casists(self) -> list[Colleague]:
        return [c for c in self.colleagues if "casist" in c.roles and TEAM_LEAD not in c.roles]
