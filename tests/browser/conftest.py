"""Browser tests: Playwright drives Debian's Chromium against the real app on a live server.

Chromium comes from Debian (`apt-get install chromium`); `playwright install` cannot download a
browser on these machines. Locally the tests skip with a clear reason when Chromium is missing;
with CI=true they fail instead, so CI can never pass without them.

Each test gets its own live server: the app from `tests.webapp.make_app` on a fresh SQLite file,
with a ManualClock set to a Monday morning, served by werkzeug on an ephemeral port (Chromium
refuses some fixed ports). One browser is shared by the whole session; each test gets a fresh
context and page (pytest-playwright's `page` fixture).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from engine import Engine, EngineSettings, ManualClock
from tests.webapp import engine_of, make_app
from workflows.bootstrap import MIGRATIONS

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
MONDAY_MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Dordrecht
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync"]
MISSING = (
    "Chromium not installed: run make test (it installs Debian's chromium) "
    "or apt-get install chromium"
)


def find_chromium() -> str | None:
    """CHROMIUM_PATH, else `chromium` on the PATH, else Debian's binary; None when absent."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    found = shutil.which("chromium")
    if found:
        return found
    debian = Path("/usr/lib/chromium/chromium")
    return str(debian) if debian.is_file() else None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium (keeps pytest-playwright's --headed/--slowmo handling)."""
    chromium = find_chromium()
    if chromium is None:
        where = (
            f" (CHROMIUM_PATH={os.environ['CHROMIUM_PATH']})"
            if "CHROMIUM_PATH" in os.environ
            else ""
        )
        if IN_CI:
            pytest.fail(f"CI=true but {MISSING}{where}")
        pytest.skip(MISSING + where)
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A Dutch-speaking browser in Dordrecht, as the municipality's staff use it."""
    return {
        **browser_context_args,
        "locale": "nl-NL",
        "timezone_id": "Europe/Amsterdam",
        "viewport": {"width": 1280, "height": 900},
    }


@dataclass(frozen=True)
class LiveServer:
    """The app served on 127.0.0.1; `url('/taken/mijn')` gives an absolute URL."""

    base_url: str
    app: Flask
    clock: ManualClock

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    @property
    def engine(self) -> Engine:
        return engine_of(self.app)


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[LiveServer]:
    """The real app on a fresh, migrated SQLite file in `folder`, served in a daemon thread."""
    url = f"sqlite:///{folder / 'wegwijs.db'}"
    migrator = Engine(EngineSettings(database_url=url))  # as tests/conftest.py's database_url
    migrator.upgrade_schema(MIGRATIONS)
    migrator.dispose()
    clock = ManualClock(MONDAY_MORNING)
    app = make_app(url, clock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, clock)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        engine_of(app).dispose()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A live server of its own for one test."""
    with serve(tmp_path) as server:
        yield server


@pytest.fixture
def requests_seen(page: Any) -> list[str]:
    """Every URL the page requested (to prove nothing leaves 127.0.0.1: no CDN, no fonts)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def outside_localhost(urls: list[str]) -> list[str]:
    """The requested URLs that went anywhere but 127.0.0.1 (data: and blob: stay in the page)."""
    return [
        u
        for u in urls
        if urlsplit(u).scheme not in ("data", "blob", "about")
        and urlsplit(u).hostname != "127.0.0.1"
    ]


@pytest.fixture
def log_in(page: Any, live_server: LiveServer) -> Any:
    """Log in through the login form, as a person would; returns the callable."""
    from playwright.sync_api import expect

    from tests.webapp import PASSWORD

    def do(username: str, password: str = PASSWORD) -> None:
        page.goto(live_server.url("/inloggen"))
        page.get_by_label("Gebruikersnaam").fill(username)
        page.get_by_label("Wachtwoord").fill(password)
        page.get_by_role("button", name="Inloggen").click()
        expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    return do
