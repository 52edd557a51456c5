"""Logging in and out, the session, the protections every page carries, and the `wegwijs users`
commands that make the accounts — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine import Engine, ManualClock
from tests.webapp import (
    PASSWORD,
    add_user,
    csrf_token,
    engine_of,
    logged_in,
    login,
    post,
    start_complex,
    to_assessment,
)
from webui.cli import cli, main
from webui.cli import users as cli_users
from workflows import accounts, bootstrap
from workflows.tables import login_attempt, note

WRONG = "Gebruikersnaam of wachtwoord klopt niet."
LOCKED = "Te veel mislukte inlogpogingen"
#: a redirect target a browser would take off this site (a scheme, `//` or `/\\`)
OFF_SITE = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|[/\\]\s*[/\\])", re.IGNORECASE)
ERROR_TEXT = re.compile(r'<div class="error-summary"[^>]*>.*?<p>(.*?)</p>', re.DOTALL)


pytestmark = pytest.mark.usefixtures("quick_password_hashing")


def login_error(html: str) -> str:
    found = ERROR_TEXT.search(html)
    assert found, "the login page shows no error"
    return found.group(1).strip()


def logged_in_as(client: FlaskClient) -> str | None:
    """The username of the session's login (its id is `username|session key`)."""
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    return str(user_id).partition("|")[0] if user_id else None


# ---------------------------------------------------------------- logging in


def test_a_wrong_password_gives_401_a_dutch_message_and_no_session(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    add_user(flask_app, "carla", "casist")
    client = flask_app.test_client()
    refused = login(client, "carla", "niet-het-wachtwoord")
    assert refused.status_code == 401
    assert login_error(refused.text) == WRONG
    assert 'value="carla"' in refused.text  # the name is kept, the password is not
    assert "niet-het-wachtwoord" not in refused.text
    assert logged_in_as(client) is None
    still_out = client.get("/taken/mijn")
    assert still_out.status_code == 302
    assert urlsplit(still_out.headers["Location"]).path == "/inloggen"


def test_five_wrong_passwords_lock_the_account_until_the_lock_has_passed(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, clock = app
    add_user(flask_app, "carla", "casist")
    client = flask_app.test_client()
    for _ in range(accounts.MAX_FAILURES):
        attempt = login(client, "carla", "fout-wachtwoord")
        assert attempt.status_code == 401
        assert login_error(attempt.text) == WRONG

    locked = login(client, "carla")  # even the right password
    assert locked.status_code == 401
    assert LOCKED in login_error(locked.text)
    assert logged_in_as(client) is None

    clock.advance(accounts.FIRST_LOCK - timedelta(seconds=5))
    assert LOCKED in login_error(login(client, "carla").text)

    clock.advance(timedelta(seconds=6))
    assert login(client, "carla").status_code == 302
    assert logged_in_as(client) == "carla"

    # a good login resets the count: one slip afterwards does not lock again
    other = flask_app.test_client()
    assert login_error(login(other, "carla", "fout-wachtwoord").text) == WRONG
    assert login(other, "carla").status_code == 302


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    add_user(flask_app, "carla", "casist")
    wrong_password = login(flask_app.test_client(), "carla", "fout-wachtwoord")
    unknown_user = login(flask_app.test_client(), "caria", "fout-wachtwoord")
    assert unknown_user.status_code == wrong_password.status_code == 401
    assert login_error(unknown_user.text) == login_error(wrong_password.text) == WRONG


def test_an_empty_login_form_asks_for_both_fields(app: tuple[Flask, ManualClock]) -> None:
    flask_app, _clock = app
    empty = login(flask_app.test_client(), "", "")
    assert empty.status_code == 401
    assert login_error(empty.text) == "Vul uw gebruikersnaam en wachtwoord in."


def test_a_post_without_csrf_token_is_refused_with_the_dutch_expired_form_page(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    add_user(flask_app, "carla", "casist")
    anonymous = flask_app.test_client()
    anonymous.get("/inloggen")
    no_token = anonymous.post("/inloggen", data={"username": "carla", "password": PASSWORD})
    assert no_token.status_code == 400
    assert "Formulier verlopen" in no_token.text
    assert "uw invoer is niet verwerkt" in no_token.text
    assert logged_in_as(anonymous) is None

    client = flask_app.test_client()
    assert login(client, "carla").status_code == 302
    for data in ({"body": "Zonder token"}, {"body": "Vals token", "csrf_token": "vervalst"}):
        refused = client.post(f"/initiatieven/{instance_id}/notities", data=data)
        assert refused.status_code == 400
        assert "Formulier verlopen" in refused.text
    with engine_of(flask_app).reading() as conn:
        assert conn.execute(select(func.count()).select_from(note)).scalar_one() == 0


def test_a_csrf_token_from_before_logout_is_refused_after_the_next_login(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    instance_id = start_complex(flask_app, 1)
    add_user(flask_app, "carla", "casist")
    client = flask_app.test_client()
    assert login(client, "carla").status_code == 302
    first = csrf_token(client, "/taken/mijn")
    notes = f"/initiatieven/{instance_id}/notities"
    kept = client.post(notes, data={"body": "Met het bewaarde token", "csrf_token": first})
    assert kept.status_code == 302
    assert post(client, "/uitloggen").status_code == 302
    assert login(client, "carla").status_code == 302
    second = csrf_token(client, "/taken/mijn")
    assert second != first  # the session was cleared at logout: a new token, signed anew
    stale = client.post(notes, data={"body": "Met het oude token", "csrf_token": first})
    assert stale.status_code == 400
    with engine_of(flask_app).reading() as conn:
        assert conn.execute(select(func.count()).select_from(note)).scalar_one() == 1


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "https:/evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
    ],
)
def test_login_with_an_off_site_next_lands_on_the_worklist(
    app: tuple[Flask, ManualClock], target: str
) -> None:
    flask_app, _clock = app
    add_user(flask_app, "carla", "casist")
    client = flask_app.test_client()
    token = csrf_token(client, "/inloggen")
    done = client.post(
        f"/inloggen?next={quote(target, safe='')}",
        data={"username": "carla", "password": PASSWORD, "csrf_token": token},
    )
    assert done.status_code == 302
    assert done.headers["Location"] == "/"  # the worklist


def test_login_with_a_backslash_next_stays_on_site(app: tuple[Flask, ManualClock]) -> None:
    """Browsers read `/\\host` as `//host`; the redirect must not hand them that."""
    flask_app, _clock = app
    add_user(flask_app, "carla", "casist")
    client = flask_app.test_client()
    token = csrf_token(client, "/inloggen")
    done = client.post(
        "/inloggen?next=%2F%5Cevil.example",
        data={"username": "carla", "password": PASSWORD, "csrf_token": token},
    )
    assert done.status_code == 302
    location = done.headers["Location"]
    assert not urlsplit(location).netloc
    assert not OFF_SITE.match(location), location
    assert location == "/"  # refused outright, not merely escaped


def test_login_follows_a_local_next_and_the_language_switch_stays_on_site(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    add_user(flask_app, "carla", "casist")
    client = flask_app.test_client()
    token = csrf_token(client, "/inloggen")
    done = client.post(
        "/inloggen?next=%2Ftaken%2Fteam",
        data={"username": "carla", "password": PASSWORD, "csrf_token": token},
    )
    assert done.headers["Location"] == "/taken/team"
    switched = post(client, "/taal", {"lang": "en", "next": "https://evil.example/"})
    assert switched.headers["Location"] == "/"
    assert "My tasks" in client.get("/taken/mijn").text
    back = post(client, "/taal", {"lang": "nl", "next": "/taken/team"})
    assert back.headers["Location"] == "/taken/team"


def test_logout_is_post_only_and_clears_the_session(app: tuple[Flask, ManualClock]) -> None:
    flask_app, _clock = app
    client = logged_in(flask_app, "carla", "casist")
    by_link = client.get("/uitloggen")
    assert by_link.status_code == 405
    assert "Dit kan zo niet" in by_link.text
    assert client.get("/taken/mijn").status_code == 200  # still logged in

    out = post(client, "/uitloggen")
    assert out.status_code == 302
    assert urlsplit(out.headers["Location"]).path == "/inloggen"
    assert logged_in_as(client) is None
    after = client.get("/taken/mijn")
    assert after.status_code == 302
    assert urlsplit(after.headers["Location"]).path == "/inloggen"
    assert "U bent uitgelogd, ook op uw andere apparaten." in client.get("/inloggen").text


def test_the_session_cookie_is_httponly_and_samesite_lax(app: tuple[Flask, ManualClock]) -> None:
    flask_app, _clock = app
    add_user(flask_app, "carla", "casist")
    client = flask_app.test_client()
    done = login(client, "carla")
    [cookie] = [c for c in done.headers.getlist("Set-Cookie") if c.startswith("session=")]
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "httponly" in attributes
    assert attributes["samesite"].strip() == "SameSite=Lax"


@pytest.mark.parametrize("who", ["anonymous", "casist"])
def test_every_kind_of_page_carries_the_security_headers(
    app: tuple[Flask, ManualClock], who: str
) -> None:
    flask_app, _clock = app
    add_user(flask_app, "carla", "casist")
    client = flask_app.test_client()
    if who == "casist":
        login(client, "carla")
    for url in ("/inloggen", "/taken/mijn", "/initiatieven", "/bestaat-niet", "/healthz"):
        page = client.get(url)
        csp = page.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp, url
        assert "frame-ancestors 'none'" in csp, url
        assert "script-src 'self'" in csp, url
        assert page.headers.get("X-Frame-Options") == "DENY", url
        assert page.headers.get("X-Content-Type-Options") == "nosniff", url


@pytest.mark.parametrize("url", ["/bestaat-niet", "/taken/mijn/extra", "/initiatieven/abc"])
def test_an_unknown_url_gives_a_dutch_404_page_without_a_traceback(
    app: tuple[Flask, ManualClock], url: str
) -> None:
    flask_app, _clock = app
    client = logged_in(flask_app, "carla", "casist")
    page = client.get(url)
    assert page.status_code == 404
    assert '<html lang="nl">' in page.text
    assert "Pagina niet gevonden" in page.text
    assert "Traceback" not in page.text
    assert "werkzeug" not in page.text.lower()


def _copy_of(flask_app: Flask, client: FlaskClient) -> FlaskClient:
    """A second browser holding the same session cookie (as a captured cookie would be)."""
    copy = flask_app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    copy.set_cookie("session", cookie.value)
    return copy


def _another_login(flask_app: Flask, username: str) -> FlaskClient:
    client = flask_app.test_client()
    assert login(client, username).status_code == 302
    return client


def _refused(client: FlaskClient) -> bool:
    page = client.get("/taken/mijn")
    return page.status_code == 302 and urlsplit(page.headers["Location"]).path == "/inloggen"


def test_a_session_cookie_captured_before_logout_is_refused_after_it(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    client = logged_in(flask_app, "carla", "casist")
    captured = _copy_of(flask_app, client)
    assert captured.get("/taken/mijn").status_code == 200  # the copy works while logged in
    other_device = _another_login(flask_app, "carla")  # a second login of the same user

    assert post(client, "/uitloggen").status_code == 302
    assert _refused(captured)
    assert _refused(other_device)
    again = _another_login(flask_app, "carla")  # logging in afresh works
    assert again.get("/taken/mijn").status_code == 200


def test_log_out_everywhere_and_disabling_a_user_end_their_sessions_at_once(
    app: tuple[Flask, ManualClock], users_cli: CliRunner
) -> None:
    flask_app, _clock = app
    first = logged_in(flask_app, "carla", "casist")
    second = _another_login(flask_app, "carla")
    bystander = logged_in(flask_app, "bert", "casist")
    assert "Alle sessies van carla zijn beëindigd." in run(users_cli, "users", "logout", "carla")
    assert _refused(first)
    assert _refused(second)
    assert bystander.get("/taken/mijn").status_code == 200  # other users keep theirs

    third = _another_login(flask_app, "carla")
    assert "uitgeschakeld" in run(users_cli, "users", "disable", "carla")
    assert _refused(third)
    assert not can_log_in(flask_app, "carla", PASSWORD)
    assert "kan weer inloggen" in run(users_cli, "users", "enable", "carla")
    assert can_log_in(flask_app, "carla", PASSWORD)


@pytest.mark.parametrize(
    ("lifetime", "steps"),
    [
        ("idle", [(59 * 60, 200), (120 * 60, 302)]),
        ("absolute", [(50 * 60, 200)] * 9 + [(50 * 60, 302)]),
    ],
)
def test_a_session_ends_after_its_idle_or_absolute_lifetime(
    app: tuple[Flask, ManualClock], monkeypatch: pytest.MonkeyPatch, lifetime: str, steps: Any
) -> None:
    """Defaults: 60 minutes unused, 8 hours after login (WEGWIJS_SESSION_IDLE_MINUTES,
    WEGWIJS_SESSION_HOURS). Idle: a request 59 minutes later still works, two hours later
    not. Absolute: a request every 50 minutes keeps it alive until 8 hours have passed."""
    from webui import auth as web_auth

    flask_app, _clock = app
    now = [1_800_000_000]
    monkeypatch.setattr(web_auth, "now_seconds", lambda: now[0])
    client = logged_in(flask_app, "carla", "casist")
    for wait, status in steps:
        now[0] += wait
        page = client.get("/taken/mijn")
        assert page.status_code == status, (lifetime, now[0] - 1_800_000_000)
    assert urlsplit(page.headers["Location"]).path == "/inloggen"
    assert "Uw sessie is verlopen" in client.get("/inloggen").text


def test_a_post_from_a_foreign_origin_is_refused_before_any_work(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    client = logged_in(flask_app, "carla", "casist")
    token = csrf_token(client, "/taken/mijn")
    foreign = client.post(
        "/uitloggen", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert "andere website" in foreign.text
    assert client.get("/taken/mijn").status_code == 200  # not logged out
    own = client.post(
        "/uitloggen", data={"csrf_token": token}, headers={"Origin": "http://localhost"}
    )
    assert own.status_code == 302


@pytest.mark.parametrize("secure", [False, True])
def test_healthz_sets_no_cookie_and_pages_carry_permissions_policy_and_hsts_when_secure(
    app: tuple[Flask, ManualClock], secure: bool
) -> None:
    flask_app, _clock = app
    flask_app.config["SESSION_COOKIE_SECURE"] = secure  # as WEGWIJS_SECURE_COOKIES=1 sets it
    add_user(flask_app, "carla", "casist")
    client = flask_app.test_client()
    assert client.get("/healthz").headers.getlist("Set-Cookie") == []
    login(client, "carla")
    assert client.get("/healthz").headers.getlist("Set-Cookie") == []
    page = client.get("/taken/mijn")
    assert "camera=()" in page.headers["Permissions-Policy"]
    assert ("Strict-Transport-Security" in page.headers) is secure


# ---------------------------------------------------------------- wegwijs users …


@pytest.fixture
def users_cli(
    app: tuple[Flask, ManualClock], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    """The CLI on the app's database; the engines it opens are closed after the test."""
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", database_url)
    monkeypatch.delenv("WEGWIJS_DEBUG", raising=False)
    opened: list[Engine] = []
    real = cli_users.engine

    def tracked() -> Any:
        engine = real()
        opened.append(engine)
        return engine

    monkeypatch.setattr(cli_users, "engine", tracked)
    yield CliRunner()
    for engine in opened:
        engine.dispose()


def run(runner: CliRunner, *args: str, **kwargs: Any) -> str:
    result = runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)
    assert result.exit_code == 0, result.output
    return result.output


def fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `wegwijs ARGS` as the console script does; return its error (exit code must be 1)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    assert stopped.value.code == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return captured.err


def can_log_in(flask_app: Flask, username: str, password: str) -> bool:
    return login(flask_app.test_client(), username, password).status_code == 302


def test_users_add_with_a_password_makes_an_account_that_can_log_in(
    app: tuple[Flask, ManualClock], users_cli: CliRunner
) -> None:
    flask_app, _clock = app
    out = run(
        users_cli,
        "users",
        "add",
        "Nina",
        "--roles",
        "casist, vakspecialist",
        "--password",
        "lang-genoeg-wachtwoord",
        "--name",
        "Nina de Vries",
    )
    assert "Gebruiker nina aangemaakt met rollen: casist, vakspecialist." in out
    assert "Wachtwoord:" not in out  # a given password is never echoed
    user = accounts.get_user(engine_of(flask_app), "nina")
    assert user is not None
    assert (user.display_name, user.roles) == ("Nina de Vries", {"casist", "vakspecialist"})
    assert can_log_in(flask_app, "nina", "lang-genoeg-wachtwoord")
    assert not can_log_in(flask_app, "nina", "iets-anders-dan-dat")


def test_users_add_without_a_password_prints_a_generated_one_that_works(
    app: tuple[Flask, ManualClock], users_cli: CliRunner
) -> None:
    flask_app, _clock = app
    out = run(users_cli, "users", "add", "otto", "--roles", "manager")
    found = re.search(r"^Wachtwoord: (\S+)$", out, re.MULTILINE)
    assert found, out
    generated = found.group(1)
    assert len(generated) >= accounts.MIN_PASSWORD_LENGTH
    assert can_log_in(flask_app, "otto", generated)
    again = run(users_cli, "users", "add", "olga", "--roles", "manager")
    assert generated not in again  # a new one each time


def test_users_add_refuses_an_unknown_role_with_a_clear_message_and_exit_code_1(
    app: tuple[Flask, ManualClock], users_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    flask_app, _clock = app
    error = fails(
        capsys, "users", "add", "nina", "--roles", "casist,tovenaar", "--password", "x" * 12
    )
    assert "Onbekende rol(len): tovenaar" in error
    assert "Kies uit:" in error
    assert "casist" in error
    assert accounts.get_user(engine_of(flask_app), "nina") is None


def test_users_add_refuses_a_user_that_already_exists(
    app: tuple[Flask, ManualClock], users_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    flask_app, _clock = app
    run(users_cli, "users", "add", "nina", "--roles", "casist", "--password", "x" * 12)
    error = fails(capsys, "users", "add", "NINA", "--roles", "manager", "--password", "y" * 12)
    assert "Gebruiker 'nina' bestaat al" in error
    user = accounts.get_user(engine_of(flask_app), "nina")
    assert user is not None
    assert user.roles == {"casist"}  # untouched
    assert can_log_in(flask_app, "nina", "x" * 12)


def test_users_add_and_set_password_refuse_a_short_password(
    app: tuple[Flask, ManualClock], users_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    flask_app, _clock = app
    error = fails(capsys, "users", "add", "nina", "--roles", "casist", "--password", "kort")
    assert f"minstens {accounts.MIN_PASSWORD_LENGTH} tekens" in error
    assert accounts.get_user(engine_of(flask_app), "nina") is None
    run(users_cli, "users", "add", "nina", "--roles", "casist", "--password", "x" * 12)
    error = fails(capsys, "users", "set-password", "nina", "--password", "kort")
    assert f"minstens {accounts.MIN_PASSWORD_LENGTH} tekens" in error
    assert can_log_in(flask_app, "nina", "x" * 12)


def test_users_add_refuses_an_invalid_username(
    app: tuple[Flask, ManualClock], users_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    error = fails(capsys, "users", "add", "nina de vries", "--roles", "casist")
    assert "Gebruikersnaam 'nina de vries' is ongeldig" in error


def test_users_list_shows_every_user_with_their_roles_and_teams(
    app: tuple[Flask, ManualClock], users_cli: CliRunner
) -> None:
    out = run(
        users_cli,
        "users",
        "add",
        "nina",
        "--roles",
        "vakspecialist,casist",
        "--teams",
        " STADSBEHEER, BELEID,,",
        "--password",
        "x" * 12,
    )
    assert "Teams: BELEID, STADSBEHEER." in out
    run(users_cli, "users", "add", "otto", "--roles", "manager", "--password", "x" * 12)
    table = run(users_cli, "users", "list").splitlines()
    assert table[0].split() == ["gebruiker", "naam", "rollen", "teams", "actief"]
    rows = {line.split()[0]: line for line in table[2:]}
    assert set(rows) == {"nina", "otto"}
    assert "casist, vakspecialist" in rows["nina"]
    assert "BELEID, STADSBEHEER" in rows["nina"]
    assert rows["otto"].split()[-3:] == ["manager", "–", "ja"]
    listed = json.loads(run(users_cli, "users", "list", "--json"))
    assert [(u["username"], u["roles"], u["teams"], u["active"]) for u in listed] == [
        ("nina", ["casist", "vakspecialist"], ["BELEID", "STADSBEHEER"], True),
        ("otto", ["manager"], [], True),
    ]

    out = run(users_cli, "users", "set-teams", "nina", "COMMUNICATIE")
    assert "Teams van nina: COMMUNICATIE." in out
    assert "Let op" not in out  # no task has had a team yet: nothing to compare with
    out = run(users_cli, "users", "set-teams", "nina")
    assert "Teams van nina: geen (alleen taken zonder team)." in out
    listed = json.loads(run(users_cli, "users", "list", "--json"))
    assert listed[0]["teams"] == []


def test_a_team_no_task_was_ever_for_is_saved_with_a_warning_about_its_name(
    app: tuple[Flask, ManualClock], users_cli: CliRunner
) -> None:
    flask_app, clock = app
    to_assessment(flask_app, clock, start_complex(flask_app, 4))  # aspect tasks with their teams
    run(users_cli, "users", "add", "nina", "--roles", "vakspecialist", "--password", "x" * 12)
    typo = users_cli.invoke(cli, ["users", "set-teams", "nina", "BELIED,FONDSBEHEER"])
    assert typo.exit_code == 0, typo.output
    assert "Teams van nina: BELIED, FONDSBEHEER." in typo.stdout
    assert "Let op: voor BELIED is nog nooit een taak geweest; klopt de naam?" in typo.stderr
    assert "BELEID" in typo.stderr.split("Bekende teams:")[1]
    right = users_cli.invoke(cli, ["users", "set-teams", "nina", "BELEID,FONDSBEHEER"])
    assert right.exit_code == 0
    assert right.stderr == ""
    user = accounts.get_user(engine_of(flask_app), "nina")
    assert user is not None
    assert user.teams == {"BELEID", "FONDSBEHEER"}


def test_users_set_roles_replaces_the_roles_and_the_web_app_follows(
    app: tuple[Flask, ManualClock],
    users_cli: CliRunner,
    capsys: pytest.CaptureFixture[str],
) -> None:
    flask_app, _clock = app
    # the CLI is another engine (another process in real life): the next request sees it
    run(
        users_cli, "users", "add", "nina", "--roles", "casist,vakspecialist", "--password", "x" * 12
    )
    client = flask_app.test_client()
    assert login(client, "nina", "x" * 12).status_code == 302
    assert client.get("/taken/mijn").status_code == 200

    out = run(users_cli, "users", "set-roles", "nina", "manager")
    assert "Rollen van nina: manager." in out
    user = accounts.get_user(engine_of(flask_app), "nina")
    assert user is not None
    assert user.roles == {"manager"}
    assert client.get("/taken/mijn").status_code == 403  # the session sees the new roles
    assert client.get("/initiatieven").status_code == 200

    error = fails(capsys, "users", "set-roles", "nina", "manager,tovenaar")
    assert "Onbekende rol(len): tovenaar" in error
    assert "bestaat niet" in fails(capsys, "users", "set-roles", "niemand", "manager")


def test_users_set_password_lets_the_new_password_in_and_lifts_a_lock(
    app: tuple[Flask, ManualClock], users_cli: CliRunner
) -> None:
    flask_app, _clock = app
    add_user(flask_app, "carla", "casist")
    for _ in range(accounts.MAX_FAILURES):
        login(flask_app.test_client(), "carla", "fout-wachtwoord")
    assert LOCKED in login_error(login(flask_app.test_client(), "carla").text)

    new = "nieuw-en-lang-genoeg"
    out = run(users_cli, "users", "set-password", "carla", input=f"{new}\n{new}\n")
    assert "Wachtwoord van carla gewijzigd." in out
    assert new not in out  # hidden input is not echoed
    assert can_log_in(flask_app, "carla", new)
    assert not can_log_in(flask_app, "carla", PASSWORD)


def test_a_role_change_applies_on_the_next_request_whoever_made_it(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    engine = engine_of(flask_app)
    client = logged_in(flask_app, "nina", "casist")
    assert client.get("/taken/mijn").status_code == 200
    other = bootstrap.open_engine(bootstrap.Settings(database_url=str(engine.db.url)))
    try:
        accounts.set_roles(other, "nina", ["manager"])  # another process
    finally:
        other.dispose()
    assert client.get("/taken/mijn").status_code == 403  # the very next request
    assert client.get("/initiatieven").status_code == 200


def test_an_unknown_name_is_throttled_exactly_like_a_real_one(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    engine = engine_of(flask_app)
    add_user(flask_app, "carla", "casist")
    answers = {}
    for name in ("carla", "niemand"):
        seen = []
        for _ in range(accounts.MAX_FAILURES + 1):
            with pytest.raises(accounts.LoginRefusedError) as refused:
                accounts.authenticate(engine, name, "fout-wachtwoord")
            seen.append(str(refused.value))
        answers[name] = seen
    assert answers["carla"] == answers["niemand"]  # nothing tells which name exists
    assert "Te veel mislukte inlogpogingen" in answers["niemand"][-1]


def test_parallel_wrong_passwords_are_all_counted(app: tuple[Flask, ManualClock]) -> None:
    flask_app, _clock = app
    engine = engine_of(flask_app)
    add_user(flask_app, "carla", "casist")

    def guess(i: int) -> str:
        try:
            accounts.authenticate(engine, "carla", f"gok-{i}")
        except accounts.LoginRefusedError as exc:
            return str(exc)
        return "binnen"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(guess, range(16)))
    assert "binnen" not in results
    with engine.reading() as conn:
        failures = conn.execute(
            select(login_attempt.c.failures).where(login_attempt.c.username == "carla")
        ).scalar_one()
    # every guess that was checked is counted (guesses after the lock are refused unchecked)
    checked = sum("klopt niet" in r for r in results)
    assert failures == checked >= accounts.MAX_FAILURES
    with pytest.raises(accounts.LoginRefusedError, match="Te veel"):
        accounts.authenticate(engine, "carla", PASSWORD)


def test_a_new_password_ends_the_sessions_started_with_the_old_one(
    app: tuple[Flask, ManualClock],
) -> None:
    flask_app, _clock = app
    client = logged_in(flask_app, "carla", "casist")
    assert client.get("/taken/mijn").status_code == 200
    accounts.set_password(engine_of(flask_app), "carla", "een-heel-nieuw-wachtwoord")
    gone = client.get("/taken/mijn")
    assert gone.status_code == 302
    assert gone.headers["Location"].startswith("/inloggen")
    again = flask_app.test_client()
    assert login(again, "carla", "een-heel-nieuw-wachtwoord").status_code == 302
    assert again.get("/taken/mijn").status_code == 200
