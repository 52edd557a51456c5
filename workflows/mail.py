"""E-mail from the outbox: what a message says, and sending it once.

A step of a case that notifies someone writes an outbox row in the step's own transaction
(`operators.notify`). Here the background loop of `wegwijs serve` (or `wegwijs mail send`)
delivers the rows over SMTP:

1. **Claim** a due row with one conditional UPDATE (not sent, not given up, not held by another
   sender, due): whoever's UPDATE changes the row holds it for `LEASE`. Two senders (two
   processes, or PostgreSQL and several servers) never both hold a row.
2. **Send** it as a Dutch message, plain text and HTML, with a Message-ID made from the row
   (`<outbox-ID@…>`), so a receiving server can recognise the same message.
3. **Mark** it sent in its own short transaction, or record the failure: a temporary one
   (4xx, a connection that fails) is tried again after 1, 2, 4, … minutes (at most 6 hours, at
   most `MAX_ATTEMPTS` times); a permanent one (5xx: no such address) is given up at once.
   Given-up messages are listed for the beheerder (`/beheer/berichten`, `wegwijs mail list`),
   who can try one again.

Nothing is sent twice because a row is sent only while held and marked sent as soon as the SMTP
server accepted it. The one gap: a process killed in the milliseconds between the server's
acceptance and the mark sends that row again when its lease has run out, with the same
Message-ID.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Connection, and_, insert, or_, select, update

from engine import Engine, EngineError
from engine.readmodel import outbox
from workflows import people, status_links
from workflows.accounts import Actor
from workflows.cases import require
from workflows.mail_texts import FALLBACK, TEXTS, TO_PARTNER, TO_STAFF
from workflows.tables import initiative

log = logging.getLogger("wegwijs.mail")

#: how long a sender holds a claimed message before another may take it over
LEASE = timedelta(minutes=5)
#: tries before a message that keeps failing is given up
MAX_ATTEMPTS = 10
#: the longest wait between two tries
MAX_BACKOFF = timedelta(hours=6)
#: messages per round (the loop comes back for more)
BATCH = 50


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail goes: from WEGWIJS_SMTP_* (no host: nothing is sent, the outbox waits)."""

    host: str
    port: int = 25
    security: str = "starttls"  # starttls, ssl or none
    username: str | None = None
    password: str | None = None
    sender: str = "Gemeente Dordrecht <initiatieven@dordrecht.nl>"
    timeout: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SmtpSettings | None:
        host = environ.get("WEGWIJS_SMTP_HOST", "").strip()
        if not host:
            return None
        security = environ.get("WEGWIJS_SMTP_SECURITY", "starttls").strip().lower()
        if security not in ("starttls", "ssl", "none"):
            raise EngineError(
                f"WEGWIJS_SMTP_SECURITY moet starttls, ssl of none zijn, niet '{security}'."
            )
        port = environ.get("WEGWIJS_SMTP_PORT", "").strip()
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            raise EngineError(f"WEGWIJS_SMTP_PORT moet een poortnummer zijn, niet '{port}'.")
        return cls(
            host=host,
            port=int(port) if port else {"ssl": 465, "starttls": 587, "none": 25}[security],
            security=security,
            username=environ.get("WEGWIJS_SMTP_USER") or None,
            password=environ.get("WEGWIJS_SMTP_PASSWORD") or None,
            sender=environ.get("WEGWIJS_SMTP_FROM") or cls.sender,
        )


# ---------------------------------------------------------------- what each message says

_templates = Environment(
    loader=PackageLoader("workflows", "mail_templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    text: str
    html: str


def compose(
    template: str,
    to: str,
    zaaknummer: str | None,
    case: Mapping[str, Any],
    status_url: str | None = None,
    items: Sequence[str] = (),
    name: str | None = None,
    previous: str | None = None,
) -> Letter:
    """The message of this template for this case (title, contact person, and for the
    initiator the private status link), in Dutch."""
    subject, happened, next_step = TEXTS.get(template, FALLBACK)
    partner = template in TO_PARTNER
    not_initiator = partner or template in TO_STAFF
    context = {
        "greeting": f"Beste {name}"
        if name
        else "Goedendag"
        if partner
        else "Beste collega"
        if template in TO_STAFF
        else "Beste initiatiefnemer",
        "items": list(items),
        "to_staff": not_initiator,
        "partner": partner,
        "happened": happened,
        "next_step": next_step,
        "title": case.get("title") or "",
        "zaaknummer": zaaknummer,
        "contact": case.get("contact"),
        "status_url": None if not_initiator else status_url,
        "previous": previous,  # the number a handed-over case had before
    }
    label = f" ({zaaknummer})" if zaaknummer else ""
    return Letter(
        to=to,
        subject=f"{subject}{label}",
        text=_templates.get_template("message.txt").render(**context),
        html=_templates.get_template("message.html").render(subject=subject, **context),
    )


def _case(engine: Engine, instance_id: int | None) -> dict[str, Any]:
    if instance_id is None:
        return {}
    with engine.reading() as conn:
        row = conn.execute(
            select(initiative.c.title, initiative.c.casist).where(
                initiative.c.instance_id == instance_id
            )
        ).first()
    if row is None:
        return {}
    return {
        "title": row.title,
        "contact": people.contact(engine, row.casist) if row.casist else None,
    }


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class Round:
    """What one round of sending did."""

    sent: int = 0
    retry_later: int = 0
    given_up: int = 0


def _due(now: datetime) -> Any:
    return and_(
        outbox.c.kind == "email",
        outbox.c.sent_at.is_(None),
        outbox.c.gave_up_at.is_(None),
        or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
        or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
    )


def claim(engine: Engine, limit: int = BATCH) -> list[dict[str, Any]]:
    """Take up to `limit` due messages for this sender (each held for `LEASE`)."""
    now = engine.now()
    with engine.reading() as conn:
        ids = list(
            conn.execute(
                select(outbox.c.id).where(_due(now)).order_by(outbox.c.id).limit(limit)
            ).scalars()
        )
    taken = []
    for message_id in ids:
        with engine.transaction() as uow:
            won = uow.connection.execute(
                update(outbox)
                .where(outbox.c.id == message_id, _due(now))
                .values(claimed_until=now + LEASE, attempts=outbox.c.attempts + 1)
            ).rowcount
            if won:
                row = uow.connection.execute(select(outbox).where(outbox.c.id == message_id)).one()
                taken.append(dict(row._mapping))
    return taken


def _message(letter: Letter, row: Mapping[str, Any], smtp: SmtpSettings, now: datetime) -> Any:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(now)
    domain = smtp.sender.rsplit("@", 1)[-1].rstrip(">").strip() or "wegwijs.local"
    message["Message-ID"] = f"<outbox-{row['id']}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(letter.text)
    message.add_alternative(letter.html, subtype="html")
    return message


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    if smtp.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if smtp.username:
        client.login(smtp.username, smtp.password or "")
    return client


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 1, 2, 4, … minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _failed(engine: Engine, row: Mapping[str, Any], reason: str, permanent: bool) -> str:
    now = engine.now()
    give_up = permanent or row["attempts"] >= MAX_ATTEMPTS
    with engine.transaction() as uow:
        uow.connection.execute(
            update(outbox)
            .where(outbox.c.id == row["id"])
            .values(
                claimed_until=None,
                last_error=reason[:1000],
                next_attempt_at=None if give_up else now + backoff(row["attempts"]),
                gave_up_at=now if give_up else None,
            )
        )
    return "given_up" if give_up else "retry_later"


def _reason(exc: Exception) -> tuple[str, bool]:
    """A Dutch reason, and whether the failure is permanent (the server said no for good)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        permanent = all(500 <= code < 600 for code in codes)
        detail = "; ".join(
            f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values()
        )
        return f"De mailserver weigert het adres: {detail}", permanent
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        permanent = 500 <= exc.smtp_code < 600
        kind = "weigert het bericht" if permanent else "neemt het bericht nu niet aan"
        return f"De mailserver {kind}: {exc.smtp_code} {text}", permanent
    return f"De mailserver is niet bereikbaar ({type(exc).__name__}: {exc}).", False


def send_due(
    engine: Engine,
    smtp: SmtpSettings,
    links: status_links.Links | None = None,
    limit: int = BATCH,
) -> Round:
    """Send the due messages of the outbox once each; record what failed for a later try.
    With `links`, a message to the initiator carries the private link to their status page."""
    rows = claim(engine, limit)
    if not rows:
        return Round()
    counts = {"sent": 0, "retry_later": 0, "given_up": 0}
    try:
        client = _connect(smtp)
    except (OSError, smtplib.SMTPException) as exc:
        reason, _ = _reason(exc)
        for row in rows:
            counts[_failed(engine, row, reason, permanent=False)] += 1
        log.warning("mailserver niet bereikbaar: %s", reason)
        return Round(**counts)
    try:
        for row in rows:
            payload = row["payload"] or {}
            template = str(payload.get("template", ""))
            url = None
            if (
                links is not None
                and row["instance_id"] is not None
                and template not in TO_STAFF | TO_PARTNER
            ):
                url = links.url(status_links.token_for(engine, links, row["instance_id"]))
            letter = compose(
                template,
                str(payload.get("to", "")),
                payload.get("zaaknummer"),
                _case(engine, row["instance_id"]),
                url,
                [str(item) for item in payload.get("items") or ()],
                payload.get("name"),
                payload.get("previous"),
            )
            try:
                client.send_message(_message(letter, row, smtp, engine.now()))
            except (OSError, smtplib.SMTPException) as exc:
                reason, permanent = _reason(exc)
                counts[_failed(engine, row, reason, permanent)] += 1
                continue
            with engine.transaction() as uow:
                uow.connection.execute(
                    update(outbox)
                    .where(outbox.c.id == row["id"])
                    .values(sent_at=engine.now(), claimed_until=None, last_error=None)
                )
            counts["sent"] += 1
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return Round(**counts)


def keep_unsent(engine: Engine, instance_ids: list[int]) -> int:
    """The e-mail of simulated cases stays in the outbox as history and is never sent (their
    addresses are made up): it becomes kind `simulated_email`. Returns how many."""
    changed = 0
    with engine.transaction() as uow:
        for start in range(0, len(instance_ids), 500):
            changed += uow.connection.execute(
                update(outbox)
                .where(
                    outbox.c.kind == "email",
                    outbox.c.sent_at.is_(None),
                    outbox.c.instance_id.in_(instance_ids[start : start + 500]),
                )
                .values(kind="simulated_email")
            ).rowcount
    return changed


def queue(
    engine: Engine,
    instance_id: int,
    template: str,
    to: str,
    zaaknummer: str | None,
    connection: Connection,
) -> None:
    """Put a message in the outbox outside a process step (a colleague's action), in the
    transaction of that action."""
    connection.execute(
        insert(outbox).values(
            instance_id=instance_id,
            kind="email",
            payload={"template": template, "to": to, "zaaknummer": zaaknummer, "task": None},
            created_at=engine.now(),
        )
    )


# ---------------------------------------------------------------- for the beheerder


@dataclass(frozen=True)
class Pending:
    id: int
    instance_id: int | None
    zaaknummer: str | None
    template: str
    subject: str
    to: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    gave_up_at: datetime | None
    last_error: str | None


def not_sent(engine: Engine, limit: int = 200) -> list[Pending]:
    """The messages not (yet) sent, given-up ones first, then by age."""
    with engine.reading() as conn:
        rows = conn.execute(
            select(outbox)
            .where(outbox.c.kind == "email", outbox.c.sent_at.is_(None))
            .order_by(outbox.c.gave_up_at.is_(None), outbox.c.id)
            .limit(limit)
        ).all()
    return [
        Pending(
            id=r.id,
            instance_id=r.instance_id,
            zaaknummer=(r.payload or {}).get("zaaknummer"),
            template=str((r.payload or {}).get("template", "")),
            subject=TEXTS.get(str((r.payload or {}).get("template", "")), FALLBACK)[0],
            to=str((r.payload or {}).get("to", "")),
            created_at=r.created_at,
            attempts=r.attempts,
            next_attempt_at=r.next_attempt_at,
            gave_up_at=r.gave_up_at,
            last_error=r.last_error,
        )
        for r in rows
    ]


#: who sees the messages that were not sent, and may try one again
MAY_SEE_MAIL = frozenset({"beheerder"})


def try_again(engine: Engine, actor: Actor, message_id: int) -> bool:
    """Use case: put a given-up message back in the queue (the beheerder corrected the address
    or the server). False: it was sent meanwhile, or does not exist."""
    require(actor, MAY_SEE_MAIL, "een bericht niet opnieuw versturen")
    with engine.transaction() as uow:
        changed = uow.connection.execute(
            update(outbox)
            .where(outbox.c.id == message_id, outbox.c.sent_at.is_(None))
            .values(gave_up_at=None, next_attempt_at=None, attempts=0, claimed_until=None)
        ).rowcount
    return bool(changed)
