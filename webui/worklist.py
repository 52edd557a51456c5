"""The worklist: Mijn taken and the team queue."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

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


@bp.get("/taken/mijn")
@requires(WORKERS)
def mine() -> str:
    """Show the open tasks assigned to me, oldest first."""
    user = me()
    return render_template(
        "worklist/list.html",
        tab="mine",
        page=worklist.my_tasks(engine(), user, page_number()),
        counts=worklist.counts(engine(), user),
        now=engine().now(),
    )


@bp.get("/taken/team")
@requires(WORKERS)
def team() -> str:
    """Show the open tasks of my roles, with who has them, oldest first."""
    user = me()
    return render_template(
        "worklist/list.html",
        tab="team",
        page=worklist.team_tasks(engine(), user, page_number()),
        counts=worklist.counts(engine(), user),
        now=engine().now(),
    )
