"""The initiator's private status page: the link in their e-mail opens it, it shows where the
initiative is and who their contact person is and nothing internal, a wrong, old or renewed
link is "not found", the database keeps only the token's hash, and no log line holds a token."""

from __future__ import annotations

import os
import random
import re
from email.message import Message
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from engine import Engine, ManualClock
from engine.readmodel import outbox
from tests.integration.conftest import PUBLIC_SECRET, PUBLIC_URL
from tests.integration.test_process_complex import intake
from tests.integration.test_serve import _free_port, _get, start_serve
from tests.mailserver import Postbox, smtp_to, text_of
from tests.webapp import (
    add_user,
    driver,
    login,
    post,
    start_complex,
    to_assessment,
    to_decision,
)
from webui import create_app, public
from workflows import bootstrap, fund, mail, notes, status_links
from workflows.simulation import complex_start
from workflows.tables import status_link

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DUTCH_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
LINKS = status_links.Links(PUBLIC_SECRET, PUBLIC_URL)
LINK = re.compile(r"https://initiatieven\.example(/status/[A-Za-z0-9_-]+)")


@pytest.fixture
def site(public_site: tuple[Flask, Engine]) -> tuple[Flask, Engine]:
    return public_site


def start(engine: Engine, n: int) -> int:
    return engine.start(
        "complex_initiative_process",
        complex_start(random.Random(n), n),
        business_key=f"INI-2026-{n:04d}",
        actor="test",
    ).id


def start_wish(engine: Engine, clock: ManualClock) -> int:
    """A wijkwens case, WW-2026-0001, just received."""
    from workflows.simulation import Calendar, wijkwens_start

    return engine.start(
        "wijkwens_process",
        wijkwens_start(Calendar(clock))(random.Random(1), 1),
        business_key="WW-2026-0001",
        actor="test",
    ).id


def path_in(message: Message) -> str:
    text = text_of(message)
    found = LINK.search(text)
    assert found, text
    return found.group(1)


def test_the_receipt_carries_a_private_link_that_opens_the_status_page(
    site: tuple[Flask, Engine], postbox: tuple[Postbox, int]
) -> None:
    app, engine = site
    box, port = postbox
    start(engine, 1)
    assert mail.send_due(engine, smtp_to(port), LINKS).sent >= 1
    (receipt,) = [m for m in box.received if "ontvangen" in str(m["Subject"])]
    path = path_in(receipt)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 32  # 192 bits
    assert "Bekijk hoe het met uw initiatief staat" in text_of(receipt, "html")  # the button
    page = app.test_client().get(path)  # no account, no login
    assert page.status_code == 200
    assert "INI-2026-0001" in page.text
    assert "Ontvangen" in page.text
    assert "U krijgt binnenkort een vaste contactpersoon" in page.text  # none chosen yet
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert 'content="noindex, nofollow"' in page.text
    with engine.reading() as conn:
        kept = [tuple(r) for r in conn.execute(select(status_link)).all()]
    assert kept
    assert token not in repr(kept)  # only its hash is kept


def test_the_status_page_shows_the_phase_and_the_contact_person_and_nothing_internal(
    site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    app, engine = site
    case = start(engine, 2)
    other = start(engine, 3)
    to_assessment(app, clock, case)  # intake done, casist chosen, aspects being assessed
    casist = add_user(app, "fatima", "casist")
    notes.add_note(engine, casist, case, "Interne afweging: GEHEIM-7731")
    token = status_links.token_for(engine, LINKS, case)
    page = app.test_client().get(f"/status/{token}")
    assert page.status_code == 200
    assert "Nu: Beoordeling" in page.text
    assert "Vakspecialisten van de gemeente bekijken uw plan" in page.text  # what happens now
    assert "Uw contactpersoon" in page.text
    contact = status_links.status_page(engine, token).contact
    assert contact is not None
    assert contact.name in page.text
    # nothing of notes, tasks, staff other than the contact, other cases
    assert "GEHEIM-7731" not in page.text
    assert "Aspect beoordelen" not in page.text
    assert "INI-2026-0003" not in page.text
    assert str(other) not in re.findall(r"/initiatieven/(\d+)", page.text)
    assert "Uitloggen" not in page.text


def test_a_wrong_old_or_renewed_link_is_not_found(
    site: tuple[Flask, Engine], postbox: tuple[Postbox, int]
) -> None:
    app, engine = site
    box, port = postbox
    case = start(engine, 4)
    client = app.test_client()
    old = status_links.token_for(engine, LINKS, case)
    assert client.get(f"/status/{old}").status_code == 200
    unknown = client.get("/status/" + "x" * 32)
    assert unknown.status_code == 404
    elsewhere = client.get("/bestaat-niet")  # the page of any unknown address, word for word
    # the CSRF token carries a timestamp that may tick between the two requests
    same = [
        re.sub(r'name="csrf_token" value="[^"]*"', "", text)
        for text in (unknown.text.replace("/status/" + "x" * 32, "/bestaat-niet"), elsewhere.text)
    ]
    assert same[0] == same[1]
    assert client.get("/status/kort").status_code == 404
    # a colleague sends a new link: the old one stops working, the mail opens the new one
    add_user(app, "carla", "casist")
    staff = app.test_client()
    login(staff, "carla")
    sent = post(staff, f"/initiatieven/{case}/statuslink", follow_redirects=True)
    assert "Er gaat een nieuwe statuslink naar initiatiefnemer4@example.nl" in sent.text
    assert client.get(f"/status/{old}").status_code == 404
    mail.send_due(engine, smtp_to(port), LINKS)
    (renewed,) = [m for m in box.received if "persoonlijke link" in str(m["Subject"])]
    assert renewed["To"] == "initiatiefnemer4@example.nl"
    assert client.get(path_in(renewed)).status_code == 200
    # and a secret key that changed makes the next mail carry a new, working link
    moved = status_links.Links("another-secret", LINKS.public_url)
    fresh = status_links.token_for(engine, moved, case)
    assert client.get(f"/status/{fresh}").status_code == 200


def test_no_log_line_of_the_server_holds_a_token(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'status.db'}"
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=url), upgrade=True)
    engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="test")
    token = status_links.token_for(engine, LINKS, start(engine, 5))
    with engine.reading() as conn:
        assert conn.execute(select(outbox.c.id)).first() is not None  # the receipt waits
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "WEGWIJS_DATABASE_URL": url, "WEGWIJS_SECRET_KEY": "log-test"}
    server = start_serve(tmp_path, env, port)
    try:
        assert _get(f"http://127.0.0.1:{port}/status/{token}")[0] == 200
        with pytest.raises(OSError):  # 404
            _get(f"http://127.0.0.1:{port}/status/{'y' * 32}")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert output.count("GET /status/… ") == 2  # the access log has both requests, masked
    assert token not in output
    assert "y" * 32 not in output


def test_the_page_says_when_the_next_step_is_due_and_what_we_wait_for_from_the_initiator(
    site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    app, engine = site
    case = start(engine, 6)
    client = app.test_client()
    url = f"/status/{status_links.token_for(engine, LINKS, case)}"
    (intake_task,) = engine.list_tasks(instance_id=case)
    assert intake_task.due_at is not None  # the diagram's norm for the first contact
    page = client.get(url).text
    assert (
        "Volgende stap: uiterlijk " + intake_task.due_at.astimezone(AMSTERDAM).strftime("%d-%m-%Y")
        in page
    )
    assert "Wij wachten op u" not in page
    # the intake finds information missing: now the municipality waits for the initiator
    d = driver(app, clock, case)
    intake(d, complete=False)
    (asked,) = [t for t in engine.list_tasks(instance_id=case) if t.lane == "initiatiefnemer"]
    page = client.get(url).text
    assert "Wij wachten op u" in page
    assert asked.title in page
    assert "staat de termijn van de gemeente stil" in page
    assert "Volgende stap: uiterlijk" not in page


def test_the_initiator_withdraws_online_after_a_clear_question_and_the_fund_gets_its_money_back(
    site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    app, engine = site
    case = start_complex(app, 8, requested_amount=15000)
    to_decision(app, clock, case, 15000)  # € 15.000 reserved in the fund, decision pending
    key = engine.get_instance(case).summary.business_key
    token = status_links.token_for(engine, LINKS, case)
    client = app.test_client()
    assert f"/status/{token}/intrekken" in client.get(f"/status/{token}").text
    question = client.get(f"/status/{token}/intrekken")
    assert question.status_code == 200
    assert "€\u00a015.000,00" in question.text  # what a withdrawal means for the grant
    assert "niet ongedaan maken" in question.text
    unsure = post(client, f"/status/{token}/intrekken", {"reason": "Geen vrijwilligers meer"})
    assert unsure.status_code == 422  # the box was not ticked: nothing happens
    assert "Vink aan" in unsure.text
    assert "Geen vrijwilligers meer" in unsure.text  # what was typed is kept
    assert engine.get_instance(case).summary.status not in ("completed", "cancelled")
    done = post(
        client,
        f"/status/{token}/intrekken",
        {"reason": "Geen vrijwilligers meer", "confirm": "ja"},
        follow_redirects=True,
    )
    assert "Uw initiatief is ingetrokken" in done.text
    assert "Afgerond: Ingetrokken" in done.text
    assert "intrekken?" not in done.text  # no second withdrawal offered
    with engine.reading() as conn:
        assert fund.entry(conn, "initiatievenfonds", str(key)).state == "released"
        templates = [
            (r.payload or {}).get("template")
            for r in conn.execute(select(outbox).where(outbox.c.instance_id == case))
        ]
    assert templates.count("intrekking_bevestigd") == 1  # confirmed by e-mail, once
    again = post(client, f"/status/{token}/intrekken", {"confirm": "ja"}, follow_redirects=True)
    assert again.status_code == 200
    assert "kan nu niet worden ingetrokken" in again.text


def test_public_pages_have_a_rate_limit_with_a_dutch_answer(
    database_url: str, clock: ManualClock
) -> None:
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
    engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="test")
    app = create_app(
        bootstrap.Settings(database_url=database_url),
        engine=engine,
        config={"TESTING": True, "SECRET_KEY": "t", "RATELIMIT_ENABLED": True},
    )
    public.limiter.reset()
    try:
        client = app.test_client()
        url = f"/status/{'z' * 32}"  # a guessed link counts as much as a real one
        answers = [client.get(url).status_code for _ in range(60)]
        assert set(answers) == {404}
        stopped = client.get(url)
        assert stopped.status_code == 429
        assert "Even wachten" in stopped.text
        assert "Wacht een paar minuten" in stopped.text
        assert stopped.headers.get("Retry-After")
        assert client.get("/inloggen").status_code == 200  # staff pages are not limited by it
    finally:
        public.limiter.reset()
        engine.dispose()


def test_the_initiator_answers_a_request_on_the_status_page(
    site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    app, engine = site
    case = start(engine, 9)
    other = start(engine, 10)
    intake(driver(app, clock, case), complete=False)  # information missing: asked of them
    (asked,) = [t for t in engine.list_tasks(instance_id=case) if t.lane == "initiatiefnemer"]
    token = status_links.token_for(engine, LINKS, case)
    client = app.test_client()
    status = client.get(f"/status/{token}").text
    question_url = f"/status/{token}/vraag/{asked.id}"
    assert question_url in status
    page = client.get(question_url)
    assert page.status_code == 200
    assert "Aanvulling" in page.text  # the request's own form
    # in English the form's title, question and hint are English too
    english = client.get(question_url, headers={"Accept-Language": "en"}).text
    assert "Supply missing information" in english
    assert "Additional information" in english
    assert "Ontbrekende informatie aanleveren" not in english
    empty = post(client, question_url, {"supplement": ""})
    assert empty.status_code == 422
    assert "Vul dit veld in." in empty.text
    # a task of staff, or of another case, is not theirs: the page of any unknown address
    (staff_task,) = [t for t in engine.list_tasks(instance_id=other)]
    assert client.get(f"/status/{token}/vraag/{staff_task.id}").status_code == 404
    assert post(client, f"/status/{token}/vraag/{staff_task.id}", {"x": "1"}).status_code == 404
    done = post(
        client,
        question_url,
        {"supplement": "Begroting en dekkingsplan als bijlage gemaild."},
        follow_redirects=True,
    )
    assert "Wij hebben uw antwoord ontvangen" in done.text
    assert "Wij wachten op u" not in done.text
    answered = engine.get_task(asked.id)
    assert answered.state == "completed"
    assert answered.completed_by == "initiatiefnemer"
    values = engine.instance_values(case, ("supplement",))
    assert values["supplement"] == "Begroting en dekkingsplan als bijlage gemaild."
    late = post(client, question_url, {"supplement": "Nog een keer"}, follow_redirects=True)
    assert "al beantwoord" in late.text  # said in words on their status page, not a 404
    again = client.get(question_url, follow_redirects=True)
    assert "al beantwoord" in again.text


def test_a_wish_or_green_request_names_its_own_desk_not_a_contact_person_to_come(
    site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    """Only complex initiatives get a contact person of their own; a wijkwens and a green
    request are helped by the desk they came in at."""
    from workflows.simulation import green_start

    app, engine = site
    wish = start_wish(engine, clock)
    green = engine.start(
        "simple_green_initiative_process",
        green_start(random.Random(1), 1),
        business_key="GR-2026-0001",
        actor="test",
    ).id
    for case, desk in ((wish, "wijkwensen@dordrecht.nl"), (green, "de Wijklijn: 14 078")):
        page = app.test_client().get(f"/status/{status_links.token_for(engine, LINKS, case)}")
        assert page.status_code == 200
        assert "binnenkort een vaste contactpersoon" not in page.text
        assert "Heeft u vragen? Neem contact op met" in page.text
        assert desk in page.text
        # the steps shown are those of the case's own route: neither has a kennismaking
        assert "Kennismaking" not in page.text
        assert ("Besluit" in page.text) == (case == wish)  # a green request has no besluit
        # and what the received phase means is the diagram's own text for this route
        now = "Het secretariaat wijkwensen kijkt" if case == wish else "De Wijklijn geeft haar"
        assert now in page.text
        assert "Vakspecialisten" not in page.text


def test_during_the_realisation_the_initiator_asks_a_change_and_hears_the_casists_answer(
    site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    from tests.integration.test_process_complex import advise, assess_all

    app, engine = site
    case = start_complex(app, 12, requested_amount=0)
    d = to_assessment(app, clock, case, casist="daan")
    token = status_links.token_for(engine, LINKS, case)
    client = app.test_client()
    assert f"/status/{token}/wijziging" not in client.get(f"/status/{token}").text  # not yet
    refused = post(client, f"/status/{token}/wijziging", {"text": "Een andere datum."})
    assert refused.status_code == 302
    assert "alleen terwijl uw plan wordt uitgevoerd" in client.get(f"/status/{token}").text
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("record_agreements", {"agreements_summary": "Afspraken."})

    page = client.get(f"/status/{token}")
    assert f"/status/{token}/wijziging" in page.text
    empty = post(client, f"/status/{token}/wijziging", {"text": "   "})
    assert empty.status_code == 422
    assert "Schrijf wat u wilt veranderen en waarom." in empty.text
    wish = "De opening wordt 3 oktober in plaats van 1 oktober: de tent is eerder bezet."
    assert post(client, f"/status/{token}/wijziging", {"text": wish}).status_code == 302
    (change,) = d.open_tasks("assess_change_request")
    assert (change.lane, change.assignee) == ("casist", "daan")
    assert d.data()["change_request"] == {"text": wish, "by": "initiatiefnemer"}
    d.do("assess_change_request", {"change_decision": "AKKOORD", "change_motivation": "Prima."})
    assert [t.bpmn_id for t in d.open_tasks()] == ["report_realisation_complete"]
    assert d.data()["changes"] == [{"request": wish, "decision": "AKKOORD", "motivation": "Prima."}]
    with engine.reading() as conn:
        told = [
            p
            for p in conn.execute(
                select(outbox.c.payload).where(outbox.c.instance_id == case)
            ).scalars()
            if p["template"] == "wijziging_akkoord"
        ]
    assert [p["items"] for p in told] == [[f"Uw verzoek: {wish}", "Toelichting: Prima."]]


def test_the_diagrams_instructions_are_shown_filled_in_to_the_initiator_and_the_regiegroep(
    site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    from tests.helpers import hold_meeting
    from tests.integration.test_process_wijkwens_green import ADMISSIBLE, do, start_wijkwens

    app, engine = site
    wish = start_wijkwens(engine, key="WW-2026-0077")
    incomplete = {**ADMISSIBLE, "admissibility": "incomplete"}
    notes = {"admissibility_notes": "De begroting en de handtekeningenlijst ontbreken."}
    do(
        engine,
        wish,
        "wijkwens_check_admissibility",
        {**incomplete, **notes},
        "wijkwenssecretariaat",
    )
    (asked,) = engine.list_tasks(instance_id=wish)
    token = status_links.token_for(engine, LINKS, wish)
    page = app.test_client().get(f"/status/{token}/vraag/{asked.id}").text
    assert "Wat er ontbreekt: De begroting en de handtekeningenlijst ontbreken." in page

    supplied = {"additional_info": "Bijgevoegd."}
    do(engine, wish, "wijkwens_provide_info", supplied, "initiatiefnemer")
    do(engine, wish, "wijkwens_check_admissibility", ADMISSIBLE, "wijkwenssecretariaat")
    year, month, day = hold_meeting(engine, wish).split("-")
    (advice,) = engine.list_tasks(instance_id=wish)
    add_user(app, "thijs", "regiegroep")
    client = app.test_client()
    login(client, "thijs")
    shown = client.get(f"/taken/{advice.id}").text
    when = f"{int(day)} {DUTCH_MONTHS[int(month) - 1]} {year}"  # e.g. 18 februari 2026
    assert f"Regiegroep Oost in haar vergadering van {when} gaf" in shown


def test_a_wish_waiting_for_its_meeting_tells_the_initiator_the_day_of_the_meeting(
    site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    """Between admission and the regiegroep's meeting nobody works on a wish: the page names
    the meeting it is on the agenda of, not while the advice is being written, and after
    aanhouden the next one."""
    from datetime import UTC, datetime

    from tests.helpers import hold_meeting
    from tests.integration.test_process_wijkwens_green import ADMISSIBLE, do, start_wijkwens

    app, engine = site
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # Monday 2 March: Oost meets 1 April
    wish = start_wijkwens(engine, submitted_on="2026-03-02")
    path = f"/status/{status_links.token_for(engine, LINKS, wish)}"
    said = "De regiegroep bespreekt uw wens in haar vergadering van"
    assert said not in app.test_client().get(path).text  # not admitted yet: no meeting
    do(engine, wish, "wijkwens_check_admissibility", ADMISSIBLE, "wijkwenssecretariaat")
    page = app.test_client().get(path)
    # the day in no-break spaces: a phone does not split it over two lines
    assert f"{said} woensdag\u00a01\u00a0april\u00a02026." in page.text
    english = app.test_client().get(path, headers={"Accept-Language": "en"})
    english_day = "Wednesday 1 April 2026".replace(" ", "\u00a0")
    assert f"The regiegroep discusses your wish at its meeting of {english_day}." in english.text
    assert hold_meeting(engine, wish) == "2026-04-01"  # the advice task is open now
    assert said not in app.test_client().get(path).text
    held = {
        "advice": "hold",
        "hold_reason": "Wij willen eerst weten of de buren meedoen.",
        "advice_motivation": "Goed idee, draagvlak nog niet zichtbaar.",
    }
    do(engine, wish, "wijkwens_regiegroep_advice", held, "regiegroep")
    assert f"{said} woensdag\u00a013\u00a0mei\u00a02026." in app.test_client().get(path).text


def test_a_case_waiting_for_a_moment_tells_the_initiator_the_day_and_what_happens_then(
    site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    """A geveltuin approved in June waits for the autumn planting season, a public-space wish
    from October for the new budget year: nobody has a task on them for months, so the page
    names the day the diagram's timer is due and its `initiator_text` — and says nothing of
    it once someone works on the case again. A reminder timer is never told."""
    from datetime import UTC, datetime

    from tests.integration.test_process_wijkwens_green import (
        FEASIBLE_GEVELTUIN,
        REGISTER_GEVELTUIN,
        defer,
        do,
        start_green,
    )

    app, engine = site
    clock.set(datetime(2026, 6, 8, 9, 0, tzinfo=UTC))
    garden = start_green(engine)
    path = f"/status/{status_links.token_for(engine, LINKS, garden)}"
    said = "Volgende stap op"
    # registered and being assessed: a municipal task is open (with its reminder timer)
    do(engine, garden, "green_register", REGISTER_GEVELTUIN, "kcc")
    assert said not in app.test_client().get(path).text
    do(engine, garden, "green_assess_geveltuin", FEASIBLE_GEVELTUIN, "gebiedsbeheer")
    page = app.test_client().get(path).text
    assert f"{said} donderdag\u00a01\u00a0oktober\u00a02026" in page
    assert "Het plantseizoen begint. Dan leggen wij uw geveltuin aan." in page
    english = app.test_client().get(path, headers={"Accept-Language": "en"}).text
    assert "Next step on Thursday\u00a01\u00a0October\u00a02026" in english
    # the season opens: the gebiedsbeheer has the work, and the page names its norm instead
    clock.set(datetime(2026, 10, 1, 5, 1, tzinfo=UTC))
    engine.fire_due_timers()
    page = app.test_client().get(path).text
    assert said not in page
    assert "Volgende stap: uiterlijk" in page

    wish = defer(engine, clock, "Bankje bij de vijver")  # 5 October: handled from 1 January
    page = app.test_client().get(f"/status/{status_links.token_for(engine, LINKS, wish)}").text
    assert f"{said} vrijdag\u00a01\u00a0januari\u00a02027" in page
    assert "Het nieuwe budget voor wijkwensen gaat in." in page


def test_in_english_the_status_page_speaks_english_for_the_route_it_shows(
    site: tuple[Flask, Engine], clock: ManualClock
) -> None:
    """The phases, what they mean (the diagram's own text too), the desk and the decision come
    from the processes, in Dutch; an English reader of the status page reads them in English
    (they were Dutch in an English page)."""
    app, engine = site
    case = start(engine, 2)
    to_assessment(app, clock, case)
    wish = start_wish(engine, clock)
    english = {"Accept-Language": "en-GB,en;q=0.9"}
    page = app.test_client().get(
        f"/status/{status_links.token_for(engine, LINKS, case)}", headers=english
    ).text
    assert "Now: Assessment" in page
    assert "specialists look at your plan" in page
    assert "Getting acquainted" in page  # a step of the timeline
    for dutch in ("Beoordeling", "Vakspecialisten", "Kennismaking", "Uitvoering"):
        assert dutch not in page
    page = app.test_client().get(
        f"/status/{status_links.token_for(engine, LINKS, wish)}", headers=english
    ).text
    assert "The wijkwensen secretariat checks" in page  # the diagram's phase_text
    assert "the wijkwensen secretariat: wijkwensen@dordrecht.nl or 14 078" in page
    for dutch in ("Het secretariaat wijkwensen kijkt", "het secretariaat wijkwensen:"):
        assert dutch not in page
