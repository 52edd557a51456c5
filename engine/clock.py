"""One injectable clock for the engine, also used by SpiffWorkflow's timers.

SpiffWorkflow reads `datetime.now(timezone.utc)` inside its timer module; we replace that
module's `datetime` name with a subclass whose `now()` asks the clock of the current context.
The context is a contextvar, so two engines with different clocks (tests, the simulator and a
live server) can run in one process without seeing each other's time.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    """Source of the current time (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to: for tests and the simulator."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock.set needs a timezone-aware time")
        with self._lock:
            self._now = when.astimezone(UTC)


_SYSTEM = SystemClock()
_current: contextvars.ContextVar[Clock] = contextvars.ContextVar("wegwijs_clock", default=_SYSTEM)


@contextlib.contextmanager
def using(clock: Clock) -> Iterator[None]:
    """Make `clock` the time source for SpiffWorkflow's timers within this block."""
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)


def current_time() -> datetime:
    """Now, by the clock of the current context (what diagram helpers should use)."""
    return _current.get().now()


class _ClockDatetime(datetime):
    """`datetime` whose `now()` follows the clock of the current context."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        current = _current.get().now()
        if tz is None:
            return current.astimezone().replace(tzinfo=None)
        return current.astimezone(tz)

    @classmethod
    def utcnow(cls) -> datetime:  # type: ignore[override]
        return _current.get().now().replace(tzinfo=None)


_installed = False


def install_into_spiffworkflow() -> None:
    """Patch SpiffWorkflow's timer module to read time from our clock (idempotent)."""
    global _installed
    if _installed:
        return
    from SpiffWorkflow.bpmn.specs.event_definitions import timer as timer_module

    timer_module.datetime = _ClockDatetime
    _installed = True


def as_utc(value: datetime) -> datetime:
    """Normalise a datetime read from the database (SQLite drops the zone) to aware UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


__all__ = [
    "Clock",
    "ManualClock",
    "SystemClock",
    "as_utc",
    "install_into_spiffworkflow",
    "using",
]
