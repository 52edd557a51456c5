"""Aspect teams: each aspect assessment goes to the vakspecialisten of the aspect's team.

The diagram gives `assess_aspect` the property `group = aspect.group` (the aspect's team; none
for organisatiekracht and draagvlak, which the case's casist assesses); the engine keeps the
value with the task (`candidate_group`), and the worklist and every task route check it:
a vakspecialist sees and takes only the assessments of their own teams, a team lead who
holds the lane sees them all and may give one to anyone in the lane. Runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from engine import Engine, ManualClock
from engine.persistence.tables import event
from tests.webapp import (
    ASPECT_TEAMS,
    csrf_token,
    engine_of,
    logged_in,
    post,
    start_complex,
    task_ids,
    to_assessment,
)
from workflows import worklist
from workflows.accounts import get_user
from workflows.roles import may_act


def _case_in_assessment(app: tuple[Flask, ManualClock]) -> dict[str, list[str]]:
    """A complex case taken to its aspect assessments: its open assessments, per team."""
    flask_app, clock = app
    instance_id = start_complex(flask_app, 4)
    to_assessment(flask_app, clock, instance_id)
    teams: dict[str, list[str]] = {}
    for task in engine_of(flask_app).list_tasks(instance_id=instance_id):
        if task.bpmn_id == "assess_aspect" and task.lane == "vakspecialist":
            assert task.group, f"aspect task {task.id} has no team"
            assert task.group == task.properties["context_values"]["aspect"]["team"]
            teams.setdefault(task.group, []).append(task.id)
    return teams


def test_a_vakspecialist_sees_and_takes_only_the_assessments_of_their_own_teams(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _ = app
    by_team = _case_in_assessment(app)
    assert {"BELEID", "FONDSBEHEER"} <= set(by_team), by_team
    [ours] = by_team["BELEID"]
    theirs = by_team["FONDSBEHEER"][0]

    vince = logged_in(flask_app, "vince", "vakspecialist", teams=("BELEID",))
    team_page = vince.get("/taken/team").text
    assert task_ids(team_page) == [ours]
    assert '<span class="count">1</span>' in team_page  # the Team count is his team's too

    # Another team's assessment, by guessing its URL: refused on every route, nothing changes.
    token = {"csrf_token": csrf_token(vince)}
    valid = {"verdict": "POSITIEF", "conditions": ""}
    attempts = {
        "open": vince.get(f"/taken/{theirs}"),
        "claim": vince.post(f"/taken/{theirs}/oppakken", data=token),
        "draft": vince.post(f"/taken/{theirs}", data={"action": "draft", **valid, **token}),
        "complete": vince.post(f"/taken/{theirs}", data={"action": "complete", **valid, **token}),
    }
    opened = attempts.pop("open")  # he may read the case: the task read-only, with why
    assert opened.status_code == 200
    assert 'class="task-form"' not in opened.text
    assert "is voor team Fondsbeheer; daar bent u geen lid van" in opened.text
    assert {what: r.status_code for what, r in attempts.items()} == dict.fromkeys(attempts, 403)
    assert "is voor team Fondsbeheer; daar bent u geen lid van" in attempts["complete"].text
    task = engine_of(flask_app).get_task(theirs)
    assert (task.state, task.assignee) == ("open", None)

    # His own: open, claim and complete as usual.
    assert vince.get(f"/taken/{ours}").status_code == 200
    done = post(vince, f"/taken/{ours}", {"action": "complete", **valid})
    assert done.status_code == 302, done.text
    assert engine_of(flask_app).get_task(ours).completed_by == "vince"

    # Without a team, a vakspecialist sees none of the assessments, and the page says why.
    assert "geen lid van een aspectteam" not in team_page
    nobody = logged_in(flask_app, "nora", "vakspecialist")
    page = nobody.get("/taken/team")
    assert page.status_code == 200
    assert task_ids(page.text) == []
    assert "U bent nog geen lid van een aspectteam" in page.text


def test_a_team_lead_sees_every_team_and_can_give_an_assessment_to_a_colleague(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _ = app
    by_team = _case_in_assessment(app)
    every = sorted(t for tasks in by_team.values() for t in tasks)

    lead = logged_in(flask_app, "tara", "teamleider", "vakspecialist")
    assert sorted(task_ids(lead.get("/taken/team").text)) == every

    # Tara gives the FONDSBEHEER assessment to Vince of BELEID: it is his to do now.
    vince = logged_in(flask_app, "vince", "vakspecialist", teams=("BELEID",))
    theirs = by_team["FONDSBEHEER"][0]
    page = lead.get(f"/taken/{theirs}").text
    assert 'value="vince"' in page  # anyone in the lane can be given it
    moved = post(lead, f"/taken/{theirs}/toewijzen", {"to": "vince"})
    assert moved.status_code == 302
    assert theirs in task_ids(vince.get("/taken/mijn").text)
    assert theirs not in task_ids(vince.get("/taken/team").text)
    done = post(vince, f"/taken/{theirs}", {"action": "complete", "verdict": "POSITIEF"})
    assert done.status_code == 302, done.text

    with engine_of(flask_app).reading() as conn:
        kinds = Counter(
            dict(
                conn.execute(
                    select(event.c.type, func.count())
                    .where(event.c.task_id == theirs)
                    .group_by(event.c.type)
                ).all()
            )
        )
    assert kinds["task_reassigned"] == 1
    assert kinds["task_completed"] == 1


def _two_cases_in_assessment(app: tuple[Flask, ManualClock]) -> tuple[Flask, Engine]:
    """Cases 4 and 6 brought to their aspect assessments (tasks for several aspect teams)."""
    flask_app, clock = app
    for number in (4, 6):
        to_assessment(flask_app, clock, start_complex(flask_app, number))
    return flask_app, engine_of(flask_app)


def test_the_worklist_use_case_scopes_the_team_queue_and_its_count(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, engine = _two_cases_in_assessment(app)
    groups = Counter(t.group for t in engine.list_tasks(lanes=["vakspecialist"]))
    logged_in(flask_app, "mira", "vakspecialist", teams=("FONDSBEHEER", "BELEID"))
    mira = get_user(engine, "mira")
    assert mira is not None
    view = worklist.worklist(engine, mira, "team")
    assert {item.group for item in view.page.items} == {"FONDSBEHEER", "BELEID"}
    assert view.counts.team == len(view.page.items) == groups["FONDSBEHEER"] + groups["BELEID"]
    everyone = sorted(groups.elements(), key=str)
    assert len(everyone) > view.counts.team  # the other teams' tasks are there, not hers

    logged_in(flask_app, "otto", "vakspecialist", teams=ASPECT_TEAMS)
    otto = get_user(engine, "otto")
    assert otto is not None
    assert worklist.worklist(engine, otto, "team").counts.team == len(everyone)


def test_both_tabs_and_every_page_show_the_same_counts_with_rows_or_without(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, engine = _two_cases_in_assessment(app)
    logged_in(flask_app, "otto", "vakspecialist", teams=ASPECT_TEAMS)
    otto = get_user(engine, "otto")
    assert otto is not None
    team = worklist.worklist(engine, otto, "team")
    mine = worklist.worklist(engine, otto, "mine")
    assert mine.page.items == ()  # nothing assigned yet: these counts come without rows
    assert team.counts == mine.counts
    assert team.counts.mine == 0
    assert team.counts.team == len(team.page.items) > 1
    assert worklist.worklist(engine, otto, "team", page=2).counts == team.counts  # no rows

    engine.claim_task(team.page.items[0].task_id, "otto")
    mine = worklist.worklist(engine, otto, "mine")
    team = worklist.worklist(engine, otto, "team")
    assert [item.task_id for item in mine.page.items] == [team.page.items[0].task_id]
    assert mine.counts == team.counts
    assert mine.counts.mine == 1
    assert team.counts.team == len(team.page.items)


def test_the_team_queue_is_one_list_oldest_first_across_lanes_and_teams(
    app: tuple[Flask, ManualClock],
) -> None:
    """The queue is read per (lane, no team) and (lane, team) part, each part cut at the page's
    end, and merged: the merged pages are the same list, in the same order, as filtering all
    open tasks by the team rule (more tasks without a team than fit on a page)."""
    flask_app, clock = app
    engine = engine_of(flask_app)
    for number in (4, 6):
        to_assessment(flask_app, clock, start_complex(flask_app, number))
        for extra in range(24):  # intakes without a team, before and after the aspects
            clock.advance(timedelta(minutes=10))
            start_complex(flask_app, 100 + number * 20 + extra)
    roles = frozenset({"initiatieventeam", "vakspecialist"})
    teams = frozenset({"FONDSBEHEER", "BELEID"})
    logged_in(flask_app, "mira", *sorted(roles), teams=tuple(teams))
    mira = get_user(engine, "mira")
    assert mira is not None
    open_tasks = engine.list_tasks(lanes=sorted(roles))
    expected = [t.id for t in open_tasks if may_act(roles, teams, t.lane, t.group)]
    assert len({t.group for t in open_tasks}) > 2  # no team, her teams, other teams
    size = worklist.WORKLIST_PAGE_SIZE
    assert sum(t.group is None for t in open_tasks) > size + 1  # the part is cut at the end
    first = worklist.worklist(engine, mira, "team")
    second = worklist.worklist(engine, mira, "team", page=2)
    assert [item.task_id for item in first.page.items] == expected[:size]
    assert [item.task_id for item in second.page.items] == expected[size : 2 * size]
    assert first.page.has_next


def _row(page: str, task_id: str) -> str:
    found = re.search(rf'<tr[^>]*data-task-id="{task_id}">.*?</tr>', page, re.S)
    assert found, f"no row for task {task_id}"
    return found.group(0)


def test_a_row_shows_each_viewer_the_task_as_it_now_is_in_their_language(
    app: tuple[Flask, ManualClock],
) -> None:
    """A claim, another viewer, another language or another day shows the row as it now is."""
    flask_app, clock = app
    [ours] = _case_in_assessment(app)["BELEID"]
    vince = logged_in(flask_app, "vince", "vakspecialist", teams=("BELEID",))
    wendy = logged_in(flask_app, "wendy", "vakspecialist", teams=("BELEID",))
    first = _row(vince.get("/taken/team").text, ours)
    assert "Oppakken" in first
    assert "nog niemand" in first
    assert "vandaag" in first
    assert re.search(r'<span class="muted">[^<]+ \(team Beleid\)</span>', first)  # the aspect
    assert _row(wendy.get("/taken/team").text, ours) == first  # the same row for her

    assert post(vince, f"/taken/{ours}/oppakken").status_code == 302
    his = _row(vince.get("/taken/team").text, ours)
    hers = _row(wendy.get("/taken/team").text, ours)
    assert "Terugleggen" in his
    assert "Oppakken" not in his
    assert "nog niemand" not in his
    assert "<button" not in hers
    assert "nog niemand" not in hers
    # on "Mijn taken" the same row without the "Wie" cell (it would be his own name)
    without_who = re.sub(r'\s*<td data-label="Wie">[^<]*</td>', "", his, count=1)
    assert without_who != his
    assert _row(vince.get("/taken/mijn").text, ours) == without_who.replace(
        "?van=team", "?van=mine"
    )

    assert post(wendy, "/taal", {"lang": "en", "next": "/taken/team"}).status_code == 302
    english = _row(wendy.get("/taken/team").text, ours)
    assert "today" in english
    assert "vandaag" not in english
    assert "Oppakken" not in _row(wendy.get("/taken/team").text, ours)
    assert "vandaag" in _row(vince.get("/taken/team").text, ours)  # his session stays Dutch

    clock.advance(timedelta(days=3))
    assert "3 dagen" in _row(vince.get("/taken/team").text, ours)


def test_mijn_taken_leaves_out_who_holds_the_task_and_team_shows_it(
    app: tuple[Flask, ManualClock],
) -> None:
    """On "Mijn taken" every task is the reader's own, so the "Wie" column would repeat their
    name on every row (and every card on a phone); on "Team" it says who has taken a task. The
    tabs are the worklist's two; "Alle initiatieven" is in the menu."""
    flask_app, _ = _two_cases_in_assessment(app)
    client = logged_in(flask_app, "otto", "vakspecialist", teams=ASPECT_TEAMS)
    team_page = client.get("/taken/team").text
    [first, *_] = task_ids(team_page)
    assert post(client, f"/taken/{first}/oppakken").status_code == 302
    mine_page = client.get("/taken/mijn").text
    assert task_ids(mine_page) == [first]
    assert ">Wie</th>" not in mine_page
    assert 'data-label="Wie"' not in mine_page
    team_page = client.get("/taken/team").text
    assert ">Wie</th>" in team_page
    assert re.search(r'data-label="Wie">[^<]*Otto', team_page)  # who took the first one
    tabs = re.search(r'<nav class="tabs".*?</nav>', mine_page, re.S)
    assert tabs is not None
    assert re.findall(r"<a href=\"([^\"]+)\"", tabs.group(0)) == ["/taken/mijn", "/taken/team"]


def test_mijn_initiatieven_leaves_out_the_casist_and_alle_initiatieven_shows_it(
    app: tuple[Flask, ManualClock],
) -> None:
    """On "Mijn initiatieven" the reader is the casist of every row, so a "Casist" column (and
    its filter) would repeat their own name; "Alle initiatieven" says whose case it is."""
    flask_app, clock = app
    client = logged_in(flask_app, "carla", "casist")
    to_assessment(flask_app, clock, start_complex(flask_app, 4), casist="carla")
    mine = client.get("/initiatieven/mijn").text
    assert "INI-" in mine  # the case is listed
    assert ">Casist</th>" not in mine
    assert 'data-label="Casist"' not in mine
    assert 'name="casist"' not in mine
    everyone = logged_in(flask_app, "max", "manager").get("/initiatieven").text
    assert ">Casist</th>" in everyone
    assert 'data-label="Casist">' in everyone


def test_in_english_the_list_of_initiatives_names_routes_phases_and_statuses_in_english(
    app: tuple[Flask, ManualClock],
) -> None:
    """The words that come from the processes (route, phase, status, the filters' choices)
    were Dutch in the English list ("Lopend" beside the filter's "Running")."""
    flask_app, clock = app
    to_assessment(flask_app, clock, start_complex(flask_app, 4))
    client = logged_in(flask_app, "max", "manager")
    english = client.get("/initiatieven", headers={"Accept-Language": "en"}).text
    row = re.search(r"<tbody>.*?</tbody>", english, re.S)
    assert row is not None
    for word in ("Complex initiative", "Assessment", "Running"):
        assert word in row.group(0), word
    for word in ("Complex initiatief", "Beoordeling", "Lopend"):
        assert word not in english, word
    case = re.search(r'href="/initiatieven/(\d+)"', english)
    assert case is not None
    page = client.get(f"/initiatieven/{case.group(1)}", headers={"Accept-Language": "en"}).text
    subtitle = re.search(r'<p class="subtitle">.*?</p>', page, re.S)
    assert subtitle is not None
    assert "Complex initiative" in subtitle.group(0)
    assert "Assessment" in subtitle.group(0)
    assert "Getting acquainted" in page  # the phases' timeline
    dutch = client.get("/initiatieven", headers={"Accept-Language": "nl"}).text
    assert "Lopend" in dutch
    assert "Beoordeling" in dutch
