"""The fund overview: the ledger's totals, its journal per month and per gebied, and when the
fund runs out at the rate it is used (with how sure that is)."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from engine import Engine
from workflows import fund
from workflows.reports.periods import Period, add_months, month_label, month_of
from workflows.tables import fund_movement, fund_period, initiative

KINDS = ("reserved", "committed", "paid", "released")
#: months of burn the forecast looks back on
FORECAST_MONTHS = 12
_Z80 = 1.2815515655446004  # an 80% interval: 10% either side
_MONTH = timedelta(days=365.2425 / 12)


@dataclass(frozen=True)
class FundMonth:
    month: str
    label: str
    amounts: dict[str, int]  # per kind, in cents
    applications: int
    held_end: int
    available_end: int


@dataclass(frozen=True)
class FundArea:
    """The movements of one gebied's initiatives, and what the fund holds for them now."""

    gebied: str
    amounts: dict[str, int]
    applications: int
    held: int


@dataclass(frozen=True)
class Forecast:
    """When `available` is used up at the mean monthly burn of `basis` months; the range is an
    80% interval on that mean (None: not within sight at that end)."""

    burn_per_month: float  # cents
    spread: float  # standard error of the mean burn, cents
    basis: int
    expected: datetime | None
    earliest: datetime | None
    latest: datetime | None


@dataclass(frozen=True)
class FundOverview:
    summary: fund.FundSummary
    available: int  # from the journal: ceiling − what it holds
    months: list[FundMonth]
    areas: list[FundArea]
    forecast: Forecast


def overview(engine: Engine, code: str, period: Period) -> FundOverview:
    """Use case: the fund's figures for a period (months), with the forecast from now."""
    now = engine.now()
    with engine.transaction() as uow:  # fund.summary reads through the ledger's functions
        conn = uow.connection
        summary = fund.summary(conn, code)
        period_id = conn.execute(
            select(fund_period.c.id).where(fund_period.c.code == code)
        ).scalar_one()
        moves = conn.execute(
            select(
                fund_movement.c.kind,
                fund_movement.c.amount_cents,
                fund_movement.c.held_delta_cents,
                fund_movement.c.month,
                fund_movement.c.initiative_key,
            )
            .where(fund_movement.c.period_id == period_id)
            .order_by(fund_movement.c.at, fund_movement.c.id)
        ).all()
        keys = {m.initiative_key for m in moves}
        gebied = (
            {
                z: g
                for z, g in conn.execute(
                    select(initiative.c.zaaknummer, initiative.c.gebied).where(
                        initiative.c.zaaknummer.in_(sorted(keys))
                    )
                )
            }
            if keys
            else {}
        )
    per_month: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    applications: dict[str, int] = defaultdict(int)
    delta: dict[str, int] = defaultdict(int)
    areas: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    area_apps: dict[str, int] = defaultdict(int)
    area_held: dict[str, int] = defaultdict(int)
    for m in moves:
        area = gebied.get(m.initiative_key) or "Stadsbreed of onbekend"
        delta[m.month] += int(m.held_delta_cents)
        area_held[area] += int(m.held_delta_cents)
        if m.kind in ("reserved", "refused"):
            applications[m.month] += 1
            area_apps[area] += 1
        if m.kind in KINDS:
            per_month[m.month][m.kind] += int(m.amount_cents)
            areas[area][m.kind] += int(m.amount_cents)
    held_total = sum(delta.values())
    held = sum(v for month, v in delta.items() if month < period.first)
    months = []
    for month in period.months:
        held += delta.get(month, 0)
        months.append(
            FundMonth(
                month,
                month_label(month),
                dict(per_month.get(month, dict.fromkeys(KINDS, 0))),
                applications.get(month, 0),
                held,
                summary.ceiling - held,
            )
        )
    available = summary.ceiling - held_total
    return FundOverview(
        summary=summary,
        available=available,
        months=months,
        areas=[
            FundArea(a, dict(areas[a]), area_apps[a], area_held[a])
            for a in sorted(areas, key=str.lower)
        ],
        forecast=forecast(delta, available, now),
    )


def forecast(delta: dict[str, int], available: int, now: datetime) -> Forecast:
    """Burn = the net change of what the fund holds per month, over the last
    FORECAST_MONTHS months up to now (months without movements count as 0)."""
    current = month_of(now)
    started = min(delta) if delta else current
    first = max(started, add_months(current, -(FORECAST_MONTHS - 1)))
    window = Period(first, current).months
    burns = [float(delta.get(m, 0)) for m in window]
    mean = statistics.fmean(burns) if burns else 0.0
    spread = statistics.stdev(burns) / math.sqrt(len(burns)) if len(burns) > 1 else 0.0

    def when(rate: float) -> datetime | None:
        if rate <= 0 or available <= 0:
            return now if available <= 0 else None
        return now + _MONTH * (available / rate)

    return Forecast(
        burn_per_month=mean,
        spread=spread,
        basis=len(burns),
        expected=when(mean),
        earliest=when(mean + _Z80 * spread),
        latest=when(mean - _Z80 * spread),
    )
