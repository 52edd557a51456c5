"""Logging in and out, the session's user, and the role checks every other view uses."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from webui import inputs
from workflows import accounts
from workflows.roles import LANE_ROLES

bp = Blueprint("auth", __name__)

#: roles that work on tasks (the initiator has no account)
WORKERS = frozenset((LANE_ROLES - {"initiatiefnemer"}) | {"teamleider"})
#: roles that may read case data (initiative pages, lists)
CASE_READERS = WORKERS | {"manager", "beheerder"}

F = TypeVar("F", bound=Callable[..., Any])


class SessionUser(UserMixin):
    """The logged-in user as Flask-Login sees it; `.user` is the domain's account."""

    def __init__(self, user: accounts.User) -> None:
        self.user = user

    def get_id(self) -> str:
        # the key ends this session when the password changes (or the user is removed)
        return f"{self.user.username}|{self.user.session_key}"


def now_seconds() -> int:
    """The wall clock for session lifetimes (whole seconds; tests move it)."""
    return int(time.time())


def engine() -> Any:
    """The engine of this app (wired once in create_app)."""
    return current_app.extensions["wegwijs_engine"]


def me() -> accounts.User:
    """The domain account of the logged-in user."""
    return current_user.user  # type: ignore[no-any-return]


def requires(allowed: frozenset[str]) -> Callable[[F], F]:
    """Let a view run only for a logged-in user holding one of these roles (else 403)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not me().has_any(allowed):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site (never to another host, also not via `/\\host`)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("worklist.home")


@bp.route("/inloggen", methods=["GET", "POST"])
def login() -> Response | str:
    """Show the login form, and log in."""
    if current_user.is_authenticated:
        return redirect(url_for("worklist.home"))
    error = None
    username = ""
    if request.method == "POST":
        username = inputs.text(request.form.get("username", "")).strip()[:200]
        password = request.form.get("password", "")
        if not username or not password:
            error = _("Vul uw gebruikersnaam en wachtwoord in.")
        else:
            try:
                user = accounts.authenticate(engine(), username, password)
            except accounts.LoginRefusedError as exc:
                error = str(exc)
            else:
                session.clear()
                login_user(SessionUser(user))
                session.permanent = True  # the cookie lasts the absolute lifetime, no longer
                session["began"] = session["seen"] = now_seconds()
                return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=error, username=username), (
        401 if error else 200
    )  # type: ignore[return-value]


@bp.post("/uitloggen")
@login_required
def logout() -> Response:
    """Log out: every session of this user ends (a cookie copied earlier no longer works)."""
    accounts.end_sessions(engine(), me().username)
    logout_user()
    session.clear()
    flash(_("U bent uitgelogd, ook op uw andere apparaten."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/taal")
def language() -> Response:
    """Switch the interface language (Dutch or English) for this session."""
    wanted = request.form.get("lang", "nl")
    session["lang"] = wanted if wanted in ("nl", "en") else "nl"
    return redirect(_safe_next(request.form.get("next")))
