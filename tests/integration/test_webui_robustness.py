"""Bad input never gives a 500: unknown or malformed ids, odd page numbers and search terms,
oversized notes, unwelcome uploads, extra form fields, double submits — and the filters of
Alle initiatieven narrow the list as they say. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
import re
from io import BytesIO
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder, TestResponse

from engine import ManualClock
from tests.uploads import A_DOCX, PDF, UNWELCOME, UNWELCOME_IDS
from tests.webapp import (
    add_user,
    csrf_token,
    engine_of,
    login,
    post,
    start_complex,
    task_ids,
    to_assessment,
)
from workflows.simulation import Calendar, wijkwens_start
from workflows.tables import document, initiative, note, task_draft

NO_TASK = "00000000-0000-0000-0000-000000000000"
CASE_LINK = re.compile(r'href="/initiatieven/(\d+)"')
INTAKE = {"intake_date": "2026-03-05", "intake_location": "Stadskantoor"}


pytestmark = pytest.mark.usefixtures("quick_password_hashing")


@pytest.fixture
def lead(app: tuple[Flask, ManualClock]) -> FlaskClient:
    """A team lead of the initiatieventeam, who may use every route (logged in, with a token)."""
    flask_app, _clock = app
    add_user(flask_app, "tom", "teamleider", "initiatieventeam")
    add_user(flask_app, "ines", "initiatieventeam")
    client = flask_app.test_client()
    assert login(client, "tom").status_code == 302
    return client


def send(client: FlaskClient, method: str, url: str, **data: object) -> TestResponse:
    """GET, or POST with the CSRF token; a (bytes, filename) value is sent as an upload."""
    if method == "GET":
        return client.get(url)
    form = {k: (BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
    return client.post(
        url,
        data={**form, "csrf_token": csrf_token(client)},
        content_type="multipart/form-data",
    )


def listed(client: FlaskClient, query: str = "") -> set[int]:
    page = client.get(f"/initiatieven{query}")
    assert page.status_code == 200, f"{query}: {page.status_code}"
    return {int(found) for found in CASE_LINK.findall(page.text)}


def count(flask_app: Flask, table: Any) -> int:
    with engine_of(flask_app).reading() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# ---------------------------------------------------------------- ids


TASK_ROUTES = [
    ("GET", "/taken/{id}", {}),
    ("POST", "/taken/{id}", {"action": "draft", **INTAKE}),
    ("POST", "/taken/{id}", {"action": "complete", **INTAKE}),
    ("POST", "/taken/{id}/oppakken", {}),
    ("POST", "/taken/{id}/terugleggen", {}),
    ("POST", "/taken/{id}/toewijzen", {"to": "ines"}),
]


def not_404(client: FlaskClient, routes: list[Any], ids: list[str], *texts: str) -> list[str]:
    """The requests among ROUTES × IDS that did not give a Dutch 404 page."""
    wrong = []
    for some_id in ids:
        for method, url, data in routes:
            path = url.format(id=quote(some_id, safe=""))
            answer = send(client, method, path, **data)
            if answer.status_code != 404 or not any(t in answer.text for t in texts):
                wrong.append(f"{method} {path[:60]} {data.get('action', '')}: {answer.status_code}")
    return wrong


def test_a_task_that_does_not_exist_gives_a_dutch_404_on_every_task_route(
    lead: FlaskClient,
) -> None:
    wrong = not_404(lead, TASK_ROUTES, [NO_TASK], "Deze taak bestaat niet.")
    assert not wrong, "\n".join(wrong)


def test_a_malformed_task_id_gives_a_dutch_404_not_a_500(lead: FlaskClient) -> None:
    malformed = [
        "abc",
        "1",
        "' OR '1'='1",
        "x" * 300,
        "é-ü-ß",
        "%",
        "_",
        "\\",
        NO_TASK.upper(),
        " ",
    ]
    # either the task's own 404 or the general one (when the URL cannot name a task at all)
    wrong = not_404(lead, TASK_ROUTES, malformed, "Deze taak bestaat niet.", "Pagina niet gevonden")
    assert not wrong, "\n".join(wrong)


def test_reassigning_to_someone_who_does_not_exist_gives_a_404_and_changes_nothing(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    start_complex(flask_app, 1)
    [task_id] = task_ids(lead.get("/taken/team").text)
    for to in ("niemand", "\\%_"):
        answer = post(lead, f"/taken/{task_id}/toewijzen", {"to": to})
        assert answer.status_code == 404, to
        assert "bestaat niet" in answer.text
    nobody = post(lead, f"/taken/{task_id}/toewijzen", {"to": "  "}, follow_redirects=True)
    assert nobody.status_code == 200  # back on the task page, with a message
    assert "Kies aan wie u de taak wilt toewijzen." in nobody.text
    assert engine_of(flask_app).get_task(task_id).assignee is None


INITIATIVE_ROUTES = [
    ("GET", "/initiatieven/{id}", {}),
    ("GET", "/initiatieven/{id}/diagram.bpmn", {}),
    ("POST", "/initiatieven/{id}/notities", {"body": "Een notitie"}),
    ("POST", "/initiatieven/{id}/documenten", {"document": (PDF, "plan.pdf")}),
    ("GET", "/initiatieven/{id}/documenten/1", {}),
]
NOT_FOUND = ("Niet gevonden", "Pagina niet gevonden")


def test_an_initiative_that_does_not_exist_gives_a_dutch_404_on_every_initiative_route(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    start_complex(flask_app, 1)  # instance 1 exists; these do not
    wrong = not_404(lead, INITIATIVE_ROUTES, ["0", "424242"], *NOT_FOUND)
    assert not wrong, "\n".join(wrong)
    assert count(flask_app, note) == count(flask_app, document) == 0


@pytest.mark.parametrize("instance_id", [str(2**63), "99999999999999999999"])
def test_an_initiative_id_too_big_for_the_database_gives_a_dutch_404_not_a_500(
    app: tuple[Flask, ManualClock], lead: FlaskClient, instance_id: str
) -> None:
    flask_app, _clock = app
    start_complex(flask_app, 1)
    a_document_of_case_1 = [("GET", "/initiatieven/1/documenten/{id}", {})]
    wrong = not_404(lead, [*INITIATIVE_ROUTES, *a_document_of_case_1], [instance_id], *NOT_FOUND)
    assert not wrong, "\n".join(wrong)


def test_a_document_of_another_initiative_cannot_be_fetched_through_this_one(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    first, second = start_complex(flask_app, 1), start_complex(flask_app, 2)
    post(
        lead,
        f"/initiatieven/{first}/documenten",
        {"document": (BytesIO(PDF), "plan.pdf")},
        content_type="multipart/form-data",
    )
    with engine_of(flask_app).reading() as conn:
        [doc_id] = conn.execute(select(document.c.id)).scalars().all()
    assert lead.get(f"/initiatieven/{first}/documenten/{doc_id}").status_code == 200
    wrong = lead.get(f"/initiatieven/{second}/documenten/{doc_id}")
    assert wrong.status_code == 404
    assert "Dit document bestaat niet (meer)." in wrong.text


# ---------------------------------------------------------------- page numbers and searches

LISTS = ("/initiatieven", "/taken/mijn", "/taken/team")


def not_first_page(client: FlaskClient, numbers: list[str], instance_id: int) -> list[str]:
    """The lists × odd page numbers that did not show page 1 (which holds the one case)."""
    wrong = []
    for url in LISTS:
        for number in numbers:
            answer = client.get(f"{url}?pagina={number}")
            shows_case = (
                re.search(rf'href="/initiatieven/{instance_id}[?"]', answer.text) is not None
            )
            if answer.status_code != 200 or (url != "/taken/mijn" and not shows_case):
                wrong.append(f"{url}?pagina={number}: {answer.status_code}")
    return wrong


def test_an_odd_page_number_shows_the_first_page_not_an_error(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    numbers = ["abc", "-1", "0", "1.5", "", "999999999", "1e3", "%EF%BC%91", "+1", "%20"]
    wrong = not_first_page(lead, numbers, instance_id)
    assert not wrong, "\n".join(wrong)
    beyond = lead.get("/initiatieven?pagina=99999")  # a real page number, past the end
    assert beyond.status_code == 200
    assert "Geen initiatieven gevonden" in beyond.text


@pytest.mark.parametrize("number", ["%C2%B2", "%E2%91%A0"], ids=["superscript-two", "circled-one"])
def test_a_page_number_in_other_unicode_digits_shows_a_page_not_a_500(
    app: tuple[Flask, ManualClock], lead: FlaskClient, number: str
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    wrong = not_first_page(lead, [number], instance_id)
    assert not wrong, "\n".join(wrong)


def test_a_search_with_like_metacharacters_matches_them_literally(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    titles = {
        "percent": "Groen voor 100% van de straat",
        "percent_decoy": "Groen voor 1000 bewoners van de straat",
        "underscore": "Speel_tuin aan de Singel",
        "underscore_decoy": "Speeltuin aan de Singel",
        "quote": "Bankje voor mevrouw O'Brien",
        "backslash": "Pad\\route naar school",
        "backslash_decoy": "Pad route naar school",
    }
    ids = {
        key: start_complex(flask_app, n, title=t) for n, (key, t) in enumerate(titles.items(), 1)
    }
    for query, expected in [
        ("%", {"percent"}),
        ("100%", {"percent"}),
        ("_", {"underscore"}),
        ("speel_tuin", {"underscore"}),
        ("'", {"quote"}),
        ("O'Brien", {"quote"}),
        ("\\", {"backslash"}),
        ("pad\\route", {"backslash"}),
        ("%_\\'", set()),
        ("' OR '1'='1", set()),
    ]:
        assert listed(lead, f"?q={quote(query, safe='')}") == {ids[k] for k in expected}, query
    # the exact-match filters take metacharacters literally too
    for name in ("wijk", "gebied", "casist", "category", "phase", "process_id"):
        assert listed(lead, f"?{name}=%25") == set(), name
    assert listed(lead) == set(ids.values())


def test_a_nul_character_in_the_input_never_gives_a_500(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    [task] = task_ids(lead.get("/taken/team").text)
    attempts = [
        ("GET", "/taken/%00", {}),
        ("GET", "/initiatieven?q=%00", {}),
        ("GET", "/initiatieven?wijk=a%00b", {}),
        ("POST", f"/initiatieven/{instance_id}/notities", {"body": "voor\x00na"}),
        ("POST", f"/taken/{task}", {"action": "draft", "intake_location": "voor\x00na"}),
        ("POST", f"/taken/{task}/toewijzen", {"to": "ines\x00"}),
    ]
    crashed = []
    for method, url, data in attempts:
        answer = send(lead, method, url, **data)
        if answer.status_code >= 500 or "Er ging iets mis" in answer.text:
            crashed.append(f"{method} {url} {sorted(data)}: {answer.status_code}")
    assert not crashed, "\n".join(crashed)


def test_a_nul_character_in_the_login_name_is_a_failed_login_not_a_500(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    add_user(flask_app, "carla", "casist")
    answer = login(flask_app.test_client(), "carla\x00", "fout-wachtwoord")
    assert answer.status_code == 401, answer.status_code
    assert "Gebruikersnaam of wachtwoord klopt niet." in answer.text


# ---------------------------------------------------------------- notes and documents


def test_a_note_over_5000_characters_gives_422_and_keeps_the_text(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    text = "Gebeld met de stichting over de planning. " * 130  # 5460 characters
    assert len(text.strip()) > 5000
    answer = post(lead, f"/initiatieven/{instance_id}/notities", {"body": text})
    assert answer.status_code == 422
    assert f"De notitie is te lang ({len(text.strip())} tekens; maximaal 5000)." in answer.text
    textarea = re.search(r'<textarea id="note-body"[^>]*>(.*?)</textarea>', answer.text, re.DOTALL)
    assert textarea
    assert textarea.group(1) == text
    assert 'aria-invalid="true"' in textarea.group(0)
    assert count(flask_app, note) == 0


@pytest.mark.parametrize(("filename", "content", "message"), UNWELCOME, ids=UNWELCOME_IDS)
def test_an_unwelcome_upload_gets_a_clear_message_and_nothing_is_stored(
    app: tuple[Flask, ManualClock],
    lead: FlaskClient,
    filename: str,
    content: bytes,
    message: str,
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    answer = post(
        lead,
        f"/initiatieven/{instance_id}/documenten",
        {"document": (BytesIO(content), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert answer.status_code == 200
    assert message in answer.text.replace("&#39;", "'")
    assert "Nog geen documenten." in answer.text
    assert count(flask_app, document) == 0


def test_a_real_docx_is_taken_and_the_case_and_daily_quotas_are_kept(
    app: tuple[Flask, ManualClock], lead: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflows import notes as case_notes

    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    url = f"/initiatieven/{instance_id}/documenten"

    def upload(name: str, content: bytes = A_DOCX) -> str:
        answer = post(
            lead,
            url,
            {"document": (BytesIO(content), name)},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        assert answer.status_code == 200
        return answer.text.replace("&#39;", "'")

    monkeypatch.setattr(case_notes, "MAX_CASE_DOCUMENTS", 2)
    upload("plan.docx")
    upload("plan-2.docx")
    assert "Deze zaak heeft al 2 documenten (maximaal 2)" in upload("plan-3.docx")
    assert count(flask_app, document) == 2
    monkeypatch.setattr(case_notes, "MAX_CASE_DOCUMENTS", 50)
    monkeypatch.setattr(case_notes, "MAX_USER_DAY_BYTES", 2 * len(A_DOCX) + 10)
    other = start_complex(flask_app, 2)
    url = f"/initiatieven/{other}/documenten"
    assert "per dag" in upload("plan-4.docx")  # the same person, another case
    assert count(flask_app, document) == 2


def test_an_upload_without_a_file_asks_for_one(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    answer = post(lead, f"/initiatieven/{instance_id}/documenten", follow_redirects=True)
    assert answer.status_code == 200
    assert "Kies eerst een bestand om toe te voegen." in answer.text
    assert count(flask_app, document) == 0


def test_an_upload_over_the_request_limit_gets_the_dutch_413_page(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    big = PDF + b"0" * (13 * 1024 * 1024)
    # built by hand so the spooled request body can be closed (the app never reads it)
    builder = EnvironBuilder(
        path=f"/initiatieven/{instance_id}/documenten",
        method="POST",
        data={"document": (BytesIO(big), "groot.pdf"), "csrf_token": csrf_token(lead)},
    )
    environ = builder.get_environ()
    builder.close()
    try:
        answer = lead.open(environ)
    finally:
        environ["wsgi.input"].close()
    assert answer.status_code == 413
    assert "Bestand te groot" in answer.text
    assert count(flask_app, document) == 0


@pytest.mark.parametrize(
    ("filename", "content", "mimetype", "disposition"),
    [
        ("begroting 2026 (v2).pdf", PDF, "application/pdf", "begroting%202026%20%28v2%29.pdf"),
        ("notitie.txt", b"<script>alert(1)</script>", "text/plain", "notitie.txt"),
    ],
)
def test_a_document_is_downloaded_as_an_attachment_in_a_sandbox(
    app: tuple[Flask, ManualClock],
    lead: FlaskClient,
    filename: str,
    content: bytes,
    mimetype: str,
    disposition: str,
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    up = post(
        lead,
        f"/initiatieven/{instance_id}/documenten",
        {"document": (BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert up.status_code == 302
    with engine_of(flask_app).reading() as conn:
        [doc_id] = conn.execute(select(document.c.id)).scalars().all()
    got = lead.get(f"/initiatieven/{instance_id}/documenten/{doc_id}")
    assert got.status_code == 200
    assert got.data == content
    assert got.mimetype == mimetype
    assert got.headers["Content-Disposition"] == f"attachment; filename*=UTF-8''{disposition}"
    assert got.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert got.headers["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------- task forms


def test_completing_with_extra_unknown_fields_completes_and_ignores_them(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    before = engine_of(flask_app).get_instance(instance_id).data
    [task_id] = task_ids(lead.get("/taken/team").text)
    extra = {
        "onbekend": "x",
        "casist_name": "Ingevoegd",  # a case field another task's form sets
        "granted_amount": "99999",  # and one the start set: a form may not overwrite it
        "__class__": "y",
        "intake_date.nested": "z",
        "lijst[0]": "q",
    }
    done = post(lead, f"/taken/{task_id}", {"action": "complete", **INTAKE, **extra})
    assert done.status_code == 302, done.status_code
    after = engine_of(flask_app).get_instance(instance_id).data
    assert after["intake_location"] == "Stadskantoor"
    assert {k: after.get(k) for k in extra} == {k: before.get(k) for k in extra}


def test_submitting_a_task_form_twice_gives_409_the_second_time(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    [task_id] = task_ids(lead.get("/taken/team").text)
    token = csrf_token(lead)
    form = {"action": "complete", **INTAKE, "csrf_token": token}
    first = lead.post(f"/taken/{task_id}", data=form)
    second = lead.post(f"/taken/{task_id}", data=form)  # the double click
    assert first.status_code == 302
    assert second.status_code == 409
    assert "niet meer open" in second.text or "al afgerond" in second.text
    draft = lead.post(f"/taken/{task_id}", data={**form, "action": "draft"})
    assert draft.status_code == 409
    claim = lead.post(f"/taken/{task_id}/oppakken", data={"csrf_token": token})
    assert claim.status_code == 409
    events = [e.type for e in engine_of(flask_app).events(instance_id) if e.task_id == task_id]
    assert events.count("task_completed") == 1


# ---------------------------------------------------------------- Alle initiatieven filters


def test_the_filters_of_alle_initiatieven_narrow_the_list(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, clock = app
    engine = engine_of(flask_app)
    garden = start_complex(flask_app, 1, title="Moestuin Wielwijk", wijk="Wielwijk")
    playground = start_complex(flask_app, 2, title="Speeltuin Sterrenburg", wijk="Sterrenburg")
    to_assessment(flask_app, clock, playground)
    wish_data = wijkwens_start(Calendar(clock))(random.Random(1), 1)
    wish_data.update(title="Bankje Reeland", wijk="Reeland")
    wish = engine.start("wijkwens_process", wish_data, business_key="WW-2026-0001").id
    engine.cancel(garden, actor="test", reason="Ingetrokken")

    with engine.reading() as conn:
        phase = dict(conn.execute(select(initiative.c.instance_id, initiative.c.phase)).all())
    assert phase[playground]
    assert phase[playground] != phase[garden]

    everything = {garden, playground, wish}
    assert listed(lead) == everything
    for query, expected in [
        ("?q=moestuin", {garden}),
        ("?q=SPEELTUIN", {playground}),
        ("?q=INI-2026-0002", {playground}),
        ("?q=bestaat-niet", set()),
        ("?wijk=Wielwijk", {garden}),
        ("?wijk=Sterrenburg", {playground}),
        ("?gebied=West", {garden}),
        ("?gebied=Oost", {playground}),
        ("?gebied=Centrum", {wish}),
        ("?process_id=complex_initiative_process", {garden, playground}),
        ("?process_id=wijkwens_process", {wish}),
        (f"?phase={phase[playground]}", {playground}),
        ("?casist=fatima", {playground}),
        ("?status=open", {playground, wish}),
        ("?status=closed", {garden}),
        ("?status=iets-anders", everything),
        ("?process_id=complex_initiative_process&status=open", {playground}),
        ("?wijk=Wielwijk&gebied=Oost", set()),
        ("?q=++moestuin++", {garden}),
    ]:
        assert listed(lead, query) == expected, query
    no_match = lead.get("/initiatieven?q=bestaat-niet")
    assert "Geen initiatieven gevonden met deze zoekopdracht." in no_match.text
    assert "Filters wissen" in no_match.text


def test_a_huge_draft_is_refused_with_the_form_and_the_text_kept(
    app: tuple[Flask, ManualClock], lead: FlaskClient
) -> None:
    flask_app, _clock = app
    start_complex(flask_app, 1)
    [task_id] = task_ids(lead.get("/taken/team").text)
    huge = "x" * 100_000
    answer = post(lead, f"/taken/{task_id}", {"action": "draft", "intake_location": huge})
    assert answer.status_code == 422
    assert "te groot om op te slaan" in answer.text
    assert huge in answer.text  # nothing lost
    with engine_of(flask_app).reading() as conn:
        assert conn.execute(select(func.count()).select_from(task_draft)).scalar_one() == 0


def test_an_address_with_or_without_a_trailing_slash_opens_the_same_page(lead: FlaskClient) -> None:
    """'/initiatieven/' typed or pasted from a mail is the list, not "Pagina niet gevonden"."""
    for path in ("/taken/mijn", "/taken/team", "/initiatieven", "/initiatieven/mijn"):
        plain = lead.get(path)
        assert plain.status_code == 200, path
        slashed = lead.get(path + "/", follow_redirects=True)
        assert slashed.status_code == 200, path
        title = re.search(r"<title>(.*?)</title>", plain.text)
        assert title is not None
        assert title.group(1) in slashed.text, path
