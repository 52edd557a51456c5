"""Helpers for tests of the web app: build it on a test database, log in, post with CSRF."""

from __future__ import annotations

import random
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from engine import Engine, ManualClock
from webui import ENGINE_KEY, create_app
from workflows import accounts, bootstrap
from workflows.simulation import complex_start

PASSWORD = "correct-horse-battery"
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
TASK_LINK = re.compile(r'href="/taken/([0-9a-f-]{36})(?:\?[^"]*)?"')


def make_app(database_url: str, clock: ManualClock, **config: Any) -> Flask:
    """The real app on this database, with bpmn/ deployed and the clock under test control."""
    settings = bootstrap.Settings(database_url=database_url)
    engine = bootstrap.open_engine(settings, clock=clock)
    engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="test")
    return create_app(
        settings, engine=engine, config={"TESTING": True, "SECRET_KEY": "test-secret", **config}
    )


def engine_of(app: Flask) -> Engine:
    return app.extensions[ENGINE_KEY]  # type: ignore[no-any-return]


def _aspect_teams() -> tuple[str, ...]:
    """Every team the aspect selection table can name (a vakspecialist's possible teams)."""
    dmn = bootstrap.BPMN_DIR / "complex_initiative" / "dmn_aspect_selection.dmn"
    root = etree.parse(str(dmn), etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"dmn": root.getroot().nsmap[None]}
    column = [o.get("name") for o in root.iterfind(".//dmn:output", ns)].index("aspect_team")
    texts = [
        rule.findall("dmn:outputEntry/dmn:text", ns)[column].text or ""
        for rule in root.iterfind(".//dmn:rule", ns)
    ]
    # CASIST: organisatiekracht and draagvlak go to the case's casist, not to a team;
    # REGIEGROEP: a wijk-bound case's regiegroep advises (the regiegroep lane)
    return tuple(sorted({t.strip().strip('"') for t in texts} - {"CASIST", "REGIEGROEP"}))


#: all aspect teams: a vakspecialist in these sees every aspect assessment
ASPECT_TEAMS = _aspect_teams()


def add_user(
    app: Flask,
    username: str,
    *roles: str,
    teams: tuple[str, ...] = (),
    display_name: str | None = None,
) -> accounts.User:
    return accounts.add_user(
        engine_of(app),
        username,
        roles,
        PASSWORD,
        display_name=display_name or username.title(),
        teams=teams,
    )


def start_complex(app: Flask, number: int = 1, **data: Any) -> int:
    """Start one complex initiative (an example from DOMAIN §4.2) and return its instance id."""
    start = complex_start(random.Random(number), number)
    start.update(data)
    summary = engine_of(app).start(
        "complex_initiative_process", start, business_key=f"INI-2026-{number:04d}", actor="test"
    )
    return summary.id


def csrf_token(client: FlaskClient, url: str = "/") -> str:
    """The session's CSRF token, read from a page (the home page leads every user to one)."""
    page = client.get(url, follow_redirects=True)
    found = TOKEN.search(page.text)
    assert found, f"no CSRF token on {url} ({page.status_code})"
    return found.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client, "/inloggen")
    return client.post(
        "/inloggen", data={"username": username, "password": password, "csrf_token": token}
    )


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST with the session's CSRF token, as the browser would."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)


def task_ids(html: str) -> list[str]:
    return list(dict.fromkeys(TASK_LINK.findall(html)))


def driver(app: Flask, clock: ManualClock, instance_id: int) -> Any:
    """The process-test driver on this app's engine (completes tasks by BPMN id)."""
    from tests.integration.test_process_complex import Driver

    return Driver(engine_of(app), clock, instance_id)


def to_assessment(
    app: Flask, clock: ManualClock, instance_id: int, casist: str | None = None
) -> Any:
    """Drive a complex initiative to its aspect assessments (by the engine, as colleagues would);
    `casist`: who becomes its casist (and so assesses organisatiekracht and draagvlak)."""
    from tests.integration.test_process_complex import to_assessment as drive

    d = driver(app, clock, instance_id)
    if casist is None:
        drive(d)
    else:
        drive(d, casist=casist)
    return d


def to_decision(app: Flask, clock: ManualClock, instance_id: int, amount: float = 15000) -> Any:
    """Drive a complex initiative with a fund application to the budgethouder's decision."""
    from tests.integration.test_process_complex import (
        advise,
        apply_formally,
        assess_all,
        fund_criteria,
    )

    d = to_assessment(app, clock, instance_id)
    assess_all(d)
    advise(d, "HAALBAAR")
    d.do("prepare_fund_check", fund_criteria())
    apply_formally(d, amount)
    d.do("prepare_decision", {"decision_advice": "VERLENEN", "advice_motivation": "Voldoet."})
    return d


def logged_in(app: Flask, username: str, *roles: str, teams: tuple[str, ...] = ()) -> FlaskClient:
    """A new user with these roles (and teams), and a client logged in as them."""
    add_user(app, username, *roles, teams=teams)
    client = app.test_client()
    login(client, username)
    return client


def intake_for_two(app: Flask, number: int) -> tuple[str, FlaskClient, FlaskClient]:
    """A new case's intake task, and two initiatieventeam colleagues (ines, ivo) logged in."""
    start_complex(app, number)
    ines = logged_in(app, "ines", "initiatieventeam")
    ivo = logged_in(app, "ivo", "initiatieventeam")
    [task_id] = task_ids(ines.get("/taken/team").text)
    return task_id, ines, ivo
