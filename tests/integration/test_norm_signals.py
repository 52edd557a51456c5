"""Every norm is watched: the clock is moved past the norm of each user task of each route, on the
real diagrams, and its signal fires once, at the norm (working days skip the Dutch holidays).

A task that names `signal_to` is signalled by `norm_watch` (and escalated by it when it names an
`escalation`); a task the diagram watches itself with a timer on its edge gets that timer's
message instead, and `norm_watch` stays silent about it, so nobody hears of one norm twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from sqlalchemy import select

from engine import Engine, ManualClock, Outline, SourceFile
from engine.readmodel import outbox
from tests.helpers import hold_meeting
from tests.integration import test_process_complex as complex_route
from tests.integration import test_process_wijkwens_green as small_routes
from workflows import bootstrap, diagram_rules, initiative_page, norm_watch, norms

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("complex_initiative", "wijkwens", "simple_green")
ROUTE_FOLDER = {
    "complex_initiative_process": "complex_initiative",
    "wijkwens_process": "wijkwens",
    "simple_green_initiative_process": "simple_green",
}
ZONE = ZoneInfo("Europe/Amsterdam")
MINUTE = timedelta(minutes=1)
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


@pytest.fixture
def domain(database_url: str) -> Iterator[tuple[Engine, ManualClock]]:
    # Monday 21 December 2026: the first norms run over Christmas and New Year's Day
    clock = ManualClock(datetime(2026, 12, 21, 9, 0, tzinfo=UTC))
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
    engine.deploy_paths([str(bootstrap.BPMN_DIR)])
    yield engine, clock
    engine.dispose()


def _messages(engine: Engine, instance_id: int) -> list[dict[str, object]]:
    with engine.reading() as conn:
        return [
            dict(p)
            for p in conn.execute(
                select(outbox.c.payload)
                .where(outbox.c.instance_id == instance_id)
                .order_by(outbox.c.id)
            ).scalars()
        ]


def _count(engine: Engine, instance_id: int, template: str, bpmn_id: str | None = None) -> int:
    return sum(
        1
        for m in _messages(engine, instance_id)
        if m["template"] == template and (bpmn_id is None or m.get("task") == bpmn_id)
    )


def _once_to_each(engine: Engine, instance_id: int, template: str) -> None:
    """The diagram's timer sent `template`: at least one address, and no address twice (a
    message about parallel tasks goes once to each of their holders, not once per task)."""
    to = [m["to"] for m in _messages(engine, instance_id) if m["template"] == template]
    assert to, template
    assert len(to) == len(set(to)), (template, to)


def _to(engine: Engine, clock: ManualClock, moment: datetime) -> list[norm_watch.Signal]:
    """Move the clock to `moment`, fire the timers due and send the signals due."""
    if moment > clock.now():
        clock.set(moment)
    engine.fire_due_timers()
    return norm_watch.signal_due(engine)


#: the weekly meeting's choice at "Casist koppelen"
CASIST_CHOSEN = {
    "casist": complex_route.CASIST,
    "casist_name": "Fatima el Amrani",
    "casist_email": "f.elamrani@dordrecht.nl",
    "casist_role": "gebiedsmanager",
}

#: every user task with a norm that the walks below pass, per route (checked against the diagrams)
PASSED: dict[str, set[str]] = {folder: set() for folder in FOLDERS}


def watched(
    engine: Engine,
    clock: ManualClock,
    instance_id: int,
    bpmn_id: str,
    timer_messages: tuple[str, ...] = (),
) -> None:
    """Move the clock past the norm of the open task `bpmn_id` and see its signal fire once, at
    the norm; then past its escalation, if it has one. `timer_messages`: the messages the
    diagram's own timers on the task send by then (each once), for a task without `signal_to`."""
    tasks = [t for t in engine.list_tasks(instance_id=instance_id) if t.bpmn_id == bpmn_id]
    assert tasks, f"no open {bpmn_id}"
    task = tasks[0]
    props = task.properties
    folder = ROUTE_FOLDER[engine.get_instance(instance_id).summary.process_id]
    PASSED[folder].add(bpmn_id)
    due = task.due_at
    assert due == norms.due_at(task.created_at, norms.parse_norm(props["norm"]))
    to = props.get("signal_to")
    assert bool(to) != bool(timer_messages), f"{bpmn_id}: one way of watching its norm"

    before = _to(engine, clock, due - MINUTE)
    assert [s for s in before if s.bpmn_id == bpmn_id] == []
    assert _count(engine, instance_id, norm_watch.SIGNAL, bpmn_id) == 0
    at = _to(engine, clock, due + MINUTE)
    mine = [s for s in at if s.bpmn_id == bpmn_id and s.level == "norm"]
    if to:
        assert [(s.task_id, s.to, s.due_at) for s in mine] == [(task.id, to, due)]
        history = [
            initiative_page.describe_event(e.type, "", e.detail)
            for e in engine.events(instance_id)
            if e.type == "norm_signalled"
        ]
        assert f"Signaal aan {to}: norm ({props['norm']}) verstreken voor {task.title}" in history
    else:
        assert mine == []
        for template in timer_messages:
            _once_to_each(engine, instance_id, template)
    assert [s for s in _to(engine, clock, due + 2 * MINUTE) if s.bpmn_id == bpmn_id] == []
    assert _count(engine, instance_id, norm_watch.SIGNAL, bpmn_id) == (1 if to else 0)

    if props.get("escalation"):
        escalate = norms.due_at(task.created_at, norms.parse_norm(props["escalation"]))
        assert escalate > due
        early = _to(engine, clock, escalate - MINUTE)
        assert [s for s in early if s.level == "escalation" and s.bpmn_id == bpmn_id] == []
        late = _to(engine, clock, escalate + MINUTE)
        raised = [s for s in late if s.level == "escalation" and s.bpmn_id == bpmn_id]
        # the parallel tasks of one step (an aspect per team) share one escalation
        assert [(s.to, s.due_at) for s in raised] == [(props["escalation_to"], escalate)]
        _to(engine, clock, escalate + 2 * MINUTE)
        assert _count(engine, instance_id, norm_watch.ESCALATION, bpmn_id) == 1


def test_the_intake_norm_counts_working_days_past_christmas_and_new_years_day(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = complex_route.start(engine, clock, "INI-2026-000901")
    d.do("plan_intake", {"intake_date": "2026-12-22", "intake_location": "Stadskantoor"})
    (hold,) = d.open_tasks("hold_intake")
    # opened Monday 21 December: 15 working days skip 25 December and 1 January
    assert hold.due_at.astimezone(ZONE) == datetime(2027, 1, 13, 17, 0, tzinfo=ZONE)
    watched(engine, clock, d.id, "hold_intake")


def test_every_norm_of_the_complex_route_with_money_signals_once_at_the_norm(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = complex_route.start(engine, clock, "INI-2026-000902", requested_amount=25000)
    watched(engine, clock, d.id, "plan_intake", ("escalatie_eerste_contact",))
    d.do("plan_intake", {"intake_date": "2026-12-30", "intake_location": "Stadskantoor"})
    watched(engine, clock, d.id, "hold_intake")
    d.do(
        "hold_intake",
        {
            "intake_summary": "Plan besproken.",
            "information_complete": True,
            "missing_information": "",
        },
    )
    watched(engine, clock, d.id, "assign_casist")
    d.do("assign_casist", CASIST_CHOSEN)
    watched(engine, clock, d.id, "kickoff")
    d.do("kickoff", {"kickoff_date": "2027-02-01", "plan_summary": "Moestuin in drie fasen."})
    aspects = len(d.open_tasks("assess_aspect"))
    assert aspects > 1
    watched(
        engine,
        clock,
        d.id,
        "assess_aspect",
        ("herinnering_beoordeling", "escalatie_beoordeling"),
    )
    complex_route.assess_all(d)
    watched(engine, clock, d.id, "integral_advice")
    complex_route.advise(d, "HAALBAAR")
    watched(engine, clock, d.id, "prepare_fund_check")
    d.do("prepare_fund_check", complex_route.fund_criteria())
    complex_route.apply_formally(d, 25000)
    watched(engine, clock, d.id, "prepare_decision")
    d.do("prepare_decision", {"decision_advice": "VERLENEN", "advice_motivation": "Voldoet."})
    watched(engine, clock, d.id, "decide_subsidy", ("verdagingsbericht", "escalatie_beslistermijn"))
    d.do("decide_subsidy", {"decision": "VERLENEN", "granted_amount": 25000})
    watched(engine, clock, d.id, "prepare_payment")
    complex_route.pay(d)
    watched(engine, clock, d.id, "record_agreements")
    d.do("record_agreements", {"agreements_summary": "Afspraken over onderhoud."})
    # six weeks into the realisation the casist is asked for a progress talk
    (realisation,) = d.open_tasks("report_realisation_complete")
    _to(engine, clock, realisation.created_at + timedelta(weeks=6) + MINUTE)
    watched(engine, clock, d.id, "progress_checkin")
    d.do("progress_checkin", {"progress_notes": "Loopt volgens plan.", "on_track": True})
    # a change request during the realisation: the casist answers within its norm
    engine.send_message("change_requested", {"text": "Een week later."}, instance_id=d.id)
    watched(engine, clock, d.id, "assess_change_request")
    d.do("assess_change_request", {"change_decision": "AKKOORD", "change_motivation": "Goed."})
    d.do(
        "report_realisation_complete",
        {"activity_end_date": "2027-10-01", "realisation_report": "Klaar."},
    )
    watched(engine, clock, d.id, "submit_accountability")
    d.do("submit_accountability", {"accountability_report": "Verslag", "actual_costs": 25000})
    watched(engine, clock, d.id, "assess_accountability")
    d.do("assess_accountability", {"accountability_approved": True, "settled_amount": 25000})
    watched(engine, clock, d.id, "evaluate_initiative")
    d.do("evaluate_initiative", {"evaluation_summary": "Geslaagd."})
    assert d.status() == "completed"
    # the aspects' shared timers and the phase's escalation: once for the step, not per aspect
    _once_to_each(engine, d.id, "escalatie_beoordeling")
    assert _count(engine, d.id, norm_watch.ESCALATION, "assess_aspect") == 1


def test_the_rejection_and_the_supplement_check_signal_once_at_their_norm(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = complex_route.start(engine, clock, "INI-2026-000903")
    complex_route.intake(d, complete=False)
    d.do("supply_missing_information", {"supplement": "Begroting in de bijlage."})
    watched(engine, clock, d.id, "check_supplied_information")
    d.do("check_supplied_information", {"information_complete": True})
    d.do("assign_casist", CASIST_CHOSEN)
    d.do("kickoff", {"kickoff_date": "2027-01-11", "plan_summary": "Moestuin in drie fasen."})
    complex_route.assess_all(d, "NEGATIEF")
    complex_route.advise(d, "NIET_HAALBAAR")
    watched(engine, clock, d.id, "reject_with_reasons")


def test_every_norm_of_the_wijkwens_signals_once_at_the_norm(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    iid = small_routes.start_wijkwens(engine, submitted_on="2026-12-21")
    watched(engine, clock, iid, "wijkwens_check_admissibility")
    small_routes.do(
        engine, iid, "wijkwens_check_admissibility", small_routes.ADMISSIBLE, "wijkwenssecretariaat"
    )
    hold_meeting(engine, iid)  # the advice is recorded after the regiegroep's meeting
    watched(engine, clock, iid, "wijkwens_regiegroep_advice")
    small_routes.do(engine, iid, "wijkwens_regiegroep_advice", small_routes.POSITIVE, "regiegroep")
    watched(engine, clock, iid, "wijkwens_decide")
    small_routes.do(engine, iid, "wijkwens_decide", small_routes.grant(750), "gebiedsmanager")
    watched(engine, clock, iid, "wijkwens_pay", ("wijkwens_betaling_te_laat",))
    small_routes.do(engine, iid, "wijkwens_pay", small_routes.PAID, "fondsbeheer")
    watched(engine, clock, iid, "wijkwens_report_execution")


def test_the_norm_to_plan_a_meeting_beyond_the_calendar_signals_once(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    clock.set(datetime(2028, 12, 1, 9, 0, tzinfo=UTC))  # the calendar ends in December 2028
    iid = small_routes.start_wijkwens(engine, submitted_on="2028-12-01")
    small_routes.do(
        engine, iid, "wijkwens_check_admissibility", small_routes.ADMISSIBLE, "wijkwenssecretariaat"
    )
    watched(engine, clock, iid, "wijkwens_plan_meeting")


def test_every_norm_of_a_geveltuin_signals_once_at_the_norm(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    tuin = small_routes.start_green(engine)
    watched(engine, clock, tuin, "green_register")
    small_routes.do(engine, tuin, "green_register", small_routes.REGISTER_GEVELTUIN, "kcc")
    watched(engine, clock, tuin, "green_assess_geveltuin")
    small_routes.do(
        engine, tuin, "green_assess_geveltuin", small_routes.FEASIBLE_GEVELTUIN, "gebiedsbeheer"
    )
    # approved in winter: the work waits for the spring planting season, its norm counts from then
    opens = engine.get_instance(tuin).summary.next_timer_due
    assert opens == datetime(2027, 3, 1, 6, 0, tzinfo=UTC)  # 1 March, 07:00 in Dordrecht
    clock.set(opens + MINUTE)
    engine.fire_due_timers()
    watched(engine, clock, tuin, "green_construct_geveltuin")


def test_every_norm_of_a_green_adoption_signals_once_at_the_norm(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    adoption = small_routes.start_green(engine, green_type="adoptiegroen")
    small_routes.do(engine, adoption, "green_register", small_routes.REGISTER_ADOPTION, "kcc")
    watched(engine, clock, adoption, "green_discuss_adoption")
    small_routes.do(
        engine, adoption, "green_discuss_adoption", small_routes.FEASIBLE_ADOPTION, "gebiedsbeheer"
    )
    small_routes.do(
        engine, adoption, "green_accept_agreement", {"agreement_accepted": True}, "initiatiefnemer"
    )
    watched(engine, clock, adoption, "green_deliver_materials")


def _norms(folder: str) -> dict[str, bool]:
    """The user tasks with a norm in a route's diagram: whether a timer on its edge watches it."""
    tree = etree.parse(next((ROOT / "bpmn" / folder).glob("*.bpmn")))
    timed = {
        b.get("attachedToRef")
        for b in tree.iter(f"{BPMN}boundaryEvent")
        if b.find(f"{BPMN}timerEventDefinition") is not None
    }
    out = {}
    for task in tree.iter(f"{BPMN}userTask"):
        names = {p.get("name") for p in task.iter(f"{SPIFF}property")}
        if "norm" in names:
            out[str(task.get("id"))] = task.get("id") in timed
    return out


#: norms a walk above does not pass, and why (each is driven in its route's own tests)
NOT_WALKED = {
    # their timer on the edge ends the task (the case closes or moves on), tested where it ends
    "supply_missing_information",
    "answer_assessment_questions",
    "adjust_plan",
    "submit_subsidy_application",
    "wijkwens_provide_info",
    "wijkwens_record_external_advice",
    "green_accept_agreement",
}


def test_the_walks_pass_every_norm_in_every_route_and_the_rule_finds_none_unwatched(
    domain: tuple[Engine, ManualClock],
) -> None:
    """Run after the walks above (same module): together they passed every norm."""
    engine, _ = domain
    for folder in FOLDERS:
        files = [
            SourceFile(p.name, p.read_bytes())
            for p in sorted((ROOT / "bpmn" / folder).rglob("*"))
            if p.suffix in (".bpmn", ".dmn", ".json") and p.is_file()
        ]
        assert list(diagram_rules.norms_are_watched(engine.outline(files))) == []
        expected = set(_norms(folder)) - NOT_WALKED
        if PASSED[folder]:  # the walks ran in this process (not deselected)
            assert expected <= PASSED[folder], folder


GREEN_SOURCE = ROOT / "bpmn" / "simple_green" / "simple_green_initiative_process.bpmn"


def _outline(engine: Engine, green: str) -> Outline:
    """The engine's outline of (a changed copy of) the green diagram, as the modeler checks it."""
    return engine.outline([SourceFile("groen.bpmn", green.encode())])


def test_a_norm_nobody_hears_of_is_a_warning_in_the_modeler(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    unwatched = GREEN_SOURCE.read_text(encoding="utf-8").replace(
        '<spiffworkflow:property name="signal_to" value="coordinator.gebiedsbeheer@dordrecht.nl" />',
        "",
    )
    found = list(diagram_rules.norms_are_watched(_outline(engine, unwatched)))
    assert {p.element_id for p in found} == {
        "green_register",
        "green_assess_geveltuin",
        "green_construct_geveltuin",
        "green_discuss_adoption",
        "green_deliver_materials",
    }
    assert all(p.severity == "warning" and "niet bewaakt" in p.message for p in found)


def test_a_text_for_the_initiator_on_something_other_than_a_timer_is_a_warning(
    domain: tuple[Engine, ManualClock],
) -> None:
    """The shipped texts sit on timers; moved onto a user task, nobody would ever read it."""
    engine, _ = domain
    source = GREEN_SOURCE.read_text(encoding="utf-8")
    assert list(diagram_rules.initiator_texts_on_timers(_outline(engine, source))) == []
    moved = source.replace(
        '<spiffworkflow:property name="norm" value="8 weken" />',
        '<spiffworkflow:property name="norm" value="8 weken" />'
        '<spiffworkflow:property name="initiator_text" value="Wij komen planten." />',
    )
    (found,) = diagram_rules.initiator_texts_on_timers(_outline(engine, moved))
    assert found.element_id == "green_construct_geveltuin"
    assert found.severity == "warning"
    assert "geen wachtende timer" in found.message
