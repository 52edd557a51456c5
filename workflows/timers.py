"""The background timer loop the embedded server runs (a separate `wegwijs worker` comes later)."""

from __future__ import annotations

import logging
import threading

from engine import Engine

log = logging.getLogger("wegwijs.timers")
INTERVAL_SECONDS = 30.0


def run_loop(engine: Engine, stop: threading.Event, interval: float = INTERVAL_SECONDS) -> None:
    """Fire due timers every `interval` seconds until `stop` is set; one bad round never ends it."""
    while not stop.is_set():
        try:
            fired = engine.fire_due_timers()
            if fired:
                log.info("fired timers of %d case(s)", fired)
        except Exception:
            log.exception("timer round failed; retrying in %.0f s", interval)
        stop.wait(interval)
