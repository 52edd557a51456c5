"""Pages for initiators, without an account: the private status page behind the link in their
e-mail. A wrong, old or revoked link shows the same "not found" page as any unknown address."""

from __future__ import annotations

import re

from flask import Blueprint, abort, render_template

from webui.auth import engine
from workflows import status_links
from workflows.errors import NotFoundError

bp = Blueprint("public", __name__)

_TOKEN_IN_PATH = re.compile(r"(/status/)[^/?#\s\"]+")


def without_tokens(text: str) -> str:
    """A path or log line with the status links' tokens left out (no log holds a token)."""
    return _TOKEN_IN_PATH.sub(r"\1…", text)


@bp.get("/status/<token>")
def status(token: str) -> str:
    """The initiator's status page (the token is the only key: no login). A token that opens
    nothing gets exactly the page of any unknown address: it tells a guesser nothing."""
    try:
        page = status_links.status_page(engine(), token)
    except NotFoundError:
        abort(404)
    return render_template("public/status.html", page=page)
