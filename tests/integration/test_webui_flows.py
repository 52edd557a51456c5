"""The worklist web app through Flask's test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from engine import ManualClock
from engine.persistence.tables import process_instance
from tests.integration.test_process_complex import intake
from tests.webapp import (
    ASPECT_TEAMS,
    add_user,
    driver,
    engine_of,
    intake_for_two,
    logged_in,
    login,
    post,
    start_complex,
    task_ids,
    to_assessment,
)
from workflows import accounts, worklist
from workflows.simulation import Calendar, wijkwens_start
from workflows.tables import task_draft


def test_team_member_claims_fills_wrong_then_right_and_the_task_leaves_the_worklist(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    add_user(flask_app, "ines", "initiatieventeam")
    client = flask_app.test_client()
    assert login(client, "ines").status_code == 302

    team = client.get("/taken/team")
    assert "Kennismakingsgesprek plannen" in team.text
    assert "Buurtmoestuin" in team.text  # the initiative's title, from the read model
    [task_id] = task_ids(team.text)
    assert "Mijn taken" in client.get("/taken/mijn").text
    assert task_id not in client.get("/taken/mijn").text

    claimed = post(client, f"/taken/{task_id}/oppakken", {"next": "team"})
    assert claimed.status_code == 302
    assert task_id in client.get("/taken/mijn").text

    wrong = post(
        client,
        f"/taken/{task_id}",
        {"action": "complete", "intake_date": "31-02-2026", "intake_location": ""},
    )
    assert wrong.status_code == 422
    assert "Controleer het formulier" in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    assert "Vul dit veld in." in wrong.text
    assert 'value="31-02-2026"' in wrong.text  # what was typed is kept

    draft = post(
        client,
        f"/taken/{task_id}",
        {"action": "draft", "intake_date": "", "intake_location": "Stadskantoor"},
    )
    assert draft.status_code == 302
    assert "Stadskantoor" in client.get(f"/taken/{task_id}").text

    done = post(
        client,
        f"/taken/{task_id}",
        {"action": "complete", "intake_date": "2026-03-05", "intake_location": "Stadskantoor"},
    )
    assert done.status_code == 302, done.text
    assert task_id not in client.get("/taken/mijn").text
    assert task_id not in client.get("/taken/team").text
    page = client.get(f"/initiatieven/{instance_id}")
    assert page.status_code == 200
    assert "Taak afgerond: Kennismakingsgesprek plannen" in page.text
    assert "Kennismakingsgesprek voeren" in page.text  # the next task is open


def test_a_task_completed_meanwhile_gets_a_clear_conflict_not_an_error(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    task_id, first, second = intake_for_two(flask_app, 2)
    form = {"action": "complete", "intake_date": "2026-03-05", "intake_location": "Online"}
    assert second.get(f"/taken/{task_id}").status_code == 200  # ivo has the page open
    assert post(first, f"/taken/{task_id}", form).status_code == 302
    late = post(second, f"/taken/{task_id}", form)
    assert late.status_code == 409
    assert "niet meer open" in late.text or "al afgerond" in late.text


def test_a_task_reassigned_meanwhile_refuses_the_old_holder(app: tuple[Flask, ManualClock]) -> None:
    flask_app, _clock = app
    task_id, ines, _ivo = intake_for_two(flask_app, 3)
    tom = logged_in(flask_app, "tom", "teamleider", "initiatieventeam")
    post(ines, f"/taken/{task_id}/oppakken")
    assert post(tom, f"/taken/{task_id}/toewijzen", {"to": "ivo"}).status_code == 302
    late = post(
        ines,
        f"/taken/{task_id}",
        {"action": "complete", "intake_date": "2026-03-05", "intake_location": "Online"},
    )
    assert late.status_code == 409
    assert "toegewezen aan ivo" in late.text
    history = [e.type for e in engine_of(flask_app).events()]
    assert history.count("task_claimed") == 1
    assert history.count("task_reassigned") == 1


def test_aspect_board_shows_each_aspect_and_updates_when_assessed(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, clock = app
    instance_id = start_complex(flask_app, 4)
    to_assessment(flask_app, clock, instance_id)
    client = logged_in(flask_app, "victor", "vakspecialist", teams=ASPECT_TEAMS)
    board = client.get(f"/initiatieven/{instance_id}")
    assert board.text.count('data-state="open"') >= 2
    team = client.get("/taken/team").text
    first = task_ids(team)[0]
    post(client, f"/taken/{first}/oppakken")
    done = post(
        client,
        f"/taken/{first}",
        {
            "action": "complete",
            "verdict": "POSITIEF_MET_VOORWAARDEN",
            "conditions": "Vergunning aanvragen",
        },
    )
    assert done.status_code == 302, done.text
    board = client.get(f"/initiatieven/{instance_id}").text
    assert 'data-state="completed"' in board
    assert "Positief met voorwaarden" in board
    assert "Vergunning aanvragen" in board


def test_notes_and_documents_are_kept_with_the_case(app: tuple[Flask, ManualClock]) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 5)
    client = logged_in(flask_app, "carla", "casist")
    empty = post(client, f"/initiatieven/{instance_id}/notities", {"body": "   "})
    assert empty.status_code == 422
    assert "leeg" in empty.text
    assert (
        post(
            client, f"/initiatieven/{instance_id}/notities", {"body": "Gebeld met de stichting."}
        ).status_code
        == 302
    )
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    from io import BytesIO

    up = post(
        client,
        f"/initiatieven/{instance_id}/documenten",
        {"document": (BytesIO(pdf), "begroting.pdf")},
        content_type="multipart/form-data",
    )
    assert up.status_code == 302
    fake = post(
        client,
        f"/initiatieven/{instance_id}/documenten",
        {"document": (BytesIO(b"MZ\x90\x00"), "virus.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "geen echt .pdf-bestand" in fake.text
    page = client.get(f"/initiatieven/{instance_id}").text
    assert "Gebeld met de stichting." in page
    assert "begroting.pdf" in page
    assert "virus.pdf" not in page


def test_a_positive_verdict_needs_no_conditions_and_the_bundle_step_accepts_it(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, clock = app
    instance_id = start_complex(flask_app, 6)
    to_assessment(flask_app, clock, instance_id)
    client = logged_in(flask_app, "victor", "vakspecialist", teams=ASPECT_TEAMS)
    ids = task_ids(client.get("/taken/team").text)
    assert ids
    for task_id in ids:
        done = post(
            client,
            f"/taken/{task_id}",
            {"action": "complete", "verdict": "POSITIEF", "conditions": ""},
        )
        assert done.status_code == 302, done.text
    # organisatiekracht and draagvlak: the case's casist has them in Mijn taken
    fatima = logged_in(flask_app, "fatima", "casist")
    own = task_ids(fatima.get("/taken/mijn").text)
    assert len(own) == 2
    for task_id in own:
        done = post(fatima, f"/taken/{task_id}", {"action": "complete", "verdict": "POSITIEF"})
        assert done.status_code == 302, done.text
    # this initiative is for one wijk: its regiegroep advises on support there (Team)
    regiegroep = logged_in(flask_app, "thijs", "regiegroep")
    advice = task_ids(regiegroep.get("/taken/team").text)
    assert len(advice) == 1
    done = post(regiegroep, f"/taken/{advice[0]}", {"action": "complete", "verdict": "POSITIEF"})
    assert done.status_code == 302, done.text
    detail = engine_of(flask_app).get_instance(instance_id)
    assert detail.summary.status != "errored", detail.summary.last_error
    assert [t.bpmn_id for t in detail.open_tasks] == ["integral_advice"]
    assert all(a["conditions"] == "" for a in detail.data["aspects"])


def test_an_aspect_form_starts_from_its_own_data_not_a_sibling_aspects_answers(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, clock = app
    instance_id = start_complex(flask_app, 7)
    to_assessment(flask_app, clock, instance_id)
    client = logged_in(flask_app, "victor", "vakspecialist", teams=ASPECT_TEAMS)
    first, second = task_ids(client.get("/taken/team").text)[:2]
    done = post(
        client,
        f"/taken/{first}",
        {"action": "complete", "verdict": "NEGATIEF", "conditions": "Te druk"},
    )
    assert done.status_code == 302, done.text
    engine = engine_of(flask_app)
    # the case's newest data carries the first aspect's answers; the second task's own does not
    assert engine.get_instance(instance_id).data["assessment"]["conditions"] == "Te druk"
    own = engine.task_data(second)
    assert "assessment" not in own
    page = client.get(f"/taken/{second}").text
    assert "Te druk" not in page
    assert "Over dit initiatief" in page  # the case summary an assessor reads first
    assert "Omschrijving" in page


def test_a_casist_fills_in_the_initiators_task_on_their_behalf_and_it_is_recorded(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, clock = app
    instance_id = start_complex(flask_app, 8)
    intake(driver(flask_app, clock, instance_id), complete=False)
    add_user(flask_app, "carla", "casist")
    add_user(flask_app, "victor", "vakspecialist", teams=ASPECT_TEAMS)
    engine = engine_of(flask_app)
    [task] = [t for t in engine.list_tasks(instance_id=instance_id) if t.lane == "initiatiefnemer"]
    assert task.id not in flask_app.test_client().get("/taken/team").text

    specialist = flask_app.test_client()
    login(specialist, "victor")
    seen = specialist.get(f"/taken/{task.id}")  # only casist or team fill it in: read-only
    assert seen.status_code == 200
    assert 'class="task-form"' not in seen.text
    assert post(specialist, f"/taken/{task.id}", {"action": "complete"}).status_code == 403

    client = flask_app.test_client()
    login(client, "carla")
    assert task.id not in client.get("/taken/team").text  # not work of the team queue
    page = client.get(f"/taken/{task.id}")
    assert page.status_code == 200
    assert "namens: Initiatiefnemer" in page.text
    done = post(
        client,
        f"/taken/{task.id}",
        {"action": "complete", "supplement": "Begroting per mail ontvangen."},
    )
    assert done.status_code == 302, done.text
    [completed] = [
        e for e in engine.events(instance_id) if e.type == "task_completed" and e.task_id == task.id
    ]
    assert completed.actor == "carla"
    assert completed.detail["lane"] == "initiatiefnemer"
    assert [t.bpmn_id for t in engine.list_tasks(instance_id=instance_id)] == [
        "check_supplied_information"
    ]


def test_saving_a_draft_takes_the_task_so_a_colleague_cannot_overwrite_it(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    task_id, ines, ivo = intake_for_two(flask_app, 9)
    draft = {"action": "draft", "intake_date": "", "intake_location": "Wijkcentrum"}
    assert post(ines, f"/taken/{task_id}", draft).status_code == 302
    assert engine_of(flask_app).get_task(task_id).assignee == "ines"
    overwrite = post(ivo, f"/taken/{task_id}", {**draft, "intake_location": "Online"})
    assert overwrite.status_code == 409
    assert "toegewezen aan ines" in overwrite.text
    assert "Wijkcentrum" in ines.get(f"/taken/{task_id}").text


def test_a_task_of_a_case_in_error_says_so_and_a_refused_submission_shows_what_was_typed(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 10)
    client = logged_in(flask_app, "ines", "initiatieventeam")
    [task_id] = task_ids(client.get("/taken/team").text)
    engine = engine_of(flask_app)
    with engine.transaction() as uow:  # as the engine leaves a case whose script failed
        uow.connection.execute(
            update(process_instance)
            .where(process_instance.c.id == instance_id)
            .values(status="errored", last_error="test")
        )
    page = client.get(f"/taken/{task_id}").text
    assert "Deze zaak staat in fout" in page
    refused = post(
        client,
        f"/taken/{task_id}",
        {
            "action": "complete",
            "intake_date": "2026-03-05",
            "intake_location": "Bibliotheek Crabbehof",
        },
    )
    assert refused.status_code == 409
    assert "Uw invoer is niet verwerkt" in refused.text
    assert "Bibliotheek Crabbehof" in refused.text  # what was typed is shown back
    assert "Plaats of manier van het gesprek" in refused.text  # under its field's title
    assert engine.get_task(task_id).state == "open"
    # a draft still works, so the work is not lost
    assert (
        post(
            client,
            f"/taken/{task_id}",
            {"action": "draft", "intake_location": "Bibliotheek Crabbehof"},
        ).status_code
        == 302
    )


def test_the_history_says_in_words_that_the_initiator_withdrew(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 11)
    engine_of(flask_app).send_message(
        "initiative_withdrawn", {"reason": "Geen tijd meer"}, instance_id=instance_id
    )
    client = logged_in(flask_app, "carla", "casist")
    page = client.get(f"/initiatieven/{instance_id}").text
    assert "De initiatiefnemer heeft het initiatief ingetrokken" in page
    assert "Bericht ontvangen: <" not in page  # never an empty message line


def test_a_far_page_of_the_worklist_is_served_without_reading_the_whole_queue(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    start_complex(flask_app, 12)
    client = logged_in(flask_app, "ines", "initiatieventeam")
    far = client.get("/taken/team?pagina=99999")
    assert far.status_code == 200
    user = accounts.get_user(engine_of(flask_app), "ines")
    assert user is not None
    assert (
        worklist.worklist(engine_of(flask_app), user, "team", 99999).page.page == worklist.MAX_PAGE
    )


def test_the_worklist_pager_walks_the_queue_forward_and_back(
    app: tuple[Flask, ManualClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of two rows: the links lead to the next and previous page, together the pages
    hold every task once, oldest first."""
    flask_app, clock = app
    monkeypatch.setattr(worklist, "WORKLIST_PAGE_SIZE", 2)
    for number in (21, 22, 23):
        start_complex(flask_app, number)
        clock.advance(timedelta(minutes=1))
    client = logged_in(flask_app, "ines", "initiatieventeam")
    seen = []
    url = "/taken/team"
    for expected_prev, expected_next in ((None, 2), (1, None)):
        page = client.get(url).text
        seen += task_ids(page)
        prev = re.search(r'href="([^"]+)" rel="prev"', page)
        nxt = re.search(r'href="([^"]+)" rel="next"', page)
        assert (prev.group(1) if prev else None) == (
            f"/taken/team?pagina={expected_prev}" if expected_prev else None
        )
        assert (nxt.group(1) if nxt else None) == (
            f"/taken/team?pagina={expected_next}" if expected_next else None
        )
        url = nxt.group(1) if nxt else url
    queue = engine_of(flask_app).list_tasks(lanes=["initiatieventeam"])
    assert seen == [task.id for task in queue]
    assert len(seen) == 3


def test_drafts_of_tasks_that_close_unsubmitted_are_not_kept(
    app: tuple[Flask, ManualClock],
) -> None:
    """A withdrawal cancels the open assessments: their drafts (typed personal notes) go too,
    in the same transaction; a draft of a task that is still open stays."""
    flask_app, clock = app
    engine = engine_of(flask_app)
    withdrawn, other = start_complex(flask_app, 4), start_complex(flask_app, 6)
    d = to_assessment(flask_app, clock, withdrawn)
    to_assessment(flask_app, clock, other)
    vince = logged_in(flask_app, "vince", "vakspecialist", teams=ASPECT_TEAMS)
    drafts = {}
    for instance_id in (withdrawn, other):
        task_id = next(
            t.id
            for t in engine.list_tasks(instance_id=instance_id)
            if t.bpmn_id == "assess_aspect" and t.group == "BELEID"
        )
        typed = {"action": "draft", "verdict": "", "conditions": "Bel mevrouw Jansen: 06-12345678"}
        assert post(vince, f"/taken/{task_id}", typed).status_code == 302
        drafts[instance_id] = task_id

    d.message("initiative_withdrawn", {"reason": "Locatie vervallen"})
    assert engine.get_task(drafts[withdrawn]).state == "cancelled"
    with engine.reading() as conn:
        kept = set(conn.execute(select(task_draft.c.task_id)).scalars())
    assert kept == {drafts[other]}
    assert driver(flask_app, clock, other).open_tasks("assess_aspect")


def test_a_refused_submission_shows_the_choices_in_words_not_codes(
    app: tuple[Flask, ManualClock],
) -> None:
    """Found by the fuzz test: the 409 page listed what was typed with the option's code."""
    flask_app, clock = app
    engine_of(flask_app).start(
        "wijkwens_process",
        wijkwens_start(Calendar(clock))(random.Random(1), 1),
        business_key="WW-2026-0001",
        actor="test",
    )
    wim = logged_in(flask_app, "wim", "wijkwenssecretariaat")
    ria = logged_in(flask_app, "ria", "wijkwenssecretariaat")
    [task_id] = task_ids(wim.get("/taken/team").text)
    form = {
        "action": "complete",
        "admissibility": "rejected",
        "is_public_space_wish": "true",
        "admissibility_notes": "Geen wens voor de openbare ruimte.",
    }
    assert ria.get(f"/taken/{task_id}").status_code == 200
    assert post(wim, f"/taken/{task_id}", form).status_code == 302
    late = post(ria, f"/taken/{task_id}", form)
    assert late.status_code == 409
    assert "Niet ontvankelijk: afwijzen" in late.text  # the option as the form showed it
    assert "rejected" not in late.text
    assert "<dd>ja</dd>" in late.text  # a yes/no field in words


def test_a_wish_names_its_desk_as_point_of_contact_and_gets_no_casist(
    app: tuple[Flask, ManualClock],
) -> None:
    """Only the complex route has a casist: a wijkwens's page names the secretariat, offers no
    casist to choose, and a casist sent anyway is refused with the reason, the data unchanged."""
    flask_app, clock = app
    engine = engine_of(flask_app)
    wish = engine.start(
        "wijkwens_process",
        wijkwens_start(Calendar(clock))(random.Random(1), 1),
        business_key="WW-2026-0002",
        actor="test",
    ).id
    add_user(flask_app, "carla", "casist")
    tom = logged_in(flask_app, "tom", "teamleider")
    page = tom.get(f"/initiatieven/{wish}")
    assert page.status_code == 200
    assert "Het secretariaat wijkwensen: wijkwensen@dordrecht.nl" in page.text
    assert "Casist wijzigen" not in page.text
    assert "Nog geen casist gekoppeld" not in page.text
    refused = post(tom, f"/initiatieven/{wish}/casist", {"casist": "carla"})
    assert refused.status_code == 302
    shown = tom.get(refused.headers["Location"]).text
    assert "Deze zaak krijgt geen casist: het aanspreekpunt is het secretariaat wijkwensen" in shown
    assert "casist" not in engine.instance_values(wish, ("casist",))
    # a complex case still offers the choice
    complex_case = start_complex(flask_app, 3)
    assert "Casist wijzigen" in tom.get(f"/initiatieven/{complex_case}").text
