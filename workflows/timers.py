"""The background loop the embedded server runs: due timers, hand-overs to a new case, the
signals of passed norms, the morning overviews, the outbox's e-mail, and (once an hour) the
retention of finished cases' personal data. A separate `wegwijs worker` comes later and will run
the same loop."""

from __future__ import annotations

import logging
import threading
import time

from engine import Engine
from workflows import digest, handovers, mail, norm_watch, retention, status_links

log = logging.getLogger("wegwijs.timers")
INTERVAL_SECONDS = 30.0
#: how often the loop looks for cases past their retention period
RETENTION_EVERY_SECONDS = 3600.0


def run_loop(
    engine: Engine,
    stop: threading.Event,
    interval: float = INTERVAL_SECONDS,
    smtp: mail.SmtpSettings | None = None,
    links: status_links.Links | None = None,
    retention_months: int = retention.DEFAULT_MONTHS,
) -> None:
    """Every `interval` seconds until `stop` is set: fire due timers, then send the due e-mail
    (when an SMTP server is set); once an hour, anonymise the cases past their retention
    period. One bad round never ends the loop."""
    next_retention = 0.0
    while not stop.is_set():
        try:
            fired = engine.fire_due_timers()
            if fired:
                log.info("fired timers of %d case(s)", fired)
        except Exception:
            log.exception("timer round failed; retrying in %.0f s", interval)
        try:
            handed = handovers.run_due(engine)  # before the mail: it tells the initiator
            if handed:
                log.info("handed over %d case(s) to a new case", len(handed))
        except Exception:
            log.exception("hand-over round failed; retrying in %.0f s", interval)
        try:
            signalled = norm_watch.signal_due(engine)
            if signalled:
                log.info("signalled %d passed norm(s)", len(signalled))
        except Exception:
            log.exception("norm signal round failed; retrying in %.0f s", interval)
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
        if time.monotonic() >= next_retention:
            try:
                while done := retention.anonymise_due(engine, retention_months):
                    log.info("personal data removed from %d finished case(s)", done)
                next_retention = time.monotonic() + RETENTION_EVERY_SECONDS
            except Exception:
                log.exception("retention round failed; retrying in %.0f s", interval)
        stop.wait(interval)
