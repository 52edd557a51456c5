"""Procesbeheer: the processes and their versions, drafts in the modeler (BPMN, DMN, forms),
check, diff, deploy, import, and moving waiting cases to a newer version.

Only `procesbeheerder` comes here. Every view parses the request, calls one use case in
`workflows.modeling` or `workflows.processes`, and renders; the JSON endpoints serve the
modeler's saving and its syntax check as you type.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from webui import inputs
from webui.auth import engine, me, requires
from workflows import modeling, modeling_pages, operators, people, phases, processes
from workflows.errors import ConflictError, DefinitionError, EngineError, OriginError
from workflows.roles import LANE_ROLES, MAY_MODEL

bp = Blueprint("modeling", __name__, url_prefix="/procesbeheer")
OWNERS = MAY_MODEL
MAX_UPLOAD_FILES = 20


# ------------------------------------------------------------------ processes and versions


@bp.get("")
@requires(OWNERS)
def index() -> str:
    """List every process with its versions, the open drafts, and the import form."""
    return render_template(
        "modeling/index.html",
        processes=processes.overview(engine()),
        drafts=modeling.list_drafts(engine()),
        person=people.namer(engine()),
    )


@bp.get("/versies/<id:version_id>")
@requires(OWNERS)
def version(version_id: int) -> str:
    """Show one version read-only: its diagram, its files, and what changed since the one before."""
    page = modeling_pages.version_page(engine(), version_id)
    return render_template("modeling/version.html", page=page, person=people.namer(engine()))


@bp.post("/versies/<id:version_id>/concept")
@requires(OWNERS)
def start_draft(version_id: int) -> BaseResponse:
    """Start a draft from a version."""
    draft = modeling.start_draft(engine(), me(), version_id)
    flash(_("Concept gemaakt vanaf deze versie; wijzigingen worden vanzelf opgeslagen."), "success")
    return redirect(url_for("modeling.draft", draft_id=draft.id))


@bp.post("/import")
@requires(OWNERS)
def import_files() -> BaseResponse | tuple[str, int]:
    """Import a diagram made elsewhere (with its DMN and form files)."""
    files = _uploads()
    if not files:
        flash(_("Kies eerst een of meer bestanden (.bpmn, .dmn, .json)."), "error")
        return redirect(url_for("modeling.index"))
    result = modeling.import_files(engine(), me(), files)
    if result.draft is None:
        return render_template(
            "modeling/import.html", report=result.report, names=[name for name, _ in files]
        ), 422
    flash(_("Geïmporteerd als concept. Bekijk de bevindingen hieronder."), "success")
    return redirect(url_for("modeling.check", draft_id=result.draft.id))


def _uploads() -> list[tuple[str, bytes]]:
    uploads = [u for u in request.files.getlist("files") if u and u.filename][:MAX_UPLOAD_FILES]
    return [(inputs.text(u.filename or "bestand"), u.read()) for u in uploads]


# ------------------------------------------------------------------ drafts


def _render_draft(
    draft_id: int, report: Any = None, diff: Any = None, status: int = 200
) -> tuple[str, int]:
    page = modeling_pages.draft_page(engine(), draft_id, report, diff)
    config = {
        "draftId": page.draft.id,
        "file": page.diagram_file,
        "revision": page.draft.revision,
        "saveUrl": url_for("modeling.save", draft_id=page.draft.id),
        "checkUrl": url_for("modeling.check_text"),
        "roles": sorted(LANE_ROLES),
        "forms": list(page.forms),
        "decisions": list(page.decisions),
        "phases": [{"code": p.code, "label": p.label} for p in phases.PHASES],
        "operators": sorted(operators.operators("-")),
        "findings": [
            {"element_id": f.element_id, "severity": f.severity, "message": f.message}
            for f in (page.report.findings if page.report else ())
        ],
        "changes": [
            {"element_id": c.element_id, "kind": c.kind}
            for c in (page.diff.changes if page.diff else ())
        ],
    }
    return (
        render_template(
            "modeling/draft.html", page=page, config=config, person=people.namer(engine())
        ),
        status,
    )


@bp.get("/concepten/<id:draft_id>")
@requires(OWNERS)
def draft(draft_id: int) -> tuple[str, int]:
    """Show a draft in the modeler, with its files and who changed what."""
    return _render_draft(draft_id)


@bp.get("/concepten/<id:draft_id>/controle")
@requires(OWNERS)
def check(draft_id: int) -> tuple[str, int]:
    """Check a draft: every finding listed and marked on its element."""
    return _render_draft(draft_id, report=modeling.check_draft(engine(), me(), draft_id))


@bp.get("/concepten/<id:draft_id>/verschil")
@requires(OWNERS)
def diff(draft_id: int) -> tuple[str, int]:
    """Show what the draft changes against the newest version, in words and on the diagram."""
    return _render_draft(draft_id, diff=modeling_pages.diff_page(engine(), draft_id))


@bp.post("/concepten/<id:draft_id>/opslaan")
@requires(OWNERS)
def save(draft_id: int) -> tuple[Response, int]:
    """Save one file of a draft (the modeler's autosave and the editors' save button)."""
    body = request.get_json(silent=True) or {}
    name, text, revision = body.get("file"), body.get("text"), body.get("revision")
    if not isinstance(name, str) or not isinstance(text, str) or not isinstance(revision, int):
        return jsonify(message=_("Onvolledig verzoek; er is niets opgeslagen.")), 400
    try:
        saved = modeling.save_file(engine(), me(), draft_id, name, inputs.text(text), revision)
    except ConflictError as exc:
        return jsonify(message=str(exc)), 409
    except EngineError as exc:
        return jsonify(message=str(exc)), 400
    return jsonify(revision=saved.revision, summary=list(saved.changes[0].summary)), 200


@bp.post("/controleer-tekst")
@requires(OWNERS)
def check_text() -> Response:
    """Check one expression, script, timer or property value as the modeler types it."""
    body = request.get_json(silent=True) or {}
    message = modeling.check_snippet(
        engine(),
        me(),
        str(body.get("kind", "")),
        inputs.text(str(body.get("text", ""))),
        str(body.get("name", "")),
    )
    return jsonify(message=message)


@bp.post("/concepten/<id:draft_id>/bestanden")
@requires(OWNERS)
def add_files(draft_id: int) -> BaseResponse:
    """Add uploaded files (a decision table, a form) to a draft."""
    files = _uploads()
    if not files:
        flash(_("Kies eerst een of meer bestanden."), "error")
    else:
        try:
            modeling.add_files(engine(), me(), draft_id, files)
        except (ConflictError, EngineError) as exc:
            flash(str(exc), "error")
        else:
            flash(_("Bestanden toegevoegd aan het concept."), "success")
    return redirect(url_for("modeling.draft", draft_id=draft_id))


@bp.post("/concepten/<id:draft_id>/in-gebruik")
@requires(OWNERS)
def deploy(draft_id: int) -> BaseResponse | tuple[str, int]:
    """Deploy a draft as a new version (the same use case as `wegwijs deploy`)."""
    confirm = request.form.get("confirm_new_version") == "1"
    try:
        result = modeling.deploy_draft(engine(), me(), draft_id, confirm)
    except DefinitionError as exc:
        report = modeling_pages.report_of(exc)
        return _render_draft(draft_id, report=report, status=422)
    except OriginError as exc:
        return render_template(
            "modeling/origin.html", draft_id=draft_id, questions=exc.questions
        ), 409
    for created in result.created:
        flash(
            _(
                "%(process)s versie %(version)s is in gebruik.",
                process=created.name,
                version=created.version,
            ),
            "success",
        )
    if not result.created:
        flash(_("Er was niets veranderd; er is geen nieuwe versie gemaakt."), "info")
    process_id = modeling.get_draft(engine(), draft_id).process_id
    return redirect(url_for("modeling.cases", process_id=process_id))


@bp.post("/concepten/<id:draft_id>/weggooien")
@requires(OWNERS)
def discard(draft_id: int) -> BaseResponse:
    """Throw a draft away."""
    modeling.discard_draft(engine(), me(), draft_id)
    flash(_("Concept weggegooid."), "success")
    return redirect(url_for("modeling.index"))


@bp.get("/concepten/<id:draft_id>/formulier/<path:name>")
@requires(OWNERS)
def form(draft_id: int, name: str) -> str:
    """Edit a form schema with a live preview of the casist's page."""
    page = modeling_pages.file_page(engine(), draft_id, name)
    return render_template(
        "modeling/form.html", page=page, preview=modeling_pages.form_preview(page.text)
    )


@bp.post("/formulier-voorbeeld")
@requires(OWNERS)
def form_preview() -> str:
    """Render a form schema as the casist's task page shows it (the live preview)."""
    body = request.get_json(silent=True) or {}
    preview = modeling_pages.form_preview(inputs.text(str(body.get("text", ""))))
    return render_template("modeling/_form_preview.html", preview=preview)


@bp.get("/concepten/<id:draft_id>/beslistabel/<path:name>")
@requires(OWNERS)
def decision(draft_id: int, name: str) -> str:
    """Edit a DMN decision table with dmn-js."""
    return render_template(
        "modeling/decision.html", page=modeling_pages.file_page(engine(), draft_id, name)
    )


# ------------------------------------------------------------------ cases and migration


@bp.get("/processen/<process_id>/zaken")
@requires(OWNERS)
def cases(process_id: str) -> str:
    """List the running and waiting cases of a process that are on an older version."""
    return render_template(
        "modeling/cases.html",
        process_id=inputs.text(process_id)[:200],
        cases=processes.cases_on_older_versions(engine(), inputs.text(process_id)[:200]),
    )


@bp.get("/zaken/<id:instance_id>/overzetten")
@requires(OWNERS)
def migration(instance_id: int) -> str:
    """Show the pre-check of moving a case to the newest version, and its earlier moves."""
    return render_template(
        "modeling/migrate.html",
        check=processes.check_migration(engine(), me(), instance_id),
        history=processes.migrations(engine(), instance_id),
        person=people.namer(engine()),
    )


@bp.post("/zaken/<id:instance_id>/overzetten")
@requires(OWNERS)
def migrate(instance_id: int) -> BaseResponse:
    """Move a case to the newest version (refused with reasons when unsafe)."""
    moved = processes.migrate(engine(), me(), instance_id)
    flash(
        _("Zaak %(id)s staat nu op versie %(version)s.", id=instance_id, version=moved.to_version),
        "success",
    )
    return redirect(url_for("modeling.migration", instance_id=instance_id))


@bp.post("/zaken/<id:instance_id>/terugzetten")
@requires(OWNERS)
def undo(instance_id: int) -> BaseResponse:
    """Put a moved case back on its old version, while it has not moved on."""
    back = processes.undo_migration(engine(), me(), instance_id)
    flash(
        _(
            "Zaak %(id)s staat weer op versie %(version)s.",
            id=instance_id,
            version=back.from_version,
        ),
        "success",
    )
    return redirect(url_for("modeling.migration", instance_id=instance_id))
