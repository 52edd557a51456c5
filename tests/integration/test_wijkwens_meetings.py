"""Wijkwens as the regiegroepen run it: a wish waits for its gebied's meeting from the meeting
calendar (bpmn/wijkwens/dmn_regiegroep_meetings.dmn, kept by the process owner), on the agenda
when complete four weeks before; the advice is positief, negatief, aanhouden (to the next
meeting, the reason mailed) or doorverwijzen (to eenvoudig groen as a new, linked case, or to
another scheme named in the mail); a decision that would fall past the Awb term of eight
weeks is postponed once, with notice; when the calendar runs out the secretariaat plans the
meeting. Driven on the real diagrams, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine import Engine, ManualClock
from tests.helpers import hold_meeting
from tests.integration.test_handovers import initiator_mails
from tests.integration.test_process_wijkwens_green import (
    ADMISSIBLE,
    PAID,
    POSITIVE,
    do,
    domain,  # noqa: F401 (the fixture)
    finished,
    grant,
    mails,
    open_ids,
    phases,
    start_wijkwens,
)
from workflows import handovers
from workflows.initiative_page import get_initiative
from workflows.reports import audit

SECRETARIAAT = "wijkwenssecretariaat"


def admitted(engine: Engine, clock: ManualClock, day: datetime, **data: object) -> int:
    """A wish (Sterrenburg: gebied Oost) complete and admitted on `day`."""
    clock.set(day)
    iid = start_wijkwens(engine, submitted_on=day.date().isoformat(), **data)
    do(engine, iid, "wijkwens_check_admissibility", ADMISSIBLE, SECRETARIAAT)
    return iid


def items(engine: Engine, iid: int, template: str) -> list[str]:
    from sqlalchemy import select

    from engine.readmodel import outbox

    with engine.reading() as conn:
        payloads = conn.execute(
            select(outbox.c.payload).where(outbox.c.instance_id == iid).order_by(outbox.c.id)
        ).scalars()
        return next(p.get("items", []) for p in payloads if p["template"] == template)


def test_a_wish_waits_for_the_first_meeting_four_weeks_after_it_is_complete(
    domain: tuple[Engine, ManualClock],  # noqa: F811
) -> None:
    engine, clock = domain
    # complete on Monday 16 March: 13 April is the earliest; Oost meets on 1 April (too soon
    # for the agenda) and next on 13 May
    iid = admitted(engine, clock, datetime(2026, 3, 16, 9, 0, tzinfo=UTC))
    data = engine.instance_values(iid, ("earliest_meeting", "meeting_date", "postponed"))
    # the decision (about 27 May) falls past 11 May, eight weeks after 16 March: postponed
    assert data == {
        "earliest_meeting": "2026-04-13",
        "meeting_date": "2026-05-13",
        "postponed": True,
    }
    assert engine.get_instance(iid).summary.status == "waiting"
    assert open_ids(engine, iid) == []
    # the case page shows the phases of the wijkwens diagram: it has no kennismaking
    timeline = get_initiative(engine, iid).timeline
    assert [step.code for step in timeline] == [
        "ontvangen",
        "beoordeling",
        "besluitvorming",
        "uitvoering",
        "afgerond",
    ]
    steps = {step.code: step for step in timeline}
    assert not steps["beoordeling"].skipped
    assert not steps["besluitvorming"].skipped  # still to come
    # 13 May, 19:29: the meeting has not begun; 19:31 it has, and the advice is to be recorded
    clock.set(datetime(2026, 5, 13, 17, 29, tzinfo=UTC))
    assert engine.fire_timers() == []
    assert open_ids(engine, iid) == []
    clock.set(datetime(2026, 5, 13, 17, 31, tzinfo=UTC))
    # fire_timers tells which cases moved and the tasks each step opened (the simulation plans
    # them from this instead of listing every open task)
    [fired] = engine.fire_timers()
    assert (fired.id, fired.status) == (iid, "running")
    assert [t.bpmn_id for t in fired.opened_tasks] == ["wijkwens_regiegroep_advice"]
    assert [t.id for t in fired.opened_tasks] == [t.id for t in engine.list_tasks(instance_id=iid)]
    assert open_ids(engine, iid) == ["wijkwens_regiegroep_advice"]


def test_a_meeting_past_the_decision_term_is_announced_once_as_a_postponement(
    domain: tuple[Engine, ManualClock],  # noqa: F811
) -> None:
    engine, clock = domain
    # complete on 1 June: Oost's first meeting after 29 June is 26 August (summer recess); the
    # decision would fall after 27 July (8 weeks): the initiator is told, with both dates
    iid = admitted(engine, clock, datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    data = engine.instance_values(iid, ("meeting_date", "decision_term_ends", "postponed_until"))
    assert data == {
        "meeting_date": "2026-08-26",
        "decision_term_ends": "2026-07-27",
        "postponed_until": "2026-09-21",
    }
    assert [m for m, _ in mails(engine, iid)] == ["wijkwens_ontvangen", "wijkwens_verdaging"]
    assert items(engine, iid, "wijkwens_verdaging") == [
        "Vergadering van de regiegroep: 26 augustus 2026",
        "U ontvangt ons besluit uiterlijk op 21 september 2026",
    ]
    # held to the next meeting: no second postponement notice
    hold_meeting(engine, iid)
    held = {
        "advice": "hold",
        "hold_reason": "Wij willen de offerte van de verhuur zien.",
        "advice_motivation": "Plan is goed, de kosten zijn nog onduidelijk.",
    }
    do(engine, iid, "wijkwens_regiegroep_advice", held, "regiegroep")
    assert engine.instance_values(iid, ("meeting_date",)) == {"meeting_date": "2026-10-07"}
    assert [m for m, _ in mails(engine, iid)].count("wijkwens_verdaging") == 1


def test_aanhouden_brings_the_wish_to_the_next_meeting_with_the_reason_mailed(
    domain: tuple[Engine, ManualClock],  # noqa: F811
) -> None:
    engine, clock = domain
    iid = admitted(engine, clock, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert hold_meeting(engine, iid) == "2026-04-01"
    held = {
        "advice": "hold",
        "hold_reason": "Wij willen eerst weten of de buren meedoen.",
        "advice_motivation": "Goed idee, draagvlak nog niet zichtbaar.",
    }
    do(engine, iid, "wijkwens_regiegroep_advice", held, "regiegroep")
    assert open_ids(engine, iid) == []  # waits for 13 May
    assert items(engine, iid, "wijkwens_aangehouden") == [
        "Waarom de regiegroep aanhoudt: Wij willen eerst weten of de buren meedoen."
    ]
    # the decision (13 May + 2 weeks) falls past 27 April: postponed, once
    assert [m for m, _ in mails(engine, iid)] == [
        "wijkwens_ontvangen",
        "wijkwens_aangehouden",
        "wijkwens_verdaging",
    ]
    assert hold_meeting(engine, iid) == "2026-05-13"
    do(engine, iid, "wijkwens_regiegroep_advice", POSITIVE, "regiegroep")
    do(engine, iid, "wijkwens_decide", grant(750), "gebiedsmanager")
    assert open_ids(engine, iid) == ["wijkwens_pay"]
    assert phases(engine, iid) == ["ontvangen", "beoordeling", "besluitvorming", "uitvoering"]


def test_a_negative_advice_goes_to_the_gebiedsmanager_who_rejects(
    domain: tuple[Engine, ManualClock],  # noqa: F811
) -> None:
    engine, clock = domain
    iid = admitted(engine, clock, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    hold_meeting(engine, iid)
    negative = {"advice": "negative", "advice_motivation": "Geen bijdrage aan de buurt."}
    do(engine, iid, "wijkwens_regiegroep_advice", negative, "regiegroep")
    assert open_ids(engine, iid) == ["wijkwens_decide"]
    reject = {"decision": "reject", "motivation": "Conform advies regiegroep."}
    do(engine, iid, "wijkwens_decide", reject, "gebiedsmanager")
    assert finished(engine, iid)["outcome"] == "rejected"
    assert [m for m, _ in mails(engine, iid)][-1] == "wijkwens_afgewezen"


def test_doorverwijzen_to_eenvoudig_groen_starts_a_linked_green_case(
    domain: tuple[Engine, ManualClock],  # noqa: F811
) -> None:
    engine, clock = domain
    iid = admitted(engine, clock, datetime(2026, 3, 2, 9, 0, tzinfo=UTC), title="Geveltuinen")
    hold_meeting(engine, iid)
    refer = {
        "advice": "refer",
        "referral": "simple_green",
        "advice_motivation": "Geveltuinen legt gebiedsbeheer aan, zonder subsidie.",
    }
    do(engine, iid, "wijkwens_regiegroep_advice", refer, "regiegroep")
    data = finished(engine, iid)
    assert data["outcome"] == "referred"
    assert phases(engine, iid) == ["ontvangen", "beoordeling", "afgerond"]
    (handed,) = handovers.run_due(engine)
    assert handed.case.process_id == "simple_green_initiative_process"
    assert handed.from_instance_id == iid
    assert engine.instance_values(handed.case.id, ("title", "wijk")) == {
        "title": "Geveltuinen",
        "wijk": "Sterrenburg",
    }
    # both case pages show the link; the initiator is told once, with the new number (the
    # hand-over's mail on the new case, no closing mail on the old one)
    old_page, new_page = get_initiative(engine, iid), get_initiative(engine, handed.case.id)
    new_key = handed.case.business_key
    assert [(c.direction, c.zaaknummer) for c in old_page.linked] == [("to", new_key)]
    assert [(c.direction, c.zaaknummer) for c in new_page.linked] == [("from", "WW-2026-0001")]
    assert [m["template"] for m in initiator_mails(engine, iid)] == ["wijkwens_ontvangen"]
    (told,) = initiator_mails(engine, handed.case.id)
    assert (told["template"], told["previous"]) == ("doorgezet_eenvoudig_groen", "WW-2026-0001")
    assert told["zaaknummer"] == new_key
    assert open_ids(engine, handed.case.id) == ["green_register"]


def test_doorverwijzen_to_another_scheme_names_it_in_the_mail(
    domain: tuple[Engine, ManualClock],  # noqa: F811
) -> None:
    engine, clock = domain
    iid = admitted(engine, clock, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    hold_meeting(engine, iid)
    refer = {
        "advice": "refer",
        "referral": "other",
        "referral_to": "Initiatievenfonds (stadsbreed)",
        "advice_motivation": "Het plan gaat over de hele stad.",
    }
    do(engine, iid, "wijkwens_regiegroep_advice", refer, "regiegroep")
    assert finished(engine, iid)["outcome"] == "referred"
    assert handovers.run_due(engine) == []
    assert [m["template"] for m in initiator_mails(engine, iid)] == [
        "wijkwens_ontvangen",
        "wijkwens_doorverwezen",
    ]
    assert items(engine, iid, "wijkwens_doorverwezen") == [
        "Waar u terecht kunt: Initiatievenfonds (stadsbreed)"
    ]


def test_when_the_calendar_runs_out_the_secretariaat_plans_the_meeting(
    domain: tuple[Engine, ManualClock],  # noqa: F811
) -> None:
    engine, clock = domain
    iid = admitted(engine, clock, datetime(2028, 12, 1, 9, 0, tzinfo=UTC))
    assert open_ids(engine, iid) == ["wijkwens_plan_meeting"]
    (plan,) = engine.list_tasks(instance_id=iid)
    assert plan.lane == SECRETARIAAT
    do(engine, iid, "wijkwens_plan_meeting", {"meeting_date": "2029-01-10"}, SECRETARIAAT)
    assert open_ids(engine, iid) == []
    assert hold_meeting(engine, iid) == "2029-01-10"
    assert open_ids(engine, iid) == ["wijkwens_regiegroep_advice"]


def test_a_wish_waiting_for_its_meeting_can_be_withdrawn(
    domain: tuple[Engine, ManualClock],  # noqa: F811
) -> None:
    engine, clock = domain
    iid = admitted(engine, clock, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    engine.send_message("initiative_withdrawn", {"reason": "Verhuisd."}, instance_id=iid)
    assert finished(engine, iid)["outcome"] == "withdrawn"
    # the audit trail says it in words: the message, and the step a timer or message ended
    lines = audit.trail(engine, iid).lines
    assert [ln.detail for ln in lines if ln.kind == "message_received"] == [
        "Intrekking door de initiatiefnemer"
    ]
    at_desk = start_wijkwens(engine, key="WW-2026-0002")  # withdrawn with a task open
    engine.send_message("initiative_withdrawn", {"reason": "Toch niet."}, instance_id=at_desk)
    cancelled = [ln for ln in audit.trail(engine, at_desk).lines if ln.kind == "task_cancelled"]
    assert [ln.step for ln in cancelled] == ["Ontvankelijkheid toetsen"]  # not its id
    assert [m for m, _ in mails(engine, iid)][-1] == "wijkwens_ingetrokken"
    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=UTC))
    assert engine.fire_due_timers() == 0


def test_advice_from_outside_is_asked_recorded_and_waits_at_most_14_days(
    domain: tuple[Engine, ManualClock],  # noqa: F811
) -> None:
    engine, clock = domain
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    asked = {
        **ADMISSIBLE,
        "advice_from": "woningcorporatie",
        "advice_question": "Mag de picknicktafel op uw grasveld staan?",
    }
    iid = start_wijkwens(engine)
    do(engine, iid, "wijkwens_check_admissibility", asked, SECRETARIAAT)
    assert open_ids(engine, iid) == ["wijkwens_record_external_advice"]
    (record,) = engine.list_tasks(instance_id=iid)
    assert record.lane == SECRETARIAAT
    assert ("adviesvraag_wijkwens", "wijkwensen@woningcorporatie.example") in mails(engine, iid)
    assert items(engine, iid, "adviesvraag_wijkwens")[:2] == [
        "Vraag: Mag de picknicktafel op uw grasveld staan?",
        "Wijkwens: Straatspeeldag Sterrenburg",
    ]
    given = {"external_advice": "Akkoord, mits op het pad.", "external_advice_positive": True}
    do(engine, iid, "wijkwens_record_external_advice", given, SECRETARIAAT)
    # the advice came in before the agenda closed: the same meeting as without it
    assert hold_meeting(engine, iid) == "2026-04-01"
    assert open_ids(engine, iid) == ["wijkwens_regiegroep_advice"]

    # no advice within 14 days: the wish goes on to its meeting without it
    clock.set(datetime(2026, 4, 6, 9, 0, tzinfo=UTC))
    other = start_wijkwens(engine, key="WW-2026-0002", submitted_on="2026-04-06")
    do(engine, other, "wijkwens_check_admissibility", asked, SECRETARIAAT)
    clock.set(datetime(2026, 4, 20, 8, 59, tzinfo=UTC))
    engine.fire_due_timers()
    assert open_ids(engine, other) == ["wijkwens_record_external_advice"]
    clock.set(datetime(2026, 4, 20, 9, 1, tzinfo=UTC))
    engine.fire_due_timers()
    assert open_ids(engine, other) == []
    assert engine.instance_values(other, ("meeting_date",)) == {"meeting_date": "2026-05-13"}


def test_without_an_execution_report_in_six_months_the_wish_closes_honoured_without_it(
    domain: tuple[Engine, ManualClock],  # noqa: F811
) -> None:
    engine, clock = domain
    iid = admitted(engine, clock, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    hold_meeting(engine, iid)
    do(engine, iid, "wijkwens_regiegroep_advice", POSITIVE, "regiegroep")
    do(engine, iid, "wijkwens_decide", grant(750), "gebiedsmanager")
    do(engine, iid, "wijkwens_pay", PAID, "fondsbeheer")
    assert open_ids(engine, iid) == ["wijkwens_report_execution"]
    paid_at = clock.now()
    clock.set(paid_at + timedelta(days=180))  # before six months
    engine.fire_due_timers()
    assert open_ids(engine, iid) == ["wijkwens_report_execution"]
    clock.set(paid_at + timedelta(days=186))
    engine.fire_due_timers()
    data = finished(engine, iid)
    assert (data["outcome"], data["execution_reported"]) == ("honoured", False)
    assert [m for m, _ in mails(engine, iid)][-2:] == ["wijkwens_betaald", "wijkwens_vervuld"]
