"""The background loop the embedded server runs: due timers, and the outbox's e-mail (a separate
`wegwijs worker` comes later and will run the same loop)."""

from __future__ import annotations

import logging
import threading

from engine import Engine
from workflows import digest, mail, status_links

log = logging.getLogger("wegwijs.timers")
INTERVAL_SECONDS = 30.0


def run_loop(
    engine: Engine,
    stop: threading.Event,
    interval: float = INTERVAL_SECONDS,
    smtp: mail.SmtpSettings | None = None,
    links: status_links.Links | None = None,
) -> None:
    """Every `interval` seconds until `stop` is set: fire due timers, then send the due e-mail
    (when an SMTP server is set). One bad round never ends the loop."""
    while not stop.is_set():
        try:
            fired = engine.fire_due_timers()
            if fired:
                log.info("fired timers of %d case(s)", fired)
        except Exception:
            log.exception("timer round failed; retrying in %.0f s", interval)
        try:
            digest.queue_due(engine)  # the morning overview per colleague, once a day
        except Exception:
            log.exception("daily overview failed; retrying in %.0f s", interval)
        if smtp is not None:
            try:
                sent = mail.send_due(engine, smtp, links)
                if sent.sent or sent.retry_later or sent.given_up:
                    log.info(
                        "e-mail: %d sent, %d to try again, %d given up",
                        sent.sent,
                        sent.retry_later,
                        sent.given_up,
                    )
            except Exception:
                log.exception("mail round failed; retrying in %.0f s", interval)
        stop.wait(interval)
