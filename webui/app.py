"""`create_app`: the only place that wires Flask to the domain (blueprints, extensions, headers)."""

from __future__ import annotations

import hmac
import logging
import os
from typing import Any

from flask import Flask, Response, current_app, flash, redirect, request, session, url_for
from flask_babel import Babel
from flask_babel import gettext as _
from flask_login import LoginManager, logout_user
from flask_wtf.csrf import CSRFProtect

from webui import (
    ENGINE_KEY,
    admin,
    auth,
    dashboard,
    errors,
    formatting,
    i18n,
    initiatives,
    inputs,
    modeling,
    public,
    tasks,
    vendor,
    worklist,
)
from webui.public import without_tokens
from workflows import accounts, bootstrap

log = logging.getLogger("wegwijs.web")
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


def create_app(
    settings: bootstrap.Settings | None = None,
    engine: Any = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    """Build the app for these settings (default: from the environment) or an existing engine."""
    app = Flask(__name__, instance_relative_config=False)
    settings = settings or bootstrap.settings_from_env()
    config = dict(config or {})
    app.config.update(
        SECRET_KEY=config.get("SECRET_KEY") or bootstrap.secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("WEGWIJS_SECURE_COOKIES", "0") == "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=os.environ.get("WEGWIJS_SECURE_COOKIES", "0") == "1",
        # a session ends this long after login (absolute) or after this long unused (idle)
        PERMANENT_SESSION_LIFETIME=_seconds("WEGWIJS_SESSION_HOURS", 8, 3600),
        SESSION_IDLE_SECONDS=_seconds("WEGWIJS_SESSION_IDLE_MINUTES", 60, 60),
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,  # documents up to 10 MB plus form overhead
        WTF_CSRF_TIME_LIMIT=None,  # the session bounds it; a long form must not fail at submit
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE="Europe/Amsterdam",
        BABEL_TRANSLATION_DIRECTORIES=str(i18n.TRANSLATIONS),
        BPMN_JS_DIST=os.environ.get("WEGWIJS_BPMN_JS_DIST") or str(vendor.default_dist()),
    )
    app.config.setdefault("SMTP_CONFIGURED", settings.smtp is not None)
    app.config.setdefault("PUBLIC_URL", settings.public_url)
    app.config.setdefault("RETENTION_MONTHS", settings.retention_months)
    app.config.update(config)
    # rate limits guard the public pages; tests switch them on where they test them
    app.config.setdefault("RATELIMIT_ENABLED", not app.config.get("TESTING", False))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.extensions[ENGINE_KEY] = engine or bootstrap.open_engine(settings)

    i18n.ensure_compiled()
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om verder te gaan."
    login_manager.localize_callback = _  # flashed in the visitor's language
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)

    # "/dashboard/" typed or pasted finds "/dashboard" (and the other way round): not a 404
    app.url_map.strict_slashes = False
    app.url_map.converters["id"] = inputs.IdConverter
    app.url_map.converters["task"] = inputs.TaskIdConverter
    for module in (auth, worklist, tasks, initiatives, dashboard, modeling, admin, public):
        app.register_blueprint(module.bp)
    app.register_blueprint(vendor.blueprint(app.config["BPMN_JS_DIST"]))
    for assets in vendor.modeler_blueprints():
        app.register_blueprint(assets)
    public.limiter.init_app(app)
    errors.register(app)
    formatting.register(app)

    @app.get("/healthz")
    def healthz() -> Response:
        """Tell a load balancer the app is up (a trivial route, also the benchmark's baseline)."""
        return Response("ok", mimetype="text/plain")

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint and not request.endpoint.endswith("static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.before_request(_same_origin_only)
    app.before_request(_session_lifetimes)

    @app.context_processor
    def navigation() -> dict[str, Any]:
        endpoint = request.endpoint or ""
        nav = {"worklist.mine": "mine", "worklist.team": "team"}.get(endpoint)
        if endpoint == "initiatives.mine" or (
            endpoint == "initiatives.show" and request.args.get("van") == "mijn"
        ):
            nav = "my-cases"
        elif endpoint.startswith("initiatives."):
            nav = "all"
        elif endpoint.startswith("dashboard."):
            nav = "dashboard"
        elif endpoint.startswith("modeling."):
            nav = "modeling"
        return {
            "workers": auth.WORKERS,
            "case_readers": auth.CASE_READERS,
            "managers": dashboard.MANAGERS,
            "decision_readers": dashboard.DECISION_READERS,
            "process_owners": modeling.OWNERS,
            "nav": nav,
            "language": i18n.language,
        }

    return app


def _seconds(variable: str, default: int, unit: int) -> int:
    """A lifetime setting from the environment (a positive whole number), in seconds."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default * unit
    if not raw.isdigit() or int(raw) < 1:
        raise RuntimeError(f"{variable} moet een positief geheel getal zijn, niet {raw!r}.")
    return int(raw) * unit


_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _same_origin_only() -> tuple[str, int] | None:
    """Refuse a state-changing request that a page on another site sent (its Origin header
    names that site); CSRF tokens stop it too, this stops it before any work."""
    if request.method not in _STATE_CHANGING:
        return None
    origin = request.headers.get("Origin")
    if not origin or origin == request.host_url.rstrip("/"):
        return None
    log.warning(
        "refused a %s from a foreign origin to %s", request.method, without_tokens(request.path)
    )
    return errors.page(
        403,
        _("Niet toegestaan"),
        _("Dit verzoek kwam van een andere website en is daarom geweigerd."),
    )


def _session_lifetimes() -> Response | None:
    """End a logged-in session that passed its absolute or idle lifetime (both settings)."""
    endpoint = request.endpoint or ""
    if "_user_id" not in session or endpoint == "healthz" or endpoint.endswith("static"):
        return None
    now = auth.now_seconds()
    began, seen = session.get("began"), session.get("seen")
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"]
    idle = current_app.config["SESSION_IDLE_SECONDS"]
    if not isinstance(began, int) or not isinstance(seen, int):
        began = seen = now  # a session from before these settings: count from now
        session["began"] = began
    if now - began > _total(absolute) or now - seen > idle:
        logout_user()
        session.clear()
        flash(_("Uw sessie is verlopen. Log opnieuw in."), "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))  # type: ignore[return-value]
    if now - seen >= 60:  # not on every request: each change re-sends the cookie
        session["seen"] = now
    return None


def _total(lifetime: Any) -> int:
    return int(lifetime.total_seconds()) if hasattr(lifetime, "total_seconds") else int(lifetime)


def _load_user(user_id: str) -> auth.SessionUser | None:
    """The session's user, if still active and the password is still the one logged in with."""
    username, _, key = user_id.partition("|")
    found = accounts.get_user(current_app.extensions[ENGINE_KEY], username)
    if found is None or not hmac.compare_digest(found.session_key, key):
        return None
    return auth.SessionUser(found)
