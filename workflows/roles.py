"""The roles people have in Wegwijs; BPMN lanes name them (DESIGN.md "Users")."""

from __future__ import annotations

ROLES: dict[str, str] = {
    "initiatiefnemer": "Initiatiefnemer (inwoner, zonder account)",
    "initiatieventeam": "Initiatieventeam",
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

#: Roles that appear as lanes in diagrams (the others act outside the processes).
LANE_ROLES = frozenset(ROLES) - {"procesbeheerder", "manager", "beheerder", "teamleider"}

#: lanes whose tasks staff may also complete on someone's behalf: the initiator has no account
#: (yet), so what they send by mail or say on the phone is entered by their casist or the team
ON_BEHALF_OF: dict[str, frozenset[str]] = {
    "initiatiefnemer": frozenset({"casist", "initiatieventeam"}),
}


def acting_lanes(roles: frozenset[str]) -> frozenset[str]:
    """The lanes whose tasks someone with these roles may do: their own, plus on-behalf lanes."""
    return roles | {lane for lane, proxies in ON_BEHALF_OF.items() if roles & proxies}
