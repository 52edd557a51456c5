"""`wegwijs complete`, `claim` and `release` take the same path as the web pages, so they
refuse what the web refuses, with the same Dutch message."""

from __future__ import annotations

import html
from pathlib import Path

from flask import Flask

from engine import ManualClock
from tests.conftest import FIXTURES
from tests.integration.test_cli import Cli
from tests.webapp import add_user, engine_of, intake_for_two, login, post
from workflows import forms


def test_missing_required_fields_are_refused_by_the_cli_with_the_web_pages_messages(
    app: tuple[Flask, ManualClock], database_url: str, tmp_path: Path
) -> None:
    flask_app, _clock = app
    task_id, ines, _ivo = intake_for_two(flask_app, 1)
    schema = engine_of(flask_app).task_form(task_id)
    assert schema is not None
    expected = [e.message for e in forms.validate(schema, {}).errors]
    assert expected  # the intake form has required fields

    web = post(ines, f"/taken/{task_id}", {"action": "complete"})
    assert web.status_code == 422
    cli = Cli(database_url, tmp_path).run(
        "complete", task_id, "--user", "ines", "--data", "{}", ok=False
    )
    for message in expected:
        assert message in html.unescape(web.text)
        assert message in cli.stderr
    assert engine_of(flask_app).get_task(task_id).state == "open"  # nothing was completed


def test_a_task_of_another_lane_is_refused_by_the_cli_with_the_web_pages_message(
    app: tuple[Flask, ManualClock], database_url: str, tmp_path: Path
) -> None:
    flask_app, _clock = app
    task_id, _ines, _ivo = intake_for_two(flask_app, 2)
    add_user(flask_app, "victor", "vakspecialist")
    message = "hoort bij de rol 'Initiatieventeam'; die rol heeft u niet."

    client = flask_app.test_client()
    login(client, "victor")
    seen = client.get(f"/taken/{task_id}")  # he may read the case: read-only, saying why
    assert seen.status_code == 200
    assert message in html.unescape(seen.text)
    web = post(client, f"/taken/{task_id}", {"action": "complete"})
    assert web.status_code == 403
    assert message in html.unescape(web.text)
    cli = Cli(database_url, tmp_path).run(
        "complete", task_id, "--user", "victor", "--data", "{}", ok=False
    )
    assert message in cli.stderr


def test_someone_elses_task_is_refused_by_the_cli_with_the_web_pages_message(
    app: tuple[Flask, ManualClock], database_url: str, tmp_path: Path
) -> None:
    flask_app, _clock = app
    task_id, _ines, ivo = intake_for_two(flask_app, 3)
    cli = Cli(database_url, tmp_path)
    assert "is nu van Ines" in cli.run("claim", task_id, "--user", "ines").stdout
    message = "is intussen toegewezen aan ines; uw invoer is niet verwerkt."

    web = post(ivo, f"/taken/{task_id}", {"action": "complete"})
    assert web.status_code == 409
    assert message in html.unescape(web.text)
    refused = cli.run("complete", task_id, "--user", "ivo", "--data", "{}", ok=False)
    assert message in refused.stderr
    # and only the holder (or a team lead) may put it back
    assert "alleen die persoon" in cli.run("release", task_id, "--user", "ivo", ok=False).stderr
    assert "teruggelegd" in cli.run("release", task_id, "--user", "ines").stdout


def test_a_cli_user_must_have_an_account(database_url: str, tmp_path: Path) -> None:
    cli = Cli(database_url, tmp_path)
    refused = cli.run(
        "complete", "00000000-0000-0000-0000-000000000000", "--user", "niemand", ok=False
    )
    assert "Gebruiker 'niemand' bestaat niet" in refused.stderr


def test_data_that_is_not_plain_json_is_refused_with_one_clear_dutch_line(
    database_url: str, tmp_path: Path
) -> None:
    """`--data` refuses NaN, Infinity, 1e999, a 5,000-digit number and absurd nesting before
    anything is stored: exit code 2 (a wrong option), one Dutch line, no traceback."""
    cli = Cli(database_url, tmp_path)
    cli.run("db", "upgrade")
    cli.run("deploy", str(FIXTURES / "tiny"))
    cases = {
        '{"amount": NaN}': "'NaN' is geen getal",
        '{"amount": Infinity}': "'Infinity' is geen getal",
        '{"amount": 1e999}': "'1e999' is geen getal",
        '{"amount": ' + "9" * 5000 + "}": "te lang",
        '{"a": ' + "[" * 50 + "]" * 50 + "}": "te diep genest",
        '{"a": ' + "[" * 5000 + "]" * 5000 + "}": "te diep genest",
    }
    for data, expected in cases.items():
        refused = cli.run("start", "tiny_process", "--data", data, ok=False)
        assert expected in refused.stderr, (data[:40], refused.stderr)
        assert refused.returncode == 2
    assert cli.json("instances") == []  # nothing was started
