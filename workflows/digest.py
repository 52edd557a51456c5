"""The morning overview: one e-mail a day per colleague with the open tasks they hold that are
overdue or due today or tomorrow, and those given to them since yesterday's overview, instead of
a mail per task.

The background loop asks every round; from `SEND_FROM` (Amsterdam time) on, each active colleague
with an e-mail address and something to report gets one message, written to the outbox with a
row in `digest_sent` in the same transaction (person and day are its key, so two processes or a
restart never queue it twice; a person with nothing to report gets the row too, so the loop
does not look again that day). The outbox sends it like every other message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from engine import Engine, HumanTask
from engine.readmodel import outbox
from workflows.accounts import list_users
from workflows.tables import digest_sent

ZONE = ZoneInfo("Europe/Amsterdam")
#: from this local time on, the day's overview goes out
SEND_FROM = time(7, 0)
TEMPLATE = "dagoverzicht"


@dataclass(frozen=True)
class Line:
    """One task in the overview."""

    zaaknummer: str | None
    title: str
    due_at: datetime | None
    overdue: bool
    new: bool

    def text(self) -> str:
        due = (
            f" — uiterlijk {self.due_at.astimezone(ZONE):%d-%m-%Y}"
            + (" (te laat)" if self.overdue else "")
            if self.due_at
            else ""
        )
        case = f"{self.zaaknummer}: " if self.zaaknummer else ""
        return f"{case}{self.title}{due}" + (" — nieuw voor u" if self.new else "")


def lines_for(tasks: list[HumanTask], now: datetime) -> list[Line]:
    """What a colleague's overview says of the tasks they hold: overdue first, then due soon,
    then newly given to them; tasks that are none of these are left out."""
    local = now.astimezone(ZONE)
    tomorrow_end = datetime.combine(local.date() + timedelta(days=2), time(0), ZONE)
    since = now - timedelta(days=1)
    found = []
    for task in tasks:
        overdue = task.due_at is not None and task.due_at < now
        soon = task.due_at is not None and task.due_at < tomorrow_end
        new = (task.claimed_at or task.created_at) >= since
        if overdue or soon or new:
            found.append(Line(task.business_key, task.title, task.due_at, overdue, new))
    return sorted(
        found, key=lambda x: (not x.overdue, x.due_at or datetime.max.replace(tzinfo=ZONE))
    )


def queue_due(engine: Engine) -> int:
    """Queue today's overviews not queued yet (none before `SEND_FROM`); returns how many."""
    now = engine.now()
    local = now.astimezone(ZONE)
    if local.time() < SEND_FROM:
        return 0
    day = local.date().isoformat()
    with engine.reading() as conn:
        done = set(
            conn.execute(select(digest_sent.c.username).where(digest_sent.c.day == day)).scalars()
        )
    queued = 0
    for user in list_users(engine):
        if not user.active or not user.email or user.username in done:
            continue
        lines = lines_for(engine.list_tasks(assignee=user.username, limit=500), now)
        try:
            with engine.transaction() as uow:
                # the day is done for this person, also with nothing to report
                uow.connection.execute(
                    insert(digest_sent).values(username=user.username, day=day, created_at=now)
                )
                if lines:
                    uow.connection.execute(
                        insert(outbox).values(
                            instance_id=None,
                            kind="email",
                            payload={
                                "template": TEMPLATE,
                                "to": user.email,
                                "name": user.display_name,
                                "zaaknummer": None,
                                "items": [line.text() for line in lines],
                            },
                            created_at=now,
                        )
                    )
        except IntegrityError:
            continue  # another process did this person's day a moment ago
        queued += bool(lines)
    return queued
