"""Dutch names for the codes the reports meet: processes, categories, phases, lanes, teams,
aspects and event types. Categories, teams and aspects take their word from bpmn/labels.json
(`workflows.labels`, as every page does); a code without a name is shown tidied up, never raw."""

from __future__ import annotations

from collections.abc import Mapping

from workflows import labels as words
from workflows import phases
from workflows.initiatives import PROCESS_LABELS
from workflows.roles import ROLES

#: how the audit trail names what happened (engine event types)
EVENT_LABELS: Mapping[str, str] = {
    "instance_started": "Zaak gestart",
    "instance_completed": "Zaak afgerond",
    "instance_cancelled": "Zaak gestopt",
    "instance_errored": "Zaak in fout",
    "instance_retried": "Zaak opnieuw gestart na fout",
    "task_created": "Taak klaargezet",
    "task_claimed": "Taak opgepakt",
    "task_released": "Taak teruggelegd",
    "task_reassigned": "Taak toegewezen",
    "task_completed": "Taak afgerond",
    "task_cancelled": "Taak vervallen",
    "milestone_reached": "Fase bereikt",
    "timer_fired": "Termijn verstreken",
    "message_received": "Bericht ontvangen",
    "data_edited": "Gegevens gewijzigd",
    "version_migrated": "Naar nieuwe versie gezet",
    "instance_anonymised": "Persoonsgegevens verwijderd",
    "case_handed_over": "Doorgezet naar een nieuwe zaak",
    "case_taken_over": "Overgenomen van een andere zaak",
}
FUND_KINDS: Mapping[str, str] = {
    "reserved": "Gereserveerd",
    "refused": "Geweigerd (plafond)",
    "committed": "Toegekend",
    "paid": "Betaald",
    "released": "Vrijgegeven",
}
#: the effective category of a case whose process does not triage (only the complex one does)
CATEGORY_OF_PROCESS: Mapping[str, str] = {
    "wijkwens_process": "WIJKWENS",
    "simple_green_initiative_process": "EENVOUDIG_GROEN",
}


def tidy(code: str) -> str:
    """A code nobody named yet, readable: 'MILIEU_OZHZ' → 'Milieu ozhz'."""
    words = code.replace("_", " ").strip().lower()
    return words[:1].upper() + words[1:] if words else "–"


def process(code: str | None) -> str:
    return PROCESS_LABELS.get(code or "", tidy(code or ""))


def _word(kind: str, code: str | None) -> str:
    """The word of bpmn/labels.json (the one table the pages use too), else the code tidied."""
    text = code or ""
    found = words.word(kind, text)
    return tidy(text) if found in (text, "–") else found


def category(code: str | None) -> str:
    return _word("category", code)


def phase(code: str | None) -> str:
    found = phases.BY_CODE.get(code or "")
    return found.label if found else tidy(code or "")


def lane(code: str | None) -> str:
    if not code:
        return "–"
    return ROLES.get(code, tidy(code)).split(" (")[0]


def team(code: str | None) -> str:
    """A task's team: an aspect team, else the lane (role) it belongs to."""
    if not code:
        return "–"
    if code in ROLES:
        return lane(code)
    return _word("team", code)


def aspect(code: str | None) -> str:
    return _word("aspect", code)


def message(code: str | None) -> str:
    """A message a case received (e.g. a withdrawal), in words."""
    return _word("message", code)


def event(kind: str) -> str:
    return EVENT_LABELS.get(kind, tidy(kind))
