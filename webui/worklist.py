"""The worklist: Mijn taken and the team queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from webui import formatting
from webui.auth import CASE_READERS, WORKERS, engine, me, requires
from webui.inputs import page_number
from workflows import worklist

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
    return render_template("worklist/welcome.html")


@dataclass(slots=True)
class Row:
    """One worklist row, every text ready: the template only places them (this page is hot)."""

    task_id: str
    task_url: str
    initiative_url: str
    initiative_title: str
    zaaknummer: str
    title: str
    context: str
    lane: str
    assignee: str
    age: str
    due: str
    urgency: str
    action: str  # "claim", "release" or ""
    action_url: str
    action_label: str  # what the button acts on, for screen readers


def _rows(items: tuple[worklist.WorkItem, ...], username: str) -> list[Row]:
    now = engine().now()
    task_prefix = url_for("tasks.show", task_id="0")[:-1]
    # each row's links: the route's URL for task "0" with the row's task id put in its place
    actions = {}
    for action in ("claim", "release"):
        before, after = url_for(f"tasks.{action}", task_id="0").split("/0/", 1)
        actions[action] = (f"{before}/", f"/{after}")
    initiative_prefix = url_for("initiatives.show", instance_id=0)[:-1]
    untitled, nobody = _("(zonder titel)"), _("nog niemand")
    # many tasks share a due day and an age: format each once
    ages: dict[int, str] = {}
    dues: dict[object, str] = {}

    def age(created: datetime) -> str:
        days = (now - created).days
        text = ages.get(days)
        if text is None:
            text = ages[days] = formatting.age(created, now)
        return text

    def due(moment: datetime | None) -> str:
        text = dues.get(moment)
        if text is None:
            text = dues[moment] = formatting.date(moment)
        return text

    rows = []
    for item in items:
        task_url = task_prefix + item.task_id
        title = item.initiative_title or untitled
        action = (
            "claim" if item.assignee is None else "release" if item.assignee == username else ""
        )
        rows.append(
            Row(
                task_id=item.task_id,
                task_url=task_url,
                initiative_url=f"{initiative_prefix}{item.instance_id}",
                initiative_title=title,
                zaaknummer=item.zaaknummer or "",
                title=item.title,
                context=item.context,
                lane=item.lane_label,
                assignee=item.assignee or nobody,
                age=age(item.created_at),
                due=due(item.due_at),
                urgency=item.urgency or "",
                action=action,
                action_url=item.task_id.join(actions[action]) if action else "",
                action_label=(
                    f"{item.title} ({item.context}), {title}"
                    if item.context
                    else f"{item.title}, {title}"
                ),
            )
        )
    return rows


def _render(tab: str) -> str:
    user = me()
    view = worklist.worklist(engine(), user, tab, page_number())
    return render_template(
        "worklist/list.html",
        tab=tab,
        page=view.page,
        rows=_rows(view.page.items, user.username),
        counts=view.counts,
        count_cap=worklist.COUNT_CAP,
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
