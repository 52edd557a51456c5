"""Shared fixtures: real databases (SQLite file and PostgreSQL), a manual clock, fixture paths.

PostgreSQL: `WEGWIJS_TEST_POSTGRES_URL` (default postgresql://postgres@127.0.0.1:5432/test).
Locally the PostgreSQL tests skip with a clear reason when no server answers; with CI=true
they fail instead, so CI can never pass without them.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine import Engine, EngineSettings, ManualClock
from engine.persistence.database import normalise_url
from engine.persistence.tables import metadata
from tests.mailserver import Postbox
from workflows.bootstrap import MIGRATIONS
from workflows.tables import metadata as domain_metadata

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get("WEGWIJS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by their folder: unit/, integration/ and browser/."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "unit" in parts:
            item.add_marker(pytest.mark.unit)
        elif "integration" in parts:
            item.add_marker(pytest.mark.integration)
        elif "browser" in parts:
            item.add_marker(pytest.mark.browser)


def _postgres_reason() -> str | None:
    try:
        probe = create_engine(normalise_url(PG_URL))
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
        probe.dispose()
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
    return None


@contextlib.contextmanager
def scratch_postgres(prefix: str) -> Iterator[str]:
    """A new empty PostgreSQL database, dropped afterwards; skips (fails under CI=true) when the
    server does not answer."""
    reason = _postgres_reason()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head, dropped afterwards."""
    with scratch_postgres("wegwijs_test") as url:
        engine = Engine(EngineSettings(database_url=url))
        engine.upgrade_schema(MIGRATIONS)
        engine.dispose()
        yield url


def _truncate_postgres(url: str) -> None:
    db = create_engine(url)
    with db.begin() as conn:
        tables = [*metadata.sorted_tables, *domain_metadata.sorted_tables]
        names = ", ".join(t.name for t in tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'wegwijs.db'}"
        Engine(EngineSettings(database_url=url)).upgrade_schema(MIGRATIONS)
        return url
    url = str(request.getfixturevalue("postgres_database"))
    _truncate_postgres(url)
    return url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_engine(database_url: str, clock: ManualClock) -> Iterator[Callable[..., Engine]]:
    """Build engines on the test database; several may share it (like several server processes)."""
    built: list[Engine] = []

    def factory(**settings: object) -> Engine:
        engine = Engine(EngineSettings(database_url=database_url, **settings), clock=clock)  # type: ignore[arg-type]
        built.append(engine)
        return engine

    yield factory
    for engine in built:
        engine.dispose()


@pytest.fixture
def engine(make_engine: Callable[..., Engine]) -> Engine:
    return make_engine()


@contextlib.contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine's pools run inside the block (the prepared ones too;
    BEGIN and COMMIT are not statements here), in order: indico's `count_queries` habit."""
    from sqlalchemy import event as sa_event

    seen: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(" ".join(statement.split()))

    # the pool of statement_reads (PostgreSQL) tells the engine's listeners what it runs
    sa_event.listen(engine.db, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa_event.remove(engine.db, "before_cursor_execute", before)


@pytest.fixture
def postbox() -> Iterator[tuple[Postbox, int]]:
    """A real SMTP server (aiosmtpd) on a free port, and the port."""
    box = Postbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()
