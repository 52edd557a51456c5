"""Alle initiatieven, Mijn initiatieven and the initiative page: data, contact person, phases,
diagram, aspects, notes, documents."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from webui import inputs, navigation, public
from webui.auth import CASE_READERS, WORKERS, engine, me, requires
from workflows import contacts, initiative_page, initiatives, notes, status_links
from workflows.errors import EngineError, NotFoundError, TaskNotAllowedError
from workflows.roles import MAY_CHOOSE_CASIST

bp = Blueprint("initiatives", __name__, url_prefix="/initiatieven")

_FILTERS = (
    "q",
    "wijk",
    "gebied",
    "category",
    "process_id",
    "phase",
    "casist",
    "status",
    "outcome",
)


def _list(heading: str, mine: bool) -> str:
    wanted = {name: inputs.text(request.args.get(name, "")).strip()[:200] for name in _FILTERS}
    if mine:
        wanted["casist"] = me().username
    filters = initiatives.InitiativeFilter(**wanted)
    return render_template(
        "initiatives/list.html",
        heading=heading,
        mine=mine,
        filters=filters,
        choices=initiatives.filter_choices(engine()),
        page=initiatives.search(engine(), filters, inputs.page_number()),
        query={k: v for k, v in request.args.items() if k in _FILTERS and v},
    )


@bp.get("")
@requires(CASE_READERS)
def index() -> str:
    """List all initiatives, newest first, narrowed by search and filters."""
    return _list(_("Alle initiatieven"), mine=False)


@bp.get("/mijn")
@requires(WORKERS)
def mine() -> str:
    """List the initiatives whose casist I am, newest first."""
    return _list(_("Mijn initiatieven"), mine=True)


def _render(
    instance_id: int, note_text: str = "", note_error: str | None = None, status: int = 200
) -> tuple[str, int]:
    user = me()
    may_choose = user.has_any(MAY_CHOOSE_CASIST)
    return render_template(
        "initiatives/show.html",
        view=initiative_page.get_initiative(engine(), instance_id),
        may_write=user.has_any(WORKERS),
        may_choose_casist=may_choose,
        may_send_link=user.has_any(status_links.MAY_RENEW),
        casists=contacts.candidates(engine()) if may_choose else [],
        back=navigation.back(),
        note_text=note_text,
        note_error=note_error,
        now=engine().now(),
    ), status


@bp.get("/<id:instance_id>")
@requires(CASE_READERS)
def show(instance_id: int) -> tuple[str, int]:
    """Show one initiative: key data, phases, diagram, aspects, tasks, notes, documents, history."""
    return _render(instance_id)


@bp.get("/<id:instance_id>/diagram.bpmn")
@requires(CASE_READERS)
def diagram(instance_id: int) -> Response:
    """Send the BPMN of the version this case runs on (for the diagram viewer)."""
    return Response(initiative_page.diagram(engine(), instance_id), mimetype="application/xml")


@bp.post("/<id:instance_id>/casist")
@requires(MAY_CHOOSE_CASIST)
def change_casist(instance_id: int) -> BaseResponse:
    """Make someone else the case's casist (and hand over their open casist tasks)."""
    to = inputs.text(request.form.get("casist", "")).strip()
    if not to:
        flash(_("Kies een casist."), "error")
        return redirect(url_for("initiatives.show", instance_id=instance_id) + "#aanspreekpunt")
    try:
        contacts.change_casist(engine(), me(), instance_id, to)
    except (NotFoundError, TaskNotAllowedError) as exc:  # no such colleague, or no casist here
        flash(str(exc), "error")
    else:
        flash(_("Casist gewijzigd."), "success")
    return redirect(url_for("initiatives.show", instance_id=instance_id) + "#aanspreekpunt")


@bp.post("/<id:instance_id>/statuslink")
@requires(status_links.MAY_RENEW)
def send_status_link(instance_id: int) -> BaseResponse:
    """Mail the initiator a new private link to their status page (older links stop working)."""
    try:
        to = status_links.send_new_link(engine(), me(), public.links(), instance_id)
    except NotFoundError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _("Er gaat een nieuwe statuslink naar %(to)s. Eerdere links werken niet meer.", to=to),
            "success",
        )
    return redirect(url_for("initiatives.show", instance_id=instance_id) + "#aanspreekpunt")


@bp.post("/<id:instance_id>/notities")
@requires(WORKERS)
def add_note(instance_id: int) -> BaseResponse | tuple[str, int]:
    """Add an internal note."""
    text = inputs.text(request.form.get("body", ""))
    try:
        notes.add_note(engine(), me(), instance_id, text)
    except NotFoundError:
        raise
    except EngineError as exc:
        return _render(instance_id, note_text=text, note_error=str(exc), status=422)
    flash(_("Notitie toegevoegd."), "success")
    return redirect(url_for("initiatives.show", instance_id=instance_id) + "#notities")


@bp.post("/<id:instance_id>/documenten")
@requires(WORKERS)
def add_document(instance_id: int) -> BaseResponse:
    """Attach a document to the case."""
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        flash(_("Kies eerst een bestand om toe te voegen."), "error")
    else:
        try:
            notes.add_document(engine(), me(), instance_id, upload.filename, upload.read())
        except NotFoundError:
            raise
        except EngineError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Document toegevoegd."), "success")
    return redirect(url_for("initiatives.show", instance_id=instance_id) + "#documenten")


@bp.get("/<id:instance_id>/documenten/<id:document_id>")
@requires(CASE_READERS)
def document(instance_id: int, document_id: int) -> Response:
    """Download an attached document."""
    found = notes.get_document(engine(), instance_id, document_id)
    response = Response(found.content, mimetype=found.content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{_quote(found.filename)}"
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
