"""The public intake: "Ik heb een initiatief", without an account.

The questions are the complex process's start form (`intake.schema.json`, named on its start
event, so a process owner changes them like any form and they are versioned with the process).
A valid submission starts a case of the newest version with a new zaaknummer; the process's own
triage decides the route (wijkwens, green, complex), exactly as for a case registered by staff,
and its receipt e-mail carries the private status link. What the form does not ask gets the
value that lets the triage decide on what was asked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine import ConflictError, Engine, NotFoundError
from engine.readmodel import process_instance
from workflows import forms, status_links
from workflows.forms import FieldError, RawForm

PROCESS = "complex_initiative_process"
FORM = "intake.schema.json"
PREFIX = "INI"
#: who starts a case from the public form (in its history)
ACTOR = "initiatiefnemer"

#: what the public form does not ask, and what the triage then assumes
DEFAULTS: Mapping[str, Any] = {
    "motivation": "",
    "location_type": "geen",
    "location_duration_months": 0,
    "physical_change": False,
    "public_event": False,
    "expected_visitors": 0,
    "food_growing": False,
    "target_group_vulnerable": False,
    "commercial_activity": False,
    "disciplines_count": 1,
    "is_council_proposal": False,
    "is_event_only": False,
    "channel": "webformulier",
}


def form(engine: Engine) -> dict[str, Any]:
    """The intake questions of the newest version of the process."""
    versions = engine.list_versions(PROCESS)
    if not versions:
        raise NotFoundError("Het formulier is nog niet beschikbaar.")
    newest = max(versions, key=lambda v: v.version)
    for name, text in engine.version_files(newest.id).items():
        if name.rsplit("/", 1)[-1] == FORM:
            schema: dict[str, Any] = json.loads(text)
            return schema
    raise NotFoundError("Het formulier is nog niet beschikbaar.")


@dataclass(frozen=True)
class Received:
    """A submitted initiative: its number and the private link to its status page."""

    zaaknummer: str
    token: str


@dataclass(frozen=True)
class Refused:
    """A submission with something to correct: the messages per field, and what was typed."""

    errors: tuple[FieldError, ...]


def submit(engine: Engine, links: status_links.Links, raw: RawForm) -> Received | Refused:
    """Use case: an initiator submits the intake form."""
    schema = form(engine)
    checked = forms.clean(schema, raw)
    if checked.errors:
        return Refused(checked.errors)
    data = {**DEFAULTS, **checked.data}
    if data.get("green_type") == "geen":
        data["green_type"] = None
    data.pop("consent_privacy", None)
    data["consent_privacy_at"] = engine.now().isoformat()
    for _attempt in range(5):
        key = _next_key(engine)
        try:
            summary = engine.start(PROCESS, data, business_key=key, actor=ACTOR)
        except ConflictError:
            continue  # someone else took this number a moment ago
        return Received(key, status_links.token_for(engine, links, summary.id))
    raise ConflictError("Het lukte even niet om uw initiatief te registreren; probeer het opnieuw.")


def _next_key(engine: Engine) -> str:
    """The next free zaaknummer of this year's series (INI-2026-0042)."""
    series = f"{PREFIX}-{engine.now().year}-"
    with engine.reading() as conn:
        keys = conn.execute(
            select(process_instance.c.business_key).where(
                process_instance.c.business_key.like(f"{series}%")
            )
        ).scalars()
        numbers = [int(k[len(series) :]) for k in keys if k and k[len(series) :].isdigit()]
    return f"{series}{max(numbers, default=0) + 1:04d}"
