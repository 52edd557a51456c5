"""`wegwijs demo` sets up a usable demo: simulated cases, one user per role with a printed
password that logs in, and work waiting in Mijn taken."""

from __future__ import annotations

import re
from pathlib import Path

from tests.integration.test_cli import Cli
from tests.webapp import ASPECT_TEAMS, login
from webui import ENGINE_KEY, create_app
from workflows import bootstrap
from workflows.contacts import casist_of
from workflows.demo import DEMO_TEAMS, DEMO_USERS
from workflows.roles import LANE_ROLES, ROLES

NAMES = {u for u, _, _ in DEMO_USERS}


def _logins(output: str) -> dict[str, str]:
    """The (user, password) rows of the printed demo-user table."""
    table = output.split("Demogebruikers", 1)[1]
    rows = re.findall(r"^(\w+)\s+(\S{12,})\s+\w", table, flags=re.MULTILINE)
    return {user: password for user, password in rows if user in NAMES}


def test_demo_prints_a_working_login_per_role_and_gives_workers_tasks(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    cli = Cli(url, tmp_path)
    out = cli.run("demo", "--months", "2", "--no-serve").stdout
    printed = _logins(out)
    assert set(printed) == NAMES
    covered = {role for _, _, roles in DEMO_USERS for role in roles}
    assert covered == set(ROLES) - {"initiatiefnemer"}  # the initiator has no account
    # every aspect team has a vakspecialist in the demo, and the table says who is in which
    assert {team for teams in DEMO_TEAMS.values() for team in teams} == set(ASPECT_TEAMS)
    assert "vakspecialist (teams: BELEID," in out

    app = create_app(
        bootstrap.Settings(database_url=url), config={"TESTING": True, "SECRET_KEY": "t"}
    )
    try:
        client = app.test_client()
        assert login(client, "carla", printed["carla"]).status_code == 302
        assert client.get("/taken/mijn").status_code == 200
        assert client.get("/initiatieven").text.count("/initiatieven/") > 5
        # every demo worker has work, whatever the day the simulation ran (CI failed on a day
        # when the simulated colleagues held every casist task); a case handed to carla names
        # her as its casist, so the case keeps one point of contact
        engine = app.extensions[ENGINE_KEY]
        # (a lane whose open tasks all went to other demo workers, or that has none on the day,
        # e.g. the budgethouder's when no fund application waits for its decision, leaves its
        # worker an empty list)
        demo_people = {name for name, _, _ in DEMO_USERS}
        busy: list[str] = []
        for username, _, roles in DEMO_USERS:
            lanes = sorted(set(roles) & LANE_ROLES)
            free = [
                t
                for t in engine.list_tasks(lanes=lanes, limit=500)
                if t.assignee is None or t.assignee == username or t.assignee not in demo_people
            ]
            if lanes and free:
                assert engine.list_tasks(assignee=username), username
                busy.append(username)
        # (which lanes have open work depends on the day: two months of October and November
        # can leave no casist task open at all); most workers have some, and their page shows it
        assert len(busy) >= 4, busy
        worker = app.test_client()
        assert login(worker, busy[0], printed[busy[0]]).status_code == 302
        assert 'data-task-id="' in worker.get("/taken/mijn").text
        for task in engine.list_tasks(assignee="carla"):
            assert casist_of(engine, task.instance_id).username == "carla"  # type: ignore[union-attr]

        # a second run keeps the data and prints new passwords that work; the old ones stop working
        again = _logins(cli.run("demo", "--no-serve").stdout)
        assert again["carla"] != printed["carla"]
        assert login(app.test_client(), "carla", printed["carla"]).status_code == 401
        assert login(app.test_client(), "carla", again["carla"]).status_code == 302
    finally:
        app.extensions[ENGINE_KEY].dispose()


def test_demo_refuses_a_database_with_real_users_unless_forced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    cli = Cli(url, tmp_path)
    cli.run("users", "add", "anna", "--roles", "casist", "--password", "anna-wachtwoord-1")
    refused = cli.run("demo", "--months", "1", "--no-serve", ok=False)
    assert "echte gebruikers (anna)" in refused.stderr
    assert "carla" not in cli.run("users", "list").stdout  # nothing was taken over
    forced = cli.run("demo", "--months", "1", "--no-serve", "--force").stdout
    assert "carla" in forced


def test_demo_uses_the_database_every_command_uses(tmp_path: Path) -> None:
    """After `wegwijs demo` (no WEGWIJS_DATABASE_URL), `wegwijs processes` shows the demo."""
    cli = Cli("", tmp_path)
    cli.env.pop("WEGWIJS_DATABASE_URL", None)
    out = cli.run("demo", "--months", "1", "--no-serve").stdout
    assert "instance/wegwijs.db" in out
    assert "'wegwijs processes'" in out
    processes = cli.run("processes").stdout
    assert "complex_initiative_process" in processes
    assert "wijkwens_process" in processes
    assert "zaak" in cli.run("instances").stdout.lower()
