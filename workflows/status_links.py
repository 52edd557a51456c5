"""The initiator's private status link, and the status page it opens.

The token is derived from the server's secret key (HMAC-SHA256 over the case and the link's
generation, 192 bits, URL-safe), so every mail to the initiator can carry the same link again
without keeping it: the database holds only the token's SHA-256 hash. A new generation (a casist
sends a new link, e.g. when an old mail was forwarded) makes every earlier link stop working.
Rotating the secret key ends every link; `WEGWIJS_SECRET_KEY` is the key (see README).

The status page shows what an initiator may know: the initiative's title and number, the phase
in plain Dutch with what happens next, the phases reached with their dates, the outcome of a
finished case, and the one contact person with how to reach them. Never notes, documents, tasks,
staff other than the contact person, or other cases.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select, update

from engine import ConflictError, Engine, InstanceStateError, NotFoundError, OpenTask
from workflows import forms, fund, initiative_page, instructions, norms
from workflows.accounts import Actor
from workflows.cases import require
from workflows.contacts import DESKS, WITH_CASIST
from workflows.forms import FieldError, RawForm
from workflows.initiative_page import PhaseStep, get_initiative
from workflows.people import Contact
from workflows.roles import INITIATOR_LANE, MAY_CHOOSE_CASIST
from workflows.tables import status_link

#: the fund a withdrawal gives money back to
FUND = "initiatievenfonds"
#: who may make a new link (which stops the old one) and send it
MAY_RENEW = MAY_CHOOSE_CASIST | {"casist"}


@dataclass(frozen=True)
class Links:
    """Where status links point, and the key they are derived with."""

    secret: str
    public_url: str = "http://127.0.0.1:5000"

    def url(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/status/{token}"


def _token(secret: str, instance_id: int, generation: int) -> str:
    key = hashlib.sha256(f"wegwijs-status-link:{secret}".encode()).digest()
    digest = hmac.new(key, f"{instance_id}:{generation}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()  # 32 characters, 192 bits


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(
    engine: Engine, links: Links, instance_id: int, conn: Connection | None = None
) -> str:
    """The case's current token (made, and its hash kept, on first use; in the caller's
    transaction when given one). After the secret key changed, the kept hash no longer fits:
    the case gets a new link (the old one is dead)."""
    if conn is None:
        with engine.transaction() as uow:
            return token_for(engine, links, instance_id, uow.connection)
    found = conn.execute(
        select(status_link.c.generation, status_link.c.token_hash).where(
            status_link.c.instance_id == instance_id
        )
    ).first()
    if found is not None:
        token = _token(links.secret, instance_id, int(found.generation))
        if hmac.compare_digest(_hash(token), found.token_hash):
            return token
    return _renew(conn, links, instance_id, engine.now())


def _renew(conn: Connection, links: Links, instance_id: int, now: datetime) -> str:
    """A new generation of the case's link (the first one when it has none)."""
    generation = conn.execute(
        select(status_link.c.generation)
        .where(status_link.c.instance_id == instance_id)
        .with_for_update()
    ).scalar()
    if generation is None:
        token = _token(links.secret, instance_id, 0)
        conn.execute(
            insert(status_link).values(
                instance_id=instance_id, generation=0, token_hash=_hash(token), created_at=now
            )
        )
        return token
    token = _token(links.secret, instance_id, int(generation) + 1)
    conn.execute(
        update(status_link)
        .where(status_link.c.instance_id == instance_id)
        .values(generation=int(generation) + 1, token_hash=_hash(token), created_at=now)
    )
    return token


def renew(engine: Engine, actor: Actor, links: Links, instance_id: int) -> str:
    """Use case: a new link for the case; every earlier one stops working."""
    require(actor, MAY_RENEW, "geen nieuwe statuslink maken")
    with engine.transaction() as uow:
        return _renew(uow.connection, links, instance_id, engine.now())


def send_new_link(engine: Engine, actor: Actor, links: Links, instance_id: int) -> str:
    """Use case: a new private link (earlier ones stop working), mailed to the initiator's
    address on file, in one transaction. Returns the address it goes to."""
    from workflows import mail  # mail puts these links in its messages

    require(actor, MAY_RENEW, "geen nieuwe statuslink sturen")
    values = engine.instance_values(instance_id, ("initiator_email",))
    to = str(values.get("initiator_email") or "")
    if not to:
        raise NotFoundError("Van deze zaak is geen e-mailadres van de initiatiefnemer bekend.")
    key = engine.get_instance(instance_id).summary.business_key
    with engine.transaction() as uow:
        _renew(uow.connection, links, instance_id, engine.now())
        mail.queue(engine, instance_id, "statuslink", to, key, uow.connection)
    return to


def case_of(engine: Engine, token: str) -> int | None:
    """The case this token opens, or None (wrong, old or revoked: the caller says "not found")."""
    if not 20 <= len(token) <= 64:
        return None
    with engine.reading() as conn:
        found = conn.execute(
            select(status_link.c.instance_id).where(status_link.c.token_hash == _hash(token))
        ).scalar()
    return int(found) if found is not None else None


#: the lane of what the process asks of the initiator
INITIATOR = INITIATOR_LANE


@dataclass(frozen=True)
class Asked:
    """Something the municipality waits for from the initiator (answered on the status page)."""

    title: str
    due_at: datetime | None
    task_id: str = ""


@dataclass(frozen=True)
class StatusPage:
    """What the initiator's status page shows (and nothing more)."""

    title: str
    zaaknummer: str | None
    started_at: datetime
    phase: PhaseStep | None  # the current phase (None: finished, or not yet in one)
    timeline: tuple[PhaseStep, ...]
    closed: bool
    outcome: str | None  # a finished case's outcome, in words
    contact: Contact | None
    #: what the municipality waits for from the initiator (its own terms stand still meanwhile)
    waiting_on_you: tuple[Asked, ...] = ()
    #: when the municipality's open work is due by its norms (working days): the next step
    expected_by: datetime | None = None
    #: the amount the fund holds for this initiative (reserved or granted, not yet paid), in
    #: cents: a withdrawal gives it back to other initiatives
    held_cents: int = 0
    #: the decision on a subsidy application, in words (None: none taken): a sentence of
    #: DECISION_TEXTS, with `decision_money` for its `%(money)s`
    decision: str | None = None
    decision_money: str = ""
    #: where a handed-over initiative goes on: (the process in words, the new zaaknummer)
    continued_as: tuple[str, str] | None = None
    #: who helps the initiator while (or when) the case has no contact person of its own
    desk: str = ""
    #: whether a contact person of their own is still to come (only complex initiatives get one)
    contact_expected: bool = False
    #: whether the initiator may ask to change the plan now (while it is being carried out)
    can_request_change: bool = False
    #: the regiegroep meeting that will discuss the wish, while it waits for it (today or later)
    meeting: date | None = None
    #: while nobody works on the case because it waits for a moment the diagram tells the
    #: initiator of (the planting season, the new budget year): that day, and what happens then
    next_on: date | None = None
    next_text: str = ""

    @property
    def held_text(self) -> str:
        return fund.euros(self.held_cents)


def status_page(engine: Engine, token: str) -> StatusPage:
    """Use case: the status page behind a private link."""
    instance_id = case_of(engine, token)
    if instance_id is None:
        raise NotFoundError("Deze pagina bestaat niet (meer).")
    page = get_initiative(engine, instance_id)
    row = page.row
    current = next((step for step in page.timeline if step.current), None)
    open_tasks = [] if row.closed else engine.list_tasks(instance_id=instance_id)
    asked = tuple(Asked(t.title, t.due_at, t.id) for t in open_tasks if t.lane == INITIATOR)
    ours = [t.due_at for t in open_tasks if t.lane != INITIATOR and t.due_at is not None]
    values = engine.instance_values(instance_id, ("decision", "granted_amount", "meeting_date"))
    # while it waits for a moment, nobody of the municipality has a task on the case
    idle = not row.closed and not any(t.lane != INITIATOR for t in open_tasks)
    decision, money = _decision(values)
    wait = page.initiator_waits[0] if idle and page.initiator_waits else None
    return StatusPage(
        title=row.title,
        zaaknummer=row.zaaknummer,
        started_at=row.started_at,
        phase=None if row.closed else current,
        timeline=tuple(s for s in page.timeline if not s.skipped),
        closed=row.closed,
        outcome=row.outcome_label or None,
        contact=page.contact,
        waiting_on_you=asked,
        expected_by=None if asked or not ours else max(ours),
        held_cents=0 if row.closed else _held(engine, row.zaaknummer),
        decision=decision,
        decision_money=money,
        continued_as=next(
            ((c.process_label, c.zaaknummer or "") for c in page.linked if c.direction == "to"),
            None,
        ),
        desk=DESKS.get(row.process_id, DESKS[WITH_CASIST]),
        contact_expected=not row.closed and row.process_id == WITH_CASIST,
        can_request_change=any(t.bpmn_id == REALISATION_TASK for t in open_tasks),
        meeting=_meeting_ahead(values.get("meeting_date"), engine.now()) if idle else None,
        next_on=None if wait is None else wait[0].astimezone(ZoneInfo(norms.DEFAULT_TZ)).date(),
        next_text="" if wait is None else wait[1],
    )


def _meeting_ahead(value: Any, now: datetime) -> date | None:
    """The regiegroep meeting a wish is on the agenda of (`meeting_date`, from the meeting
    calendar, or planned by the secretariaat), if it is today or later: one already held has
    given its advice, and aanhouden puts the next one in its place."""
    try:
        meeting = date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
    today = now.astimezone(ZoneInfo(norms.DEFAULT_TZ)).date()
    return meeting if meeting is not None and meeting >= today else None


#: the subsidy decision as the initiator reads it, by the decision's code (`%(money)s`: the
#: amount granted; the interface translates these sentences)
DECISION_TEXTS = {
    "VERLENEN": "De gemeente verleent u subsidie: %(money)s.",
    "GEDEELTELIJK_VERLENEN": "De gemeente verleent u een deel van de subsidie: %(money)s.",
    "WEIGEREN": "De gemeente verleent u geen subsidie. In de brief staat waarom en hoe u "
    "bezwaar kunt maken.",
}


def _decision(values: Mapping[str, Any]) -> tuple[str | None, str]:
    """The subsidy decision as the initiator reads it: (its sentence, the amount in euros)."""
    amount = values.get("granted_amount")
    money = fund.euros(fund.to_cents(amount)) if isinstance(amount, int | float) else ""
    return DECISION_TEXTS.get(str(values.get("decision") or "")), money


#: what a withdrawal says to the process (every route can receive it while it runs)
WITHDRAWAL = initiative_page.WITHDRAWAL
#: the most of a reason that is kept
MAX_REASON = 1000


def _held(engine: Engine, zaaknummer: str | None) -> int:
    """What the fund holds for this initiative and has not paid, in cents (0: nothing)."""
    if not zaaknummer:
        return 0
    with engine.reading() as conn:
        try:
            found = fund.entry(conn, FUND, zaaknummer)
        except fund.FundError:
            return 0
    return max(found.amount - found.paid, 0) if found.state in ("reserved", "committed") else 0


def withdraw(engine: Engine, token: str, reason: str) -> StatusPage:
    """Use case: the initiator withdraws the initiative behind their link. The process does the
    rest (releases what the fund held, confirms by e-mail, closes the case)."""
    instance_id = case_of(engine, token)
    if instance_id is None:
        raise NotFoundError("Deze pagina bestaat niet (meer).")
    text = " ".join(reason.split())[:MAX_REASON]
    try:
        engine.send_message(
            WITHDRAWAL,
            {"reason": text or "Ingetrokken via de statuspagina.", "by": INITIATOR},
            instance_id=instance_id,
            actor=INITIATOR,
        )
    except (ConflictError, InstanceStateError):
        raise ConflictError(
            "Uw initiatief kan nu niet worden ingetrokken: het is al afgerond of ingetrokken. "
            "Neem contact op met uw contactpersoon als u vragen heeft."
        ) from None
    return status_page(engine, token)


class EmptyRequestError(ValueError):
    """A change request without any text."""


#: what a change request says to the process, and the task it can come in on (the realisation)
CHANGE_REQUEST = "change_requested"
REALISATION_TASK = "report_realisation_complete"


def request_change(engine: Engine, token: str, text: str) -> StatusPage:
    """Use case: while the plan is carried out, the initiator asks to change something
    (planning, place, approach, budget within the grant). The casist assesses it and the
    initiator hears the decision by e-mail."""
    instance_id = case_of(engine, token)
    if instance_id is None:
        raise NotFoundError("Deze pagina bestaat niet (meer).")
    wish = " ".join(text.split())[:MAX_REASON]
    if not wish:
        raise EmptyRequestError("Schrijf wat u wilt veranderen en waarom.")
    try:
        engine.send_message(
            CHANGE_REQUEST,
            {"text": wish, "by": INITIATOR},
            instance_id=instance_id,
            actor=INITIATOR,
        )
    except (ConflictError, InstanceStateError):
        raise ConflictError(
            "U kunt nu geen wijziging doorgeven: dat kan alleen terwijl uw plan wordt "
            "uitgevoerd. Neem contact op met uw contactpersoon als u iets wilt veranderen."
        ) from None
    return status_page(engine, token)


@dataclass(frozen=True)
class Question:
    """A request to the initiator with its form, as the status page shows it."""

    task_id: str
    title: str
    description: str
    due_at: datetime | None
    form: dict[str, Any]
    #: the questions themselves, when the task keeps them (`context` property `questions`)
    lines: tuple[str, ...] = ()
    #: what the diagram tells whoever answers it, with the case data filled in
    instructions: str = ""


class _Invalid(Exception):  # noqa: N818 - control flow inside one use case, never escapes
    def __init__(self, errors: tuple[FieldError, ...]) -> None:
        super().__init__("form not valid")
        self.errors = errors


def question(engine: Engine, token: str, task_id: str) -> Question:
    """The open request `task_id` of the case behind this link (else "not found": a task of
    another case, or of staff, is not theirs to see)."""
    instance_id = case_of(engine, token)
    try:
        found = engine.get_task(task_id)
    except NotFoundError:
        raise NotFoundError("Deze pagina bestaat niet (meer).") from None
    if instance_id is None or found.instance_id != instance_id or found.lane != INITIATOR:
        raise NotFoundError("Deze pagina bestaat niet (meer).")
    if found.state != "open":
        raise ConflictError(
            "Deze vraag is al beantwoord of vervallen. Neem contact op met uw contactpersoon "
            "als u nog iets wilt doorgeven."
        )
    form = engine.task_form(task_id) or {"type": "object", "properties": {}}
    kept = (found.properties.get("context_values") or {}).get("questions")
    lines = tuple(str(q) for q in kept if q) if isinstance(kept, list) else ()
    told = instructions.render(
        found.properties.get(instructions.PROPERTY), engine.task_data(task_id)
    )
    return Question(
        task_id, found.title, str(form.get("description") or ""), found.due_at, form, lines, told
    )


def answer(engine: Engine, token: str, task_id: str, raw: RawForm) -> tuple[FieldError, ...]:
    """Use case: the initiator answers a request on their status page; completes the task as
    the initiator (the form checked inside the completion's transaction). Returns the form's
    errors (nothing completed), or () when it was completed."""
    asked = question(engine, token, task_id)
    instance_id = case_of(engine, token)

    def check(task: OpenTask) -> Mapping[str, Any]:
        if task.task.instance_id != instance_id or task.task.lane != INITIATOR:
            raise NotFoundError("Deze pagina bestaat niet (meer).")
        result = forms.clean(task.form or asked.form, raw)
        if result.errors:
            raise _Invalid(result.errors)
        return result.data

    try:
        engine.complete_task(task_id, actor=INITIATOR, lanes=[INITIATOR], check=check)
    except _Invalid as invalid:
        return invalid.errors
    except (ConflictError, InstanceStateError):
        raise ConflictError(
            "Uw antwoord is niet verwerkt: deze vraag is intussen al beantwoord of vervallen. "
            "Neem contact op met uw contactpersoon als u vragen heeft."
        ) from None
    return ()
