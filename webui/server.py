"""`wegwijs serve`: the app under gunicorn (threads), with due timers fired in the background."""

from __future__ import annotations

import logging
import threading
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from webui.public import without_tokens
from workflows import bootstrap, timers

log = logging.getLogger("wegwijs.serve")


class _Server(BaseApplication):
    def __init__(self, settings: bootstrap.Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from webui import ENGINE_KEY, create_app

        app = create_app(self.settings)
        stop = threading.Event()
        threading.Thread(
            target=timers.run_loop,
            args=(
                app.extensions[ENGINE_KEY],
                stop,
                self.settings.loop_seconds,
                self.settings.smtp,
                bootstrap.links(self.settings, app.config["SECRET_KEY"]),
                self.settings.retention_months,
            ),
            name="wegwijs-timers",
            daemon=True,
        ).start()
        return app


def _without_server_banner() -> None:
    """gunicorn writes `Server: gunicorn` on every response and has no setting to leave it out;
    drop that one line from its default headers (what software we run is nobody's business)."""
    from gunicorn.http import wsgi

    plain = wsgi.Response.default_headers
    if getattr(plain, "wegwijs", False):
        return

    def default_headers(self: Any) -> list[str]:
        return [h for h in plain(self) if not h.startswith("Server:")]

    default_headers.wegwijs = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = default_headers


class _AccessLog(glogging.Logger):
    """gunicorn's access log without the tokens of the initiators' status links."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        found: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "{raw_uri}e"):
            if isinstance(found.get(key), str):
                found[key] = without_tokens(found[key])
        return found


def serve(settings: bootstrap.Settings, host: str, port: int, threads: int = 8) -> None:
    """Serve until interrupted (one process, `threads` request threads, SQLite-friendly)."""
    _without_server_banner()
    _Server(
        settings,
        {
            "bind": f"{host}:{port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": threads,
            "accesslog": "-",
            "logger_class": _AccessLog,
            "errorlog": "-",
            "loglevel": "info",
            "timeout": 60,
        },
    ).run()
