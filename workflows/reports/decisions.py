"""The quarterly besluitenlijst of the wijkwensen per gebied (DOMAIN §4: the municipality
publishes a quarterly overview of its decisions): every wish the gebiedsmanager decided on in
the quarter, granted or rejected, with the amount, in the order decided; as a page and as CSV
for publication. Names and contact details of initiators are not in it."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from engine import Engine, as_utc
from engine.readmodel import event, process_instance
from workflows import fund
from workflows.reports.periods import ZONE

PROCESS = "wijkwens_process"
DECIDE_TASK = "wijkwens_decide"
GEBIEDEN = ("Centrum", "Oost", "West")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


class QuarterError(ValueError):
    """A quarter that is not written as 2026-Q1."""


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.number}e kwartaal {self.year}"

    @property
    def start(self) -> datetime:
        return datetime(self.year, 3 * self.number - 2, 1, tzinfo=ZONE).astimezone(UTC)

    @property
    def end(self) -> datetime:
        nxt = self.next()
        return datetime(nxt.year, 3 * nxt.number - 2, 1, tzinfo=ZONE).astimezone(UTC)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarters_up_to(last: Quarter, count: int, also: Quarter | None = None) -> list[Quarter]:
    """The `count` quarters up to `last`, newest first (and `also`, if it is not among them)."""
    found = [last]
    while len(found) < count:
        found.append(found[-1].previous())
    if also is not None and also not in found:
        found.append(also)
        found.sort(key=lambda q: (q.year, q.number), reverse=True)
    return found


def parse_quarter(text: str) -> Quarter:
    found = _QUARTER.fullmatch(text.strip())
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise QuarterError(f"Kies een kwartaal als 2026-Q1, niet '{text[:20]}'.")
    return Quarter(int(found.group(1)), int(found.group(2)))


@dataclass(frozen=True)
class Decision:
    zaaknummer: str
    instance_id: int
    decided_on: date
    title: str
    wijk: str
    granted: bool
    amount_cents: int  # granted (0 when rejected)
    reason: str  # why rejected, or the advice it followed


@dataclass(frozen=True)
class DecisionList:
    gebied: str
    quarter: Quarter
    decisions: tuple[Decision, ...]
    #: the gebied's budget of the quarter's year (None: nothing decided on it yet)
    budget: fund.FundSummary | None = None

    @property
    def granted(self) -> int:
        return sum(d.granted for d in self.decisions)

    @property
    def rejected(self) -> int:
        return len(self.decisions) - self.granted

    @property
    def granted_cents(self) -> int:
        return sum(d.amount_cents for d in self.decisions)


_KEYS = ("title", "wijk", "gebied", "decision", "granted_amount", "gebied_budget", "advice")


def decision_list(engine: Engine, gebied: str, quarter: Quarter) -> DecisionList:
    """The wishes of `gebied` decided in `quarter`, oldest decision first."""
    with engine.reading() as conn:
        rows = conn.execute(
            select(event.c.instance_id, event.c.at, process_instance.c.business_key)
            .join(process_instance, process_instance.c.id == event.c.instance_id)
            .where(
                process_instance.c.process_id == PROCESS,
                event.c.type == "task_completed",
                event.c.bpmn_id == DECIDE_TASK,
                event.c.at >= quarter.start,
                event.c.at < quarter.end,
            )
            .order_by(event.c.at, event.c.id)
        ).all()
    found = []
    for instance_id, at, key in rows:
        data = engine.instance_values(instance_id, _KEYS)
        if data.get("gebied") != gebied:
            continue
        budget = data.get("gebied_budget") or {}
        refused = isinstance(budget, dict) and budget.get("outcome") == "refused_ceiling"
        granted = data.get("decision") == "grant" and not refused
        if refused:
            reason = "Budget van het gebied op"
        elif granted:
            reason = "Conform advies regiegroep" if data.get("advice") == "positive" else ""
        else:
            reason = "Negatief advies regiegroep" if data.get("advice") == "negative" else ""
        found.append(
            Decision(
                zaaknummer=str(key or instance_id),
                instance_id=instance_id,
                decided_on=as_utc(at).astimezone(ZONE).date(),
                title=str(data.get("title") or ""),
                wijk=str(data.get("wijk") or ""),
                granted=granted,
                amount_cents=round(float(data.get("granted_amount") or 0) * 100) if granted else 0,
                reason=reason,
            )
        )
    with engine.reading() as conn:
        code = budget_code(gebied, quarter.year)
        budget = fund.summary(conn, code) if fund.period_exists(conn, code) else None
    return DecisionList(gebied, quarter, tuple(found), budget)


def budget_code(gebied: str, year: int) -> str:
    """The ledger of a gebied's wijkwensen budget in a year, as the diagram names it."""
    return f"wijkwensen-{gebied}-{year}"


def decision_list_csv(found: DecisionList) -> str:
    """The list as CSV (semicolons, as Dutch spreadsheets read it), amounts in euros."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["zaaknummer", "besluitdatum", "wijk", "omschrijving", "besluit", "bedrag", "toelichting"]
    )
    for d in found.decisions:
        writer.writerow(
            [
                d.zaaknummer,
                d.decided_on.isoformat(),
                d.wijk,
                d.title,
                "toegekend" if d.granted else "afgewezen",
                f"{d.amount_cents / 100:.2f}".replace(".", ","),
                d.reason,
            ]
        )
    return out.getvalue()
