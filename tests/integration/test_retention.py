"""Retention: the retention period after a case ended, the background loop removes the
initiator's personal data from everything kept of it — the case's data, its history, its
e-mail, its attachments and its status link — and the case keeps its shape for the figures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from engine import Engine, ManualClock
from engine.readmodel import event, outbox, process_instance
from tests.integration.test_intake import GOOD, send
from tests.uploads import PDF
from workflows import retention, status_links
from workflows.initiative_page import get_initiative
from workflows.tables import case_anonymised, document, report_case, status_link

NAME = GOOD["initiator_name"]
EMAIL = GOOD["initiator_email"]
PHONE = "078-7700007"


def everything_kept(engine: Engine, instance_id: int) -> str:
    """All the engine and the app keep of a case, as one text to search in."""
    with engine.reading() as conn:
        state = conn.execute(
            select(process_instance.c.state).where(process_instance.c.id == instance_id)
        ).scalar_one()
        details = [
            json.dumps(d)
            for d in conn.execute(
                select(event.c.detail).where(event.c.instance_id == instance_id)
            ).scalars()
        ]
        payloads = [
            json.dumps(p)
            for p in conn.execute(
                select(outbox.c.payload).where(outbox.c.instance_id == instance_id)
            ).scalars()
        ]
    return "\n".join([state, *details, *payloads])


def submitted(app: Flask, engine: Engine, title: str) -> tuple[int, str]:
    answer = send(
        app.test_client(),
        {
            **GOOD,
            "title": title,
            "initiator_phone": PHONE,
            "attachments": [(BytesIO(PDF), "plan.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201
    token = answer.text.split('href="/status/', 1)[1].split('"', 1)[0]
    instance_id = status_links.case_of(engine, token)
    assert instance_id is not None
    return instance_id, token


def shape(engine: Engine, instance_id: int) -> list[Any]:
    """What the figures are made of: the events' types and times, the report row."""
    with engine.reading() as conn:
        events = [
            (e.type, e.at, e.task_id, e.bpmn_id)
            for e in conn.execute(
                select(event).where(event.c.instance_id == instance_id).order_by(event.c.id)
            )
        ]
        report = conn.execute(
            select(
                report_case.c.end_status, report_case.c.lead_seconds, report_case.c.ended_month
            ).where(report_case.c.instance_id == instance_id)
        ).one()
    return [events, tuple(report)]


def test_after_the_retention_period_a_finished_case_keeps_its_shape_without_personal_data(
    public_site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    app, engine = public_site
    app.config["RATELIMIT_ENABLED"] = False
    ended, token = submitted(app, engine, "Buurtkamer die niet doorging")
    running, running_token = submitted(app, engine, "Buurtkamer die nog loopt")
    status_links.withdraw(engine, token, "Geen vrijwilligers meer")
    assert engine.get_instance(ended).summary.status in ("completed", "cancelled")
    kept = everything_kept(engine, ended)
    for personal in (NAME, EMAIL, PHONE):
        assert personal in kept  # before: all there
    before = shape(engine, ended)
    months = 24

    # the period has not passed yet: nothing happens
    clock.advance(timedelta(days=2 * 365 - 40))
    assert retention.anonymise_due(engine, months) == 0
    assert app.test_client().get(f"/status/{token}").status_code == 200

    clock.advance(timedelta(days=60))
    assert retention.anonymise_due(engine, months) == 1
    assert retention.anonymise_due(engine, months) == 0  # once per case

    kept = everything_kept(engine, ended)
    for personal in (NAME, EMAIL, PHONE):
        assert personal not in kept
    assert retention.REPLACEMENT in kept
    values = engine.instance_values(ended, ("initiator_email", "title", "requested_amount"))
    assert values == {
        "initiator_email": "[verwijderd]",
        "title": "Buurtkamer die niet doorging",
        "requested_amount": 15000,
    }
    after_events, after_report = shape(engine, ended)
    assert after_events[:-1] == before[0]  # the same history, dates and tasks ...
    assert after_events[-1][0] == "instance_anonymised"  # ... and one line saying what happened
    assert after_report == before[1]  # the figures stay
    with engine.reading() as conn:
        assert (
            conn.execute(
                select(func.count()).select_from(document).where(document.c.instance_id == ended)
            ).scalar_one()
            == 0
        )
        assert (
            conn.execute(select(status_link).where(status_link.c.instance_id == ended)).first()
            is None
        )
        row = conn.execute(
            select(case_anonymised).where(case_anonymised.c.instance_id == ended)
        ).one()
    assert row.documents_removed == 1
    assert row.values_replaced >= 3
    assert app.test_client().get(f"/status/{token}").status_code == 404  # the link is gone
    page = get_initiative(engine, ended)
    assert page.history[0].text == "Persoonsgegevens verwijderd (bewaartermijn verstreken)"

    # a case still running keeps everything, however old it is
    assert EMAIL in everything_kept(engine, running)
    assert app.test_client().get(f"/status/{running_token}").status_code == 200


def test_months_before_counts_calendar_months() -> None:
    at = datetime(2027, 3, 31, 12, 0, tzinfo=UTC)
    assert retention.months_before(at, 1) == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)
    assert retention.months_before(at, 13) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert retention.months_before(at, 25) == datetime(2025, 2, 28, 12, 0, tzinfo=UTC)
    assert retention.months_before(datetime(2028, 3, 31, tzinfo=UTC), 1).day == 29
    assert retention.months_before(at, 3) == datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
