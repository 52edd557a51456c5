"""The complex initiative process (bpmn/complex_initiative/) driven end to end on the wired engine.

Every test deploys the real diagram, DMN tables and forms, starts an initiative with realistic
data and a zaaknummer, completes the user tasks in their lanes, moves the clock for timers, and
checks at each end: status completed, `outcome`, the phases (milestone_reached events) in order
and the notifications in the outbox.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from lxml import etree
from sqlalchemy import select

from engine import Engine, ManualClock, TaskNotAllowedError
from engine.persistence.tables import outbox
from workflows import accounts, bootstrap, fund, norms
from workflows.tables import fund_movement

#: also run with every cache off (`make test` runs these twice; see tests/conftest.py)
pytestmark = pytest.mark.cold

ROOT = Path(__file__).resolve().parents[2]
PROCESS_DIR = ROOT / "bpmn" / "complex_initiative"
BPMN_FILE = PROCESS_DIR / "complex_initiative.bpmn"
PROCESS_ID = "complex_initiative_process"
PERIOD = "initiatievenfonds"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

ROLES = ("initiatieventeam", "casist", "vakspecialist", "fondsbeheer", "budgethouder")


@pytest.fixture
def domain(database_url: str) -> Iterator[tuple[Engine, ManualClock]]:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # a Monday
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
    engine.deploy_paths([str(PROCESS_DIR)])
    yield engine, clock
    engine.dispose()


def initiative(**overrides: Any) -> dict[str, Any]:
    """A city-wide initiative: a neighbourhood kitchen garden with a festival, € 15.000 asked."""
    data: dict[str, Any] = {
        "title": "Moestuin en oogstfeest Wielwijk",
        "description": "Een gezamenlijke moestuin op braakliggende gemeentegrond met een jaarlijks oogstfeest.",
        "motivation": "Bewoners willen elkaar ontmoeten en gezond eten dichtbij huis.",
        "wijk": "Wielwijk",
        "scale": "meerdere_wijken",
        "location_type": "gemeentegrond",
        "location_duration_months": 36,
        "physical_change": True,
        "public_event": True,
        "expected_visitors": 150,
        "food_growing": True,
        "target_group_vulnerable": False,
        "commercial_activity": False,
        "requested_amount": 15000,
        "disciplines_count": 3,
        "green_type": None,
        "is_council_proposal": False,
        "is_event_only": False,
        "initiator_type": "stichting",
        "initiator_name": "Stichting Groen Wielwijk",
        "initiator_email": "bestuur@groenwielwijk.nl",
    }
    data.update(overrides)
    return data


class Driver:
    """Drives one instance: complete the single open task with a BPMN id, in its role's lane."""

    def __init__(self, engine: Engine, clock: ManualClock, instance_id: int) -> None:
        self.engine = engine
        self.clock = clock
        self.id = instance_id

    def open_tasks(self, bpmn_id: str | None = None) -> list[Any]:
        tasks = self.engine.list_tasks(instance_id=self.id)
        return [t for t in tasks if bpmn_id is None or t.bpmn_id == bpmn_id]

    def do(self, bpmn_id: str, data: dict[str, Any] | None = None) -> Any:
        tasks = self.open_tasks(bpmn_id)
        assert len(tasks) == 1, (
            f"expected one open '{bpmn_id}', open: {[t.bpmn_id for t in self.open_tasks()]}; "
            f"status {self.status()} {self.engine.get_instance(self.id).summary.last_error}"
        )
        task = tasks[0]
        form = self.engine.task_form(task.id)
        if form is not None:
            jsonschema.validate(data or {}, form)  # the test data is what the form allows
        role = task.lane
        assert role in (*ROLES, "initiatiefnemer"), f"{bpmn_id} has lane {role!r}"
        summary = self.engine.complete_task(task.id, data or {}, actor=f"{role}-user", lanes=[role])
        assert summary.status not in ("errored",), summary.last_error
        return summary

    def message(self, name: str, payload: Any = None) -> Any:
        summary = self.engine.send_message(name, payload, instance_id=self.id)
        assert summary.status != "errored", summary.last_error
        return summary

    def advance(self, delta: timedelta) -> int:
        self.clock.advance(delta)
        return self.engine.fire_due_timers()

    def status(self) -> str:
        return self.engine.get_instance(self.id).summary.status

    def data(self) -> dict[str, Any]:
        return self.engine.get_instance(self.id).data

    def phases(self) -> list[str]:
        return [
            e.detail["milestone"]
            for e in self.engine.events(self.id)
            if e.type == "milestone_reached"
        ]

    def mails(self) -> list[tuple[str, str]]:
        with self.engine.transaction() as u:
            rows = u.connection.execute(
                select(outbox).where(outbox.c.instance_id == self.id).order_by(outbox.c.id)
            ).all()
        # what the case wrote to its outbox: a mail to someone, or a hand-over to a process
        return [(r.payload["template"], r.payload.get("to") or r.payload["process"]) for r in rows]

    def items_to(self, template: str) -> dict[str, list[str]]:
        """The lines each address's `template` message lists."""
        with self.engine.transaction() as u:
            rows = u.connection.execute(
                select(outbox.c.payload).where(outbox.c.instance_id == self.id)
            ).scalars()
            return {p["to"]: p.get("items", []) for p in rows if p["template"] == template}

    def templates(self) -> list[str]:
        return [t for t, _ in self.mails()]

    def assert_closed(self, outcome: str, phases: list[str], templates: list[str]) -> None:
        assert self.status() == "completed", self.engine.get_instance(self.id).summary.last_error
        assert self.data()["outcome"] == outcome
        assert self.phases() == phases
        assert self.templates() == templates
        assert self.open_tasks() == []


def start(engine: Engine, clock: ManualClock, key: str, **overrides: Any) -> Driver:
    summary = engine.start(
        PROCESS_ID, initiative(**overrides), business_key=key, actor="webformulier"
    )
    assert summary.status != "errored", summary.last_error
    return Driver(engine, clock, summary.id)


# -------------------------------------------------------------------- reusable stretches


def intake(d: Driver, complete: bool = True) -> None:
    d.do("plan_intake", {"intake_date": "2026-03-05", "intake_location": "Stadskantoor"})
    d.do(
        "hold_intake",
        {
            "intake_summary": "Plan besproken; informatiepakket meegegeven.",
            "information_complete": complete,
            "missing_information": "" if complete else "Begroting en dekkingsplan",
        },
    )


#: the casist the driver picks at "Casist koppelen" (a user name: she does the casist's tasks)
CASIST = "fatima"


def to_assessment(d: Driver, casist: str = CASIST) -> None:
    intake(d)
    d.do(
        "assign_casist",
        {
            "casist": casist,
            "casist_name": "Fatima el Amrani",
            "casist_email": "f.elamrani@dordrecht.nl",
            "casist_role": "gebiedsmanager",
        },
    )
    d.do("kickoff", {"kickoff_date": "2026-03-16", "plan_summary": "Moestuin in drie fasen."})


def assess_all(d: Driver, verdict: str = "POSITIEF") -> int:
    tasks = d.open_tasks("assess_aspect")
    assert tasks, "no aspect assessments open"
    for task in tasks:
        # organisatiekracht and draagvlak: the case's casist; the other aspects: their team
        code = task.properties["context_values"]["aspect"]["code"]
        if code in ("ORGANISATIE", "DRAAGVLAK_PARTICIPATIE"):
            assert (task.lane, task.group) == ("casist", None)
        elif code == "DRAAGVLAK_WIJK":  # a wijk-bound case: its regiegroep advises
            assert (task.lane, task.group) == ("regiegroep", None)
        else:
            assert task.lane == "vakspecialist"
            assert task.group == task.properties["context_values"]["aspect"]["team"]
        d.engine.complete_task(
            task.id,
            {
                "verdict": verdict,
                **({} if verdict == "POSITIEF" else {"conditions": "Zie advies."}),
            },
            actor=task.assignee or "specialist",
            lanes=[task.lane],
        )
    return len(tasks)


def advise(d: Driver, outcome: str) -> None:
    d.do("integral_advice", {"integral_outcome": outcome, "advice_summary": "Zie toelichting."})


def fund_criteria(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "activity_started": False,
        "financial_plan_feasible": True,
        "organisation_stable": True,
        "support_shown": True,
        "policy_fit": True,
        "political_support": True,
        "other_scheme_available": "GEEN",
    }
    data.update(overrides)
    return data


def apply_formally(d: Driver, amount: float) -> None:
    d.do(
        "submit_subsidy_application",
        {
            "applied_amount": amount,
            "iban": "NL91ABNA0417164300",
            "iban_name": "Stichting Groen Wielwijk",
        },
    )


def pay(d: Driver) -> None:
    d.do("prepare_payment", {"iban_checked": True, "payment_reference": "VS-2026-0042"})


def ledger(engine: Engine, key: str) -> fund.Entry:
    with engine.transaction() as u:
        return fund.entry(u.connection, PERIOD, key)


FULL = ["ontvangen", "kennismaking", "beoordeling", "besluitvorming", "uitvoering", "afgerond"]
UP_TO_DECISION = ["ontvangen", "kennismaking", "beoordeling", "besluitvorming", "afgerond"]
START_MAILS = ["ontvangstbevestiging", "casist_gekoppeld"]


# -------------------------------------------------------------------- the diagram itself


def test_every_user_task_has_a_valid_form_and_every_norm_parses() -> None:
    tree = etree.parse(str(BPMN_FILE))
    ns = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
    user_tasks = tree.xpath("//bpmn:userTask", namespaces=ns)
    assert len(user_tasks) >= 15
    for task in user_tasks:
        task_id = task.get("id")
        props = {
            p.get("name"): p.get("value")
            for p in task.xpath(".//spiffworkflow:property", namespaces=ns)
        }
        assert props.get("formJsonSchemaFilename") == f"{task_id}.schema.json", task_id
        path = PROCESS_DIR / "forms" / props["formJsonSchemaFilename"]
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema).check_schema(schema)
        assert schema["required"], task_id
        assert schema["title"], task_id
        assert schema["description"], task_id
        if "norm" in props:
            norms.parse_norm(props["norm"])
    norm_values = tree.xpath("//spiffworkflow:property[@name='norm']/@value", namespaces=ns)
    assert len(norm_values) >= 12
    for value in norm_values:
        norms.parse_norm(value)
    # every flow node is drawn
    drawn = set(
        tree.xpath(
            "//bpmndi:BPMNShape/@bpmnElement",
            namespaces={"bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"},
        )
    )
    nodes = tree.xpath(
        "//bpmn:process//*[@id][not(self::bpmn:sequenceFlow) and not(self::bpmn:laneSet)"
        " and not(ancestor-or-self::bpmn:extensionElements) and not(self::bpmn:multiInstanceLoopCharacteristics)"
        " and not(self::bpmn:timerEventDefinition) and not(self::bpmn:messageEventDefinition)"
        " and not(self::bpmn:inputDataItem) and not(self::bpmn:outputDataItem)"
        " and not(self::bpmn:property)]",
        namespaces=ns,
    )
    missing = {n.get("id") for n in nodes} - drawn
    assert not missing


# -------------------------------------------------------------------- honoured


def test_honoured_without_money(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000101", requested_amount=0, public_event=False)
    to_assessment(d)
    assessed = assess_all(d)
    advise(d, "HAALBAAR")
    d.do("record_agreements", {"agreements_summary": "Gebruiksovereenkomst grond voor 3 jaar."})
    d.do(
        "report_realisation_complete",
        {"activity_end_date": "2026-10-01", "realisation_report": "Tuin aangelegd."},
    )
    d.do("evaluate_initiative", {"evaluation_summary": "Goed verlopen."})
    d.assert_closed(
        "honoured_without_money",
        FULL,
        [*START_MAILS, "integraal_advies", "initiatief_afgerond"],
    )
    data = d.data()  # the subprocess's data is merged back when it ends
    assert data["category"] == "COMPLEX"
    codes = [a["code"] for a in data["aspects"]]
    assert len(codes) == assessed == len(set(codes))
    assert {
        "BELEIDSFIT",
        "FINANCIEEL",
        "GROND_VASTGOED",
        "MILIEU_BODEM",
        "RUIMTELIJK_JURIDISCH",
    } <= set(codes)
    assert "VEILIGHEID_EVENEMENT" not in codes  # no public event
    assert all(a["verdict"] == "POSITIEF" and a["team"] for a in data["aspects"])
    assert data["casist_name"] == "Fatima el Amrani"


def test_honoured_with_money_moves_the_fund_from_reserved_to_paid(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    key = "INI-2026-000102"
    d = start(engine, clock, key, requested_amount=25000)
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    apply_formally(d, 25000)
    held = ledger(engine, key)
    assert (held.state, held.amount, held.volgnummer) == ("reserved", fund.to_cents(25000), 1)
    d.do("prepare_decision", {"decision_advice": "VERLENEN", "advice_motivation": "Voldoet."})
    d.do("decide_subsidy", {"decision": "VERLENEN", "granted_amount": 25000})
    held = ledger(engine, key)
    assert (held.state, held.amount, held.paid) == ("committed", fund.to_cents(25000), 0)
    pay(d)
    held = ledger(engine, key)
    assert (held.state, held.paid) == ("paid", fund.to_cents(25000))
    d.do("record_agreements", {"agreements_summary": "Afspraken over onderhoud."})
    d.do(
        "report_realisation_complete",
        {"activity_end_date": "2026-10-01", "realisation_report": "Klaar."},
    )
    # above € 20.000: verantwoording required
    d.do("submit_accountability", {"accountability_report": "Verslag", "actual_costs": 24800})
    d.do("assess_accountability", {"accountability_approved": True, "settled_amount": 24800})
    d.do("evaluate_initiative", {"evaluation_summary": "Geslaagd."})
    d.assert_closed(
        "honoured_with_money",
        FULL,
        [
            *START_MAILS,
            "integraal_advies",
            "uitnodiging_subsidieaanvraag",
            "beschikking_verlening",
            # settled € 200 below what was paid in advance: the initiator pays that back
            "vaststelling_terugvordering",
            "initiatief_afgerond",
        ],
    )
    data = d.data()
    assert (data["fund_outcome"], data["max_award"]) == ("HONOREREN", 25000)
    assert data["application"]["volgnummer"] == 1
    assert data["settlement"] == {"settled": 24800, "released": 200, "to_reclaim": 200}
    held = ledger(engine, key)
    assert (held.state, held.amount, held.paid) == (
        "paid",
        fund.to_cents(24800),
        fund.to_cents(24800),
    )
    with engine.transaction() as u:
        total = fund.summary(u.connection, PERIOD)
    assert total.paid == fund.to_cents(24800)
    assert total.available == fund.to_cents(120000 - 24800)


def grant_small(d: Driver, key: str, granted: float) -> None:
    """From the start to a paid grant of `granted` (≤ € 20.000: no verantwoording)."""
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    apply_formally(d, 8000)
    d.do("prepare_decision", {"decision_advice": "VERLENEN", "advice_motivation": "Ja."})
    d.do("decide_subsidy", {"decision": "GEDEELTELIJK_VERLENEN", "granted_amount": granted})
    pay(d)
    d.do("record_agreements", {"agreements_summary": "Afspraken."})


def test_ambtshalve_vaststelling_releases_what_was_not_spent(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    key = "INI-2026-000113"
    d = start(engine, clock, key, requested_amount=8000)
    grant_small(d, key, 6000)
    with engine.transaction() as u:
        before = fund.summary(u.connection, PERIOD).available
    d.do(
        "report_realisation_complete",
        {"activity_end_date": "2026-10-01", "realisation_report": "Klaar.", "spent_amount": 5200},
    )
    # no verantwoording task: settled ex officio on what was spent, the rest back in the fund
    assert [t.bpmn_id for t in d.open_tasks()] == ["evaluate_initiative"]
    assert d.data()["settlement"] == {"settled": 5200, "released": 800, "to_reclaim": 800}
    held = ledger(engine, key)
    assert (held.state, held.amount, held.paid) == (
        "paid",
        fund.to_cents(5200),
        fund.to_cents(5200),
    )
    with engine.transaction() as u:
        after = fund.summary(u.connection, PERIOD).available
        moves = u.connection.execute(
            select(fund_movement.c.kind, fund_movement.c.amount_cents)
            .where(fund_movement.c.initiative_key == key)
            .order_by(fund_movement.c.id)
        ).all()
    assert after - before == fund.to_cents(800)
    assert moves[-1] == ("released", fund.to_cents(800))
    assert d.templates()[-1] == "vaststelling_terugvordering"
    d.do("evaluate_initiative", {"evaluation_summary": "Prima."})
    assert d.data()["outcome"] == "honoured_with_money"


def test_ambtshalve_vaststelling_without_an_amount_settles_the_grant(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    key = "INI-2026-000114"
    d = start(engine, clock, key, requested_amount=8000)
    grant_small(d, key, 7000)
    d.do(
        "report_realisation_complete",
        {"activity_end_date": "2026-10-01", "realisation_report": "Klaar."},
    )
    assert d.data()["settlement"] == {"settled": 7000, "released": 0, "to_reclaim": 0}
    held = ledger(engine, key)
    assert (held.state, held.amount) == ("paid", fund.to_cents(7000))
    assert d.templates()[-1] == "vaststelling"


def test_spent_above_the_grant_settles_at_the_grant(
    domain: tuple[Engine, ManualClock],
) -> None:
    """The initiator says more was spent than granted: settled at the grant, never above."""
    engine, clock = domain
    key = "INI-2026-000115"
    d = start(engine, clock, key, requested_amount=8000)
    grant_small(d, key, 6000)
    d.do(
        "report_realisation_complete",
        {"activity_end_date": "2026-10-01", "realisation_report": "Duurder.", "spent_amount": 9000},
    )
    assert d.data()["settlement"] == {"settled": 6000, "released": 0, "to_reclaim": 0}


def test_small_grant_needs_no_accountability(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    key = "INI-2026-000103"
    d = start(engine, clock, key, requested_amount=8000)
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    apply_formally(d, 8000)
    d.do(
        "prepare_decision",
        {"decision_advice": "GEDEELTELIJK_VERLENEN", "advice_motivation": "Deels."},
    )
    d.do("decide_subsidy", {"decision": "GEDEELTELIJK_VERLENEN", "granted_amount": 6000})
    pay(d)
    held = ledger(engine, key)
    assert (held.state, held.amount) == ("paid", fund.to_cents(6000))
    d.do("record_agreements", {"agreements_summary": "Afspraken."})
    d.do(
        "report_realisation_complete",
        {"activity_end_date": "2026-10-01", "realisation_report": "Klaar."},
    )
    d.do("evaluate_initiative", {"evaluation_summary": "Prima."})
    assert d.data()["outcome"] == "honoured_with_money"
    assert d.status() == "completed"


# -------------------------------------------------------------------- rejected / referred


def test_rejected_after_integral_advice(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000104")
    to_assessment(d)
    assess_all(d, "NEGATIEF")
    advise(d, "NIET_HAALBAAR")
    d.do(
        "reject_with_reasons",
        {
            "rejection_reason": "LOCATIE_NIET_BESCHIKBAAR",
            "rejection_motivation": "Grond is verkocht.",
        },
    )
    d.assert_closed(
        "rejected",
        ["ontvangen", "kennismaking", "beoordeling", "afgerond"],
        [*START_MAILS, "integraal_advies", "afwijzing"],
    )


def test_rejected_with_masterclass_when_the_basis_is_insufficient(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000105")
    to_assessment(d)
    assess_all(d, "NEGATIEF")
    advise(d, "NIET_HAALBAAR")
    d.do(
        "reject_with_reasons",
        {
            "rejection_reason": "ONVOLDOENDE_FINANCIELE_BASIS",
            "rejection_motivation": "Geen dekking.",
        },
    )
    d.assert_closed(
        "rejected_masterclass",
        ["ontvangen", "kennismaking", "beoordeling", "afgerond"],
        [*START_MAILS, "integraal_advies", "afwijzing_met_masterclass", "aanmelding_masterclass"],
    )
    # the referral reaches Stichting MBO with the initiator's contact details
    assert d.mails()[-1] == ("aanmelding_masterclass", "leergang@stichtingmbodordrecht.nl")
    with engine.transaction() as u:
        payload = u.connection.execute(
            select(outbox.c.payload)
            .where(outbox.c.instance_id == d.id)
            .order_by(outbox.c.id.desc())
        ).first()[0]
    assert payload["items"] == [
        "Initiatiefnemer: Stichting Groen Wielwijk",
        "E-mail: bestuur@groenwielwijk.nl",
    ]


def test_fund_check_rejects_with_masterclass(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000106")
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria(organisation_stable=False))
    assert d.data()["offer_masterclass"] is True
    d.assert_closed(
        "rejected_masterclass",
        UP_TO_DECISION,
        [
            *START_MAILS,
            "integraal_advies",
            "afwijzing_fondstoets_met_masterclass",
            "aanmelding_masterclass",
        ],
    )


def test_the_fund_check_refuses_after_the_schemes_end_date(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000116")
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    scheme_end = "2028-12-31"  # the value in the diagram's fund check
    clock.set(datetime(2029, 1, 2, 9, 0, tzinfo=UTC))
    d.do("prepare_fund_check", fund_criteria())
    data = d.data()
    assert (data["fund_outcome"], data["application_date"]) == ("AFWIJZEN", "2029-01-02")
    assert scheme_end in data["fund_reason"]
    assert data["outcome"] == "rejected"


def test_referred_to_another_scheme(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000107")
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria(other_scheme_available="CULTUUR_EVENEMENTEN"))
    assert d.data()["referred_to"] == "CULTUUR_EVENEMENTEN"
    d.assert_closed(
        "referred",
        UP_TO_DECISION,
        [*START_MAILS, "integraal_advies", "doorverwijzing_regeling"],
    )


def test_plan_adjustment_rounds_are_capped_at_two(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000108")
    to_assessment(d)
    for round_no in (1, 2):
        assess_all(d, "POSITIEF_MET_VOORWAARDEN")
        advise(d, "HAALBAAR_MET_AANPASSINGEN")
        d.do("adjust_plan", {"adjusted_plan_summary": f"Aanpassing {round_no}"})
    assess_all(d, "POSITIEF_MET_VOORWAARDEN")
    advise(d, "HAALBAAR_MET_AANPASSINGEN")  # a third round is not offered: rejection
    d.do(
        "reject_with_reasons",
        {"rejection_reason": "OVERIG", "rejection_motivation": "Na twee rondes niet haalbaar."},
    )
    assert d.data()["outcome"] == "rejected"
    assert d.templates().count("verzoek_planaanpassing") == 2
    assert d.phases() == ["ontvangen", "kennismaking", "beoordeling", "afgerond"]


def test_refused_on_the_ceiling_at_formal_application(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    key = "INI-2026-000109"
    d = start(engine, clock, key)
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    # meanwhile another initiative reserves most of the € 120.000
    with engine.transaction() as u:
        other = fund.apply(
            u.connection, PERIOD, "INI-2026-000001", fund.to_cents(110000), engine.now()
        )
    assert other.state == "reserved"
    apply_formally(d, 15000)
    assert ledger(engine, key).outcome == "refused_ceiling"
    d.assert_closed(
        "refused_ceiling",
        UP_TO_DECISION,
        [
            *START_MAILS,
            "integraal_advies",
            "uitnodiging_subsidieaanvraag",
            "weigering_subsidieplafond",
        ],
    )
    assert d.data()["application"]["outcome"] == "refused_ceiling"


def test_refused_on_the_ceiling_by_the_fund_check(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    with engine.transaction() as u:
        fund.apply(u.connection, PERIOD, "INI-2026-000002", fund.to_cents(119500), engine.now())
    d = start(engine, clock, "INI-2026-000110")
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    d.assert_closed(
        "refused_ceiling",
        UP_TO_DECISION,
        [*START_MAILS, "integraal_advies", "weigering_subsidieplafond"],
    )
    assert d.data()["fund"]["available"] == 500
    assert d.data()["fund_outcome"] == "AFWIJZEN_PLAFOND"


def test_budgethouder_refuses_and_the_reservation_is_released(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    key = "INI-2026-000111"
    d = start(engine, clock, key)
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    apply_formally(d, 15000)
    d.do(
        "prepare_decision",
        {"decision_advice": "WEIGEREN", "advice_motivation": "Begroting klopt niet."},
    )
    d.do("decide_subsidy", {"decision": "WEIGEREN", "granted_amount": 0})
    assert ledger(engine, key).state == "released"
    d.assert_closed(
        "rejected",
        UP_TO_DECISION,
        [*START_MAILS, "integraal_advies", "uitnodiging_subsidieaanvraag", "beschikking_weigering"],
    )


# -------------------------------------------------------------------- triage


@pytest.mark.parametrize(
    ("overrides", "outcome", "template"),
    [
        (
            {
                "scale": "buurt",
                "requested_amount": 800,
                "location_duration_months": 2,
                "disciplines_count": 1,
            },
            "rerouted_wijkwens",
            "doorgezet_wijkwens",
        ),
        (
            {
                "scale": "straat",
                "requested_amount": 0,
                "green_type": "GEVELTUIN",
                "disciplines_count": 1,
            },
            "rerouted_green",
            "doorgezet_eenvoudig_groen",
        ),
        ({"is_council_proposal": True}, "referred", "doorverwezen_ander_loket"),
        (
            {
                "is_event_only": True,
                "scale": "wijk",
                "requested_amount": 500,
                "location_duration_months": 0,
                "disciplines_count": 1,
            },
            "referred",
            "doorverwezen_ander_loket",
        ),
    ],
)
def test_triage_reroutes(
    domain: tuple[Engine, ManualClock], overrides: dict[str, Any], outcome: str, template: str
) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000120", **overrides)
    d.assert_closed(outcome, ["ontvangen", "afgerond"], ["ontvangstbevestiging", template])
    assert d.data()["category"] in ("WIJKWENS", "EENVOUDIG_GROEN", "OVERIG")


# -------------------------------------------------------------------- timers


def test_missing_information_loop_then_complete(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000130")
    intake(d, complete=False)
    assert d.templates() == ["ontvangstbevestiging", "verzoek_aanvulling"]
    [task] = d.open_tasks("supply_missing_information")
    assert task.lane == "initiatiefnemer"
    d.do("supply_missing_information", {"supplement": "Begroting bijgevoegd."})
    d.do("check_supplied_information", {"information_complete": True})
    assert [t.bpmn_id for t in d.open_tasks()] == ["assign_casist"]


def test_first_contact_signal_after_five_working_days(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000129")
    [task] = d.open_tasks("plan_intake")
    due = norms.due_at(clock.now(), norms.parse_norm("5 werkdagen"))
    assert task.due_at == due
    clock.set(due - timedelta(minutes=1))
    engine.fire_due_timers()
    assert d.templates() == ["ontvangstbevestiging"]
    clock.set(due + timedelta(seconds=1))
    engine.fire_due_timers()
    assert d.mails()[-1] == (
        "escalatie_eerste_contact",
        "coordinator.initiatieventeam@dordrecht.nl",
    )
    assert d.open_tasks("plan_intake")  # the task stays open
    intake(d)
    assert [t.bpmn_id for t in d.open_tasks()] == ["assign_casist"]


def test_no_response_after_the_deadline(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000131")
    intake(d, complete=False)
    assert d.advance(timedelta(days=13)) == 0
    assert d.advance(timedelta(days=1, minutes=1)) == 1  # 14 days: reminder, task stays open
    assert d.templates()[-1] == "herinnering_aanvulling"
    assert d.open_tasks("supply_missing_information")
    assert d.advance(timedelta(days=14)) == 1  # 28 days: closed
    d.assert_closed(
        "no_response",
        ["ontvangen", "kennismaking", "afgerond"],
        [
            "ontvangstbevestiging",
            "verzoek_aanvulling",
            "herinnering_aanvulling",
            "niet_voortgezet_geen_reactie",
        ],
    )


def test_assessment_reminder_and_escalation_fire_at_their_norm(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000132")
    to_assessment(d)
    opened = clock.now()
    tasks = d.open_tasks("assess_aspect")
    due = norms.due_at(opened, norms.parse_norm("10 werkdagen"))
    assert all(t.due_at == due for t in tasks)
    reminder_at = norms.due_at(opened, norms.parse_norm("8 werkdagen"))
    clock.set(reminder_at - timedelta(minutes=1))
    engine.fire_due_timers()
    assert "herinnering_beoordeling" not in d.templates()
    # the reminder goes to whoever has an open aspect, each address once: the casist her own
    # aspects (organisatiekracht, draagvlak), the vakspecialisten's mailbox the team's, and a
    # specialist who took one at her own address
    assert {t.lane for t in tasks} == {"casist", "vakspecialist"}
    policy = next(
        t for t in tasks if t.properties["context_values"]["aspect"]["code"] == "BELEIDSFIT"
    )
    accounts.add_user(
        engine,
        "vera",
        ["vakspecialist"],
        "een-lang-wachtwoord",
        email="vera@dordrecht.nl",
        teams=["BELEID"],
    )
    engine.claim_task(policy.id, "vera")
    clock.set(reminder_at + timedelta(seconds=1))
    engine.fire_due_timers()
    sent = Counter(to for template, to in d.mails() if template == "herinnering_beoordeling")
    assert sent == {
        "f.elamrani@dordrecht.nl": 1,
        "vakspecialisten@dordrecht.nl": 1,
        "vera@dordrecht.nl": 1,
    }
    # each names the aspects it is about, with their due date
    reminded = d.items_to("herinnering_beoordeling")
    assert reminded["vera@dordrecht.nl"] == [
        "Aspect beoordelen: Past in het beleid (team Beleid), uiterlijk 16 maart 2026"
    ]
    assert reminded["f.elamrani@dordrecht.nl"] == [
        "Aspect beoordelen: Draagvlak en participatie, uiterlijk 16 maart 2026",
        "Aspect beoordelen: Organisatiekracht, uiterlijk 16 maart 2026",
    ]
    assert len(reminded["vakspecialisten@dordrecht.nl"]) == len(tasks) - 3
    clock.set(due + timedelta(seconds=1))
    engine.fire_due_timers()
    # the escalation goes to the assessors' managers: the casists' and the vakafdelingen's
    escalated = Counter(to for template, to in d.mails() if template == "escalatie_beoordeling")
    assert escalated == {
        "teammanager.wijken@dordrecht.nl": 1,
        "teammanager.vakafdelingen@dordrecht.nl": 1,
    }
    assert len(d.items_to("escalatie_beoordeling")["teammanager.wijken@dordrecht.nl"]) == 2
    assert len(d.open_tasks("assess_aspect")) == len(tasks)  # non-interrupting
    assess_all(d)
    assert [t.bpmn_id for t in d.open_tasks()] == ["integral_advice"]


def test_decision_term_postponement_and_escalation(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000133")
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    apply_formally(d, 15000)  # the complete application: the Awb term starts now
    complete = clock.now()
    # the advice takes three weeks; the term runs on meanwhile (not from the decision task)
    d.advance(timedelta(days=21))
    d.do("prepare_decision", {"decision_advice": "VERLENEN", "advice_motivation": "Voldoet."})
    d.advance(complete + timedelta(days=41) - clock.now())
    assert "verdagingsbericht" not in d.templates()
    d.advance(timedelta(days=1, hours=12))  # six weeks after the complete application
    assert d.templates()[-1] == "verdagingsbericht"
    d.advance(complete + timedelta(days=55) - clock.now())
    assert d.mails()[-1][0] != "escalatie_beslistermijn"
    d.advance(timedelta(days=1, hours=12))  # eight weeks: the term has passed
    assert d.mails()[-1] == ("escalatie_beslistermijn", "teammanager.wijken@dordrecht.nl")
    d.do("decide_subsidy", {"decision": "VERLENEN", "granted_amount": 15000})
    assert [t.bpmn_id for t in d.open_tasks()] == ["prepare_payment"]


# -------------------------------------------------------------------- withdrawal


def test_withdrawn_during_intake(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000140")
    d.do("plan_intake", {"intake_date": "2026-03-05", "intake_location": "Online"})
    d.message("initiative_withdrawn", {"reason": "Geen tijd meer"})
    d.assert_closed(
        "withdrawn",
        ["ontvangen", "kennismaking", "afgerond"],
        ["ontvangstbevestiging", "intrekking_bevestigd"],
    )
    assert d.data()["withdrawal"] == {"reason": "Geen tijd meer"}


def test_withdrawn_during_assessment(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000141")
    to_assessment(d)
    first = d.open_tasks("assess_aspect")[0]
    engine.complete_task(
        first.id, {"verdict": "POSITIEF", "conditions": ""}, lanes=["vakspecialist"]
    )
    d.message("initiative_withdrawn", {"reason": "Locatie vervallen"})
    d.assert_closed(
        "withdrawn",
        ["ontvangen", "kennismaking", "beoordeling", "afgerond"],
        [*START_MAILS, "intrekking_bevestigd"],
    )


def test_withdrawn_after_reservation_releases_the_budget(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    key = "INI-2026-000142"
    d = start(engine, clock, key)
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    apply_formally(d, 15000)
    assert ledger(engine, key).state == "reserved"
    d.message("initiative_withdrawn", {"reason": "Andere financiering gevonden"})
    assert ledger(engine, key).state == "released"
    d.assert_closed(
        "withdrawn",
        UP_TO_DECISION,
        [*START_MAILS, "integraal_advies", "uitnodiging_subsidieaanvraag", "intrekking_bevestigd"],
    )
    with engine.transaction() as u:
        assert fund.summary(u.connection, PERIOD).available == fund.to_cents(120000)


def test_no_formal_application_within_four_weeks(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000134")
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    assert d.advance(timedelta(days=28, minutes=1)) == 1
    d.assert_closed(
        "no_response",
        UP_TO_DECISION,
        [
            *START_MAILS,
            "integraal_advies",
            "uitnodiging_subsidieaanvraag",
            "niet_voortgezet_geen_aanvraag",
        ],
    )


def test_no_adjusted_plan_within_six_weeks(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000135")
    to_assessment(d)
    assess_all(d, "POSITIEF_MET_VOORWAARDEN")
    advise(d, "HAALBAAR_MET_AANPASSINGEN")
    assert d.advance(timedelta(days=41)) == 0
    assert d.advance(timedelta(days=1, minutes=1)) == 1
    d.assert_closed(
        "no_response",
        ["ontvangen", "kennismaking", "beoordeling", "afgerond"],
        [
            *START_MAILS,
            "integraal_advies",
            "verzoek_planaanpassing",
            "niet_voortgezet_geen_reactie",
        ],
    )


def test_progress_check_ins_every_six_weeks_during_realisation(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000136", requested_amount=0)
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("record_agreements", {"agreements_summary": "Afspraken."})
    for _ in range(2):
        d.advance(timedelta(days=42, minutes=1))
        d.do("progress_checkin", {"progress_notes": "Loopt.", "on_track": True})
    assert [t.bpmn_id for t in d.open_tasks()] == ["report_realisation_complete"]
    d.do(
        "report_realisation_complete",
        {"activity_end_date": "2026-10-01", "realisation_report": "Klaar."},
    )
    d.do("evaluate_initiative", {"evaluation_summary": "Goed."})
    d.assert_closed(
        "honoured_without_money", FULL, [*START_MAILS, "integraal_advies", "initiatief_afgerond"]
    )


# -------------------------------------------------------------------- questions of specialists


def assess_with_a_question(d: Driver, question: str) -> str:
    """All aspects positive except the first, whose specialist needs more information."""
    tasks = d.open_tasks("assess_aspect")
    asking = tasks[0].properties["context_values"]["aspect"]["code"]
    for n, task in enumerate(tasks):
        verdict = "MEER_INFO_NODIG" if n == 0 else "POSITIEF"
        d.engine.complete_task(
            task.id,
            {"verdict": verdict, **({"conditions": question} if n == 0 else {})},
            actor="specialist",
            lanes=[task.lane],
        )
    return asking


def test_a_specialists_question_goes_to_the_initiator_and_only_that_aspect_is_assessed_again(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000120")
    to_assessment(d)
    aspects = len(d.open_tasks("assess_aspect"))
    asking = assess_with_a_question(d, "Hoe groot wordt de moestuin (m²)?")
    # one mail listing the question, and a request on the initiator's status page
    assert d.templates()[-1] == "vragen_beoordeling"
    with engine.transaction() as u:
        payload = u.connection.execute(
            select(outbox.c.payload)
            .where(outbox.c.instance_id == d.id)
            .order_by(outbox.c.id.desc())
        ).first()[0]
    assert payload["items"] == ["Hoe groot wordt de moestuin (m²)?"]
    [request] = d.open_tasks("answer_assessment_questions")
    assert request.lane == "initiatiefnemer"
    assert request.properties["context_values"]["questions"] == payload["items"]
    assert d.open_tasks("integral_advice") == []
    d.do("answer_assessment_questions", {"assessment_answers": "Ongeveer 400 m²."})
    # only the aspect that asked is assessed again
    again = d.open_tasks("assess_aspect")
    assert [t.properties["context_values"]["aspect"]["code"] for t in again] == [asking]
    assess_all(d)
    assert [t.bpmn_id for t in d.open_tasks()] == ["integral_advice"]
    data = d.data()
    verdicts = {a["code"]: a["verdict"] for a in data["aspects"]}
    assert len(verdicts) == aspects
    assert set(verdicts.values()) == {"POSITIEF"}
    advise(d, "HAALBAAR")
    assert "besluitvorming" in d.phases()


def test_without_an_answer_in_28_days_the_casist_advises_on_what_is_known(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000121")
    to_assessment(d)
    asking = assess_with_a_question(d, "Is er een bodemonderzoek?")
    d.advance(timedelta(days=27))
    assert d.open_tasks("answer_assessment_questions")
    d.advance(timedelta(days=2))
    assert d.open_tasks("answer_assessment_questions") == []
    assert [t.bpmn_id for t in d.open_tasks()] == ["integral_advice"]
    verdicts = {a["code"]: a["verdict"] for a in d.data()["aspects"]}
    assert verdicts[asking] == "MEER_INFO_NODIG"


def test_questions_are_asked_in_at_most_two_rounds(domain: tuple[Engine, ManualClock]) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000122")
    to_assessment(d)
    assess_with_a_question(d, "Welke vergunning heeft u?")
    d.do("answer_assessment_questions", {"assessment_answers": "Nog geen."})
    assess_with_a_question(d, "Wanneer vraagt u die aan?")
    d.do("answer_assessment_questions", {"assessment_answers": "Volgende maand."})
    assess_with_a_question(d, "En daarna?")
    assert [t.bpmn_id for t in d.open_tasks()] == ["integral_advice"]
    assert d.templates().count("vragen_beoordeling") == 2


def test_organisatiekracht_and_draagvlak_go_to_the_cases_casist_who_needs_no_specialist_role(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000123")
    to_assessment(d, casist="daan")
    tasks = d.open_tasks("assess_aspect")
    mine = [t for t in tasks if t.lane == "casist"]
    codes = sorted(t.properties["context_values"]["aspect"]["code"] for t in mine)
    assert codes == ["DRAAGVLAK_PARTICIPATIE", "ORGANISATIE"]
    assert {t.assignee for t in mine} == {"daan"}
    assert {t.id for t in engine.list_tasks(lanes=["casist"], instance_id=d.id)} == {
        t.id for t in mine
    }
    # someone with only the casist role completes them; a vakspecialist may not
    with pytest.raises(TaskNotAllowedError):
        engine.complete_task(
            mine[0].id, {"verdict": "POSITIEF"}, actor="kim", lanes=["vakspecialist"]
        )
    for task in mine:
        engine.complete_task(task.id, {"verdict": "POSITIEF"}, actor="daan", lanes=["casist"])
    assert {t.lane for t in d.open_tasks("assess_aspect")} == {"vakspecialist"}


def test_the_regiegroep_advises_on_support_in_the_wijk_for_a_wijk_bound_initiative(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    wide = start(engine, clock, "INI-2026-000124")  # meerdere wijken: no regiegroep
    to_assessment(wide)
    assert "DRAAGVLAK_WIJK" not in aspect_codes(wide)

    d = start(engine, clock, "INI-2026-000125", scale="wijk", requested_amount=12000)
    to_assessment(d)
    assert {"DRAAGVLAK_PARTICIPATIE", "DRAAGVLAK_WIJK"} <= set(aspect_codes(d))
    [advice] = [
        t
        for t in d.open_tasks("assess_aspect")
        if t.properties["context_values"]["aspect"]["code"] == "DRAAGVLAK_WIJK"
    ]
    assert (advice.lane, advice.group, advice.assignee) == ("regiegroep", None, None)
    assert advice.id in {t.id for t in engine.list_tasks(lanes=["regiegroep"])}
    with pytest.raises(TaskNotAllowedError):  # not the casist's, nor a vakspecialist's
        engine.complete_task(advice.id, {"verdict": "POSITIEF"}, actor="daan", lanes=["casist"])
    given = {"verdict": "POSITIEF_MET_VOORWAARDEN", "conditions": "Eerst een buurtavond."}
    engine.complete_task(advice.id, given, actor="thijs", lanes=["regiegroep"])
    assess_all(d)
    bundled = {a["code"]: a for a in d.data()["aspects"]}
    assert bundled["DRAAGVLAK_WIJK"]["verdict"] == "POSITIEF_MET_VOORWAARDEN"
    assert bundled["DRAAGVLAK_WIJK"]["conditions"] == "Eerst een buurtavond."


def aspect_codes(d: Driver) -> list[str]:
    return sorted(
        t.properties["context_values"]["aspect"]["code"] for t in d.open_tasks("assess_aspect")
    )


def test_the_budgethouder_cannot_grant_more_than_the_fund_reserved_for_the_application(
    domain: tuple[Engine, ManualClock],
) -> None:
    """With € 10.000 left under the ceiling, an application of € 15.000 reserves € 10.000; the
    decision form refuses more (as the web page and `wegwijs complete` do), and the case never
    errs on a grant the fund does not hold."""
    from workflows import accounts, tasks

    engine, clock = domain
    key = "INI-2026-000140"
    with engine.transaction() as u:
        fund.apply(u.connection, PERIOD, "INI-2026-000002", fund.to_cents(110000), engine.now())
    d = start(engine, clock, key, requested_amount=15000)
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    apply_formally(d, 15000)
    assert d.data()["application"]["amount"] == 10000
    d.do("prepare_decision", {"decision_advice": "VERLENEN", "advice_motivation": "Voldoet."})
    (task,) = d.open_tasks("decide_subsidy")
    bert = accounts.add_user(engine, "bert", ["budgethouder"], "een lang genoeg wachtwoord 42")
    too_much = {"decision": "VERLENEN", "granted_amount": 15000}
    refused = tasks.complete(engine, bert, task.id, data=too_much)
    assert not refused.done
    assert refused.errors["granted_amount"] == "Verleend bedrag (€) mag hoogstens € 10.000 zijn."
    page = tasks.open_task(engine, bert, task.id)
    [field] = [f for f in page.fields if f.name == "granted_amount"]
    assert field.schema["maximum"] == 10000  # the page knows the limit too
    partly = {"decision": "GEDEELTELIJK_VERLENEN", "granted_amount": 10000}
    assert tasks.complete(engine, bert, task.id, data=partly).done
    entry = ledger(engine, key)
    assert (entry.state, entry.amount) == ("committed", 1_000_000)
    assert d.data()["granted_amount"] == 10000
