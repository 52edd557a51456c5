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
