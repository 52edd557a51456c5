"""Fixtures of the web app's integration tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from flask import Flask

from engine import ManualClock
from tests.mailserver import Postbox
from tests.webapp import engine_of, make_app
from workflows import accounts

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


@pytest.fixture
def postbox() -> Iterator[tuple[Postbox, int]]:
    """A real SMTP server on a free port, and the port."""
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
