"""The initiative fund ledger: first come, first served by volgnummer, never above the ceiling.

Rules (shared/DOMAIN.md §2.2, subsidieregeling art. 3): every complete application gets the
next volgnummer of its fund period and, in that same transaction, a reservation if the ceiling
allows it; otherwise it is refused on the ceiling (Awb 4:25), or granted partially when the
period allows partial grants and what is left is at least the minimum meaningful amount.
`available = ceiling − (reserved + committed + paid)`; a release frees an entry's amount.

Every mutation locks the period row (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the
engine's write transactions already hold the database lock from `BEGIN IMMEDIATE`), so
concurrent applications are numbered and reserved strictly one after another: the committed
total can never exceed the ceiling and an earlier application is never overtaken by a later
one. Amounts are whole cents. All functions take the caller's connection and never commit.

One module (~510 lines) on purpose: every movement of money and the lock it takes are read
together to judge that the ceiling holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from engine import Engine
from workflows.errors import EngineError
from workflows.reports.periods import month_of
from workflows.tables import fund_entry, fund_movement, fund_period

HOLDING = ("reserved", "committed", "paid")


class FundError(EngineError):
    """A fund operation that the rules do not allow; the message says why, in Dutch."""


@dataclass(frozen=True)
class FundSummary:
    """The state of one fund period, in cents."""

    code: str
    name: str
    ceiling: int
    reserved: int
    committed: int
    paid: int
    released: int
    available: int
    applications: int
    refused: int

    @property
    def exhausted(self) -> bool:
        return self.available <= 0


@dataclass(frozen=True)
class Entry:
    """One application's place in the fund."""

    id: int
    period: str
    initiative_key: str
    volgnummer: int
    requested: int
    amount: int
    paid: int
    state: str
    applied_at: datetime

    @property
    def outcome(self) -> str:
        """reserved / partial / refused_ceiling / committed / paid / released."""
        if self.state == "refused":
            return "refused_ceiling"
        if self.state == "reserved" and self.amount < self.requested:
            return "partial"
        return self.state

    @property
    def outcome_label(self) -> str:
        """The outcome in words ("gereserveerd", "betaald", …)."""
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


#: an application's place in the fund, in words
OUTCOME_LABELS = {
    "reserved": "gereserveerd",
    "partial": "deels gereserveerd",
    "refused_ceiling": "geweigerd (plafond bereikt)",
    "committed": "toegekend",
    "paid": "betaald",
    "released": "vrijgegeven",
}


def to_cents(amount: Any) -> int:
    """Euros (number or Dutch/English decimal text) to whole cents; refuses negatives and junk."""
    try:
        value = Decimal(str(amount).replace("€", "").replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise FundError(f"'{amount}' is geen geldig bedrag.") from None
    if not value.is_finite() or value < 0:
        raise FundError(f"'{amount}' is geen geldig bedrag (moet 0 of meer zijn).")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def euros(cents: int) -> str:
    """Cents as Dutch money text: 1234567 → '€ 12.345,67', with a no-break space after the euro
    sign so that a narrow screen never puts the amount on the next line."""
    whole, rest = divmod(abs(cents), 100)
    text = f"{whole:,}".replace(",", ".")
    return f"{'-' if cents < 0 else ''}€\u00a0{text},{rest:02d}"


# Statements built once (the fund operators run inside case steps); values are bound per call.
_PERIOD = select(fund_period).where(fund_period.c.code == bindparam("code"))
_LOCK_PERIOD = _PERIOD.with_for_update()
_HELD = select(func.coalesce(func.sum(fund_entry.c.amount_cents), 0)).where(
    fund_entry.c.period_id == bindparam("period_id"), fund_entry.c.state.in_(HOLDING)
)
_ENTRY_IN = select(fund_entry).where(
    fund_entry.c.period_id == bindparam("period_id"),
    fund_entry.c.initiative_key == bindparam("initiative_key"),
    fund_entry.c.state.in_(bindparam("states", expanding=True)),
)
_LAST_VOLGNUMMER = select(func.max(fund_entry.c.volgnummer)).where(
    fund_entry.c.period_id == bindparam("period_id")
)
_NEWEST_ENTRY = (
    select(fund_entry)
    .join(fund_period, fund_period.c.id == fund_entry.c.period_id)
    .where(
        fund_period.c.code == bindparam("code"),
        fund_entry.c.initiative_key == bindparam("initiative_key"),
    )
    .order_by(fund_entry.c.volgnummer.desc())
    .limit(1)
)
_ENTRY_NUMBERED = _NEWEST_ENTRY.where(fund_entry.c.volgnummer == bindparam("volgnummer"))
_TOTALS = (
    select(fund_entry.c.state, func.coalesce(func.sum(fund_entry.c.amount_cents), 0), func.count())
    .where(fund_entry.c.period_id == bindparam("period_id"))
    .group_by(fund_entry.c.state)
)
_RELEASED = select(func.coalesce(func.sum(fund_movement.c.amount_cents), 0)).where(
    fund_movement.c.period_id == bindparam("period_id"), fund_movement.c.kind == "released"
)
_SET_ENTRY = update(fund_entry).where(fund_entry.c.id == bindparam("b_entry_id"))
_INSERT_ENTRY = insert(fund_entry)
_INSERT_MOVEMENT = insert(fund_movement)


def period_exists(conn: Connection, code: str) -> bool:
    return (
        conn.execute(select(fund_period.c.id).where(fund_period.c.code == code)).first() is not None
    )


def open_period(
    conn: Connection,
    code: str,
    name: str,
    ceiling_cents: int,
    now: datetime,
    minimum_grant_cents: int = 100_000,
) -> FundSummary:
    """Create a fund period (idempotent for the same code and ceiling)."""
    existing = conn.execute(select(fund_period).where(fund_period.c.code == code)).first()
    if existing is not None:
        if existing.ceiling_cents != ceiling_cents:
            raise FundError(
                f"Fondsperiode '{code}' bestaat al met plafond {euros(existing.ceiling_cents)}; "
                "wijzig het plafond met set_ceiling."
            )
        return summary(conn, code)
    if ceiling_cents < 0:
        raise FundError("Het plafond kan niet negatief zijn.")
    conn.execute(
        insert(fund_period).values(
            code=code,
            name=name,
            ceiling_cents=ceiling_cents,
            minimum_grant_cents=minimum_grant_cents,
            created_at=now,
        )
    )
    return summary(conn, code)


def ensure_period(
    conn: Connection, code: str, name: str, ceiling_cents: int, now: datetime
) -> None:
    """The period exists: created with this ceiling if it did not, else left as it is (its
    ceiling is changed with set_ceiling, not by whoever asks first). Safe when many ask at once:
    the insert skips a code that exists, on both databases."""
    if ceiling_cents < 0:
        raise FundError("Het plafond kan niet negatief zijn.")
    dialect = conn.dialect.name
    values = {
        "code": code,
        "name": name,
        "ceiling_cents": ceiling_cents,
        "minimum_grant_cents": 0,
        "created_at": now,
    }
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    conn.execute(
        upsert(fund_period).values(**values).on_conflict_do_nothing(index_elements=["code"])
    )


def set_ceiling(conn: Connection, code: str, ceiling_cents: int) -> FundSummary:
    """Change a period's ceiling; refused below what is already held."""
    period = _lock_period(conn, code)
    held = _held(conn, period.id)
    if ceiling_cents < held:
        raise FundError(
            f"Het plafond kan niet lager dan wat al is gereserveerd of toegekend ({euros(held)})."
        )
    conn.execute(
        update(fund_period).where(fund_period.c.id == period.id).values(ceiling_cents=ceiling_cents)
    )
    return summary(conn, code)


def apply(
    conn: Connection,
    code: str,
    initiative_key: str,
    requested_cents: int,
    now: datetime,
    allow_partial: bool = False,
) -> Entry:
    """Register a complete application: next volgnummer, and a reservation if the ceiling allows.

    Idempotent per initiative: an initiative that already holds budget in this period gets its
    existing entry back (a retried step must not reserve twice).
    """
    if requested_cents <= 0:
        raise FundError("Het aangevraagde bedrag moet groter dan € 0 zijn.")
    period = _lock_period(conn, code)
    current = conn.execute(
        _ENTRY_IN,
        {"period_id": period.id, "initiative_key": initiative_key, "states": list(HOLDING)},
    ).first()
    if current is not None:
        return _entry(current, code)
    available = period.ceiling_cents - _held(conn, period.id)
    if requested_cents <= available:
        amount, state = requested_cents, "reserved"
    elif allow_partial and available >= period.minimum_grant_cents:
        amount, state = available, "reserved"
    else:
        amount, state = 0, "refused"
    volgnummer = (conn.execute(_LAST_VOLGNUMMER, {"period_id": period.id}).scalar() or 0) + 1
    conn.execute(
        _INSERT_ENTRY,
        {
            "period_id": period.id,
            "initiative_key": initiative_key,
            "volgnummer": volgnummer,
            "requested_cents": requested_cents,
            "amount_cents": amount,
            "paid_cents": 0,
            "state": state,
            "applied_at": now,
            "updated_at": now,
        },
    )
    got = entry(conn, code, initiative_key, volgnummer=volgnummer)
    _journal(conn, period.id, got, "reserved" if amount else "refused", amount, amount, now)
    return got


def commit(
    conn: Connection, code: str, initiative_key: str, now: datetime, amount_cents: int | None = None
) -> Entry:
    """Grant (verlening): a reservation becomes a commitment, at most the reserved amount."""
    current = _holding(conn, code, initiative_key, "reserved")
    amount = current.amount_cents if amount_cents is None else amount_cents
    if not 0 < amount <= current.amount_cents:
        raise FundError(
            f"Het toe te kennen bedrag moet tussen € 0 en de reservering ({euros(current.amount_cents)}) liggen."
        )
    _set(conn, current.id, now, state="committed", amount_cents=amount)
    got = entry(conn, code, initiative_key)
    _journal(conn, current.period_id, got, "committed", amount, amount - current.amount_cents, now)
    return got


def pay(
    conn: Connection, code: str, initiative_key: str, now: datetime, amount_cents: int | None = None
) -> Entry:
    """Payment of (the rest of) a commitment; the entry is 'paid' when nothing is left to pay."""
    current = _holding(conn, code, initiative_key, "committed")
    remaining = current.amount_cents - current.paid_cents
    amount = remaining if amount_cents is None else amount_cents
    if not 0 < amount <= remaining:
        raise FundError(
            f"Het te betalen bedrag moet tussen € 0 en het openstaande bedrag ({euros(remaining)}) liggen."
        )
    paid = current.paid_cents + amount
    _set(
        conn,
        current.id,
        now,
        paid_cents=paid,
        state="paid" if paid == current.amount_cents else "committed",
    )
    got = entry(conn, code, initiative_key)
    _journal(conn, current.period_id, got, "paid", amount, 0, now)
    return got


def release(
    conn: Connection, code: str, initiative_key: str, now: datetime, reason: str
) -> Entry | None:
    """Free what an initiative holds (withdrawal, refusal); None when it holds nothing."""
    period, current = _entry_in(conn, code, initiative_key, ("reserved", "committed"))
    if current is None:
        return None
    if current.paid_cents:
        # Money already paid stays held; only the unpaid rest returns to the fund.
        _set(conn, current.id, now, state="paid", amount_cents=current.paid_cents, note=reason)
    else:
        _set(conn, current.id, now, state="released", note=reason)
    got = entry(conn, code, initiative_key, volgnummer=current.volgnummer)
    freed = current.amount_cents - current.paid_cents
    _journal(conn, period.id, got, "released", freed, -freed, now)
    return got


@dataclass(frozen=True)
class Settlement:
    """A vaststelling in cents: the final amount, what went back to the fund, and what the
    initiator has to pay back (paid in advance beyond the final amount)."""

    entry: Entry
    released: int
    to_reclaim: int


def settle(
    conn: Connection, code: str, initiative_key: str, now: datetime, settled_cents: int
) -> Settlement:
    """Vaststelling: the grant's final amount (after the verantwoording, or ambtshalve).

    What was granted but not settled goes back to the fund (a `released` movement); what was
    paid in advance beyond the final amount is to be reclaimed from the initiator, and the
    entry keeps only the final amount as paid. Settling the same amount again changes nothing.
    """
    period, current = _entry_in(conn, code, initiative_key, ("committed", "paid"))
    if current is None:
        raise FundError(
            f"Initiatief '{initiative_key}' heeft geen toekenning in '{code}' om vast te stellen."
        )
    if not 0 <= settled_cents <= current.amount_cents:
        raise FundError(
            f"Het vast te stellen bedrag moet tussen € 0 en het toegekende bedrag "
            f"({euros(current.amount_cents)}) liggen."
        )
    freed = current.amount_cents - settled_cents
    to_reclaim = max(0, current.paid_cents - settled_cents)
    paid = current.paid_cents - to_reclaim
    state = "released" if settled_cents == 0 else "paid" if paid == settled_cents else "committed"
    _set(
        conn,
        current.id,
        now,
        state=state,
        amount_cents=settled_cents,
        paid_cents=paid,
        note=f"vastgesteld op {euros(settled_cents)}",
    )
    got = entry(conn, code, initiative_key, volgnummer=current.volgnummer)
    if freed:
        _journal(conn, period.id, got, "released", freed, -freed, now)
    return Settlement(got, freed, to_reclaim)


def entry(conn: Connection, code: str, initiative_key: str, volgnummer: int | None = None) -> Entry:
    """The newest entry of an initiative in a period (or the one with this volgnummer)."""
    params: dict[str, Any] = {"code": code, "initiative_key": initiative_key}
    if volgnummer is None:
        row = conn.execute(_NEWEST_ENTRY, params).first()
    else:
        row = conn.execute(_ENTRY_NUMBERED, {**params, "volgnummer": volgnummer}).first()
    if row is None:
        raise FundError(
            f"Initiatief '{initiative_key}' heeft geen aanvraag in fondsperiode '{code}'."
        )
    return _entry(row, code)


def entries(conn: Connection, code: str) -> list[Entry]:
    """All applications of a period in volgnummer order."""
    rows = conn.execute(
        select(fund_entry)
        .join(fund_period, fund_period.c.id == fund_entry.c.period_id)
        .where(fund_period.c.code == code)
        .order_by(fund_entry.c.volgnummer)
    ).all()
    return [_entry(r, code) for r in rows]


def summary(conn: Connection, code: str) -> FundSummary:
    """Ceiling, what is reserved/committed/paid/released, and what is still available."""
    period = conn.execute(_PERIOD, {"code": code}).first()
    if period is None:
        raise FundError(f"Fondsperiode '{code}' bestaat niet.")
    totals: dict[str, int] = {}
    counts: dict[str, int] = {}
    for state, amount, count in conn.execute(_TOTALS, {"period_id": period.id}):
        totals[state], counts[state] = int(amount), int(count)
    # what went back to the fund: whole reservations let go and the unspent rest of a grant
    # at its settlement (the journal's movements, so it adds up with the months' figures)
    released = int(conn.execute(_RELEASED, {"period_id": period.id}).scalar_one())
    held = sum(totals.get(s, 0) for s in HOLDING)
    return FundSummary(
        code=code,
        name=period.name,
        ceiling=period.ceiling_cents,
        reserved=totals.get("reserved", 0),
        committed=totals.get("committed", 0),
        paid=totals.get("paid", 0),
        released=released,
        available=period.ceiling_cents - held,
        applications=sum(counts.values()),
        refused=counts.get("refused", 0),
    )


# ---------------------------------------------------------------------- internals


def _lock_period(conn: Connection, code: str) -> Any:
    row = conn.execute(_LOCK_PERIOD, {"code": code}).first()
    if row is None:
        raise FundError(f"Fondsperiode '{code}' bestaat niet.")
    return row


def _held(conn: Connection, period_id: int) -> int:
    return int(conn.execute(_HELD, {"period_id": period_id}).scalar_one())


def _entry_in(
    conn: Connection, code: str, initiative_key: str, states: tuple[str, ...]
) -> tuple[Any, Any]:
    """The period, locked, and the initiative's entry in one of these states (or None)."""
    period = _lock_period(conn, code)
    row = conn.execute(
        _ENTRY_IN,
        {"period_id": period.id, "initiative_key": initiative_key, "states": list(states)},
    ).first()
    return period, row


def _holding(conn: Connection, code: str, initiative_key: str, state: str) -> Any:
    _, row = _entry_in(conn, code, initiative_key, (state,))
    if row is None:
        labels = {"reserved": "reservering", "committed": "toekenning"}
        raise FundError(
            f"Initiatief '{initiative_key}' heeft geen open {labels.get(state, state)} in '{code}'."
        )
    return row


def _set(conn: Connection, entry_id: int, now: datetime, **values: Any) -> None:
    conn.execute(_SET_ENTRY, {"b_entry_id": entry_id, "updated_at": now, **values})


def _journal(
    conn: Connection, period_id: int, got: Entry, kind: str, amount: int, delta: int, now: datetime
) -> None:
    """Record a movement in the fund's journal (the history the fund overview reads)."""
    conn.execute(
        _INSERT_MOVEMENT,
        {
            "period_id": period_id,
            "entry_id": got.id,
            "initiative_key": got.initiative_key,
            "kind": kind,
            "amount_cents": amount,
            "held_delta_cents": delta,
            "at": now,
            "month": month_of(now),
        },
    )


def _entry(row: Any, code: str) -> Entry:
    applied = row.applied_at
    return Entry(
        id=row.id,
        period=code,
        initiative_key=row.initiative_key,
        volgnummer=row.volgnummer,
        requested=row.requested_cents,
        amount=row.amount_cents,
        paid=row.paid_cents,
        state=row.state,
        applied_at=applied,
    )


def overview(engine: Engine, code: str) -> tuple[FundSummary, list[Entry]]:
    """Use case: the period's totals and its applications in volgnummer order, in one read."""
    with engine.transaction() as uow:
        return summary(uow.connection, code), entries(uow.connection, code)
