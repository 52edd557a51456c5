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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine import ConflictError, Engine, EngineError, NotFoundError
from workflows import cases, forms, notes, status_links
from workflows.forms import FieldError, RawForm

PROCESS = "complex_initiative_process"
FORM = "intake.schema.json"
PREFIX = "INI"
#: who starts a case from the public form (in its history)
ACTOR = "initiatiefnemer"
#: the field of the attachments, how many an initiator may send with the form, and how much
#: together (the request as a whole stays under the web app's upper bound)
ATTACHMENTS = "attachments"
MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

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


def submit(
    engine: Engine,
    links: status_links.Links,
    raw: RawForm,
    files: Sequence[tuple[str, bytes]] = (),
) -> Received | Refused:
    """Use case: an initiator submits the intake form, with attachments if any. The case, its
    attachments and its status link are made in one transaction: all of them, or nothing."""
    schema = form(engine)
    checked = forms.clean(schema, raw)
    attachments, refused = _check_attachments(files)
    errors = checked.errors + ((FieldError(ATTACHMENTS, refused),) if refused else ())
    if errors:
        return Refused(errors)
    data = {**DEFAULTS, **checked.data}
    if data.get("green_type") == "geen":
        data["green_type"] = None
    data.pop("consent_privacy", None)
    data["consent_privacy_at"] = engine.now().isoformat()
    for _attempt in range(5):
        with engine.reading() as conn:
            key = cases.next_key(conn, PREFIX, engine.now().year)
        try:
            with engine.transaction() as uow:
                summary = engine.start(PROCESS, data, business_key=key, actor=ACTOR, uow=uow)
                now = engine.now()
                for attachment in attachments:
                    notes.store_document(uow.connection, summary.id, attachment, ACTOR, now)
                token = status_links.token_for(engine, links, summary.id, uow.connection)
        except ConflictError:
            continue  # someone else took this number a moment ago
        return Received(key, token)
    raise ConflictError("Het lukte even niet om uw initiatief te registreren; probeer het opnieuw.")


def _check_attachments(
    files: Sequence[tuple[str, bytes]],
) -> tuple[tuple[notes.CheckedDocument, ...], str | None]:
    """The attachments that pass the checks staff uploads pass, or the first reason to refuse
    (the initiator then chooses the files again: a browser never fills in a file field)."""
    sent = [(name, content) for name, content in files if name or content]
    if len(sent) > MAX_ATTACHMENTS:
        return (), f"U kunt hoogstens {MAX_ATTACHMENTS} bijlagen meesturen; u koos er {len(sent)}."
    total = sum(len(content) for _, content in sent)
    if total > MAX_ATTACHMENT_BYTES:
        return (), (
            f"De bijlagen zijn samen te groot ({total / 1_048_576:.1f} MB; maximaal "
            f"{MAX_ATTACHMENT_BYTES // 1_048_576} MB)."
        )
    checked = []
    for name, content in sent:
        try:
            checked.append(notes.check_document(name, content))
        except EngineError as exc:
            return (), f"{exc} Kies de bijlagen opnieuw."
    return tuple(checked), None
