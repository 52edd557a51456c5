"""The phases an initiative goes through, with the plain-Dutch text its initiator sees.

Diagrams mark a phase with an intermediate throw event carrying the extension property
`phase` (one of the codes below) and optionally `phase_text` to override the default text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    """One step on the initiator's status page."""

    code: str
    label: str
    text: str


PHASES: tuple[Phase, ...] = (
    Phase("ontvangen", "Ontvangen", "We hebben uw initiatief ontvangen en geregistreerd."),
    Phase(
        "kennismaking",
        "Kennismaking",
        "We maken kennis met u en bespreken uw plan. Uw contactpersoon neemt contact met u op.",
    ),
    Phase(
        "beoordeling",
        "Beoordeling",
        "Vakspecialisten van de gemeente bekijken uw plan, elk vanuit hun eigen onderwerp.",
    ),
    Phase(
        "besluitvorming",
        "Besluit",
        "De gemeente neemt een besluit over uw initiatief en eventuele bijdrage.",
    ),
    Phase(
        "uitvoering",
        "Uitvoering",
        "U voert uw initiatief uit. Uw contactpersoon blijft uw aanspreekpunt.",
    ),
    Phase("afgerond", "Afgerond", "Uw initiatief is afgerond. Bedankt voor uw inzet voor de stad."),
)
BY_CODE = {phase.code: phase for phase in PHASES}


def check_phase(value: str) -> str | None:
    """Deploy-time check of a `phase` property: the code must be known."""
    if value.strip() in BY_CODE:
        return None
    return f"onbekende fase '{value}'; kies uit: {', '.join(BY_CODE)}"
