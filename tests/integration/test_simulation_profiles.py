"""A year of Dordrecht's initiatives (workflows/simulation_profiles.py) through the real bpmn/.

The simulation drives the wired engine (fund and notify operators, the € 120.000 fund) with the
volumes, seasonality, durations and outcome mix of shared/DOMAIN.md §4.1 and the example
initiatives of §4.2: no instance may error, volumes and outcomes stay in their expected ranges, the
fund never exceeds its ceiling, and every answer the profiles give is valid for its form.
A 12-month run takes ≈ 20 s on SQLite and ≈ 30 s on PostgreSQL (2 cores), so both run a full year.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from lxml import etree

from engine import Engine, ManualClock
from workflows import bootstrap, forms, fund
from workflows.simulation import (
    ALL_WIJKEN,
    COMPLEX,
    COMPLEX_EXAMPLES,
    EXAMPLE_TITLES,
    GREEN,
    WIJKWENS,
    Simulation,
    SimulationReport,
    profiles,
)

ROOT = Path(__file__).resolve().parents[2]
BPMN = ROOT / "bpmn"
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday
PERIOD = "initiatievenfonds"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
YEARLY = {COMPLEX: 60, WIJKWENS: 118, GREEN: 255}


def _open(database_url: str, clock: ManualClock) -> Engine:
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
    engine.deploy_paths([str(BPMN)])
    return engine


def _simulate(engine: Engine, clock: ManualClock, months: int, seed: int) -> SimulationReport:
    assert engine.clock is clock
    return Simulation(engine, profiles(clock), START, months=months, seed=seed).run()


@pytest.fixture
def year(database_url: str) -> Iterator[tuple[Engine, SimulationReport]]:
    clock = ManualClock(START)
    engine = _open(database_url, clock)
    report = _simulate(engine, clock, months=12, seed=1)
    yield engine, report
    engine.dispose()


REPORT_TASK = "wijkwens_report_execution"


def _share(outcomes: Counter[str], *names: str) -> float:
    total = sum(outcomes.values())
    return sum(outcomes[n] for n in names) / total if total else 0.0


def test_a_year_of_initiatives_runs_clean_with_the_intended_mix(
    year: tuple[Engine, SimulationReport],
) -> None:
    engine, report = year
    assert report.errored == []
    assert not [key for key in report.statuses if key[1] == "errored"]
    assert report.wall_seconds < 120  # CI budget (measured ≈ 20 s SQLite, ≈ 30 s PostgreSQL)

    # volumes: Poisson around the yearly volume, ± 3 standard deviations
    for process_id, expected in YEARLY.items():
        spread = 3 * math.sqrt(expected)
        assert expected - spread <= report.started[process_id] <= expected + spread, process_id

    def outcomes(process_id: str) -> Counter[str]:
        return Counter({o: n for (p, o), n in report.outcomes.items() if p == process_id and n > 0})

    wijkwens = outcomes(WIJKWENS)
    # short lead times: closed, or paid and waiting for the initiator's report (up to six
    # months; those count as honoured: the wish was granted and paid)
    reporting = [t for t in engine.list_tasks(limit=100_000) if t.bpmn_id == REPORT_TASK]
    assert reporting
    wijkwens["honoured"] += len(reporting)
    # the wishes of the year's last two months or so still wait for their regiegroep meeting
    # (about every six weeks, on the agenda four weeks after the complete application)
    assert sum(wijkwens.values()) >= 0.72 * report.started[WIJKWENS]
    assert 0.60 <= _share(wijkwens, "honoured") <= 0.90
    assert 0.03 <= _share(wijkwens, "rejected") <= 0.20
    assert _share(wijkwens, "withdrawn", "not_processed") <= 0.25
    assert {"honoured", "rejected"} <= set(wijkwens)

    green = outcomes(GREEN)
    assert sum(green.values()) >= 0.75 * report.started[GREEN]
    assert 0.60 <= _share(green, "agreed", "adopted") <= 0.90
    assert green["agreed"] > 2 * green["adopted"] > 0  # ≈ 200 geveltuinen, ≈ 50 adoptions
    assert {"rejected", "withdrawn"} <= set(green)

    complex_ = outcomes(COMPLEX)
    rerouted = complex_["rerouted_wijkwens"] + complex_["rerouted_green"]
    assert 0.03 * report.started[COMPLEX] <= rerouted <= 0.35 * report.started[COMPLEX]
    assert complex_["referred"] >= 2
    assert complex_["rejected"] + complex_["rejected_masterclass"] >= 2
    assert complex_["honoured_with_money"] + complex_["honoured_without_money"] >= 1
    # long processes: a good part is still under way after a year, but not most
    assert 0.3 <= sum(complex_.values()) / report.started[COMPLEX] <= 0.9

    # the fund: never above the € 120.000 ceiling, and really used
    with engine.transaction() as u:
        total = fund.summary(u.connection, PERIOD)
        entries = fund.entries(u.connection, PERIOD)
    held = total.reserved + total.committed + total.paid
    assert total.ceiling == fund.to_cents(120000)
    assert 0 < held <= total.ceiling
    assert total.available >= 0
    awarded = [e.amount for e in entries if e.state in ("committed", "paid")]
    assert awarded
    assert all(fund.to_cents(1000) <= a <= fund.to_cents(25000) for a in awarded)

    # the example initiatives of DOMAIN §4.2 are among the cases
    titles = {
        engine.get_instance(i.id).data.get("title") for i in engine.list_instances(limit=100_000)
    }
    assert set(EXAMPLE_TITLES) <= titles
    assert len(EXAMPLE_TITLES) == 22
    _check_example_routes(engine)


def _check_example_routes(engine: Engine) -> None:
    """Where DOMAIN §4.2 names a route, the example follows it (unless withdrawn meanwhile)."""
    by_title: dict[str, Any] = {}
    for instance in engine.list_instances(limit=100_000):
        detail = engine.get_instance(instance.id)
        if detail.data.get("title") in EXAMPLE_TITLES:
            by_title[detail.data["title"]] = detail
    outcome = {
        t: d.data.get("outcome") for t, d in by_title.items() if d.summary.status == "completed"
    }
    assert outcome.get("Geveltuin bij smalle stoep") in ("rejected", "withdrawn")
    assert outcome.get("Bankje en picknicktafel bij de vijver") in ("rejected", "withdrawn")
    assert outcome.get("Buurtbarbecue op Burendag") in ("honoured", "withdrawn", "not_processed")
    assert outcome.get("Deelbakfietsen voor buurtkracht") in ("rejected_masterclass", "withdrawn")
    assert outcome.get("Stadswaardehuis: podium en huiskamer voor de stad") in (
        "referred",
        "withdrawn",
    )
    # none of the complex examples is rerouted at triage
    for example in COMPLEX_EXAMPLES:
        assert not str(outcome.get(example["title"], "")).startswith("rerouted")


def test_the_same_seed_tells_the_same_story(tmp_path: Path) -> None:
    # Determinism is a property of the simulator, shown on SQLite files of its own.
    reports = []
    for name in ("first", "second"):
        clock = ManualClock(START)
        engine = _open(f"sqlite:///{tmp_path / name}.db", clock)
        try:
            reports.append(_simulate(engine, clock, months=4, seed=1))
        finally:
            engine.dispose()
    first, second = reports
    assert first.started == second.started
    assert first.outcomes == second.outcomes
    assert first.tasks_completed == second.tasks_completed
    assert sum(first.started.values()) > 50


# ---------------------------------------------------------------- no engine needed


def _forms() -> dict[str, dict[str, Any]]:
    return {
        p.name.removesuffix(".schema.json"): json.loads(p.read_text(encoding="utf-8"))
        for p in BPMN.glob("*/forms/*.schema.json")
    }


def _user_tasks(process_id: str) -> set[str]:
    for diagram in BPMN.glob("*/*.bpmn"):
        root = etree.parse(str(diagram)).getroot()
        for process in root.findall("bpmn:process", NS):
            if process.get("id") == process_id:
                return {t.get("id") for t in process.iter(f"{{{NS['bpmn']}}}userTask")}
    raise AssertionError(f"no diagram for {process_id}")


def _variants(process_id: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The case data as answers see it at the different steps of a case."""
    if process_id != WIJKWENS:
        return [data]  # complex: the data at triage; green: the start data
    amount = data["requested_amount"]
    return [
        data,
        {**data, "admissibility": "incomplete", "additional_info": "Aangevuld."},
        {**data, "advice": "negative"},
        {**data, "advice": "positive", "advised_amount": amount},
        {**data, "advice": "positive", "advised_amount": amount, "granted_amount": amount},
        {**data, "co_signing_entity": None, "admissibility": "admissible"},
    ]


@pytest.mark.parametrize("process_id", [COMPLEX, WIJKWENS, GREEN])
def test_every_answer_is_valid_for_its_form(process_id: str) -> None:
    schemas = _forms()
    clock = ManualClock(START)
    [profile] = [p for p in profiles(clock) if p.process_id == process_id]
    # every user task of the diagram has a plan: the empty default answer fits no form
    assert _user_tasks(process_id) == set(profile.tasks)
    rng = random.Random(42)
    checker = jsonschema.FormatChecker()
    seen: Counter[tuple[str, str]] = Counter()
    for n in range(1, 121):
        clock.set(datetime(2026, 1 + n % 12, 1 + n % 28, 9, 0, tzinfo=UTC))
        data = profile.start_data(rng, n)
        json.dumps(data)  # the engine stores it as JSON
        for case in _variants(process_id, data):
            for task_id, plan in profile.tasks.items():
                answer = plan.answer(rng, case)
                schema = schemas[task_id]
                result = forms.validate(schema, answer)
                assert result.ok, (task_id, answer, result.errors)
                jsonschema.validators.validator_for(schema)(
                    schema, format_checker=checker
                ).validate(answer)
                for key in ("verdict", "integral_outcome", "admissibility", "advice", "decision"):
                    if key in answer:
                        seen[(key, str(answer[key]))] += 1
    if process_id == COMPLEX:  # every branch is reachable
        for verdict in ("HAALBAAR", "HAALBAAR_MET_AANPASSINGEN", "NIET_HAALBAAR"):
            assert seen[("integral_outcome", verdict)] > 0
        for decision in ("VERLENEN", "GEDEELTELIJK_VERLENEN", "WEIGEREN"):
            assert seen[("decision", decision)] > 0
    if process_id == WIJKWENS:
        for verdict in ("admissible", "incomplete", "rejected"):
            assert seen[("admissibility", verdict)] > 0
        assert seen[("decision", "reject")] > 0
        assert seen[("advice", "negative")] > 0


def test_start_data_uses_the_examples_first_and_the_dmn_wijken() -> None:
    dmn = etree.parse(str(BPMN / "shared" / "dmn_wijk_to_gebied.dmn")).getroot()
    known = {
        w.strip().strip('"')
        for entry in dmn.iter("{*}inputEntry")
        for text in [entry.findtext("{*}text") or ""]
        if text.startswith("? in")
        for w in text.removeprefix("? in (").removesuffix(")").split(",")
    }
    assert set(ALL_WIJKEN) == known
    rng = random.Random(3)
    titles = []
    for profile in profiles(ManualClock(START)):
        cases = [profile.start_data(rng, n) for n in range(1, 200)]
        titles += [c["title"] for c in cases]
        assert all(
            c["initiator_email"] == f"initiatiefnemer{n}@example.nl" for n, c in enumerate(cases, 1)
        )
        assert len({c["title"] for c in cases}) > 20  # varied generated titles
        if profile.process_id != COMPLEX:
            generated = cases[10:]
            assert {c["wijk"] for c in generated} <= known
            assert len({c["wijk"] for c in generated}) >= 10
    first = titles[:]
    assert all(t in first for t in EXAMPLE_TITLES)
    complex_profile = next(p for p in profiles() if p.process_id == COMPLEX)
    amounts = [complex_profile.start_data(rng, n)["requested_amount"] for n in range(10, 400)]
    asking = [a for a in amounts if a > 0]
    # ≈ 27 of 35 feasible ones ask money (≈ 25 reach the fund check within the year), and the
    # wishes rerouted at triage ask money too: ≈ 0.8 × 0.78 + 9/60 ≈ 0.77
    assert 0.67 < len(asking) / len(amounts) < 0.87
    assert all(0 <= a <= 20000 for a in amounts)  # the scheme's range (DOMAIN §4.1)
    complex_amounts = [a for a in asking if a >= 1500]
    # the lognormal (median € 7.000) and the local small ones (€ 1.500–5.000): ≈ € 6.500
    assert 5500 < sum(complex_amounts) / len(complex_amounts) < 8000
