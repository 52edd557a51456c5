"""Beheer: what the beheerder keeps an eye on. The e-mail that was not sent (yet), with why, and
trying a given-up message again."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webui.auth import engine, me, requires
from workflows import mail

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.get("/berichten")
@requires(mail.MAY_SEE_MAIL)
def messages() -> str:
    """The messages not sent: given up first, then those waiting for a (next) try."""
    return render_template(
        "admin/messages.html",
        pending=mail.not_sent(engine()),
        smtp_configured=current_app.config.get("SMTP_CONFIGURED", False),
        now=engine().now(),
        nav="messages",
    )


@bp.post("/berichten/<id:message_id>/opnieuw")
@requires(mail.MAY_SEE_MAIL)
def try_again(message_id: int) -> Response:
    """Put a given-up message back in the queue."""
    if mail.try_again(engine(), me(), message_id):
        flash(
            _("Het bericht staat weer in de wachtrij en gaat bij de volgende ronde mee."), "success"
        )
    else:
        flash(_("Dit bericht is al verstuurd of bestaat niet meer."), "info")
    return redirect(url_for("admin.messages"))
