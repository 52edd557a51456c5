"""The worklist: Mijn taken and the team queue."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from webui import formatting, i18n
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
    """One worklist row, every text and link ready: the template only places them."""

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
    urgency: str  # "overdue", "near_due" or ""
    urgency_label: str  # "Te laat", "Bijna" or ""
    action: str  # "claim", "release" or ""
    action_url: str
    action_text: str
    action_label: str  # what the button acts on, for screen readers


class _Texts(NamedTuple):
    """What every row says the same way, translated once per page."""

    catalog: Any
    no_title: str
    nobody: str
    overdue: str
    near_due: str
    claim: str
    release: str


def _links(tab: str) -> dict[str, str]:
    """Each row's links with "{id}" where the task's or case's id goes (built once per page)."""
    marker = "00000000-0000-0000-0000-000000000000"
    return {
        "task": url_for("tasks.show", task_id=marker, van=tab).replace(marker, "{id}"),
        "case": url_for("initiatives.show", instance_id=999999999, van=tab).replace(
            "999999999", "{id}"
        ),
        "claim": url_for("tasks.claim", task_id=marker).replace(marker, "{id}"),
        "release": url_for("tasks.release", task_id=marker).replace(marker, "{id}"),
    }


def _row(
    item: worklist.WorkItem, now: Any, username: str, links: dict[str, str], texts: _Texts
) -> Row:
    title = item.initiative_title or texts.no_title
    action = "claim" if item.assignee is None else "release" if item.assignee == username else ""
    context = item.context
    urgency = item.urgency or ""
    return Row(
        item.task_id,
        links["task"].replace("{id}", item.task_id),
        links["case"].replace("{id}", str(item.instance_id)),
        title,
        item.zaaknummer or "",
        item.title,
        context,
        item.lane_label,
        item.assignee_name or item.assignee or texts.nobody,
        formatting.days_ago((now - item.created_at).days, texts.catalog),
        formatting.date(item.due_at),
        urgency,
        texts.overdue if urgency == "overdue" else texts.near_due if urgency == "near_due" else "",
        action,
        links[action].replace("{id}", item.task_id) if action else "",
        texts.claim if action == "claim" else texts.release if action == "release" else "",
        f"{item.title} ({context}), {title}" if context else f"{item.title}, {title}",
    )


def _shown(count: int) -> str:
    """A tab's count as shown: at most COUNT_CAP - 1, then "99+"."""
    return f"{worklist.COUNT_CAP - 1}+" if count >= worklist.COUNT_CAP else str(count)


def _render(tab: str) -> str:
    user = me()
    view = worklist.worklist(engine(), user, tab, page_number())
    now = engine().now()
    links = _links(tab)
    texts = _Texts(
        i18n.translations(),
        _("(zonder titel)"),
        _("nog niemand"),
        _("Te laat"),
        _("Bijna"),
        _("Oppakken"),
        _("Terugleggen"),
    )
    return render_template(
        "worklist/list.html",
        tab=tab,
        page=view.page,
        rows=[_row(item, now, user.username, links, texts) for item in view.page.items],
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
