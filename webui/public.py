"""Pages for initiators, without an account: the private status page behind the link in their
e-mail. A wrong, old or revoked link shows the same "not found" page as any unknown address."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from webui import inputs
from webui.auth import engine
from workflows import forms, intake, status_links, tasks
from workflows.errors import ConflictError, NotFoundError

bp = Blueprint("public", __name__)

#: per address: pages behind a link, and withdrawals (Flask-Limiter; a 429 gets a Dutch page).
#: Kept in the process's memory: one `wegwijs serve` process; several processes each count
#: their own (point RATELIMIT_STORAGE_URI at a shared store then).
PAGE_LIMIT = "60 per minute"
INTAKE_LIMIT = "10 per hour"
ANSWER_LIMIT = "30 per hour"
#: a person needs longer than this to fill in the intake form (a faster post is a robot's)
MIN_SECONDS = 3
#: the field people never see (a robot fills in every field)
HONEYPOT = "extra_adres"
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


def links() -> status_links.Links:
    """Where this app's status links point, made with its secret key."""
    return status_links.Links(current_app.config["SECRET_KEY"], current_app.config["PUBLIC_URL"])


def _stamp() -> str:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="intake").dumps(1)


def _too_fast(stamp: str) -> bool:
    """True when the form came back sooner than a person can fill it in (or without our stamp)."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="intake")
    minimum = int(current_app.config.get("INTAKE_MIN_SECONDS", MIN_SECONDS))
    try:
        # the stamp counts whole seconds: "older than minimum - 1" is "at least minimum"
        serializer.loads(stamp, max_age=minimum - 1 if minimum > 0 else None)
    except SignatureExpired:
        return False  # our stamp, older than the minimum: a person's pace
    except BadData:
        return True  # no stamp, or not ours
    return minimum > 0


def _intake_page(
    values: dict[str, object], errors: dict[str, str], status: int = 200
) -> tuple[str, int]:
    schema = intake.form(engine())
    return render_template(
        "public/intake.html",
        schema=schema,
        fields=forms.fields(schema),
        values=values,
        errors=errors,
        stamp=_stamp(),
        honeypot=HONEYPOT,
        max_attachments=intake.MAX_ATTACHMENTS,
        max_attachment_mb=intake.MAX_ATTACHMENT_BYTES // 1_048_576,
        retention_months=current_app.config["RETENTION_MONTHS"],
    ), status


@bp.get("/initiatief")
@limiter.limit(PAGE_LIMIT)
def intake_form() -> tuple[str, int]:
    """The public intake form: "Ik heb een initiatief"."""
    return _intake_page({}, {})


@bp.post("/initiatief")
@limiter.limit(INTAKE_LIMIT)
def intake_submit() -> tuple[str, int]:
    """Start an initiative from the public form, or show what to correct (nothing is lost)."""
    raw = inputs.form()
    stamp = (raw.pop("t", None) or [""])[0]
    trap = (raw.pop(HONEYPOT, None) or [""])[0]
    raw.pop("csrf_token", None)
    typed = tasks.as_typed(raw)
    if trap or _too_fast(stamp):
        message = _(
            "Dat ging sneller dan een mens een formulier invult. Controleer uw gegevens en "
            "verstuur het formulier nog een keer."
        )
        return _intake_page(typed, {"": message}, 422)
    files = [
        (upload.filename or "", upload.read())
        for upload in request.files.getlist(intake.ATTACHMENTS)
        if upload.filename
    ]
    result = intake.submit(engine(), links(), raw, files)
    if isinstance(result, intake.Refused):
        return _intake_page(typed, {e.field: e.message for e in result.errors}, 422)
    return render_template(
        "public/received.html",
        zaaknummer=result.zaaknummer,
        status_url=url_for("public.status", token=result.token),
    ), 201


def _page_or_404(token: str) -> status_links.StatusPage:
    try:
        return status_links.status_page(engine(), token)
    except NotFoundError:
        abort(404)


@bp.get("/status/<token>/vraag/<task:task_id>")
@limiter.limit(PAGE_LIMIT)
def question(token: str, task_id: str) -> Response | tuple[str, int]:
    """What the process asks of the initiator, with its form."""
    try:
        return _question_page(token, task_id, {}, {})
    except NotFoundError:
        abort(404)
    except ConflictError as exc:
        flash(str(exc), "info")
        return redirect(url_for("public.status", token=token))


def _question_page(
    token: str, task_id: str, values: dict[str, object], errors: dict[str, str], status: int = 200
) -> tuple[str, int]:
    asked = status_links.question(engine(), token, task_id)
    return render_template(
        "public/question.html",
        asked=asked,
        fields=forms.fields(asked.form),
        values=values,
        errors=errors,
        token=token,
    ), status


@bp.post("/status/<token>/vraag/<task:task_id>")
@limiter.limit(ANSWER_LIMIT)
def answer(token: str, task_id: str) -> Response | tuple[str, int]:
    """Complete the request as the initiator, or show what to correct (nothing is lost)."""
    raw = inputs.form()
    raw.pop("csrf_token", None)
    try:
        errors = status_links.answer(engine(), token, task_id, raw)
    except NotFoundError:
        abort(404)
    except ConflictError as exc:
        flash(str(exc), "error")
        return redirect(url_for("public.status", token=token))
    if errors:
        typed = tasks.as_typed(raw)
        return _question_page(token, task_id, typed, {e.field: e.message for e in errors}, 422)
    flash(
        _("Dank u wel. Wij hebben uw antwoord ontvangen; uw contactpersoon gaat ermee verder."),
        "success",
    )
    return redirect(url_for("public.status", token=token))


@bp.get("/status/<token>/wijziging")
@limiter.limit(PAGE_LIMIT)
def change_form(token: str) -> str:
    """Ask what the initiator wants to change in the plan being carried out."""
    page = _page_or_404(token)
    if not page.can_request_change:
        return render_template("public/status.html", page=page, token=token)
    return render_template("public/change.html", page=page, token=token, text="")


@bp.post("/status/<token>/wijziging")
@limiter.limit(WITHDRAW_LIMIT)
def request_change(token: str) -> Response | tuple[str, int]:
    """Pass a change request on to the casist, who decides and mails the answer."""
    text = inputs.text(request.form.get("text", ""))
    page = _page_or_404(token)
    try:
        status_links.request_change(engine(), token, text)
    except status_links.EmptyRequestError as exc:
        return render_template(
            "public/change.html", page=page, token=token, text=text, error=str(exc)
        ), 422
    except ConflictError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _(
                "Dank u wel. Uw contactpersoon beoordeelt uw wijziging en laat u per e-mail weten "
                "of het kan."
            ),
            "success",
        )
    return redirect(url_for("public.status", token=token))


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
