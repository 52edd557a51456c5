"""How many statements the hot requests run, stated: a change that adds one fails here.

Counted from the moment the request arrives, with the case's workflow and spec as a person's
earlier page view left them (cached): completing a task over HTTP is one write transaction
that reads the task's row once (the lock read; PostgreSQL locks the case row first).
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from engine import ManualClock
from tests.conftest import count_statements
from tests.webapp import csrf_token, engine_of, intake_for_two

#: loading the session's user: the account with its roles and teams, one statement
USER = 1


def _postgres(app: Flask) -> bool:
    return engine_of(app).db.dialect.name == "postgresql"


def test_completing_a_task_over_http_runs_one_transaction_reading_the_task_once(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    task_id, ines, _ivo = intake_for_two(flask_app, 1)
    ines.get(f"/taken/{task_id}")  # the task page, as a person opens it first
    token = csrf_token(ines, f"/taken/{task_id}")
    form = {"action": "complete", "intake_date": "05-03-2026", "intake_location": "Stadskantoor"}
    with count_statements(engine_of(flask_app)) as seen:
        done = ines.post(f"/taken/{task_id}", data={**form, "csrf_token": token})
    assert done.status_code == 302, done.text
    work = seen[USER:]
    expected = [
        "SELECT",  # the lock read: the task, its case and the case's open tasks
        "UPDATE human_task",  # completed, and claimed by the same statement
        "UPDATE process_instance",  # the new state
        "INSERT INTO human_task",  # the next task
        "INSERT INTO event",  # task claimed, completed, created: one batch
        "SELECT",  # the reports' rollups: the case's closed, uncounted and initiator tasks
        "INSERT INTO report_task",  # the task that closed, with its norm verdict
        "DELETE FROM task_draft",  # drafts of tasks that closed
        "SELECT",  # the read model's row: only what changed is written (its indexes)
        "UPDATE initiative",  # the read model
    ]
    if _postgres(flask_app):
        expected.insert(1, "SELECT")  # the case row is locked first, then its open tasks read
    assert [
        s.split(" SET")[0].split(" (")[0][: len(e)] for s, e in zip(work, expected, strict=True)
    ] == expected
    assert not [s for s in work if "SAVEPOINT" in s]
    # the step changed none of the read model's indexed columns: they are not in the SET list
    [kept] = [s for s in work if s.startswith("UPDATE initiative")]
    assigned = kept.split(" WHERE")[0]
    assert "wijk" not in assigned
    assert "outcome" not in assigned
    # (the rollups' read takes the closed tasks' titles for the report, not the task to complete)
    reads_of_the_task = [
        s
        for s in work
        if s.startswith("SELECT") and "human_task.title" in s and "report_task" not in s
    ]
    assert len(reads_of_the_task) == 1


def test_claiming_a_task_is_a_read_an_update_and_an_event(app: tuple[Flask, ManualClock]) -> None:
    flask_app, _clock = app
    task_id, ines, _ivo = intake_for_two(flask_app, 2)
    token = csrf_token(ines, "/taken/team")
    with count_statements(engine_of(flask_app)) as seen:
        done = ines.post(f"/taken/{task_id}/oppakken", data={"csrf_token": token, "next": "team"})
    assert done.status_code == 302
    assert [s.split(" ")[0] + " " + s.split(" ")[1] for s in seen[USER:]] == [
        "SELECT human_task.id,",  # the task row (with its case's zaaknummer)
        "UPDATE human_task",  # only if nobody changed it meanwhile
        "INSERT INTO",  # the event
    ]


def _page(client: FlaskClient, url: str, app: Flask) -> list[str]:
    with count_statements(engine_of(app)) as seen:
        page = client.get(url)
    assert page.status_code == 200
    return seen


def test_each_worklist_page_is_one_statement_after_the_user(app: tuple[Flask, ManualClock]) -> None:
    """The page's rows carry both tabs' counts; only an empty page asks for the counts alone."""
    flask_app, _clock = app
    task_id, ines, _ivo = intake_for_two(flask_app, 3)
    team = _page(ines, "/taken/team", flask_app)
    assert len(team) == USER + 1, team
    empty = _page(ines, "/taken/mijn", flask_app)
    assert len(empty) == USER + 2, empty  # no rows: the counts on their own
    token = csrf_token(ines, "/taken/team")
    ines.post(f"/taken/{task_id}/oppakken", data={"csrf_token": token, "next": "team"})
    mine = _page(ines, "/taken/mijn", flask_app)
    assert len(mine) == USER + 1, mine
