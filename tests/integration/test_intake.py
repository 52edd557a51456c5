"""The public intake "Ik heb een initiatief": no account, Dutch messages on the right field and
nothing lost, a zaaknummer and the private status link, the process's triage choosing the route,
and robots kept out (a field people never see, and a form sent back faster than people type)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine import Engine
from engine.readmodel import outbox, process_instance
from tests.webapp import csrf_token

GOOD: dict[str, Any] = {
    "title": "Buurtkamer in de oude bibliotheek",
    "description": "Een plek waar bewoners van drie wijken elkaar ontmoeten, met koffie en cursussen.",
    "wijk": "stadsbreed",
    "scale": "meerdere_wijken",
    "green_type": "geen",
    "location_type": "gemeentelijk_vastgoed",
    "physical_change": "true",
    "public_event": "false",
    "requested_amount": "15000",
    "initiator_type": "stichting",
    "initiator_name": "Stichting Samen Dordt",
    "initiator_email": "info@samendordt.example",
    "consent_privacy": "true",
}


@pytest.fixture
def site(public_site: tuple[Flask, Engine]) -> tuple[Flask, Engine]:
    return public_site


def send(client: FlaskClient, data: dict[str, Any], **kw: Any) -> Any:
    form = client.get("/initiatief").text
    stamp = form.split('name="t" value="', 1)[1].split('"', 1)[0]
    return client.post(
        "/initiatief",
        data={"t": stamp, "csrf_token": csrf_token(client, "/initiatief"), **data},
        **kw,
    )


def cases(engine: Engine) -> list[Any]:
    with engine.reading() as conn:
        return list(conn.execute(select(process_instance)).all())


def test_an_initiator_submits_an_initiative_and_gets_a_number_and_a_private_link(
    site: tuple[Flask, Engine],
) -> None:
    app, engine = site
    client = app.test_client()  # no account
    page = client.get("/initiatief")
    assert page.status_code == 200
    assert "Hoe heet uw initiatief?" in page.text
    assert "Ik geef de gemeente toestemming" in page.text
    assert "Wij bewaren uw gegevens" in page.text  # what is stored and for how long
    done = send(client, GOOD)
    assert done.status_code == 201
    year = engine.now().year
    assert f"INI-{year}-0001" in done.text
    link = done.text.split('href="/status/', 1)[1].split('"', 1)[0]
    status = client.get(f"/status/{link}")
    assert status.status_code == 200
    assert "Buurtkamer in de oude bibliotheek" in status.text
    (case,) = cases(engine)
    assert case.started_by == "initiatiefnemer"
    data = engine.instance_values(case.id, ("initiator_email", "requested_amount", "wijk"))
    assert data == {
        "initiator_email": "info@samendordt.example",
        "requested_amount": 15000,
        "wijk": "stadsbreed",
    }
    with engine.reading() as conn:
        templates = [r.payload["template"] for r in conn.execute(select(outbox)).all()]
    assert templates == ["ontvangstbevestiging"]  # the receipt, with the link, goes by e-mail
    again = send(app.test_client(), {**GOOD, "title": "Tweede plan"})
    assert f"INI-{year}-0002" in again.text


def test_what_needs_correcting_is_said_on_the_field_and_nothing_typed_is_lost(
    site: tuple[Flask, Engine],
) -> None:
    app, engine = site
    client = app.test_client()
    wrong = send(
        client,
        {
            **GOOD,
            "requested_amount": "١٢٠",
            "initiator_email": "geen-adres",
            "consent_privacy": "",
            "physical_change": ["false", "true"],  # as a browser sends a ticked box
        },
    )
    assert wrong.status_code == 422
    text = wrong.text
    assert "Controleer het formulier" in text
    assert "Gebruik de cijfers 0 tot en met 9" in text
    assert "Zonder uw toestemming kunnen wij uw initiatief niet behandelen." in text
    assert "Buurtkamer in de oude bibliotheek" in text  # kept
    assert 'value="geen-adres"' in text
    ticked = text.split('id="f-physical_change"', 1)[1].split(">", 1)[0]
    assert "checked" in ticked  # a ticked box stays ticked
    assert cases(engine) == []


def test_the_process_triage_chooses_the_route(site: tuple[Flask, Engine]) -> None:
    app, engine = site
    geveltuin = {
        **GOOD,
        "title": "Geveltuin voor nummer 12",
        "scale": "straat",
        "wijk": "Wielwijk",
        "green_type": "geveltuin",
        "requested_amount": "0",
    }
    assert send(app.test_client(), geveltuin).status_code == 201
    (case,) = cases(engine)
    outcome = engine.instance_values(case.id, ("outcome", "category"))
    assert outcome["category"] == "EENVOUDIG_GROEN"  # the triage DMN, as for staff
    assert outcome["outcome"] == "rerouted_green"


def test_robots_are_kept_out(site: tuple[Flask, Engine]) -> None:
    app, engine = site
    trapped = send(app.test_client(), {**GOOD, "extra_adres": "http://spam.example"})
    assert trapped.status_code == 422
    assert "sneller dan een mens" in trapped.text
    app.config["INTAKE_MIN_SECONDS"] = 60
    hurried = send(app.test_client(), GOOD)  # sent back within a second
    assert hurried.status_code == 422
    unstamped = app.test_client()
    token = csrf_token(unstamped, "/initiatief")
    assert unstamped.post("/initiatief", data={**GOOD, "csrf_token": token}).status_code == 422
    assert cases(engine) == []
