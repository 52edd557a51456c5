"""The wijkwens and simple-green processes (bpmn/wijkwens, bpmn/simple_green, bpmn/shared) driven
end to end through the wired engine, on SQLite and PostgreSQL: every end state, the phases in
order, the notifications in the outbox, norms as due dates, timers and the withdrawal message."""

from __future__ import annotations

import json
import random
import threading
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
from engine.types import HumanTask
from tests.helpers import hold_meeting
from workflows import bootstrap, fund, norms

#: also run with every cache off (`make test` runs these twice; see tests/conftest.py)
pytestmark = pytest.mark.cold

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
FOLDERS = [BPMN / "wijkwens", BPMN / "simple_green", BPMN / "shared"]
WIJKWENS = "wijkwens_process"
GREEN = "simple_green_initiative_process"
# Roles Wegwijs knows (shared/DESIGN.md "Users", plus gebiedsbeheer for the green process, and
# the desks where wijkwensen and green requests come in).
KNOWN_ROLES = {
    "initiatiefnemer",
    "initiatieventeam",
    "wijkwenssecretariaat",
    "kcc",
    "casist",
    "vakspecialist",
    "fondsbeheer",
    "budgethouder",
    "regiegroep",
    "gebiedsmanager",
    "gebiedsbeheer",
}
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
ALL_PHASES = ["ontvangen", "beoordeling", "besluitvorming", "uitvoering", "afgerond"]


@pytest.fixture
def domain(database_url: str) -> Iterator[tuple[Engine, ManualClock]]:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # Monday 2 March 2026
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
    engine.deploy_paths([str(f) for f in FOLDERS])
    yield engine, clock
    engine.dispose()


# ---------------------------------------------------------------------------- helpers


def start_wijkwens(engine: Engine, key: str = "WW-2026-0001", **data: Any) -> int:
    start = {
        "initiator_name": "Fatima el Amrani",
        "initiator_email": "fatima@example.nl",
        "wijk": "Sterrenburg",
        "title": "Straatspeeldag Sterrenburg",
        "description": "Een straatspeeldag met springkussen en picknick voor de hele buurt.",
        "requested_amount": 750,
        "submitted_on": "2026-03-02",
        "is_public_space_wish": False,
        **data,
    }
    started = engine.start(WIJKWENS, start, business_key=key)
    assert started.status == "running", started.last_error
    return started.id


def start_green(engine: Engine, **data: Any) -> int:
    start = {
        "initiator_name": "Kees de Vries",
        "initiator_email": "kees@example.nl",
        "wijk": "Wielwijk",
        "address": "Karel Doormanweg 12",
        "green_type": "geveltuin",
        "description": "Een geveltuintje naast mijn voordeur.",
        **data,
    }
    started = engine.start(GREEN, start, business_key="GR-2026-0001")
    assert started.status == "running", started.last_error
    return started.id


def do(
    engine: Engine, instance_id: int, bpmn_id: str, data: dict[str, Any], lane: str
) -> HumanTask:
    """Complete the single open task `bpmn_id` of the instance as a user with role `lane`."""
    open_tasks = engine.list_tasks(instance_id=instance_id)
    matching = [t for t in open_tasks if t.bpmn_id == bpmn_id]
    assert len(matching) == 1, (
        f"expected open task {bpmn_id}, open: {[t.bpmn_id for t in open_tasks]}"
    )
    task = matching[0]
    assert task.lane == lane
    done = engine.complete_task(task.id, data, actor=f"{lane}-user", lanes=[lane])
    assert done.last_error is None, done.last_error
    return task


def open_ids(engine: Engine, instance_id: int) -> list[str]:
    return [t.bpmn_id for t in engine.list_tasks(instance_id=instance_id)]


def phases(engine: Engine, instance_id: int) -> list[str]:
    return [
        e.detail["milestone"] for e in engine.events(instance_id) if e.type == "milestone_reached"
    ]


def mails(engine: Engine, instance_id: int) -> list[tuple[str, str]]:
    with engine.transaction() as u:
        rows = u.connection.execute(
            select(outbox).where(outbox.c.instance_id == instance_id).order_by(outbox.c.id)
        ).all()
    return [(r.payload["template"], r.payload["to"]) for r in rows]


def finished(engine: Engine, instance_id: int) -> dict[str, Any]:
    detail = engine.get_instance(instance_id)
    assert detail.summary.status == "completed", detail.summary.last_error
    assert detail.open_tasks == ()
    return detail.data


def due(task: HumanTask, norm: str) -> datetime:
    return norms.due_at(task.created_at, norms.parse_norm(norm))


ADMISSIBLE = {"admissibility": "admissible", "is_public_space_wish": False, "has_support": True}
POSITIVE = {
    "advice": "positive",
    "advised_amount": 750,
    "advice_motivation": "Versterkt de sociale samenhang in de straat.",
}
PAID = {"paid_amount": 750, "payment_reference": "BET-2026-0042", "paid_on": "2026-03-20"}
REPORTED = {
    "executed_on": "2026-05-16",
    "participants": 80,
    "execution_report": "Zonnige dag, de hele straat deed mee.",
}


def report(engine: Engine, iid: int) -> HumanTask:
    """The initiator tells how it went (after the payment): the wish is then honoured."""
    return do(engine, iid, "wijkwens_report_execution", REPORTED, "initiatiefnemer")


def grant(amount: float) -> dict[str, Any]:
    return {
        "decision": "grant",
        "granted_amount": amount,
        "motivation": "Conform advies regiegroep.",
    }


def to_decision(engine: Engine, *iids: int) -> None:
    """Admit these wishes, let the regiegroep meet on them (together, when they wait for the
    same meeting) and advise positively."""
    for iid in iids:
        do(engine, iid, "wijkwens_check_admissibility", ADMISSIBLE, "wijkwenssecretariaat")
    for iid in iids:
        hold_meeting(engine, iid)
    for iid in iids:
        do(engine, iid, "wijkwens_regiegroep_advice", POSITIVE, "regiegroep")


# ---------------------------------------------------------------------------- wijkwens


def test_wijkwens_up_to_1000_is_honoured_without_co_signature(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    iid = start_wijkwens(engine)
    admissibility = do(
        engine, iid, "wijkwens_check_admissibility", ADMISSIBLE, "wijkwenssecretariaat"
    )
    assert admissibility.due_at == due(admissibility, "10 werkdagen")
    # complete on 2 March: on the agenda of the first Oost meeting four weeks later
    assert open_ids(engine, iid) == []
    assert hold_meeting(engine, iid) == "2026-04-01"
    advice = do(engine, iid, "wijkwens_regiegroep_advice", POSITIVE, "regiegroep")
    assert advice.due_at == due(advice, "5 werkdagen")  # the advice is recorded after it
    decide = do(engine, iid, "wijkwens_decide", grant(750), "gebiedsmanager")
    assert decide.due_at == due(decide, "10 werkdagen")
    assert open_ids(engine, iid) == ["wijkwens_pay"]  # € 750: no second signature
    pay = do(engine, iid, "wijkwens_pay", PAID, "fondsbeheer")
    assert pay.due_at == due(pay, "6 weken")
    assert open_ids(engine, iid) == ["wijkwens_report_execution"]  # on the status page
    told = report(engine, iid)
    assert told.due_at == due(told, "3 maanden")

    data = finished(engine, iid)
    assert data["outcome"] == "honoured"
    assert (data["gebied"], data["regiegroep"]) == ("Oost", "Regiegroep Oost")
    assert phases(engine, iid) == ALL_PHASES
    assert mails(engine, iid) == [
        ("wijkwens_ontvangen", "fatima@example.nl"),
        ("wijkwens_toegekend", "fatima@example.nl"),
        ("wijkwens_betaald", "fatima@example.nl"),
        ("wijkwens_vervuld", "fatima@example.nl"),
    ]


def test_wijkwens_above_1000_with_a_co_signing_entity_goes_straight_on(
    domain: tuple[Engine, ManualClock],
) -> None:
    """Co-signature is a property of the application (a legal entity signs with the
    initiator), checked at admissibility: no municipal co-signing task."""
    engine, _ = domain
    iid = start_wijkwens(engine, wijk="Binnenstad", requested_amount=2500, co_signing_entity="SSKW")
    to_decision(engine, iid)
    do(engine, iid, "wijkwens_decide", grant(2500), "gebiedsmanager")
    assert open_ids(engine, iid) == ["wijkwens_pay"]
    do(engine, iid, "wijkwens_pay", {**PAID, "paid_amount": 2500}, "fondsbeheer")
    report(engine, iid)

    data = finished(engine, iid)
    assert data["outcome"] == "honoured"
    assert (data["granted_amount"], data["co_signing_entity"]) == (2500, "SSKW")
    assert data["gebied"] == "Centrum"
    assert phases(engine, iid) == ALL_PHASES
    assert [m for m, _ in mails(engine, iid)] == [
        "wijkwens_ontvangen",
        "wijkwens_toegekend",
        "wijkwens_betaald",
        "wijkwens_vervuld",
    ]


def test_wijkwens_above_1000_without_a_co_signer_is_asked_for_one_before_the_regiegroep(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    iid = start_wijkwens(engine, title="Kerstmarkt op het pleintje", requested_amount=1400)
    do(engine, iid, "wijkwens_check_admissibility", ADMISSIBLE, "wijkwenssecretariaat")
    assert open_ids(engine, iid) == ["wijkwens_provide_info"]  # admissible, but no co-signer
    (asked,) = engine.list_tasks(instance_id=iid)
    assert "rechtspersoon mee" in engine.task_data(asked.id)["admissibility_notes"]
    supplied = {"additional_info": "INZET078! tekent mee.", "co_signing_entity": "INZET078!"}
    do(engine, iid, "wijkwens_provide_info", supplied, "initiatiefnemer")
    to_decision(engine, iid)  # checked again: now it goes to the regiegroep
    do(engine, iid, "wijkwens_decide", grant(1400), "gebiedsmanager")
    do(engine, iid, "wijkwens_pay", {**PAID, "paid_amount": 1400}, "fondsbeheer")
    report(engine, iid)
    data = finished(engine, iid)
    assert (data["outcome"], data["co_signing_entity"]) == ("honoured", "INZET078!")
    assert [m for m, _ in mails(engine, iid)] == [
        "wijkwens_ontvangen",
        "wijkwens_aanvulling_gevraagd",
        "wijkwens_toegekend",
        "wijkwens_betaald",
        "wijkwens_vervuld",
    ]


def test_wijkwens_payment_later_than_six_weeks_is_escalated(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    iid = start_wijkwens(engine, wijk="Crabbehof")
    to_decision(engine, iid)
    do(engine, iid, "wijkwens_decide", grant(750), "gebiedsmanager")
    [pay] = engine.list_tasks(instance_id=iid)
    summary = engine.get_instance(iid).summary
    deadline = due(pay, "6 weken")
    assert summary.next_timer_due == pay.due_at == deadline  # the timer is the norm
    clock.set(deadline - timedelta(minutes=1))
    assert engine.fire_due_timers() == 0
    clock.set(deadline + timedelta(minutes=1))
    assert engine.fire_due_timers() == 1
    assert ("wijkwens_betaling_te_laat", "wijkwensen@dordrecht.nl") in mails(engine, iid)
    assert open_ids(engine, iid) == ["wijkwens_pay"]  # non-interrupting: still to be paid
    do(engine, iid, "wijkwens_pay", PAID, "fondsbeheer")
    report(engine, iid)

    data = finished(engine, iid)
    assert data["outcome"] == "honoured"
    assert data["gebied"] == "West"
    assert phases(engine, iid) == ALL_PHASES
    assert [m for m, _ in mails(engine, iid)] == [
        "wijkwens_ontvangen",
        "wijkwens_toegekend",
        "wijkwens_betaling_te_laat",
        "wijkwens_betaald",
        "wijkwens_vervuld",
    ]


def defer(engine: Engine, clock: ManualClock, title: str) -> int:
    """A public-space wish that arrives on 5 October 2026: handled from 1 January 2027."""
    clock.set(datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
    iid = start_wijkwens(engine, submitted_on="2026-10-05", title=title)
    public = {**ADMISSIBLE, "is_public_space_wish": True}
    do(engine, iid, "wijkwens_check_admissibility", public, "wijkwenssecretariaat")
    return iid


def test_wijkwens_public_space_wish_after_1_october_waits_until_1_january(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    iid = defer(engine, clock, "Bankje bij de vijver")
    summary = engine.get_instance(iid).summary
    assert summary.status == "waiting"
    assert engine.get_instance(iid).data["handle_in_year"] == 2027
    assert open_ids(engine, iid) == []
    assert [m for m, _ in mails(engine, iid)] == ["wijkwens_ontvangen", "wijkwens_volgend_jaar"]
    # 31 December 23:59 in Dordrecht: still waiting
    clock.set(datetime(2026, 12, 31, 22, 59, tzinfo=UTC))
    engine.fire_due_timers()
    assert open_ids(engine, iid) == []
    # 1 January: on to the regiegroep, in the new year
    clock.set(datetime(2026, 12, 31, 23, 0, 1, tzinfo=UTC))
    engine.fire_due_timers()
    assert phases(engine, iid) == ["ontvangen", "beoordeling"]
    assert engine.get_instance(iid).data["gebied"] == "Oost"
    # complete from 1 January: the first Oost meeting four weeks later
    assert open_ids(engine, iid) == []
    assert hold_meeting(engine, iid) == "2027-02-24"
    assert open_ids(engine, iid) == ["wijkwens_regiegroep_advice"]


def test_a_wish_waiting_for_the_new_year_can_be_withdrawn(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    iid = defer(engine, clock, "Speeltoestel Sterrenburg")
    engine.send_message(
        "initiative_withdrawn",
        {"reason": "Toch niet nodig.", "by": "initiatiefnemer"},
        instance_id=iid,
    )
    data = finished(engine, iid)
    assert data["outcome"] == "withdrawn"
    assert [m for m, _ in mails(engine, iid)][-1] == "wijkwens_ingetrokken"
    clock.set(datetime(2027, 1, 2, 9, 0, tzinfo=UTC))
    assert engine.fire_due_timers() == 0


@pytest.mark.parametrize(
    ("submitted_on", "public_space"),
    [("2026-09-30", True), ("2026-10-05", False), ("2026-10-01", False)],
)
def test_wijkwens_1_october_rule_only_defers_public_space_wishes_from_1_october(
    domain: tuple[Engine, ManualClock], submitted_on: str, public_space: bool
) -> None:
    engine, _ = domain
    iid = start_wijkwens(engine, submitted_on=submitted_on)
    wish = {**ADMISSIBLE, "is_public_space_wish": public_space}
    do(engine, iid, "wijkwens_check_admissibility", wish, "wijkwenssecretariaat")
    hold_meeting(engine, iid)
    assert open_ids(engine, iid) == ["wijkwens_regiegroep_advice"]
    assert phases(engine, iid) == ["ontvangen", "beoordeling"]


def test_wijkwens_on_1_october_itself_a_public_space_wish_is_deferred(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    iid = start_wijkwens(engine, submitted_on="2026-10-01")
    public = {**ADMISSIBLE, "is_public_space_wish": True}
    do(engine, iid, "wijkwens_check_admissibility", public, "wijkwenssecretariaat")
    assert engine.get_instance(iid).data["deferred_until"].startswith("2027-01-01")
    assert open_ids(engine, iid) == []


def test_wijkwens_incomplete_then_supplemented_then_found_inadmissible(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    iid = start_wijkwens(engine, wijk="Rotterdam-Zuid")
    assert engine.get_instance(iid).data["gebied"] == "Onbekend"  # DMN catch-all row
    incomplete = {"admissibility": "incomplete", "is_public_space_wish": False}
    do(engine, iid, "wijkwens_check_admissibility", incomplete, "wijkwenssecretariaat")
    info = do(
        engine,
        iid,
        "wijkwens_provide_info",
        {"additional_info": "Ik woon sinds kort in Rotterdam.", "requested_amount": 500},
        "initiatiefnemer",
    )
    assert info.due_at == due(info, "10 werkdagen")
    rejected = {
        "admissibility": "rejected",
        "is_public_space_wish": False,
        "admissibility_notes": "Aanvrager woont niet in een aangewezen gebied.",
    }
    do(engine, iid, "wijkwens_check_admissibility", rejected, "wijkwenssecretariaat")

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"], data["requested_amount"]) == (
        "rejected",
        "Onbekend",
        500,
    )
    assert phases(engine, iid) == ["ontvangen", "afgerond"]
    assert [m for m, _ in mails(engine, iid)] == [
        "wijkwens_ontvangen",
        "wijkwens_aanvulling_gevraagd",
        "wijkwens_afgewezen",
    ]


def test_wijkwens_is_not_processed_when_the_repair_term_passes(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    iid = start_wijkwens(engine, wijk="Reeland")
    incomplete = {"admissibility": "incomplete", "is_public_space_wish": False}
    do(engine, iid, "wijkwens_check_admissibility", incomplete, "wijkwenssecretariaat")
    [info] = engine.list_tasks(instance_id=iid)
    assert info.bpmn_id == "wijkwens_provide_info"
    deadline = due(info, "10 werkdagen")
    assert info.due_at == deadline
    assert engine.get_instance(iid).summary.next_timer_due == deadline  # timer = norm
    clock.set(deadline - timedelta(minutes=1))
    assert engine.fire_due_timers() == 0
    clock.set(deadline + timedelta(seconds=1))
    assert engine.fire_due_timers() == 1

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"]) == ("not_processed", "Centrum")
    assert phases(engine, iid) == ["ontvangen", "afgerond"]
    assert [m for m, _ in mails(engine, iid)] == [
        "wijkwens_ontvangen",
        "wijkwens_aanvulling_gevraagd",
        "wijkwens_buiten_behandeling",
    ]


def test_wijkwens_rejected_by_the_gebiedsmanager(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    iid = start_wijkwens(engine, wijk="Dubbeldam")
    to_decision(engine, iid)
    decision = {"decision": "reject", "motivation": "Geen maatschappelijk belang."}
    do(engine, iid, "wijkwens_decide", decision, "gebiedsmanager")

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"]) == ("rejected", "Oost")
    assert phases(engine, iid) == ["ontvangen", "beoordeling", "besluitvorming", "afgerond"]
    assert [m for m, _ in mails(engine, iid)] == ["wijkwens_ontvangen", "wijkwens_afgewezen"]


@pytest.mark.parametrize(
    ("stage", "expected_phases"),
    [
        ("wijkwens_check_admissibility", ["ontvangen", "afgerond"]),
        ("wijkwens_regiegroep_advice", ["ontvangen", "beoordeling", "afgerond"]),
        ("wijkwens_decide", ["ontvangen", "beoordeling", "besluitvorming", "afgerond"]),
    ],
)
def test_wijkwens_withdrawn_by_message(
    domain: tuple[Engine, ManualClock], stage: str, expected_phases: list[str]
) -> None:
    engine, _ = domain
    iid = start_wijkwens(engine, wijk="Zuidhoven")
    if stage != "wijkwens_check_admissibility":
        do(engine, iid, "wijkwens_check_admissibility", ADMISSIBLE, "wijkwenssecretariaat")
        hold_meeting(engine, iid)
    if stage == "wijkwens_decide":
        do(engine, iid, "wijkwens_regiegroep_advice", POSITIVE, "regiegroep")
    assert open_ids(engine, iid) == [stage]
    engine.send_message("initiative_withdrawn", {"reason": "Verhuisd."}, instance_id=iid)

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"]) == ("withdrawn", "West")
    assert data["withdrawal"] == {"reason": "Verhuisd."}
    assert phases(engine, iid) == expected_phases
    assert [m for m, _ in mails(engine, iid)] == ["wijkwens_ontvangen", "wijkwens_ingetrokken"]
    [cancelled] = engine.list_tasks(instance_id=iid, state="cancelled")
    assert cancelled.bpmn_id == stage


# ---------------------------------------------------------------------------- simple green

REGISTER_GEVELTUIN = {
    "green_type": "geveltuin",
    "channel": "fixi",
    "address": "Karel Doormanweg 12",
}
FEASIBLE_GEVELTUIN = {"geveltuin_feasible": True, "remaining_walkway_m": 1.8}
REGISTER_ADOPTION = {
    "green_type": "adoptiegroen",
    "channel": "wijklijn",
    "address": "Plantsoen Wielwijk",
}
FEASIBLE_ADOPTION = {
    "adoption_feasible": True,
    "agreement_summary": "Bewoner onderhoudt het perk; gemeente levert planten en gereedschap.",
}


def test_green_geveltuin_is_agreed_and_laid_out(domain: tuple[Engine, ManualClock]) -> None:
    engine, _ = domain
    iid = start_green(engine)
    register = do(engine, iid, "green_register", REGISTER_GEVELTUIN, "kcc")
    assert register.due_at == due(register, "2 werkdagen")
    assess = do(engine, iid, "green_assess_geveltuin", FEASIBLE_GEVELTUIN, "gebiedsbeheer")
    assert assess.due_at == due(assess, "10 werkdagen")
    # Monday 2 March is in the spring planting season: the work opens at once
    assert open_ids(engine, iid) == ["green_construct_geveltuin"]
    build = do(
        engine, iid, "green_construct_geveltuin", {"constructed_on": "2026-04-01"}, "gebiedsbeheer"
    )
    assert build.due_at == due(build, "8 weken")

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"]) == ("agreed", "West")
    assert phases(engine, iid) == ["ontvangen", "beoordeling", "uitvoering", "afgerond"]
    assert mails(engine, iid) == [
        ("groen_ontvangen", "kees@example.nl"),
        ("groen_geveltuin_plantklaar", "kees@example.nl"),
    ]


def test_a_geveltuin_approved_out_of_season_waits_for_the_autumn_planting_season(
    domain: tuple[Engine, ManualClock],
) -> None:
    """Approved in June, the geveltuin is in its uitvoering phase but nobody is asked to lay it
    out before the autumn season opens (1 October, 07:00 in Dordrecht); the eight weeks of the
    work count from then, so summer does not breach the norm."""
    engine, clock = domain
    clock.set(datetime(2026, 6, 8, 9, 0, tzinfo=UTC))
    iid = start_green(engine)
    do(engine, iid, "green_register", REGISTER_GEVELTUIN, "kcc")
    do(engine, iid, "green_assess_geveltuin", FEASIBLE_GEVELTUIN, "gebiedsbeheer")
    assert phases(engine, iid)[-1] == "uitvoering"
    # the initiator reads why nothing happens yet
    from workflows.initiative_page import get_initiative

    now = next(step for step in get_initiative(engine, iid).timeline if step.current)
    assert "in het eerstvolgende plantseizoen (maart en april, of oktober en november)" in now.text
    opens = datetime(2026, 10, 1, 5, 0, tzinfo=UTC)  # 07:00 summer time
    assert engine.get_instance(iid).summary.next_timer_due == opens
    clock.set(opens - timedelta(minutes=1))
    engine.fire_due_timers()
    assert open_ids(engine, iid) == []
    clock.set(opens + timedelta(minutes=1))
    engine.fire_due_timers()
    (build,) = engine.list_tasks(instance_id=iid)
    assert build.bpmn_id == "green_construct_geveltuin"
    assert build.created_at == opens + timedelta(minutes=1)  # when the timer loop came by
    assert build.due_at == norms.due_at(build.created_at, norms.parse_norm("8 weken"))


def test_green_geveltuin_rejected_when_the_walkway_is_too_narrow(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    iid = start_green(engine, wijk="Staart")
    do(engine, iid, "green_register", REGISTER_GEVELTUIN, "kcc")
    narrow = {
        "geveltuin_feasible": False,
        "remaining_walkway_m": 1.1,
        "assessment_notes": "Stoep te smal; alternatief: plantenbak of wijkwens.",
    }
    do(engine, iid, "green_assess_geveltuin", narrow, "gebiedsbeheer")

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"]) == ("rejected", "Centrum")
    assert phases(engine, iid) == ["ontvangen", "beoordeling", "afgerond"]
    assert [m for m, _ in mails(engine, iid)] == ["groen_ontvangen", "groen_afgewezen"]


def test_green_adoption_agreed_online_becomes_active(domain: tuple[Engine, ManualClock]) -> None:
    engine, _ = domain
    iid = start_green(engine, green_type="adoptiegroen")
    do(engine, iid, "green_register", REGISTER_ADOPTION, "kcc")
    discuss = do(engine, iid, "green_discuss_adoption", FEASIBLE_ADOPTION, "gebiedsbeheer")
    assert discuss.due_at == due(discuss, "10 werkdagen")
    accept = do(
        engine, iid, "green_accept_agreement", {"agreement_accepted": True}, "initiatiefnemer"
    )
    assert accept.due_at == due(accept, "4 weken")
    deliver = do(
        engine,
        iid,
        "green_deliver_materials",
        {"delivered_on": "2026-04-10", "adoption_tile_placed": True},
        "gebiedsbeheer",
    )
    assert deliver.due_at == due(deliver, "4 weken")

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"]) == ("adopted", "West")
    assert phases(engine, iid) == ["ontvangen", "beoordeling", "uitvoering", "afgerond"]
    assert [m for m, _ in mails(engine, iid)] == [
        "groen_ontvangen",
        "groen_afsprakenbrief",
        "groen_adoptie_actief",
    ]


def test_green_adoption_not_possible_is_rejected(domain: tuple[Engine, ManualClock]) -> None:
    engine, _ = domain
    iid = start_green(engine, wijk="Stadspolders", green_type="adoptie_speelplek")
    do(
        engine,
        iid,
        "green_register",
        {**REGISTER_ADOPTION, "green_type": "adoptie_speelplek"},
        "kcc",
    )
    no = {
        "adoption_feasible": False,
        "agreement_summary": "Speelplek wordt volgend jaar heringericht.",
    }
    do(engine, iid, "green_discuss_adoption", no, "gebiedsbeheer")

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"]) == ("rejected", "Oost")
    assert phases(engine, iid) == ["ontvangen", "beoordeling", "afgerond"]
    assert [m for m, _ in mails(engine, iid)] == ["groen_ontvangen", "groen_afgewezen"]


def test_green_adoption_without_answer_in_four_weeks_does_not_continue(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    iid = start_green(engine, green_type="zwerfvuil")
    do(
        engine,
        iid,
        "green_register",
        {**REGISTER_ADOPTION, "green_type": "zwerfvuil"},
        "kcc",
    )
    do(engine, iid, "green_discuss_adoption", FEASIBLE_ADOPTION, "gebiedsbeheer")
    [accept] = engine.list_tasks(instance_id=iid)
    assert accept.bpmn_id == "green_accept_agreement"
    deadline = due(accept, "4 weken")
    assert engine.get_instance(iid).summary.next_timer_due == accept.due_at == deadline
    clock.set(deadline - timedelta(minutes=1))
    assert engine.fire_due_timers() == 0
    clock.set(deadline + timedelta(seconds=1))
    assert engine.fire_due_timers() == 1

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"]) == ("not_continued", "West")
    assert phases(engine, iid) == ["ontvangen", "beoordeling", "afgerond"]
    assert [m for m, _ in mails(engine, iid)] == [
        "groen_ontvangen",
        "groen_afsprakenbrief",
        "groen_adoptie_niet_doorgegaan",
    ]


def test_green_adoption_declined_by_the_initiator_is_withdrawn(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    iid = start_green(engine, green_type="adoptie_afvalbak")
    do(
        engine,
        iid,
        "green_register",
        {**REGISTER_ADOPTION, "green_type": "adoptie_afvalbak"},
        "kcc",
    )
    do(engine, iid, "green_discuss_adoption", FEASIBLE_ADOPTION, "gebiedsbeheer")
    do(
        engine,
        iid,
        "green_accept_agreement",
        {"agreement_accepted": False, "agreement_remarks": "Toch te veel werk."},
        "initiatiefnemer",
    )

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"]) == ("withdrawn", "West")
    assert phases(engine, iid) == ["ontvangen", "beoordeling", "afgerond"]
    assert [m for m, _ in mails(engine, iid)] == [
        "groen_ontvangen",
        "groen_afsprakenbrief",
        "groen_ingetrokken",
    ]


@pytest.mark.parametrize(
    ("register", "stage"),
    [
        (REGISTER_GEVELTUIN, "green_assess_geveltuin"),
        (REGISTER_ADOPTION, "green_discuss_adoption"),
    ],
)
def test_green_withdrawn_by_message(
    domain: tuple[Engine, ManualClock], register: dict[str, Any], stage: str
) -> None:
    engine, _ = domain
    iid = start_green(engine, wijk="Noordflank")
    do(engine, iid, "green_register", register, "kcc")
    assert open_ids(engine, iid) == [stage]
    engine.send_message("initiative_withdrawn", {"reason": "Verhuisd."}, instance_id=iid)

    data = finished(engine, iid)
    assert (data["outcome"], data["gebied"]) == ("withdrawn", "Centrum")
    assert data["withdrawal"] == {"reason": "Verhuisd."}
    assert phases(engine, iid) == ["ontvangen", "beoordeling", "afgerond"]
    assert [m for m, _ in mails(engine, iid)] == ["groen_ontvangen", "groen_ingetrokken"]


def test_green_other_request_is_rerouted_to_wijkwens(domain: tuple[Engine, ManualClock]) -> None:
    engine, _ = domain
    iid = start_green(engine, wijk="Sterrenburg", green_type="anders")
    do(
        engine,
        iid,
        "green_register",
        {"green_type": "anders", "channel": "formulier", "address": "Sterrenburgpark"},
        "kcc",
    )

    data = finished(engine, iid)
    assert (data["outcome"], data["rerouted_to"], data["gebied"]) == (
        "rerouted",
        "wijkwens_process",
        "Oost",
    )
    assert phases(engine, iid) == ["ontvangen", "afgerond"]
    assert [m for m, _ in mails(engine, iid)] == ["groen_ontvangen", "groen_doorverwezen"]


# ---------------------------------------------------------------------------- definitions


@pytest.mark.parametrize("folder", ["wijkwens", "simple_green"])
def test_every_user_task_has_a_valid_form_and_every_lane_is_a_role(folder: str) -> None:
    [diagram] = (BPMN / folder).glob("*.bpmn")
    root = etree.parse(str(diagram)).getroot()
    user_tasks = root.findall(".//bpmn:userTask", NS)
    assert user_tasks
    for task in user_tasks:
        props = {
            p.get("name"): p.get("value") for p in task.findall(".//spiffworkflow:property", NS)
        }
        assert props.get("formJsonSchemaFilename") == f"{task.get('id')}.schema.json"
        form = BPMN / folder / "forms" / props["formJsonSchemaFilename"]
        schema = json.loads(form.read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema).check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"]
        assert schema["description"]
        assert schema["required"]
        assert set(schema["required"]) <= set(schema["properties"])
        assert props.get("norm"), f"{task.get('id')} has no norm"
    lanes = root.findall(".//bpmn:lane", NS)
    assert {lane.get("name") for lane in lanes} <= KNOWN_ROLES
    in_lanes = {ref.text for ref in root.findall(".//bpmn:flowNodeRef", NS)}
    assert {t.get("id") for t in user_tasks} <= in_lanes
    # every element is drawn
    drawn = {s.get("bpmnElement") for s in root.iter("{*}BPMNShape", "{*}BPMNEdge")}
    process = root.find("bpmn:process", NS)
    assert process is not None
    ids = {el.get("id") for el in process if el.get("id") and not el.tag.endswith("laneSet")}
    assert ids <= drawn


def test_form_names_are_unique_across_the_bpmn_folder() -> None:
    names = [p.name for p in BPMN.rglob("*.schema.json")]
    assert len(names) == len(set(names))


def test_forms_accept_what_the_tests_submit() -> None:
    def check(folder: str, task_id: str, data: dict[str, Any]) -> None:
        schema = json.loads((BPMN / folder / "forms" / f"{task_id}.schema.json").read_text())
        jsonschema.validators.validator_for(schema)(schema).validate(data)

    check("wijkwens", "wijkwens_check_admissibility", ADMISSIBLE)
    check("wijkwens", "wijkwens_regiegroep_advice", POSITIVE)
    check("wijkwens", "wijkwens_decide", grant(2000))
    check("wijkwens", "wijkwens_pay", PAID)
    check("wijkwens", "wijkwens_report_execution", REPORTED)
    check("simple_green", "green_register", REGISTER_ADOPTION)
    check("simple_green", "green_discuss_adoption", FEASIBLE_ADOPTION)
    with pytest.raises(jsonschema.ValidationError):  # granting needs an amount
        check("wijkwens", "wijkwens_decide", {**grant(1), "granted_amount": None})


def test_wijkwensen_and_green_requests_come_in_at_their_own_desks_not_the_initiatieventeam(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    wish = start_wijkwens(engine)
    green = start_green(engine)
    assert engine.list_tasks(lanes=["initiatieventeam"]) == []
    [admissibility] = engine.list_tasks(lanes=["wijkwenssecretariaat"])
    [register] = engine.list_tasks(lanes=["kcc"])
    assert (admissibility.instance_id, admissibility.bpmn_id) == (
        wish,
        "wijkwens_check_admissibility",
    )
    assert (register.instance_id, register.bpmn_id) == (green, "green_register")
    # someone of the initiatieventeam cannot do them
    with pytest.raises(TaskNotAllowedError):
        engine.complete_task(admissibility.id, ADMISSIBLE, actor="ines", lanes=["initiatieventeam"])


# ---------------------------------------------------------------------------- gebied budgets

OOST_2026 = "wijkwensen-Oost-2026"  # the ledger of gebied Oost's wijkwensen budget this year


def gebied_ledger(engine: Engine) -> tuple[fund.FundSummary, list[fund.Entry]]:
    with engine.transaction() as u:
        return fund.summary(u.connection, OOST_2026), fund.entries(u.connection, OOST_2026)


def small_budget(engine: Engine, euros: int) -> None:
    """Gebied Oost's budget of this year, opened before the diagram would (with its own value)."""
    with engine.transaction() as u:
        fund.ensure_period(
            u.connection, OOST_2026, "Wijkwensen Oost 2026", euros * 100, engine.now()
        )


def test_a_granted_wish_is_reserved_committed_and_paid_on_its_gebieds_budget(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    iid = start_wijkwens(engine)
    to_decision(engine, iid)
    do(engine, iid, "wijkwens_decide", grant(750), "gebiedsmanager")
    total, [entry] = gebied_ledger(engine)
    assert total.ceiling == 48000 * 100  # the value in the diagram for Oost
    assert (entry.initiative_key, entry.state, entry.amount) == ("WW-2026-0001", "committed", 75000)
    do(engine, iid, "wijkwens_pay", PAID, "fondsbeheer")
    total, [entry] = gebied_ledger(engine)
    assert (entry.state, entry.paid) == ("paid", 75000)
    assert total.available == (48000 - 750) * 100
    report(engine, iid)
    assert finished(engine, iid)["outcome"] == "honoured"


def test_a_grant_beyond_the_gebieds_budget_is_refused_with_that_reason(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, _ = domain
    small_budget(engine, 1000)
    first = start_wijkwens(engine, key="WW-2026-0101")
    second = start_wijkwens(engine, key="WW-2026-0102")
    for iid in (first, second):
        to_decision(engine, iid)
        do(engine, iid, "wijkwens_decide", grant(750), "gebiedsmanager")
    assert open_ids(engine, first) == ["wijkwens_pay"]
    data = finished(engine, second)
    assert data["outcome"] == "refused_ceiling"
    assert [m for m, _ in mails(engine, second)][-1] == "wijkwens_budget_op"
    total, entries = gebied_ledger(engine)
    assert [(e.volgnummer, e.outcome) for e in entries] == [
        (1, "committed"),
        (2, "refused_ceiling"),
    ]
    assert total.available == 250 * 100


def test_fifty_decisions_at_once_never_spend_beyond_the_gebieds_budget(
    domain: tuple[Engine, ManualClock], database_url: str
) -> None:
    """Fifty gebiedsmanagers' grants at the same moment, through four engines (server
    processes) on one database: first come, first served, nothing above the budget, no case
    lost or in error."""
    engine, clock = domain
    small_budget(engine, 10_000)
    rng = random.Random(17)
    cases: dict[int, int] = {}
    for n in range(50):
        iid = start_wijkwens(engine, key=f"WW-2026-{n + 200:04d}")
        cases[iid] = rng.randrange(300, 900)
    to_decision(engine, *cases)  # one meeting advises on all fifty
    engines = [
        bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
        for _ in range(4)
    ]
    decide = {
        iid: next(
            t.id for t in engine.list_tasks(instance_id=iid) if t.bpmn_id == "wijkwens_decide"
        )
        for iid in cases
    }
    barrier = threading.Barrier(len(cases))
    failures: list[BaseException] = []
    lock = threading.Lock()

    def grant_one(index: int, iid: int) -> None:
        mine = engines[index % len(engines)]
        barrier.wait()
        try:
            done = mine.complete_task(
                decide[iid], grant(cases[iid]), actor="gebiedsmanager", lanes=["gebiedsmanager"]
            )
            assert done.last_error is None, done.last_error
        except BaseException as exc:  # recorded and asserted below
            with lock:
                failures.append(exc)

    threads = [threading.Thread(target=grant_one, args=(i, iid)) for i, iid in enumerate(cases)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    finally:
        for other in engines:
            other.dispose()
    assert failures == []
    total, entries = gebied_ledger(engine)
    assert [e.volgnummer for e in entries] == list(range(1, 51))  # each decision once
    assert total.committed <= total.ceiling
    assert total.available >= 0
    # first come, first served: replaying the decisions in volgnummer order gives each outcome
    left = total.ceiling
    for e in entries:
        expected = "committed" if e.requested <= left else "refused_ceiling"
        assert e.outcome == expected, (e.volgnummer, e.requested, left)
        if expected == "committed":
            left -= e.requested
    assert left == total.available
    assert total.refused > 0  # the budget really ran out
    # each case went the way its ledger entry says
    by_key = {e.initiative_key: e.outcome for e in entries}
    for iid in cases:
        key = engine.get_instance(iid).summary.business_key
        if by_key[key] == "committed":
            assert open_ids(engine, iid) == ["wijkwens_pay"]
        else:
            assert finished(engine, iid)["outcome"] == "refused_ceiling"
