"""The worklist: Mijn taken and the team queue."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from webui import formatting
from webui.auth import CASE_READERS, WORKERS, engine, me, requires
from webui.inputs import page_number
from workflows import worklist
from workflows.roles import MAY_MODEL

bp = Blueprint("worklist", __name__)


@bp.get("/")
@login_required
def home() -> Response | str:
    """Send each user to where their work is."""
    user = me()
    if user.has_any(WORKERS):
        return redirect(url_for("worklist.mine"))
    if user.has_any(CASE_READERS):
        return redirect(url_for("initiatives.index"))
    if user.has_any(MAY_MODEL):
        return redirect(url_for("modeling.index"))
    return render_template("worklist/welcome.html")


class Row(NamedTuple):
    """One worklist row, every text ready for the template."""

    task_id: str
    instance_id: int
    initiative_title: str
    zaaknummer: str
    title: str
    context: str
    lane: str
    assignee: str
    age: str
    due: str
    urgency: str  # "overdue", "near_due" or ""
    action: str  # "claim", "release" or ""
    action_label: str  # what the button acts on, for screen readers


def _row(item: worklist.WorkItem, now: Any, username: str) -> Row:
    title = item.initiative_title or _("(zonder titel)")
    action = "claim" if item.assignee is None else "release" if item.assignee == username else ""
    context = item.context
    return Row(
        item.task_id,
        item.instance_id,
        title,
        item.zaaknummer or "",
        item.title,
        context,
        item.lane_label,
        item.assignee or _("nog niemand"),
        formatting.age(item.created_at, now),
        formatting.date(item.due_at),
        item.urgency or "",
        action,
        f"{item.title} ({context}), {title}" if context else f"{item.title}, {title}",
    )


def _shown(count: int) -> str:
    """A tab's count as shown: at most COUNT_CAP - 1, then "99+"."""
    return f"{worklist.COUNT_CAP - 1}+" if count >= worklist.COUNT_CAP else str(count)


def _render(tab: str) -> str:
    user = me()
    view = worklist.worklist(engine(), user, tab, page_number())
    now = engine().now()
    return render_template(
        "worklist/list.html",
        tab=tab,
        page=view.page,
        rows=[_row(item, now, user.username) for item in view.page.items],
        shown_mine=_shown(view.counts.mine),
        shown_team=_shown(view.counts.team),
        lacks_team=view.lacks_team,
    )


@bp.get("/taken/mijn")
@requires(WORKERS)
def mine() -> str:
    """Show the open tasks assigned to me, oldest first."""
    return _render("mine")


@bp.get("/taken/team")
@requires(WORKERS)
def team() -> str:
    """Show the open tasks of my roles, with who has them, oldest first."""
    return _render("team")
