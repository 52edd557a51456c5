"""Every failure becomes a calm Dutch page with the right status; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from webui.public import without_tokens
from workflows.errors import (
    ConflictError,
    EngineError,
    InstanceStateError,
    NotFoundError,
    TaskNotAllowedError,
)

log = logging.getLogger("wegwijs.web")


def page(status: int, title: str, message: str) -> tuple[str, int]:
    """The error page (never raises itself)."""
    try:
        html = render_template("errors/error.html", status=status, title=title, message=message)
    except Exception:  # the error page itself must never fail: fall back to plain HTML
        log.exception("error page failed to render")
        html = (
            f"<!doctype html><html lang='nl'><title>{escape(title)}</title><main><h1>"
            f"{escape(title)}</h1><p>{escape(message)}</p></main></html>"
        )
    return html, status


def register(app: Flask) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        return page(
            400,
            _("Formulier verlopen"),
            _(
                "Het formulier was verlopen of kwam niet van deze site. Ga terug, vernieuw de "
                "pagina en probeer het opnieuw; uw invoer is niet verwerkt."
            ),
        )

    @app.errorhandler(NotFoundError)
    def not_found(exc: NotFoundError) -> tuple[str, int]:
        return page(404, _("Niet gevonden"), str(exc))

    @app.errorhandler(TaskNotAllowedError)
    def not_allowed(exc: TaskNotAllowedError) -> tuple[str, int]:
        return page(403, _("Geen toegang"), str(exc))

    @app.errorhandler(ConflictError)
    def conflict(exc: ConflictError) -> tuple[str, int]:
        return page(409, _("Dit is intussen veranderd"), str(exc))

    @app.errorhandler(InstanceStateError)
    def instance_state(exc: InstanceStateError) -> tuple[str, int]:
        return page(409, _("Dit kan nu niet"), str(exc))

    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError) -> tuple[str, int]:
        return page(400, _("Dit kan niet"), str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int]:
        status = exc.code or 500
        titles = {
            400: _("Ongeldig verzoek"),
            403: _("Geen toegang"),
            404: _("Pagina niet gevonden"),
            405: _("Dit kan zo niet"),
            413: _("Bestand te groot"),
            429: _("Even wachten"),
        }
        messages = {
            403: _(
                "U heeft niet de rol die hiervoor nodig is. Vraag de beheerder als dat niet klopt."
            ),
            404: _(
                "Deze pagina bestaat niet (meer). Controleer het adres of ga terug naar uw werkvoorraad."
            ),
            405: _("Deze actie kan alleen via de knoppen op de pagina."),
            413: _("Het bestand is groter dan 10 MB en is niet opgeslagen."),
            429: _(
                "U heeft deze pagina in korte tijd heel vaak opgevraagd. Wacht een paar minuten "
                "en probeer het dan opnieuw."
            ),
        }
        return page(
            status,
            titles.get(status, _("Er ging iets mis")),
            messages.get(status, exc.description or ""),
        )

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[str, int]:
        log.exception("unexpected error on %s %s", request.method, without_tokens(request.path))
        return page(
            500,
            _("Er ging iets mis"),
            _(
                "Er ging onverwacht iets mis; uw laatste actie is niet verwerkt. Probeer het opnieuw "
                "of meld het aan de beheerder (tijdstip en pagina zijn vastgelegd)."
            ),
        )
