"""Who may do what in the web app: every route × every role (and anonymous), one exact outcome per
cell; and task URLs guessed by someone outside the task's role change nothing.

The matrix runs on one SQLite database built once for the module (an app, one user per role and
one open task in every BPMN lane); every cell that changes something puts it back afterwards.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from engine import Engine, EngineSettings, ManualClock
from engine.readmodel import outbox
from tests.helpers import hold_meeting
from tests.integration.conftest import MONDAY
from tests.integration.test_process_complex import advise, assess_all, intake
from tests.webapp import (
    ASPECT_TEAMS,
    add_user,
    csrf_token,
    driver,
    engine_of,
    login,
    make_app,
    start_complex,
    to_assessment,
    to_decision,
)
from webui.auth import CASE_READERS, WORKERS
from workflows import accounts, modeling, notes, status_links
from workflows.bootstrap import MIGRATIONS
from workflows.roles import LANE_ROLES, MAY_CHOOSE_CASIST, ROLES
from workflows.simulation import Calendar, green_start, wijkwens_start
from workflows.tables import document, note, task_draft

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"

ANONYMOUS = "anoniem"
TEAM_LEAD = "teamleider+initiatieventeam"  # a team lead who also holds the lane they lead
#: who knocks: nobody logged in, one user per role (also 'initiatiefnemer', who normally has no
#: account), and a team lead with a lane (the only one who can reassign)
PRINCIPALS = (ANONYMOUS, *ROLES, TEAM_LEAD)


def roles_of(principal: str) -> frozenset[str]:
    if principal == ANONYMOUS:
        return frozenset()
    if principal == TEAM_LEAD:
        return frozenset({"teamleider", "initiatieventeam"})
    return frozenset({principal})


def username(principal: str) -> str:
    return "teamleider-it" if principal == TEAM_LEAD else f"als-{principal}"


def owner(lane: str) -> str:
    """The user holding only this lane's role (the one a task of the lane is given to)."""
    return username(lane)


def may_work_on(principal: str, lane: str) -> bool:
    roles = roles_of(principal)
    if lane == "initiatiefnemer":  # no account: the casist or a desk fills it in for them
        return bool(roles & {"casist", "initiatieventeam", "wijkwenssecretariaat", "kcc"})
    return bool(roles & WORKERS) and lane in roles


@pytest.fixture(scope="module", autouse=True)
def quick_password_hashing() -> Iterator[None]:
    """Argon2 with small costs: this module logs in dozens of users; the checks stay the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        yield


# ---------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Outcome:
    """What a request came back with: the status, and for a redirect the path it goes to."""

    status: int
    location: str | None = None

    def __repr__(self) -> str:
        return f"{self.status} → {self.location}" if self.location else str(self.status)


OK = Outcome(200)
FORBIDDEN = Outcome(403)
LOGIN = Outcome(302, "/inloggen")


def redirect(path: str) -> Outcome:
    return Outcome(302, path)


def guarded(principal: str, allowed: bool, outcome: Outcome) -> Outcome:
    """Anonymous → the login page; a user without access → 403; else the outcome."""
    if principal == ANONYMOUS:
        return LOGIN
    return outcome if allowed else FORBIDDEN


def observe(response: TestResponse) -> Outcome:
    with response:  # static files are streamed: close them
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            return Outcome(status, urlsplit(response.headers["Location"]).path)
        if status == 403 and "Geen toegang" not in response.text:
            return Outcome(403, "(without the Dutch error page)")
        return Outcome(status)


#: one checked cell: what it is, what was expected, what happened
Cell = tuple[str, object, object]


# ---------------------------------------------------------------- the world under test


@dataclass
class World:
    app: Flask
    engine: Engine
    case: int  # an initiative for the case routes
    document: int  # a document attached to that initiative
    lane_tasks: dict[str, str]  # one open task per lane
    clients: dict[str, FlaskClient]
    tokens: dict[str, str]

    @property
    def casist(self) -> str:
        """A user with the casist role (for the route that makes someone a case's casist)."""
        return owner("casist")

    def send(
        self, principal: str, method: str, url: str, data: dict[str, Any] | None = None, **kw: Any
    ) -> TestResponse:
        client = self.clients[principal]
        if method == "GET":
            return client.get(url)
        return client.post(url, data={**(data or {}), "csrf_token": self.tokens[principal]}, **kw)

    def task(self, task_id: str) -> Any:
        return self.engine.get_task(task_id)

    def set_assignee(self, task_id: str, user: str | None) -> None:
        if self.task(task_id).assignee == user:
            return
        if user is None:
            self.engine.release_task(task_id, "test")
        else:
            self.engine.reassign_task(task_id, user, "test")

    def has_draft(self, task_id: str) -> bool:
        with self.engine.reading() as conn:
            found = conn.execute(
                select(func.count()).select_from(task_draft).where(task_draft.c.task_id == task_id)
            ).scalar_one()
        return bool(found)

    def drop_draft(self, task_id: str) -> None:
        with self.engine.transaction() as uow:
            uow.connection.execute(task_draft.delete().where(task_draft.c.task_id == task_id))

    def count(self, table: Any) -> int:
        with self.engine.reading() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(table).where(table.c.instance_id == self.case)
                ).scalar_one()
            )


def _only(engine: Engine, instance_id: int, bpmn_id: str) -> str:
    [task] = [t for t in engine.list_tasks(instance_id=instance_id) if t.bpmn_id == bpmn_id]
    return task.id


def _finish(engine: Engine, instance_id: int, bpmn_id: str, data: dict[str, Any]) -> None:
    task = engine.get_task(_only(engine, instance_id, bpmn_id))
    summary = engine.complete_task(task.id, data, actor="test", lanes=[task.lane])
    assert summary.status != "errored", summary.last_error


def _one_task_per_lane(app: Flask, clock: ManualClock) -> dict[str, str]:
    """Drive the three processes until every lane has an open task."""
    engine = engine_of(app)
    tasks: dict[str, str] = {}
    # the wishes first: the regiegroep's meeting moves the clock on, past the others' timers
    wishes = wijkwens_start(Calendar(clock))

    def wish(number: int, admissibility: str | None) -> int:
        started = engine.start(
            "wijkwens_process",
            wishes(random.Random(number), number),
            business_key=f"WW-2026-{number:04d}",
            actor="test",
        )
        if admissibility is None:  # left at the secretariaat's desk
            return started.id
        _finish(
            engine,
            started.id,
            "wijkwens_check_admissibility",
            {"admissibility": admissibility, "is_public_space_wish": False},
        )
        return started.id

    at_meeting = wish(2, "admissible")
    advised = wish(4, "admissible")  # 3 is the Kerstmarkt: its co-signer is missing
    hold_meeting(engine, at_meeting)  # both wait for the same meeting (the clock moves to it)
    tasks["regiegroep"] = _only(engine, at_meeting, "wijkwens_regiegroep_advice")
    _finish(
        engine,
        advised,
        "wijkwens_regiegroep_advice",
        {"advice": "positive", "advice_motivation": "Past bij de wijk."},
    )
    tasks["gebiedsmanager"] = _only(engine, advised, "wijkwens_decide")
    tasks["initiatiefnemer"] = _only(engine, wish(1, "incomplete"), "wijkwens_provide_info")
    tasks["wijkwenssecretariaat"] = _only(engine, wish(5, None), "wijkwens_check_admissibility")

    first = start_complex(app, 1)
    tasks["initiatieventeam"] = _only(engine, first, "plan_intake")

    d = driver(app, clock, start_complex(app, 2))
    intake(d)
    # no casist picked by name here: the kickoff stays in the casists' team queue
    d.do("assign_casist", {"casist": "nog-niemand", "casist_role": "gebiedsmanager"})
    engine.release_task(_only(engine, d.id, "kickoff"), "test")
    tasks["casist"] = _only(engine, d.id, "kickoff")

    d = to_assessment(app, clock, start_complex(app, 3))
    tasks["vakspecialist"] = next(t.id for t in d.open_tasks("assess_aspect") if t.group)

    d = to_assessment(app, clock, start_complex(app, 4))
    assess_all(d)
    advise(d, "HAALBAAR")
    tasks["fondsbeheer"] = _only(engine, d.id, "prepare_fund_check")

    d = to_decision(app, clock, start_complex(app, 5))
    tasks["budgethouder"] = _only(engine, d.id, "decide_subsidy")

    green = engine.start(
        "simple_green_initiative_process",
        green_start(random.Random(1), 1),
        business_key="GR-2026-0001",
        actor="test",
    )
    _finish(
        engine,
        green.id,
        "green_register",
        {"green_type": "adoptiegroen", "channel": "fixi", "address": "Voorstraat 12"},
    )
    tasks["gebiedsbeheer"] = _only(engine, green.id, "green_discuss_adoption")
    at_the_desk = engine.start(
        "simple_green_initiative_process",
        green_start(random.Random(2), 2),
        business_key="GR-2026-0002",
        actor="test",
    )
    tasks["kcc"] = _only(engine, at_the_desk.id, "green_register")

    assert set(tasks) == LANE_ROLES, "the matrix needs an open task in every lane"
    for lane, task_id in tasks.items():
        task = engine.get_task(task_id)
        assert task.lane == lane
        form = engine.task_form(task_id) or {}
        # an empty 'complete' must be refused by the form, so the matrix never finishes a task
        assert form.get("required"), f"{task.bpmn_id} has no required fields"
    return tasks


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = f"sqlite:///{tmp_path_factory.mktemp('authz') / 'wegwijs.db'}"
    migrator = Engine(EngineSettings(database_url=url))
    migrator.upgrade_schema(MIGRATIONS)  # as tests/conftest.py does
    migrator.dispose()
    clock = ManualClock(MONDAY)
    app = make_app(url, clock)
    engine = engine_of(app)
    lane_tasks = _one_task_per_lane(app, clock)
    case = engine.get_task(lane_tasks["initiatieventeam"]).instance_id

    clients: dict[str, FlaskClient] = {ANONYMOUS: app.test_client()}
    tokens = {ANONYMOUS: csrf_token(clients[ANONYMOUS], "/inloggen")}
    for principal in PRINCIPALS[1:]:
        roles = roles_of(principal)
        # a vakspecialist is in every aspect team: this matrix is about roles (teams: below)
        teams = ASPECT_TEAMS if "vakspecialist" in roles else ()
        user = add_user(app, username(principal), *roles, teams=teams)
        assert user.roles == roles_of(principal)
        client = app.test_client()
        assert login(client, username(principal)).status_code == 302
        clients[principal] = client
        tokens[principal] = csrf_token(client)
    casist = accounts.get_user(engine, owner("casist"))
    assert casist is not None
    doc = notes.add_document(engine, casist, case, "begroting.pdf", PDF)
    yield World(app, engine, case, doc.id, lane_tasks, clients, tokens)
    engine.dispose()


# ---------------------------------------------------------------- the matrix

#: (endpoint, method, variant) → the cells of one principal for that route
MATRIX: dict[tuple[str, str, str], Callable[[World, str], list[Cell]]] = {}


def route(endpoint: str, method: str, variant: str = "") -> Callable[[Any], Any]:
    def register(check: Callable[[World, str], list[Cell]]) -> Callable[[World, str], list[Cell]]:
        MATRIX[(endpoint, method, variant)] = check
        return check

    return register


@route("static", "GET")
def _static(w: World, p: str) -> list[Cell]:
    return [("stylesheet", OK, observe(w.send(p, "GET", "/static/wegwijs.css")))]


@route("bpmnjs.static", "GET")
def _vendor(w: World, p: str) -> list[Cell]:
    url = "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"
    return [("bpmn-js", OK, observe(w.send(p, "GET", url)))]


@route("healthz", "GET")
def _healthz(w: World, p: str) -> list[Cell]:
    return [("healthz", OK, observe(w.send(p, "GET", "/healthz")))]


@route("auth.login", "GET")
def _login_form(w: World, p: str) -> list[Cell]:
    expected = OK if p == ANONYMOUS else redirect("/")
    return [("login form", expected, observe(w.send(p, "GET", "/inloggen")))]


@route("auth.login", "POST")
def _login_post(w: World, p: str) -> list[Cell]:
    wrong = {"username": "niemand-bekend", "password": "fout-wachtwoord"}
    expected = Outcome(401) if p == ANONYMOUS else redirect("/")
    return [("wrong login", expected, observe(w.send(p, "POST", "/inloggen", wrong)))]


@route("auth.logout", "POST")
def _logout(w: World, p: str) -> list[Cell]:
    if p == ANONYMOUS:
        return [("logout", LOGIN, observe(w.send(p, "POST", "/uitloggen")))]
    client = w.app.test_client()  # a second session, logged out
    assert login(client, username(p)).status_code == 302
    token = csrf_token(client)
    out = client.post("/uitloggen", data={"csrf_token": token})
    cells = [
        ("logout", redirect("/inloggen"), observe(out)),
        ("logged out afterwards", LOGIN, observe(client.get("/"))),
        # a logout ends every session of the user: the matrix's own one too
        ("the user's other session ended too", LOGIN, observe(w.clients[p].get("/"))),
    ]
    again = w.app.test_client()  # the matrix logs in afresh for the routes after this one
    assert login(again, username(p)).status_code == 302
    w.clients[p], w.tokens[p] = again, csrf_token(again)
    return cells


@route("auth.language", "POST")
def _language(w: World, p: str) -> list[Cell]:
    out = w.send(p, "POST", "/taal", {"lang": "nl", "next": "/healthz"})
    return [("language", redirect("/healthz"), observe(out))]


@route("worklist.home", "GET")
def _home(w: World, p: str) -> list[Cell]:
    roles = roles_of(p)
    if p == ANONYMOUS:
        expected = LOGIN
    elif roles & WORKERS:
        expected = redirect("/taken/mijn")
    elif roles & CASE_READERS:
        expected = redirect("/initiatieven")
    elif "procesbeheerder" in roles:
        expected = redirect("/procesbeheer")
    else:
        expected = OK  # a welcome page that says the roles give no access yet
    return [("home", expected, observe(w.send(p, "GET", "/")))]


@route("worklist.mine", "GET")
def _mine(w: World, p: str) -> list[Cell]:
    allowed = bool(roles_of(p) & WORKERS)
    return [("mijn taken", guarded(p, allowed, OK), observe(w.send(p, "GET", "/taken/mijn")))]


@route("worklist.team", "GET")
def _team(w: World, p: str) -> list[Cell]:
    allowed = bool(roles_of(p) & WORKERS)
    return [("team", guarded(p, allowed, OK), observe(w.send(p, "GET", "/taken/team")))]


@route("tasks.show", "GET")
def _task_page(w: World, p: str) -> list[Cell]:
    """Who may work on a task sees its form; who may read the case sees it read-only."""
    cells: list[Cell] = []
    for lane, task_id in w.lane_tasks.items():
        out = w.send(p, "GET", f"/taken/{task_id}")
        readable = bool(roles_of(p) & CASE_READERS)
        cells.append((f"task of {lane}", guarded(p, readable, OK), observe(out)))
        if p != ANONYMOUS and readable:
            form = 'class="task-form"' in out.text
            cells.append((f"task of {lane} has a form", may_work_on(p, lane), form))
    return cells


@route("tasks.submit", "POST", "draft")
def _draft(w: World, p: str) -> list[Cell]:
    cells: list[Cell] = []
    for lane, task_id in w.lane_tasks.items():
        allowed = may_work_on(p, lane)
        out = w.send(p, "POST", f"/taken/{task_id}", {"action": "draft", "opmerking": "matrix"})
        cells.append(
            (f"draft of {lane}", guarded(p, allowed, redirect(f"/taken/{task_id}")), observe(out))
        )
        cells.append((f"draft of {lane} stored", allowed and p != ANONYMOUS, w.has_draft(task_id)))
        w.drop_draft(task_id)
        w.set_assignee(task_id, None)  # a draft takes a free task: put it back
    return cells


@route("tasks.submit", "POST", "complete")
def _complete(w: World, p: str) -> list[Cell]:
    cells: list[Cell] = []
    for lane, task_id in w.lane_tasks.items():
        out = w.send(p, "POST", f"/taken/{task_id}", {"action": "complete"})
        # an empty form: the allowed get the form back with its errors, the task stays open
        cells.append(
            (f"complete {lane}", guarded(p, may_work_on(p, lane), Outcome(422)), observe(out))
        )
        task = w.task(task_id)
        cells.append((f"{lane} unchanged", ("open", None), (task.state, task.assignee)))
    return cells


@route("tasks.claim", "POST")
def _claim(w: World, p: str) -> list[Cell]:
    cells: list[Cell] = []
    for lane, task_id in w.lane_tasks.items():
        w.set_assignee(task_id, None)
        allowed = may_work_on(p, lane)
        out = w.send(p, "POST", f"/taken/{task_id}/oppakken")
        cells.append(
            (f"claim {lane}", guarded(p, allowed, redirect(f"/taken/{task_id}")), observe(out))
        )
        expected = username(p) if allowed and p != ANONYMOUS else None
        cells.append((f"{lane} assignee", expected, w.task(task_id).assignee))
        w.set_assignee(task_id, None)
    return cells


@route("tasks.release", "POST")
def _release(w: World, p: str) -> list[Cell]:
    cells: list[Cell] = []
    for lane, task_id in w.lane_tasks.items():
        w.set_assignee(task_id, owner(lane))
        # the holder may put a task back; a team lead (of that lane) may put back anyone's
        allowed = may_work_on(p, lane) and (
            username(p) == owner(lane) or "teamleider" in roles_of(p)
        )
        out = w.send(p, "POST", f"/taken/{task_id}/terugleggen")
        cells.append(
            (f"release {lane}", guarded(p, allowed, redirect(f"/taken/{task_id}")), observe(out))
        )
        expected = None if allowed and p != ANONYMOUS else owner(lane)
        cells.append((f"{lane} assignee", expected, w.task(task_id).assignee))
        w.set_assignee(task_id, None)
    return cells


@route("tasks.reassign", "POST")
def _reassign(w: World, p: str) -> list[Cell]:
    cells: list[Cell] = []
    for lane, task_id in w.lane_tasks.items():
        w.set_assignee(task_id, None)
        allowed = may_work_on(p, lane) and "teamleider" in roles_of(p)
        out = w.send(p, "POST", f"/taken/{task_id}/toewijzen", {"to": owner(lane)})
        cells.append(
            (f"reassign {lane}", guarded(p, allowed, redirect(f"/taken/{task_id}")), observe(out))
        )
        expected = owner(lane) if allowed and p != ANONYMOUS else None
        cells.append((f"{lane} assignee", expected, w.task(task_id).assignee))
        w.set_assignee(task_id, None)
    return cells


def _reader_page(url: Callable[[World], str]) -> Callable[[World, str], list[Cell]]:
    def check(w: World, p: str) -> list[Cell]:
        allowed = bool(roles_of(p) & CASE_READERS)
        return [(url(w), guarded(p, allowed, OK), observe(w.send(p, "GET", url(w))))]

    return check


route("initiatives.index", "GET")(_reader_page(lambda w: "/initiatieven"))


@route("initiatives.mine", "GET")
def _my_cases(w: World, p: str) -> list[Cell]:
    allowed = bool(roles_of(p) & WORKERS)
    out = w.send(p, "GET", "/initiatieven/mijn")
    return [("mijn initiatieven", guarded(p, allowed, OK), observe(out))]


@route("initiatives.change_casist", "POST")
def _change_casist(w: World, p: str) -> list[Cell]:
    allowed = bool(roles_of(p) & MAY_CHOOSE_CASIST)
    out = w.send(p, "POST", f"/initiatieven/{w.case}/casist", {"casist": w.casist})
    expected = redirect(f"/initiatieven/{w.case}")
    return [("change casist", guarded(p, allowed, expected), observe(out))]


@route("initiatives.send_status_link", "POST")
def _send_status_link(w: World, p: str) -> list[Cell]:
    allowed = bool(roles_of(p) & status_links.MAY_RENEW)
    before = w.count(outbox)
    out = w.send(p, "POST", f"/initiatieven/{w.case}/statuslink")
    expected = redirect(f"/initiatieven/{w.case}")
    queued = w.count(outbox) - before
    return [
        ("new status link", guarded(p, allowed, expected), observe(out)),
        (
            "a mail to the initiator only when allowed",
            1 if allowed and p != ANONYMOUS else 0,
            queued,
        ),
    ]


@route("public.status", "GET")
def _status_page(w: World, p: str) -> list[Cell]:
    """Anyone with the link, nobody without it (a guessed token is "not found" for all)."""
    links = status_links.Links("matrix-secret")
    token = status_links.token_for(w.engine, links, w.case)
    return [
        ("status page", OK, observe(w.send(p, "GET", f"/status/{token}"))),
        ("a guessed token", Outcome(404), observe(w.send(p, "GET", "/status/" + "A" * 32))),
    ]


route("public.intake_form", "GET")(
    lambda w, p: [("intake form", OK, observe(w.send(p, "GET", "/initiatief")))]
)


@route("public.intake_submit", "POST")
def _intake(w: World, p: str) -> list[Cell]:
    """Anyone may submit; a post without the form's own stamp starts nothing (422)."""
    before = len(w.engine.list_instances(limit=1000))
    out = w.send(p, "POST", "/initiatief", {"title": "Matrix"})
    started = len(w.engine.list_instances(limit=1000)) - before
    return [("intake without stamp", Outcome(422), observe(out)), ("nothing started", 0, started)]


@route("public.question", "GET")
def _question(w: World, p: str) -> list[Cell]:
    """A link opens only the initiator's own requests: a staff task of its case is not found."""
    token = status_links.token_for(w.engine, status_links.Links("matrix-secret"), w.case)
    staff_task = w.lane_tasks["casist"]
    url = f"/status/{token}/vraag/{staff_task}"
    return [("someone else's task", Outcome(404), observe(w.send(p, "GET", url)))]


@route("public.answer", "POST")
def _answer(w: World, p: str) -> list[Cell]:
    token = status_links.token_for(w.engine, status_links.Links("matrix-secret"), w.case)
    staff_task = w.lane_tasks["casist"]
    out = w.send(p, "POST", f"/status/{token}/vraag/{staff_task}", {"x": "1"})
    return [
        ("someone else's task", Outcome(404), observe(out)),
        ("still open", "open", w.task(staff_task).state),
    ]


@route("public.withdraw_form", "GET")
def _withdraw_form(w: World, p: str) -> list[Cell]:
    token = status_links.token_for(w.engine, status_links.Links("matrix-secret"), w.case)
    return [
        ("withdraw question", OK, observe(w.send(p, "GET", f"/status/{token}/intrekken"))),
        (
            "a guessed token",
            Outcome(404),
            observe(w.send(p, "GET", f"/status/{'B' * 32}/intrekken")),
        ),
    ]


@route("public.withdraw", "POST")
def _withdraw(w: World, p: str) -> list[Cell]:
    """Anyone with the link may withdraw; unconfirmed, nothing happens (the case stays open)."""
    token = status_links.token_for(w.engine, status_links.Links("matrix-secret"), w.case)
    out = w.send(p, "POST", f"/status/{token}/intrekken", {"reason": "matrix"})
    guessed = w.send(p, "POST", f"/status/{'B' * 32}/intrekken", {"confirm": "ja"})
    return [
        ("withdraw, not confirmed", Outcome(422), observe(out)),
        ("a guessed token", Outcome(404), observe(guessed)),
    ]


@route("public.change_form", "GET")
def _change_form(w: World, p: str) -> list[Cell]:
    """Anyone with the link sees the page (the case is not in its realisation: the status page
    is shown instead of the form); a guessed token finds nothing."""
    token = status_links.token_for(w.engine, status_links.Links("matrix-secret"), w.case)
    return [
        ("change page", OK, observe(w.send(p, "GET", f"/status/{token}/wijziging"))),
        (
            "a guessed token",
            Outcome(404),
            observe(w.send(p, "GET", f"/status/{'B' * 32}/wijziging")),
        ),
    ]


@route("public.request_change", "POST")
def _request_change(w: World, p: str) -> list[Cell]:
    """Anyone with the link may ask; an empty request is refused with its reason."""
    token = status_links.token_for(w.engine, status_links.Links("matrix-secret"), w.case)
    empty = w.send(p, "POST", f"/status/{token}/wijziging", {"text": " "})
    guessed = w.send(p, "POST", f"/status/{'B' * 32}/wijziging", {"text": "Iets anders."})
    return [
        ("an empty change request", Outcome(422), observe(empty)),
        ("a guessed token", Outcome(404), observe(guessed)),
    ]


route("initiatives.show", "GET")(_reader_page(lambda w: f"/initiatieven/{w.case}"))
route("initiatives.diagram", "GET")(_reader_page(lambda w: f"/initiatieven/{w.case}/diagram.bpmn"))
route("initiatives.document", "GET")(
    _reader_page(lambda w: f"/initiatieven/{w.case}/documenten/{w.document}")
)


@route("initiatives.add_note", "POST")
def _add_note(w: World, p: str) -> list[Cell]:
    allowed = bool(roles_of(p) & WORKERS)
    before = w.count(note)
    out = w.send(p, "POST", f"/initiatieven/{w.case}/notities", {"body": f"Notitie van {p}"})
    added = w.count(note) - before
    return [
        ("add note", guarded(p, allowed, redirect(f"/initiatieven/{w.case}")), observe(out)),
        ("notes added", 1 if allowed and p != ANONYMOUS else 0, added),
    ]


@route("initiatives.add_document", "POST")
def _add_document(w: World, p: str) -> list[Cell]:
    allowed = bool(roles_of(p) & WORKERS)
    before = w.count(document)
    out = w.send(
        p,
        "POST",
        f"/initiatieven/{w.case}/documenten",
        {"document": (BytesIO(PDF), "plan.pdf")},
        content_type="multipart/form-data",
    )
    added = w.count(document) - before
    return [
        ("add document", guarded(p, allowed, redirect(f"/initiatieven/{w.case}")), observe(out)),
        ("documents added", 1 if allowed and p != ANONYMOUS else 0, added),
    ]


# ---------------------------------------------------------------- the managers' dashboard


def _manager_page(url: Callable[[World], str]) -> Callable[[World, str], list[Cell]]:
    def check(w: World, p: str) -> list[Cell]:
        allowed = bool(roles_of(p) & {"manager", "beheerder"})
        return [(url(w), guarded(p, allowed, OK), observe(w.send(p, "GET", url(w))))]

    return check


# ---------------------------------------------------------------- beheer: e-mail not sent


def _beheer(p: str) -> bool:
    return "beheerder" in roles_of(p)


route("admin.messages", "GET")(
    lambda w, p: [
        (
            "/beheer/berichten",
            guarded(p, _beheer(p), OK),
            observe(w.send(p, "GET", "/beheer/berichten")),
        )
    ]
)
route("admin.try_again", "POST")(
    lambda w, p: [
        (
            "/beheer/berichten/N/opnieuw",
            guarded(p, _beheer(p), redirect("/beheer/berichten")),
            observe(w.send(p, "POST", "/beheer/berichten/999999/opnieuw")),
        )
    ]
)


# ---------------------------------------------------------------- procesbeheer (issue 18)

OWNER = "procesbeheerder"
FLAWED = Path(__file__).resolve().parents[1] / "fixtures" / "modeler" / "flawed_draft.bpmn"


@dataclass
class Modeling:
    """What the procesbeheer cells work on: a version, a draft, a case on an older version."""

    version_id: int
    draft_id: int
    old_case: int


_MODELING: dict[int, Modeling] = {}


def _modeling(w: World) -> Modeling:
    """Made once per world: a draft of the complex process, and a case on version 1 while a
    version 2 (plan_intake renamed) is deployed."""
    if id(w) not in _MODELING:
        owner = add_user(w.app, "matrix-procesbeheerder", OWNER)
        [v1] = w.engine.list_versions("complex_initiative_process")
        old_case = start_complex(w.app, 9)
        files = w.engine.version_files(v1.id)
        name = next(n for n in files if n.endswith("complex_initiative.bpmn"))
        changed = files[name].replace(
            'name="Kennismakingsgesprek plannen"', 'name="Kennismaking inplannen"'
        )
        modeling.save_draft(
            w.engine,
            owner,
            (draft := modeling.start_draft(w.engine, owner, v1.id)).id,
            {**files, name: changed},
            draft.revision,
        )
        modeling.deploy_draft(w.engine, owner, draft.id)
        kept = modeling.start_draft(w.engine, owner, v1.id)
        _MODELING[id(w)] = Modeling(v1.id, kept.id, old_case)
    return _MODELING[id(w)]


def _shape(outcome: Outcome) -> Outcome:
    """An outcome with the ids in its redirect replaced by N (new drafts get new ids)."""
    location = re.sub(r"/\d+", "/N", outcome.location) if outcome.location else None
    return Outcome(outcome.status, location)


def _json(w: World, p: str, url: str, body: dict[str, Any]) -> TestResponse:
    return w.clients[p].post(url, json=body, headers={"X-CSRFToken": w.tokens[p]})


def _owner_page(url: Callable[[World], str]) -> Callable[[World, str], list[Cell]]:
    def check(w: World, p: str) -> list[Cell]:
        return [(url(w), guarded(p, p == OWNER, OK), observe(w.send(p, "GET", url(w))))]

    return check


route("dashboard.index", "GET")(_manager_page(lambda w: "/dashboard"))
route("dashboard.heatmap_page", "GET")(_manager_page(lambda w: "/dashboard/heatmap"))
route("dashboard.heatmap_diagram", "GET")(
    _manager_page(lambda w: "/dashboard/heatmap/1/diagram.bpmn")
)
route("dashboard.fund_page", "GET")(_manager_page(lambda w: "/dashboard/fonds"))
route("dashboard.audit_page", "GET")(_manager_page(lambda w: f"/dashboard/zaken/{w.case}/audit"))
route("dashboard.audit_csv", "GET")(_manager_page(lambda w: f"/dashboard/zaken/{w.case}/audit.csv"))
route("dashboard.exports_page", "GET")(_manager_page(lambda w: "/dashboard/exports"))
route("dashboard.export", "GET")(_manager_page(lambda w: "/dashboard/export/eventlog.xes"))


def _decision_list_page(url: Callable[[World], str]) -> Callable[[World, str], list[Cell]]:
    """The wijkwensen's besluitenlijst: managers and those who make and publish it."""

    def check(w: World, p: str) -> list[Cell]:
        readers = {"manager", "beheerder", "wijkwenssecretariaat", "gebiedsmanager", "regiegroep"}
        allowed = bool(roles_of(p) & readers)
        return [(url(w), guarded(p, allowed, OK), observe(w.send(p, "GET", url(w))))]

    return check


route("dashboard.decision_list_page", "GET")(
    _decision_list_page(lambda w: "/dashboard/besluitenlijst?gebied=Oost&kwartaal=2026-Q1")
)
route("dashboard.decision_list_csv", "GET")(
    _decision_list_page(lambda w: "/dashboard/besluitenlijst.csv?gebied=West")
)
route("modeling.index", "GET")(_owner_page(lambda w: "/procesbeheer"))
route("modeling.version", "GET")(
    _owner_page(lambda w: f"/procesbeheer/versies/{_modeling(w).version_id}")
)
route("modeling.draft", "GET")(
    _owner_page(lambda w: f"/procesbeheer/concepten/{_modeling(w).draft_id}")
)
route("modeling.check", "GET")(
    _owner_page(lambda w: f"/procesbeheer/concepten/{_modeling(w).draft_id}/controle")
)
route("modeling.diff", "GET")(
    _owner_page(lambda w: f"/procesbeheer/concepten/{_modeling(w).draft_id}/verschil")
)
route("modeling.form", "GET")(
    _owner_page(
        lambda w: (
            f"/procesbeheer/concepten/{_modeling(w).draft_id}/formulier/plan_intake.schema.json"
        )
    )
)
route("modeling.decision", "GET")(
    _owner_page(
        lambda w: (
            f"/procesbeheer/concepten/{_modeling(w).draft_id}/beslistabel/dmn_aspect_selection.dmn"
        )
    )
)
route("modeling.cases", "GET")(
    _owner_page(lambda w: "/procesbeheer/processen/complex_initiative_process/zaken")
)
route("modeling.migration", "GET")(
    _owner_page(lambda w: f"/procesbeheer/zaken/{_modeling(w).old_case}/overzetten")
)


@route("dmnjs.static", "GET")
def _dmnjs(w: World, p: str) -> list[Cell]:
    return [
        ("dmn-js", OK, observe(w.send(p, "GET", "/vendor/dmn-js/dmn-modeler.production.min.js")))
    ]


@route("modelerjs.static", "GET")
def _modelerjs(w: World, p: str) -> list[Cell]:
    return [("modeler bundle", OK, observe(w.send(p, "GET", "/vendor/wegwijs/modeler.js")))]


def _draft_count(w: World) -> int:
    return len(modeling.list_drafts(w.engine))


@route("modeling.start_draft", "POST")
def _start_draft(w: World, p: str) -> list[Cell]:
    before = _draft_count(w)
    out = w.send(p, "POST", f"/procesbeheer/versies/{_modeling(w).version_id}/concept")
    allowed = p == OWNER
    return [
        (
            "start draft",
            guarded(p, allowed, redirect("/procesbeheer/concepten/N")),
            _shape(observe(out)),
        ),
        ("drafts made", 1 if allowed else 0, _draft_count(w) - before),
    ]


@route("modeling.import_files", "POST")
def _import(w: World, p: str) -> list[Cell]:
    before = _draft_count(w)
    out = w.send(
        p,
        "POST",
        "/procesbeheer/import",
        {"files": (BytesIO(FLAWED.read_bytes()), "flawed_draft.bpmn")},
        content_type="multipart/form-data",
    )
    allowed = p == OWNER
    expected = redirect("/procesbeheer/concepten/N/controle")
    return [
        ("import", guarded(p, allowed, expected), _shape(observe(out))),
        ("drafts made", 1 if allowed else 0, _draft_count(w) - before),
    ]


@route("modeling.save", "POST")
def _save(w: World, p: str) -> list[Cell]:
    m = _modeling(w)
    draft = modeling.get_draft(w.engine, m.draft_id)
    name = next(n for n in draft.files if n.endswith("plan_intake.schema.json"))
    text = draft.files[name].replace("Kennismakingsgesprek plannen", f"Plannen ({p})")
    out = _json(
        w,
        p,
        f"/procesbeheer/concepten/{m.draft_id}/opslaan",
        {"file": name, "text": text, "revision": draft.revision},
    )
    allowed = p == OWNER
    after = modeling.get_draft(w.engine, m.draft_id).revision
    return [
        ("save", guarded(p, allowed, OK), observe(out)),
        ("revision", draft.revision + 1 if allowed and p != ANONYMOUS else draft.revision, after),
    ]


@route("modeling.check_text", "POST")
def _check_text(w: World, p: str) -> list[Cell]:
    out = _json(w, p, "/procesbeheer/controleer-tekst", {"kind": "expression", "text": "a > 1"})
    return [("check text", guarded(p, p == OWNER, OK), observe(out))]


@route("modeling.form_preview", "POST")
def _form_preview(w: World, p: str) -> list[Cell]:
    out = _json(w, p, "/procesbeheer/formulier-voorbeeld", {"text": '{"type": "object"}'})
    return [("form preview", guarded(p, p == OWNER, OK), observe(out))]


@route("modeling.add_files", "POST")
def _add_files(w: World, p: str) -> list[Cell]:
    m = _modeling(w)
    before = modeling.get_draft(w.engine, m.draft_id).revision
    out = w.send(
        p,
        "POST",
        f"/procesbeheer/concepten/{m.draft_id}/bestanden",
        {
            "files": (
                BytesIO(f'{{"type": "object", "title": "{p}"}}'.encode()),
                f"extra_{p}.schema.json",
            )
        },
        content_type="multipart/form-data",
    )
    allowed = p == OWNER
    after = modeling.get_draft(w.engine, m.draft_id).revision
    return [
        (
            "add files",
            guarded(p, allowed, redirect(f"/procesbeheer/concepten/{m.draft_id}")),
            observe(out),
        ),
        ("revision", before + 1 if allowed else before, after),
    ]


def _fresh_draft(w: World) -> int:
    owner = accounts.get_user(w.engine, "matrix-procesbeheerder")
    assert owner is not None
    return modeling.start_draft(w.engine, owner, _modeling(w).version_id).id


@route("modeling.deploy", "POST")
def _deploy(w: World, p: str) -> list[Cell]:
    draft_id = _fresh_draft(w)
    out = w.send(p, "POST", f"/procesbeheer/concepten/{draft_id}/in-gebruik")
    allowed = p == OWNER
    expected = redirect("/procesbeheer/processen/complex_initiative_process/zaken")
    return [
        ("deploy", guarded(p, allowed, expected), observe(out)),
        (
            "draft status",
            "deployed" if allowed else "open",
            modeling.get_draft(w.engine, draft_id).status,
        ),
    ]


@route("modeling.discard", "POST")
def _discard(w: World, p: str) -> list[Cell]:
    draft_id = _fresh_draft(w)
    out = w.send(p, "POST", f"/procesbeheer/concepten/{draft_id}/weggooien")
    allowed = p == OWNER
    return [
        ("discard", guarded(p, allowed, redirect("/procesbeheer")), observe(out)),
        (
            "draft status",
            "discarded" if allowed else "open",
            modeling.get_draft(w.engine, draft_id).status,
        ),
    ]


def _version_of(w: World, instance_id: int) -> int:
    return w.engine.get_instance(instance_id).summary.version


@route("modeling.migrate", "POST")
def _migrate(w: World, p: str) -> list[Cell]:
    case = _modeling(w).old_case
    out = w.send(p, "POST", f"/procesbeheer/zaken/{case}/overzetten")
    allowed = p == OWNER
    cells: list[Cell] = [
        (
            "migrate",
            guarded(p, allowed, redirect(f"/procesbeheer/zaken/{case}/overzetten")),
            observe(out),
        ),
        ("version", 2 if allowed else 1, _version_of(w, case)),
    ]
    if _version_of(w, case) == 2:
        w.engine.undo_migration(case, actor="test")
    return cells


@route("modeling.undo", "POST")
def _undo(w: World, p: str) -> list[Cell]:
    case = _modeling(w).old_case
    w.engine.migrate(case, actor="test")
    out = w.send(p, "POST", f"/procesbeheer/zaken/{case}/terugzetten")
    allowed = p == OWNER
    cells: list[Cell] = [
        (
            "undo",
            guarded(p, allowed, redirect(f"/procesbeheer/zaken/{case}/overzetten")),
            observe(out),
        ),
        ("version", 1 if allowed else 2, _version_of(w, case)),
    ]
    if _version_of(w, case) == 2:
        w.engine.undo_migration(case, actor="test")
    return cells


def _route_id(key: tuple[str, str, str]) -> str:
    endpoint, method, variant = key
    return f"{method} {endpoint}" + (f" ({variant})" if variant else "")


def test_every_route_of_the_app_is_in_the_matrix(world: World) -> None:
    served = {
        (rule.endpoint, method)
        for rule in world.app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    covered = {(endpoint, method) for endpoint, method, _variant in MATRIX}
    assert served - covered == set(), "routes without an access rule in the matrix"
    assert covered - served == set(), "the matrix names routes the app no longer has"


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("key", list(MATRIX), ids=_route_id)
def test_each_role_gets_exactly_the_access_it_should_on_each_route(
    world: World, key: tuple[str, str, str], principal: str
) -> None:
    cells = MATRIX[key](world, principal)
    wrong = [f"{what}: expected {exp!r}, got {got!r}" for what, exp, got in cells if exp != got]
    assert not wrong, f"{principal} on {_route_id(key)}:\n" + "\n".join(wrong)


def test_a_team_lead_cannot_give_a_task_to_someone_without_its_role(world: World) -> None:
    task_id = world.lane_tasks["initiatieventeam"]
    world.set_assignee(task_id, None)
    for to in (owner("casist"), owner("teamleider"), owner("initiatiefnemer"), owner("manager")):
        refused = world.send(TEAM_LEAD, "POST", f"/taken/{task_id}/toewijzen", {"to": to})
        assert refused.status_code == 403, to
        assert "heeft de rol 'Initiatieventeam' niet" in refused.text.replace("&#39;", "'")
        assert world.task(task_id).assignee is None


# ---------------------------------------------------------------- guessed task URLs


def _intake_task(app: Flask, clock: ManualClock) -> str:
    return _only(engine_of(app), start_complex(app, 1), "plan_intake")


def _aspect_task(app: Flask, clock: ManualClock) -> str:
    d = to_assessment(app, clock, start_complex(app, 2))
    return str(next(t.id for t in d.open_tasks("assess_aspect") if t.lane == "vakspecialist"))


def _decision_task(app: Flask, clock: ManualClock) -> str:
    d = to_decision(app, clock, start_complex(app, 3))
    return str(d.open_tasks("decide_subsidy")[0].id)


GUESSES = {
    "intake": (
        _intake_task,
        "initiatieventeam",
        {"intake_date": "2026-03-05", "intake_location": "Stadskantoor"},
    ),
    "aspect": (_aspect_task, "vakspecialist", {"verdict": "NEGATIEF", "conditions": "Nee."}),
    "decision": (
        _decision_task,
        "budgethouder",
        {"decision": "VERLENEN", "granted_amount": "15000"},
    ),
}


@pytest.mark.parametrize("which", list(GUESSES))
def test_a_user_cannot_open_claim_draft_or_complete_a_task_outside_their_roles_by_guessing_its_url(
    app: tuple[Flask, ManualClock], which: str
) -> None:
    flask_app, clock = app
    make_task, lane, valid = GUESSES[which]
    task_id = make_task(flask_app, clock)
    engine = engine_of(flask_app)
    add_user(
        flask_app, "rechthebbende", lane, teams=ASPECT_TEAMS if lane == "vakspecialist" else ()
    )
    outsiders = {f"buiten-{i}": (role,) for i, role in enumerate(sorted(set(ROLES) - {lane}))}
    outsiders["teamleider-elders"] = ("teamleider", "casist")  # leads another lane
    refused: list[str] = []
    for name, roles in outsiders.items():
        add_user(flask_app, name, *roles)
        client = flask_app.test_client()
        assert login(client, name).status_code == 302
        token = {"csrf_token": csrf_token(client)}
        attempts = {
            "open": client.get(f"/taken/{task_id}"),
            "claim": client.post(f"/taken/{task_id}/oppakken", data=token),
            "draft": client.post(f"/taken/{task_id}", data={"action": "draft", **valid, **token}),
            "complete": client.post(
                f"/taken/{task_id}", data={"action": "complete", **valid, **token}
            ),
            "release": client.post(f"/taken/{task_id}/terugleggen", data=token),
            "reassign": client.post(
                f"/taken/{task_id}/toewijzen", data={"to": "rechthebbende", **token}
            ),
        }
        opened = attempts.pop("open")
        if set(roles) & CASE_READERS:  # may read the case: the task read-only, with why
            if (
                opened.status_code != 200
                or "task-form" in opened.text
                or "alleen-lezen" not in opened.text
            ):
                refused.append(f"{name} {roles} open: {opened.status_code} (not read-only)")
        elif opened.status_code != 403:
            refused.append(f"{name} {roles} open: {opened.status_code}")
        refused += [
            f"{name} {roles} {what}: {r.status_code}"
            for what, r in attempts.items()
            if r.status_code != 403 or "Geen toegang" not in r.text
        ]
    assert refused == [], "every change from outside the role must be a Dutch 403"

    task = engine.get_task(task_id)
    assert (task.state, task.assignee, task.completed_by) == ("open", None, None)
    with engine.reading() as conn:
        drafts = conn.execute(
            select(func.count()).select_from(task_draft).where(task_draft.c.task_id == task_id)
        ).scalar_one()
    assert drafts == 0
    touched = [e.type for e in engine.events(task.instance_id) if e.task_id == task_id]
    assert touched == ["task_created"]

    # the rightful role can still do it: the refusals were about the role, not a broken task
    rightful = flask_app.test_client()
    login(rightful, "rechthebbende")
    assert rightful.get(f"/taken/{task_id}").status_code == 200
