"""The roles people have in Wegwijs; BPMN lanes name them (DESIGN.md "Users")."""

from __future__ import annotations

ROLES: dict[str, str] = {
    "initiatiefnemer": "Initiatiefnemer (inwoner, zonder account)",
    "initiatieventeam": "Initiatieventeam",
    "wijkwenssecretariaat": "Secretariaat wijkwensen (Gebiedsgericht werken)",
    "kcc": "KCC / Wijklijn",
    "casist": "Casist",
    "vakspecialist": "Vakspecialist",
    "fondsbeheer": "Fondsbeheer",
    "budgethouder": "Budgethouder",
    "regiegroep": "Regiegroep",
    "gebiedsmanager": "Gebiedsmanager",
    "gebiedsbeheer": "Gebiedsbeheer",
    "procesbeheerder": "Procesbeheerder",
    "manager": "Manager",
    "beheerder": "Beheerder",
    "teamleider": "Teamleider (verdeelt taken)",
}

#: holds the lanes they lead: hands out their tasks, whatever team a task is for
TEAM_LEAD = "teamleider"

#: lanes whose tasks are for a team within the lane (DESIGN.md: "vakspecialist (per aspect team)")
TEAM_LANES = frozenset({"vakspecialist"})

#: Roles that appear as lanes in diagrams (the others act outside the processes).
LANE_ROLES = frozenset(ROLES) - {"procesbeheerder", "manager", "beheerder", "teamleider"}

#: the lane of what a process asks of the initiator (answered on the status page)
INITIATOR_LANE = "initiatiefnemer"

#: lanes whose tasks staff may also complete on someone's behalf: the initiator has no account
#: (yet), so what they send by mail or say on the phone is entered by their casist or the team
ON_BEHALF_OF: dict[str, frozenset[str]] = {
    INITIATOR_LANE: frozenset({"casist", "initiatieventeam", "wijkwenssecretariaat", "kcc"}),
}


def acting_lanes(roles: frozenset[str]) -> frozenset[str]:
    """The lanes whose tasks someone with these roles may do: their own, plus on-behalf lanes."""
    return roles | {lane for lane, proxies in ON_BEHALF_OF.items() if roles & proxies}


def may_act(
    roles: frozenset[str],
    teams: frozenset[str],
    lane: str | None,
    group: str | None,
    assigned: bool = False,
) -> bool:
    """Whether someone with these roles and teams may take a task of this lane and group.

    A task with a candidate group (e.g. an aspect's team) is for that team's members in the
    lane, for a team lead who holds the lane, and for whoever in the lane a team lead gave it
    to (`assigned`); a task without one is for the whole lane.
    """
    if lane is None:
        return bool(roles & LANE_ROLES)
    if lane not in acting_lanes(roles):
        return False
    return group is None or assigned or group in teams or (TEAM_LEAD in roles and lane in roles)


def lacks_team(roles: frozenset[str], teams: frozenset[str]) -> bool:
    """Holds a lane whose tasks go to teams, but is in no team (and leads none): sees none of them."""
    return bool(roles & TEAM_LANES) and not teams and TEAM_LEAD not in roles


# Who may act on a case as a whole; the web pages and the command line ask the same.
#: register an initiative on someone's behalf (an initiator's own intake needs no role)
MAY_START = frozenset({"initiatieventeam", "casist", "wijkwenssecretariaat", "kcc", "beheerder"})
#: pass on what reached the municipality outside the app (e.g. a withdrawal by phone)
MAY_SEND_MESSAGE = frozenset(
    {"initiatieventeam", "casist", "wijkwenssecretariaat", "kcc", "beheerder"}
)
#: stop a case
MAY_CANCEL = frozenset({"beheerder", "teamleider"})
#: run a case in error again
MAY_RETRY = frozenset({"beheerder"})
#: model process definitions in the browser: save and check drafts, import diagrams
MAY_MODEL = frozenset({"procesbeheerder"})
#: deploy process definitions (web and command line; the command line's operator may too)
MAY_DEPLOY = MAY_MODEL
#: move waiting cases to a newer version, and undo that
MAY_MIGRATE = MAY_MODEL
#: choose or change a case's casist (the initiator's contact person)
MAY_CHOOSE_CASIST = frozenset({"initiatieventeam", "teamleider", "beheerder"})
