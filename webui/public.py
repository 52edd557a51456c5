"""Pages for initiators, without an account: the private status page behind the link in their
e-mail. A wrong, old or revoked link shows the same "not found" page as any unknown address."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from webui import inputs
from webui.auth import engine
from workflows import status_links
from workflows.errors import ConflictError, NotFoundError

bp = Blueprint("public", __name__)

#: per address: pages behind a link, and withdrawals (Flask-Limiter; a 429 gets a Dutch page).
#: Kept in the process's memory: one `wegwijs serve` process; several processes each count
#: their own (point RATELIMIT_STORAGE_URI at a shared store then).
PAGE_LIMIT = "60 per minute"
WITHDRAW_LIMIT = "10 per hour"
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[])

_TOKEN_IN_PATH = re.compile(r"(/status/)[^/?#\s\"]+")


def without_tokens(text: str) -> str:
    """A path or log line with the status links' tokens left out (no log holds a token)."""
    return _TOKEN_IN_PATH.sub(r"\1…", text)


@bp.get("/status/<token>")
@limiter.limit(PAGE_LIMIT)
def status(token: str) -> str:
    """The initiator's status page (the token is the only key: no login). A token that opens
    nothing gets exactly the page of any unknown address: it tells a guesser nothing."""
    page = _page_or_404(token)
    return render_template("public/status.html", page=page, token=token)


def _page_or_404(token: str) -> status_links.StatusPage:
    try:
        return status_links.status_page(engine(), token)
    except NotFoundError:
        abort(404)


@bp.get("/status/<token>/intrekken")
@limiter.limit(PAGE_LIMIT)
def withdraw_form(token: str) -> str:
    """Ask before withdrawing: what it means, and for a grant held in the fund."""
    page = _page_or_404(token)
    if page.closed:
        return render_template("public/status.html", page=page, token=token)
    return render_template("public/withdraw.html", page=page, token=token, reason="")


@bp.post("/status/<token>/intrekken")
@limiter.limit(WITHDRAW_LIMIT)
def withdraw(token: str) -> Response | tuple[str, int]:
    """Withdraw the initiative (the confirmation was asked on the page before)."""
    reason = inputs.text(request.form.get("reason", ""))
    page = _page_or_404(token)
    if request.form.get("confirm") != "ja":
        return render_template(
            "public/withdraw.html",
            page=page,
            token=token,
            reason=reason,
            error=_("Vink aan dat u uw initiatief wilt intrekken."),
        ), 422
    try:
        status_links.withdraw(engine(), token, reason)
    except ConflictError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _("Uw initiatief is ingetrokken. U krijgt hiervan een bevestiging per e-mail."),
            "success",
        )
    return redirect(url_for("public.status", token=token))
