"""Where a page's breadcrumb leads back to: the page the user came from (`?van=…`), if it is
one of the pages a user browses from; otherwise the page's usual parent."""

from __future__ import annotations

from typing import NamedTuple

from flask import request, url_for
from flask_babel import gettext as _


class Back(NamedTuple):
    url: str
    label: str


def back() -> Back | None:
    """The page named by `?van=`: mine, team, initiatives, my initiatives, or a case."""
    came_from = request.args.get("van", "")
    if came_from == "mine":
        return Back(url_for("worklist.mine"), _("Mijn taken"))
    if came_from == "team":
        return Back(url_for("worklist.team"), _("Team"))
    if came_from == "mijn":
        return Back(url_for("initiatives.mine"), _("Mijn initiatieven"))
    if came_from.startswith("zaak-") and came_from[5:].isdigit() and len(came_from) < 25:
        return Back(
            url_for("initiatives.show", instance_id=int(came_from[5:])), _("Terug naar de zaak")
        )
    return None
