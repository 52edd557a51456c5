"""Fixtures of the web app's integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from flask import Flask

from engine import Engine, ManualClock
from tests.webapp import engine_of, make_app
from webui import create_app
from workflows import accounts, bootstrap

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(database_url: str) -> Iterator[tuple[Flask, ManualClock]]:
    """The real app on the test database (CSRF on, as in production), its clock on a Monday."""
    clock = ManualClock(MONDAY)
    flask_app = make_app(database_url, clock)
    yield flask_app, clock
    engine_of(flask_app).dispose()


@pytest.fixture
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with small costs (the checks are the same; such tests log in many times)."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


#: where the initiators' links point in tests, and the key they are made with
PUBLIC_SECRET = "public-test-secret"
PUBLIC_URL = "https://initiatieven.example"


@pytest.fixture
def public_site(database_url: str, clock: ManualClock) -> Iterator[tuple[Flask, Engine]]:
    """The real app for initiators' pages on the test database (bpmn/ deployed), links made
    with PUBLIC_SECRET to PUBLIC_URL, and no minimum time to fill in the intake."""
    engine = bootstrap.open_engine(bootstrap.Settings(database_url=database_url), clock=clock)
    engine.deploy_paths([str(bootstrap.BPMN_DIR)], actor="test")
    app = create_app(
        bootstrap.Settings(database_url=database_url),
        engine=engine,
        config={
            "TESTING": True,
            "SECRET_KEY": PUBLIC_SECRET,
            "PUBLIC_URL": PUBLIC_URL,
            "INTAKE_MIN_SECONDS": 0,
        },
    )
    yield app, engine
    engine.dispose()
