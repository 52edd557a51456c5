"""Per route of a simulated year: how long initiators waited for their answer, against the norm,
and how many norm signals (reminders, escalations, the Awb postponement notice) were sent; and
the year's figures DOMAIN.md §4.1 gives for the fund, the aspects and the regiegroepen.

The answer is the first phase after the assessment that the initiator hears about: `uitvoering`
(yes) or `afgerond` (no, referred, withdrawn). The norms add up DOMAIN.md's terms for each route:

- eenvoudig groen: yes or no within 4 weeks (DOMAIN §2.3, ASSUMPTION);
- wijkwens: on the agenda of the next regiegroep meeting (submitted ≥ 4 weeks before it, one
  every ~6 weeks: at most 10 weeks) and decided within 10 working days: 12 weeks;
- complex: intake within 3 weeks, integral advice 6 weeks after it, the formal application
  within 4 weeks and the Awb term of 8 weeks after it: 21 weeks.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from engine import Engine, InstanceSummary, as_utc
from engine.readmodel import event, human_task, outbox
from workflows import fund
from workflows.mail_texts import TEXTS
from workflows.norm_watch import TASK_ITEM
from workflows.tables import fund_period

COMPLEX = "complex_initiative_process"
WIJKWENS = "wijkwens_process"
GREEN = "simple_green_initiative_process"

#: days from receipt to the answer, per route (see the module's docstring)
ANSWER_NORM_DAYS = {GREEN: 28, WIJKWENS: 84, COMPLEX: 147}
#: the phases that give the initiator an answer
ANSWER_PHASES = frozenset({"uitvoering", "afgerond"})
#: the messages a norm sends when it passes
SIGNALS = frozenset(
    {
        "escalatie_eerste_contact",
        "herinnering_aanvulling",
        "herinnering_beoordeling",
        "escalatie_beoordeling",
        "verdagingsbericht",
        "escalatie_beslistermijn",
        "wijkwens_betaling_te_laat",
        "wijkwens_verdaging",
        "norm_verstreken",
        "escalatie_norm",
    }
)


@dataclass(frozen=True)
class RouteFigures:
    process_id: str
    answered: int
    median_days: float | None
    p80_days: float | None
    norm_days: int | None
    within_norm: int
    signals: int
    #: per kind of signal, how many: the message's subject, or for a task's passed norm
    #: "Norm verstreken · <task title>" (what a manager reads, not template codes)
    signal_kinds: tuple[tuple[str, int], ...] = ()


_NORM_KINDS = {"norm_verstreken": "Norm verstreken", "escalatie_norm": "Escalatie"}


def _kind(payload: dict[str, Any]) -> str:
    """A signal's kind in words: its message's subject, or for a task's norm the task."""
    template = str(payload.get("template"))
    if template in _NORM_KINDS:
        title = next(
            (
                str(item).removeprefix(TASK_ITEM)
                for item in payload.get("items") or ()
                if str(item).startswith(TASK_ITEM)
            ),
            str(payload.get("task")),
        )
        return f"{_NORM_KINDS[template]} · {title}"
    return TEXTS[template][0] if template in TEXTS else template


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


def route_figures(engine: Engine, instances: Iterable[InstanceSummary]) -> list[RouteFigures]:
    """The lead time to the answer (median, 80th percentile) and the signals, per route."""
    waits: dict[str, list[float]] = {}
    cases: dict[int, str] = {}
    started: dict[int, datetime] = {}
    for instance in instances:
        cases[instance.id] = instance.process_id
        started[instance.id] = instance.started_at
        waits.setdefault(instance.process_id, [])
    # each case's first answer: one read of the milestones of all cases, not one per case
    answered: dict[int, datetime] = {}
    if cases:
        with engine.reading() as conn:
            for instance_id, at, detail in conn.execute(
                select(event.c.instance_id, event.c.at, event.c.detail)
                .where(event.c.type == "milestone_reached", event.c.instance_id.in_(sorted(cases)))
                .order_by(event.c.id)
            ):
                if instance_id not in answered and (detail or {}).get("milestone") in ANSWER_PHASES:
                    answered[instance_id] = as_utc(at)
    for instance_id, answer in answered.items():
        waits[cases[instance_id]].append(_days(started[instance_id], answer))
    signals: Counter[str] = Counter()
    kinds: dict[str, Counter[str]] = {}
    if cases:
        with engine.reading() as conn:
            for instance_id, payload in conn.execute(
                select(outbox.c.instance_id, outbox.c.payload).where(
                    outbox.c.instance_id.in_(sorted(cases))
                )
            ):
                template = (payload or {}).get("template")
                if template in SIGNALS:
                    signals[cases[instance_id]] += 1
                    kinds.setdefault(cases[instance_id], Counter())[_kind(payload)] += 1
    out = []
    for process_id, days in sorted(waits.items()):
        norm = ANSWER_NORM_DAYS.get(process_id)
        ordered = sorted(days)
        out.append(
            RouteFigures(
                process_id=process_id,
                answered=len(ordered),
                median_days=statistics.median(ordered) if ordered else None,
                p80_days=ordered[max(0, math.ceil(0.8 * len(ordered)) - 1)] if ordered else None,
                norm_days=norm,
                within_norm=sum(d <= norm for d in ordered) if norm else 0,
                signals=signals[process_id],
                signal_kinds=tuple(sorted(kinds.get(process_id, Counter()).items())),
            )
        )
    return out


@dataclass(frozen=True)
class YearFigures:
    """What DOMAIN.md §4.1 expects of a year (≈ 25 fund checks, ≈ 10 grants, € 80–85k awarded,
    ≈ 4.5 aspect assessments per complex case, regiegroep shares), as the simulation made it."""

    fund_checks: int
    fund_applications: int
    fund_awarded_cents: int  # reserved, granted and paid (after any vaststelling)
    assessment_rounds: int
    aspects: int
    specialist_aspects: int  # the vakspecialisten's (the casist assesses organisatie, draagvlak)
    #: per gebied budget (`wijkwensen-<gebied>-<year>`): wishes granted, euro cents awarded
    gebied_budgets: tuple[tuple[str, int, int], ...] = ()


def year_figures(engine: Engine, instance_ids: Iterable[int], fund_code: str) -> YearFigures:
    ids = sorted(instance_ids)
    with engine.reading() as conn:

        def count(*where: ColumnElement[bool]) -> int:
            return int(
                conn.execute(
                    select(func.count()).where(human_task.c.instance_id.in_(ids), *where)
                ).scalar_one()
            )

        aspect = human_task.c.bpmn_id == "assess_aspect"
        # every assessment round asks the policy fit once
        code = human_task.c.properties[("context_values", "aspect", "code")].as_string()
        rounds = count(aspect, code == "BELEIDSFIT")
        total = count(aspect)
        summary = fund.summary(conn, fund_code) if fund.period_exists(conn, fund_code) else None
        budgets = []
        codes = conn.execute(
            select(fund_period.c.code).where(fund_period.c.code.like("wijkwensen-%"))
        ).scalars()
        for code in sorted(codes):
            got = fund.summary(conn, code)
            budgets.append((code, got.applications - got.refused, _awarded(got)))
        return YearFigures(
            fund_checks=count(human_task.c.bpmn_id == "prepare_fund_check"),
            fund_applications=summary.applications - summary.refused if summary else 0,
            fund_awarded_cents=_awarded(summary) if summary else 0,
            assessment_rounds=rounds,
            aspects=total,
            specialist_aspects=count(aspect, human_task.c.lane == "vakspecialist"),
            gebied_budgets=tuple(budgets),
        )


def _awarded(summary: fund.FundSummary) -> int:
    return summary.reserved + summary.committed + summary.paid
