"""The task page: the form, draft, complete; and claim, release, reassign."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webui import inputs, navigation
from webui.auth import CASE_READERS, WORKERS, engine, me, requires
from workflows import tasks as task_actions
from workflows.errors import ConflictError, EngineError, NotFoundError, TaskNotAllowedError

bp = Blueprint("tasks", __name__, url_prefix="/taken")


def _back(task_id: str) -> str:
    target = request.form.get("next", "")
    if target in ("mine", "team"):
        return url_for(f"worklist.{target}")
    return url_for("tasks.show", task_id=task_id)


def _render(page: task_actions.TaskPage, status: int = 200) -> tuple[str, int]:
    return render_template(
        "tasks/task.html",
        page=page,
        colleagues=task_actions.colleague_choices(engine(), page.item.lane, page.item.group)
        if page.can_reassign
        else [],
        back=navigation.back(),
        now=engine().now(),
    ), status


@bp.get("/<task:task_id>")
@requires(CASE_READERS)
def show(task_id: str) -> tuple[str, int]:
    """Show a task with its form."""
    return _render(task_actions.open_task(engine(), me(), task_id))


@bp.post("/<task:task_id>")
@requires(WORKERS)
def submit(task_id: str) -> Response | tuple[str, int]:
    """Save the form as a draft, or check it and complete the task."""
    raw = inputs.form()
    action = request.form.get("action", "complete")
    raw.pop("action", None)
    raw.pop("csrf_token", None)
    if action == "draft":
        try:
            task_actions.save_draft(engine(), me(), task_id, raw)
        except (NotFoundError, TaskNotAllowedError, ConflictError):
            raise
        except EngineError as exc:  # e.g. too large: show the form again, with what was typed
            page = task_actions.open_task(engine(), me(), task_id)
            page = dataclasses.replace(
                page, values=task_actions.as_typed(raw), errors={"": str(exc)}
            )
            return _render(page, 422)
        flash(_("Concept opgeslagen. U kunt later verdergaan."), "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    result = task_actions.complete(engine(), me(), task_id, raw)
    if result.refused is not None:
        return render_template(
            "tasks/refused.html", message=result.refused, kept=result.kept, task_id=task_id
        ), 409
    if not result.done:
        assert result.page is not None  # noqa: S101
        return _render(result.page, 422)
    flash(_("Taak afgerond."), "success")
    return redirect(url_for("worklist.mine"))


@bp.post("/<task:task_id>/oppakken")
@requires(WORKERS)
def claim(task_id: str) -> Response:
    """Take a task from the team queue."""
    task_actions.claim(engine(), me(), task_id)
    flash(_("Taak opgepakt; u vindt haar onder Mijn taken."), "success")
    return redirect(_back(task_id))


@bp.post("/<task:task_id>/terugleggen")
@requires(WORKERS)
def release(task_id: str) -> Response:
    """Put a task back in the team queue."""
    task_actions.release(engine(), me(), task_id)
    flash(_("Taak teruggelegd in de teambak."), "success")
    return redirect(_back(task_id))


@bp.post("/<task:task_id>/toewijzen")
@requires(WORKERS)
def reassign(task_id: str) -> Response:
    """Give a task to a colleague (team lead)."""
    to = inputs.text(request.form.get("to", "")).strip()
    if not to:
        flash(_("Kies aan wie u de taak wilt toewijzen."), "error")
        return redirect(url_for("tasks.show", task_id=task_id))
    task_actions.reassign(engine(), me(), task_id, to)
    flash(_("Taak toegewezen."), "success")
    return redirect(url_for("tasks.show", task_id=task_id))
