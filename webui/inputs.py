"""Reading request input safely: page numbers, ids and text without control characters."""

from __future__ import annotations

import re

from flask import request
from werkzeug.routing import BaseConverter, IntegerConverter

_PAGE = re.compile(r"[0-9]{1,5}")
# NUL and other C0 controls (except tab, newline, carriage return) never belong in text input;
# PostgreSQL refuses NUL in text outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def page_number() -> int:
    """The `pagina` query parameter, or 1 when absent or not a plain positive number."""
    raw = request.args.get("pagina", "1")
    return int(raw) if _PAGE.fullmatch(raw) and int(raw) > 0 else 1


def text(value: str | None) -> str:
    """Text input with control characters removed."""
    return _CONTROL.sub("", value or "")


def form() -> dict[str, list[str]]:
    """The submitted form, every value cleaned of control characters (all values per field)."""
    return {
        text(key): [text(v) for v in values]
        for key, values in request.form.to_dict(flat=False).items()
    }


class IdConverter(IntegerConverter):
    """A database id in a URL: 1 to 18 digits, so it always fits a 64-bit key (else 404)."""

    regex = r"[0-9]{1,18}"


class TaskIdConverter(BaseConverter):
    """A task id in a URL: a UUID's characters only (anything else is a 404, never a query)."""

    regex = r"[0-9a-fA-F-]{1,36}"
