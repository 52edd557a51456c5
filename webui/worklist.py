"""The worklist: Mijn taken and the team queue."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from webui import formatting, i18n
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


class Row(NamedTuple):
    """One worklist row, every text ready: the row macro in worklist/_row.html only places
    them, in this order."""

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
    action: str  # "claim", "release" or ""
    action_url: str
    action_label: str  # what the button acts on, for screen readers


def _row(item: worklist.WorkItem, days: int, action: str, catalog: Any) -> Row:
    links = _row_links()
    title = item.initiative_title or catalog.gettext("(zonder titel)")
    task_title, context = item.title, item.context
    return Row(
        item.task_id,
        links.task + item.task_id,
        f"{links.initiative}{item.instance_id}",
        title,
        item.zaaknummer or "",
        task_title,
        context,
        item.lane_label,
        item.assignee or catalog.gettext("nog niemand"),
        formatting.days_ago(days, catalog),
        formatting.date(item.due_at),
        item.urgency or "",
        action,
        item.task_id.join(links.actions[action]) if action else "",
        f"{task_title} ({context}), {title}" if context else f"{task_title}, {title}",
    )


#: rendered rows kept per app; when full, the memo starts over (a page costs 25 renders then)
ROW_MEMO_SIZE = 4096
#: where an app keeps them (app.extensions)
ROW_MEMO = "wegwijs_row_html"


def _rows_html(items: tuple[worklist.WorkItem, ...], username: str) -> Markup:
    """The rows' HTML: each row rendered by the row macro once, then kept.

    A row's HTML is a function of the task as read (`WorkItem`, with its urgency), its age in
    days, the button this user gets and the language, so those are the memo's key: a changed
    task, another day, another viewer's button or another language is another key, and the
    memo can never show a stale or someone else's row. Formatting and rendering 25 rows was
    a third of the page's time. Templates that reload (debug) are rendered every time.
    """
    app = current_app
    memo: dict[tuple[Any, ...], Markup] = app.extensions.setdefault(ROW_MEMO, {})
    now = engine().now()
    catalog = i18n.translations()
    keep = not app.jinja_env.auto_reload
    macro = None
    parts = []
    for item in items:
        days = (now - item.created_at).days
        action = (
            "claim" if item.assignee is None else "release" if item.assignee == username else ""
        )
        key = (item, days, action, catalog)
        html = memo.get(key)
        if html is None:
            if macro is None:
                macro = app.jinja_env.get_template("worklist/_row.html").module.row  # type: ignore[attr-defined]
            html = macro(*_row(item, days, action, catalog))
            if keep:
                if len(memo) >= ROW_MEMO_SIZE:
                    memo.clear()
                memo[key] = html
        parts.append(html)
    return Markup("".join(parts))  # noqa: S704 - each part is the macro's escaped output


def _shown(count: int) -> str:
    """A tab's count as shown: at most COUNT_CAP - 1, then "99+"."""
    return f"{worklist.COUNT_CAP - 1}+" if count >= worklist.COUNT_CAP else str(count)


class _RowLinks(NamedTuple):
    """Each row's links around its task or case id: the route's URL for id "0" split at the
    "0", built once per app (url_for per row was a third of this page's time)."""

    task: str  # + task id
    initiative: str  # + case id
    actions: dict[str, tuple[str, str]]  # action -> (before, after) the task id


def _row_links() -> _RowLinks:
    found: _RowLinks | None = current_app.extensions.get("wegwijs_row_links")
    if found is None:
        actions = {}
        for action in ("claim", "release"):
            before, after = url_for(f"tasks.{action}", task_id="0").split("/0/", 1)
            actions[action] = (f"{before}/", f"/{after}")
        found = current_app.extensions["wegwijs_row_links"] = _RowLinks(
            task=url_for("tasks.show", task_id="0")[:-1],
            initiative=url_for("initiatives.show", instance_id=0)[:-1],
            actions=actions,
        )
    return found


def _render(tab: str) -> str:
    user = me()
    view = worklist.worklist(engine(), user, tab, page_number())
    return render_template(
        "worklist/list.html",
        tab=tab,
        page=view.page,
        rows=_rows_html(view.page.items, user.username),
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
