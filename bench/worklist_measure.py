"""Measuring for bench_worklist.py: timed requests to the real app, interleaved over databases.

One app per database (`webui.create_app` with the seeded engine), a Flask test client logged in
through the real login form as the benchmark user. After a warm-up, each round sends
`per_round` requests to every route, round-robin over all routes of all databases (the order
rotates per request), so SQLite and PostgreSQL, big and small history, page and /healthz all
see the same machine. Each request is timed with perf_counter (and thread_time for CPU) around
`client.get`; every response is checked after the clock stops (200, and a worklist with rows).
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, before_render_template, template_rendered
from flask.testing import FlaskClient
from sqlalchemy import event
from worklist_seed import PASSWORD, USER, SeededDatabase

from webui import ENGINE_KEY, create_app
from workflows import bootstrap
from workflows.worklist import WORKLIST_PAGE_SIZE

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
ROW = re.compile(r'data-task-id="([0-9a-f-]{36})"')

Sample = tuple[float, float]  # (wall, CPU) seconds of one request


@dataclass(frozen=True)
class Route:
    name: str  # e.g. "SQLite 100k team"
    path: str
    client: FlaskClient


def logged_in(db: SeededDatabase) -> tuple[Flask, FlaskClient]:
    """The app on this database, and a client logged in through the login form."""
    app = create_app(
        bootstrap.Settings(database_url=db.url),
        engine=db.engine,
        config={"TESTING": True, "SECRET_KEY": "bench-secret-" + db.label},
    )
    client = app.test_client()
    found = TOKEN.search(client.get("/inloggen").text)
    assert found, "no CSRF token on the login page"
    form = {"username": USER, "password": PASSWORD, "csrf_token": found.group(1)}
    done = client.post("/inloggen", data=form)
    assert done.status_code == 302, f"login failed: {done.status_code}"
    return app, client


def shown(route: Route, status: int, body: str) -> list[str]:
    """The task ids a response shows; checks it is what we mean to measure."""
    assert status == 200, f"{route.name}: HTTP {status}"
    if route.path == "/healthz":
        assert body == "ok", f"{route.name}: {body[:80]!r}"
        return []
    rows = ROW.findall(body)
    assert rows, f"{route.name}: the worklist page shows no rows"
    if route.path == "/taken/team":
        assert len(rows) == WORKLIST_PAGE_SIZE, f"{route.name}: {len(rows)} rows"
    return rows


def timed(route: Route) -> Sample:
    t0, c0 = time.perf_counter(), time.thread_time()
    response = route.client.get(route.path)
    took, cpu = time.perf_counter() - t0, time.thread_time() - c0
    shown(route, response.status_code, response.get_data(as_text=True))
    return took, cpu


def run_rounds(
    routes: list[Route], rounds: int, per_round: int, warmup: int
) -> list[dict[str, list[Sample]]]:
    """Per round, every route's samples; requests interleaved round-robin over all routes."""
    for i in range(warmup):
        k = i % len(routes)
        for route in routes[k:] + routes[:k]:
            timed(route)
    result: list[dict[str, list[Sample]]] = []
    for r in range(rounds):
        samples: dict[str, list[Sample]] = {route.name: [] for route in routes}
        for i in range(per_round):
            k = (i + r) % len(routes)
            for route in routes[k:] + routes[:k]:
                samples[route.name].append(timed(route))
        result.append(samples)
        print(
            f"round {r + 1}: "
            + "; ".join(f"{n} {median(s) * 1000:.2f}" for n, s in samples.items())
            + " ms",
            flush=True,
        )
    return result


def median(samples: list[Sample], cpu: bool = False) -> float:
    return statistics.median(s[1] if cpu else s[0] for s in samples)


def page_sql(app: Flask, client: FlaskClient, path: str) -> dict[str, Any]:
    """The statements, commits and pool checkouts of one page view (both pools on PostgreSQL)."""
    engine = app.extensions[ENGINE_KEY]
    pools = {id(db): db for db in (engine.db, engine.statement_db)}.values()
    statements: list[str] = []
    tally = {"commits": 0, "checkouts": 0}

    def on_execute(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(" ".join(statement.split()))

    def bump(kind: str) -> Callable[..., None]:
        def count(*_args: Any) -> None:
            tally[kind] += 1

        return count

    # the engine's database hears the statements of both pools (engine.fast.pool)
    listeners: list[tuple[Any, str, Callable[..., Any]]] = [
        (engine.db, "before_cursor_execute", on_execute),
        (engine.db, "commit", bump("commits")),
    ]
    listeners += [(db.pool, "checkout", bump("checkouts")) for db in pools]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        assert client.get(path).status_code == 200
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
    return {"statements": statements, **tally}


def breakdown(pages: list[tuple[Flask, Route]], n: int = 40) -> dict[str, dict[str, float]]:
    """Where a page view's wall time goes (medians over n interleaved requests per page, ms):
    inside cursor.execute, in the template (before_render_template → template_rendered), the
    rest (Flask, the session and its user, the use case building the rows)."""
    clock = {"sql": 0.0, "render": 0.0, "t0": 0.0}

    def before_execute(conn: Any, *_args: Any) -> None:
        conn.info["bench_t0"] = time.perf_counter()

    def after_execute(conn: Any, *_args: Any) -> None:
        clock["sql"] += time.perf_counter() - conn.info.pop("bench_t0")

    def before_render(_sender: Any, **_extra: Any) -> None:
        clock["t0"] = time.perf_counter()

    def rendered(_sender: Any, **_extra: Any) -> None:
        clock["render"] += time.perf_counter() - clock["t0"]

    apps = {id(app): app for app, _ in pages}.values()
    dbs = [app.extensions[ENGINE_KEY].db for app in apps]  # they hear both pools' statements
    for db in dbs:
        event.listen(db, "before_cursor_execute", before_execute)
        event.listen(db, "after_cursor_execute", after_execute)
    for app in apps:
        before_render_template.connect(before_render, app)
        template_rendered.connect(rendered, app)
    parts: dict[str, dict[str, list[float]]] = {
        r.name: {"total": [], "sql": [], "render": [], "rest": []} for _, r in pages
    }
    try:
        for _ in range(n):
            for _app, route in pages:
                clock.update(sql=0.0, render=0.0)
                t0 = time.perf_counter()
                assert route.client.get(route.path).status_code == 200
                total = time.perf_counter() - t0
                got = parts[route.name]
                got["total"].append(total)
                got["sql"].append(clock["sql"])
                got["render"].append(clock["render"])
                got["rest"].append(total - clock["sql"] - clock["render"])
    finally:
        for db in dbs:
            event.remove(db, "before_cursor_execute", before_execute)
            event.remove(db, "after_cursor_execute", after_execute)
        for app in apps:
            before_render_template.disconnect(before_render, app)
            template_rendered.disconnect(rendered, app)
    return {
        name: {k: round(statistics.median(v) * 1000, 3) for k, v in got.items()}
        for name, got in parts.items()
    }
