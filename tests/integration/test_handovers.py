"""Hand-overs: the complex route's triage (wijkwens, simple green) and the fund's referral to
the wijkwensen start a new case of the other process with the initiator's data, both cases are
linked both ways (case pages, histories, the old status page), the initiator is told once with
the new number, and a hand-over is carried out exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine import Engine, ManualClock
from engine.readmodel import outbox
from tests.integration.conftest import PUBLIC_SECRET, PUBLIC_URL
from tests.integration.test_process_complex import (
    Driver,
    advise,
    assess_all,
    fund_criteria,
    start,
    to_assessment,
)
from tests.webapp import add_user, login, start_complex
from workflows import bootstrap, handovers, mail, status_links
from workflows.initiative_page import get_initiative
from workflows.tables import case_link

WIJKWENS = {
    "scale": "buurt",
    "requested_amount": 800,
    "location_duration_months": 2,
    "disciplines_count": 1,
}
GREEN = {
    "scale": "straat",
    "requested_amount": 0,
    "green_type": "GEVELTUIN",
    "disciplines_count": 1,
}


@pytest.fixture
def domain(database_url: str) -> Iterator[tuple[Engine, ManualClock]]:
    """All of bpmn/ deployed: the processes that take cases over are there."""
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # a Monday
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
    engine.deploy_paths([str(bootstrap.BPMN_DIR)])
    yield engine, clock
    engine.dispose()


def initiator_mails(engine: Engine, instance_id: int) -> list[dict[str, Any]]:
    with engine.reading() as conn:
        return [
            dict(p)
            for p in conn.execute(
                select(outbox.c.payload)
                .where(outbox.c.instance_id == instance_id, outbox.c.kind == "email")
                .order_by(outbox.c.id)
            ).scalars()
        ]


def links_count(engine: Engine) -> int:
    with engine.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(case_link)).scalar_one())


@pytest.mark.parametrize(
    ("overrides", "process", "prefix", "template", "label"),
    [
        (WIJKWENS, "wijkwens_process", "WW-2026-", "doorgezet_wijkwens", "Wijkwens"),
        (
            GREEN,
            "simple_green_initiative_process",
            "GR-2026-",
            "doorgezet_eenvoudig_groen",
            "Eenvoudig groen",
        ),
    ],
    ids=["wijkwens", "green"],
)
def test_triage_hands_the_case_over_to_a_new_linked_case_and_tells_the_initiator_once(
    domain: tuple[Engine, ManualClock],
    overrides: dict[str, Any],
    process: str,
    prefix: str,
    template: str,
    label: str,
) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000120", **overrides)
    assert d.status() == "completed"
    assert handovers.due(engine)  # written in the triage's own transaction

    (handed,) = handovers.run_due(engine)
    assert handovers.run_due(engine) == []  # once
    assert links_count(engine) == 1
    new = handed.case
    assert new.process_id == process
    assert new.business_key is not None
    assert new.business_key.startswith(prefix)
    assert new.status in ("running", "waiting"), new.last_error
    carried = engine.instance_values(
        new.id, ("title", "initiator_email", "wijk", "handed_over_from")
    )
    assert carried == {
        "title": "Moestuin en oogstfeest Wielwijk",
        "initiator_email": "bestuur@groenwielwijk.nl",
        "wijk": "Wielwijk",
        "handed_over_from": "INI-2026-000120",
    }

    # both case pages and both histories show the link
    old_page = get_initiative(engine, d.id)
    new_page = get_initiative(engine, new.id)
    assert [(c.direction, c.zaaknummer, c.process_label) for c in old_page.linked] == [
        ("to", new.business_key, label)
    ]
    assert [(c.direction, c.zaaknummer) for c in new_page.linked] == [("from", "INI-2026-000120")]
    assert f"Doorgezet: gaat verder als {label} {new.business_key}" in [
        h.text for h in old_page.history
    ]
    assert "Overgenomen van initiatief INI-2026-000120" in [h.text for h in new_page.history]

    # the initiator: one mail about the hand-over, with the new number and the old one
    assert [m["template"] for m in initiator_mails(engine, d.id)] == ["ontvangstbevestiging"]
    (told,) = initiator_mails(engine, new.id)
    assert told["template"] == template
    assert told["previous"] == "INI-2026-000120"
    assert told["zaaknummer"] == new.business_key
    letter = mail.compose(
        told["template"],
        told["to"],
        told["zaaknummer"],
        {},
        "https://x/status/t",
        (),
        None,
        told["previous"],
    )
    assert f"nieuw zaaknummer: {new.business_key} (eerst INI-2026-000120)" in letter.text

    # the old status page says where it goes on
    links = status_links.Links("test-secret")
    page = status_links.status_page(engine, status_links.token_for(engine, links, d.id))
    assert page.continued_as == (label, new.business_key)


def test_the_fund_refers_a_neighbourhood_initiative_to_the_wijkwensen_as_a_new_case(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d: Driver = start(engine, clock, "INI-2026-000107", scale="wijk", requested_amount=4000)
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    assert d.data()["referred_to"] == "WIJKWENS"
    assert d.data()["outcome"] == "referred"
    (handed,) = handovers.run_due(engine)
    assert handed.case.process_id == "wijkwens_process"
    assert handed.from_key == "INI-2026-000107"
    assert engine.instance_values(handed.case.id, ("requested_amount",)) == {
        "requested_amount": 4000
    }


def test_a_referral_to_a_scheme_nobody_here_runs_is_told_by_mail_only(
    domain: tuple[Engine, ManualClock],
) -> None:
    engine, clock = domain
    d = start(engine, clock, "INI-2026-000108")
    to_assessment(d)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria(other_scheme_available="CULTUUR_EVENEMENTEN"))
    assert handovers.due(engine) == []
    assert handovers.run_due(engine) == []
    assert initiator_mails(engine, d.id)[-1]["template"] == "doorverwijzing_regeling"
    assert links_count(engine) == 0


def test_a_hand_over_to_a_process_not_deployed_waits_with_its_reason(
    database_url: str,
) -> None:
    from tests.integration.test_process_complex import PROCESS_DIR

    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
    try:
        engine.deploy_paths([str(PROCESS_DIR)])  # only the complex route
        start(engine, clock, "INI-2026-000121", **WIJKWENS)
        assert handovers.run_due(engine) == []
        (waiting,) = handovers.due(engine)
        with engine.reading() as conn:
            row = conn.execute(select(outbox).where(outbox.c.id == waiting)).one()
        assert row.attempts == 1
        assert "wijkwens_process" in (row.last_error or "")
        engine.deploy_paths([str(bootstrap.BPMN_DIR)])  # deployed later: it goes on
        (handed,) = handovers.run_due(engine)
        assert handed.case.process_id == "wijkwens_process"
    finally:
        engine.dispose()


def test_both_case_pages_and_the_old_status_page_show_where_the_case_went(
    public_site: tuple[Flask, Engine],
) -> None:
    app, engine = public_site
    old = start_complex(app, 3, **WIJKWENS, green_type=None, is_council_proposal=False)
    (handed,) = handovers.run_due(engine)
    new = handed.case
    add_user(app, "carla", "casist")
    staff = app.test_client()
    login(staff, "carla")
    old_page = staff.get(f"/initiatieven/{old}").text
    assert "Doorgezet naar" in old_page
    assert f'href="/initiatieven/{new.id}"' in old_page
    new_page = staff.get(f"/initiatieven/{new.id}").text
    assert "Overgenomen van" in new_page
    assert f'href="/initiatieven/{old}"' in new_page
    token = status_links.token_for(engine, status_links.Links(PUBLIC_SECRET, PUBLIC_URL), old)
    status = app.test_client().get(f"/status/{token}").text
    assert f"Uw initiatief gaat verder als wijkwens onder zaaknummer {new.business_key}" in status
