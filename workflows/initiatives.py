"""Initiatives as the municipality sees them: the search list ("Alle initiatieven", "Mijn
initiatieven"), its row and the labels every page uses — in words and names, never codes or
user names. One case's page is `workflows.initiative_page`.

The list reads the `initiative` read model (workflows/read_model.py), never a workflow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.engine import Connection

from engine import Engine, as_utc
from engine.readmodel import process_instance
from workflows import labels, people, phases
from workflows.pages import Page
from workflows.places import GEBIED_OF
from workflows.tables import app_user, initiative

PROCESS_LABELS: Mapping[str, str] = {
    "complex_initiative_process": "Complex initiatief",
    "wijkwens_process": "Wijkwens",
    "simple_green_initiative_process": "Eenvoudig groen",
}
STATUS_LABELS: Mapping[str, str] = {
    "running": "Lopend",
    "waiting": "Lopend",
    "completed": "Afgerond",
    "cancelled": "Gestopt",
    "errored": "In fout",
}


def category_label(code: str | None) -> str:
    """The Dutch label of a triage category (the DMN writes codes in capitals)."""
    return labels.word("category", code)


PAGE_SIZE = 50
# ---------------------------------------------------------------- the search list


@dataclass(frozen=True)
class InitiativeRow:
    """One initiative in a list."""

    instance_id: int
    zaaknummer: str | None
    process_id: str
    title: str
    wijk: str | None
    gebied: str | None
    category: str | None
    requested_cents: int | None
    casist: str | None  # the casist's user name
    casist_name: str | None  # and how the page names them
    phase: str | None
    phase_at: datetime | None
    status: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str | None = None

    @property
    def process_label(self) -> str:
        return PROCESS_LABELS.get(self.process_id, self.process_id)

    @property
    def phase_label(self) -> str:
        found = phases.BY_CODE.get(self.phase or "")
        return found.label if found else "–"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def outcome_label(self) -> str:
        """How a finished case ended, in Dutch ("" while it runs)."""
        if self.status == "cancelled":
            return "Gestopt"
        if self.status != "completed":
            return ""
        return labels.word("outcome", self.outcome) if self.outcome else "Afgerond"

    @property
    def closed(self) -> bool:
        return self.status in ("completed", "cancelled")


@dataclass(frozen=True)
class InitiativeFilter:
    """What the "Alle initiatieven" list is narrowed to; empty strings mean "any"."""

    q: str = ""
    wijk: str = ""
    gebied: str = ""
    category: str = ""
    process_id: str = ""
    phase: str = ""
    casist: str = ""  # a user name
    status: str = ""  # "", "open" or "closed"
    outcome: str = ""

    def active(self) -> bool:
        return any(getattr(self, f) for f in self.__dataclass_fields__)


_ROW_COLUMNS = (
    initiative.c.instance_id,
    initiative.c.zaaknummer,
    initiative.c.process_id,
    initiative.c.title,
    initiative.c.wijk,
    initiative.c.gebied,
    initiative.c.category,
    initiative.c.requested_cents,
    initiative.c.casist,
    app_user.c.display_name.label("casist_name"),
    initiative.c.phase,
    initiative.c.phase_at,
    process_instance.c.status,
    initiative.c.started_at,
    process_instance.c.ended_at,
    initiative.c.outcome,
)


def _from_initiatives(query: Any) -> Any:
    return query.join(
        process_instance, process_instance.c.id == initiative.c.instance_id
    ).outerjoin(app_user, app_user.c.username == initiative.c.casist)


def row_of(conn: Connection, instance_id: int) -> InitiativeRow | None:
    """One case's row (None when the case is no initiative)."""
    found = conn.execute(
        _from_initiatives(select(*_ROW_COLUMNS)).where(initiative.c.instance_id == instance_id)
    ).first()
    return None if found is None else _row(found)


def search(engine: Engine, filters: InitiativeFilter, page: int = 1) -> Page[InitiativeRow]:
    """Use case: the initiatives matching the filters, newest first, one page at a time."""
    page = max(1, page)
    query = (
        _from_initiatives(select(*_ROW_COLUMNS))
        .where(*_conditions(filters))
        .order_by(initiative.c.started_at.desc(), initiative.c.instance_id.desc())
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    with engine.reading() as conn:
        rows = [_row(r) for r in conn.execute(query)]
    return Page(tuple(rows[:PAGE_SIZE]), page, len(rows) > PAGE_SIZE)


def _conditions(f: InitiativeFilter) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if f.q.strip():
        like = f"%{_escape_like(f.q.strip().lower())}%"
        out.append(
            or_(
                func.lower(initiative.c.zaaknummer).like(like, escape="\\"),
                func.lower(initiative.c.title).like(like, escape="\\"),
            )
        )
    for value, column in (
        (f.wijk, initiative.c.wijk),
        (f.gebied, initiative.c.gebied),
        (f.category, initiative.c.category),
        (f.process_id, initiative.c.process_id),
        (f.phase, initiative.c.phase),
        (f.casist, initiative.c.casist),
        (f.outcome, initiative.c.outcome),
    ):
        if value:
            out.append(column == value)
    if f.status == "open":
        out.append(process_instance.c.status.in_(("running", "waiting", "errored")))
    elif f.status == "closed":
        out.append(process_instance.c.status.in_(("completed", "cancelled")))
    return out


def _escape_like(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


def _row(r: Any) -> InitiativeRow:
    return InitiativeRow(
        instance_id=int(r.instance_id),
        zaaknummer=r.zaaknummer,
        process_id=r.process_id,
        title=r.title or "",
        wijk=r.wijk,
        gebied=r.gebied,
        category=r.category,
        requested_cents=r.requested_cents,
        casist=r.casist,
        casist_name=r.casist_name or people.label(r.casist, {}) if r.casist else None,
        phase=r.phase,
        phase_at=as_utc(r.phase_at) if r.phase_at else None,
        status=r.status,
        started_at=as_utc(r.started_at),
        ended_at=as_utc(r.ended_at) if r.ended_at else None,
        outcome=r.outcome,
    )


@dataclass(frozen=True)
class FilterChoices:
    """The values the filters of the list offer."""

    wijken: tuple[str, ...]
    gebieden: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]
    processes: tuple[tuple[str, str], ...]
    phases: tuple[tuple[str, str], ...]
    casists: tuple[tuple[str, str], ...]  # (user name, name)
    outcomes: tuple[tuple[str, str], ...]


def filter_choices(engine: Engine) -> FilterChoices:
    """Use case: the options of the list's filters (what occurs, plus the known places)."""
    with engine.reading() as conn:
        categories = _distinct(conn, initiative.c.category)
        casists = _distinct(conn, initiative.c.casist)
        wijken = _distinct(conn, initiative.c.wijk)
        outcomes = _distinct(conn, initiative.c.outcome)
    known = people.names(engine, casists)
    return FilterChoices(
        wijken=tuple(sorted(set(wijken) | set(GEBIED_OF))),
        gebieden=tuple(sorted(set(GEBIED_OF.values()))),
        categories=tuple((c, category_label(c)) for c in categories),
        processes=tuple(PROCESS_LABELS.items()),
        phases=tuple((p.code, p.label) for p in phases.PHASES),
        casists=tuple(
            sorted(((c, people.label(c, known)) for c in casists), key=lambda pair: pair[1])
        ),
        outcomes=tuple(
            sorted(((o, labels.word("outcome", o)) for o in outcomes), key=lambda pair: pair[1])
        ),
    )


def _distinct(conn: Connection, column: Any) -> list[str]:
    return [
        v
        for v in conn.execute(
            select(column).where(column.is_not(None)).distinct().order_by(column)
        ).scalars()
    ]
