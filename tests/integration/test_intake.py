"""The public intake "Ik heb een initiatief": no account, Dutch messages on the right field and
nothing lost, a zaaknummer and the private status link, the process's triage choosing the route,
and robots kept out (a field people never see, and a form sent back faster than people type)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from engine import Engine
from engine.readmodel import outbox, process_instance
from tests.uploads import A_DOCX, PDF, UNWELCOME, UNWELCOME_IDS
from tests.webapp import csrf_token
from workflows.tables import document

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
    # built by hand so that a large body spooled to a file is closed again
    builder = EnvironBuilder(
        path="/initiatief",
        method="POST",
        data={"t": stamp, "csrf_token": csrf_token(client, "/initiatief"), **data},
        **kw,
    )
    environ = builder.get_environ()
    builder.close()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()


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
    # what is stored and for how long (the period is the municipality's setting)
    assert "Wat wij bewaren, en hoe lang" in page.text
    assert "24 maanden nadat uw initiatief is afgerond" in page.text
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


def documents(engine: Engine) -> list[Any]:
    with engine.reading() as conn:
        return list(conn.execute(select(document)).all())


def test_attachments_go_with_the_case_checked_as_staff_uploads_are(
    site: tuple[Flask, Engine],
) -> None:
    app, engine = site
    done = send(
        app.test_client(),
        {
            **GOOD,
            "attachments": [(BytesIO(PDF), "plan.pdf"), (BytesIO(A_DOCX), "begroting 2027.docx")],
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 201
    (case,) = cases(engine)
    kept = sorted((d.filename, d.content_type, d.uploaded_by) for d in documents(engine))
    assert kept == [
        (
            "begroting 2027.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "initiatiefnemer",
        ),
        ("plan.pdf", "application/pdf", "initiatiefnemer"),
    ]
    assert {d.instance_id for d in documents(engine)} == {case.id}


@pytest.mark.parametrize(("filename", "content", "message"), UNWELCOME, ids=UNWELCOME_IDS)
def test_an_unwelcome_attachment_is_refused_on_its_field_and_nothing_typed_is_lost(
    site: tuple[Flask, Engine], filename: str, content: bytes, message: str
) -> None:
    app, engine = site
    refused = send(
        app.test_client(),
        {**GOOD, "attachments": [(BytesIO(PDF), "plan.pdf"), (BytesIO(content), filename)]},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    text = refused.text.replace("&#39;", "'")
    assert message in text
    assert "Kies de bijlagen opnieuw." in text
    assert 'href="#f-attachments"' in text  # the summary leads to the field
    assert "Buurtkamer in de oude bibliotheek" in text  # what was typed is kept
    assert cases(engine) == []
    assert documents(engine) == []


def test_too_many_or_too_large_attachments_are_refused_in_words(
    site: tuple[Flask, Engine],
) -> None:
    app, engine = site
    four = [(BytesIO(PDF), f"plan-{i}.pdf") for i in range(4)]
    many = send(
        app.test_client(), {**GOOD, "attachments": four}, content_type="multipart/form-data"
    )
    assert many.status_code == 422
    assert "U kunt hoogstens 3 bijlagen meesturen; u koos er 4." in many.text
    half = PDF + b"0" * (5 * 1024 * 1024 + 512 * 1024)  # 5.5 MB, twice is over 10 MB
    large = send(
        app.test_client(),
        {**GOOD, "attachments": [(BytesIO(half), "a.pdf"), (BytesIO(half), "b.pdf")]},
        content_type="multipart/form-data",
    )
    assert large.status_code == 422
    assert "De bijlagen zijn samen te groot (11.0 MB; maximaal 10 MB)." in large.text
    huge = send(
        app.test_client(),
        {**GOOD, "attachments": [(BytesIO(PDF + b"0" * (13 * 1024 * 1024)), "groot.pdf")]},
        content_type="multipart/form-data",
    )
    assert huge.status_code == 413  # beyond what the app reads at all: a Dutch page
    assert "Bestand te groot" in huge.text
    assert cases(engine) == []
    assert documents(engine) == []
