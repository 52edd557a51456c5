"""Interface language: Dutch first, English available; catalogs compiled from the .po files."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, request, session
from flask_babel import Domain, get_translations

log = logging.getLogger("wegwijs.i18n")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = ("nl", "en")


def select_locale() -> str:
    """The session's choice, else the browser's preference, else Dutch."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or "nl"


def ensure_compiled(directory: Path = TRANSLATIONS) -> None:
    """Compile each .po catalog to .mo when the .mo is missing or older (no build step needed).

    Written to a temporary file and moved into place, so a worker starting at the same moment
    never reads half a catalog; where the package is read-only the interface stays Dutch.
    """
    for po in directory.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as source:
                catalog = read_po(source)
            with tempfile.NamedTemporaryFile("wb", dir=mo.parent, delete=False) as target:
                write_mo(target, catalog)
            os.replace(target.name, mo)
        except OSError as exc:
            log.warning("could not compile %s (%s); that language falls back to Dutch", po, exc)


def language() -> str:
    """This request's interface language ("nl" or "en"), chosen once per request."""
    found: str | None = g.get("wegwijs_language")
    if found is None:
        found = g.wegwijs_language = select_locale()
    return found


def translations() -> Any:
    """This request's catalog (Flask-Babel's), looked up once per request: a page asks for
    some thirty texts, and Flask-Babel finds the catalog afresh for each (a tenth of a
    worklist page's time). Nothing here switches language within a request; code that would
    (`flask_babel.force_locale`) must drop `g.wegwijs_catalog` too."""
    found = g.get("wegwijs_catalog")
    if found is None:
        found = g.wegwijs_catalog = get_translations()
    return found


def install_template_gettext(app: Any) -> None:
    """Templates' `_()`/`ngettext()` through this request's catalog (`translations`), in place
    of Flask-Babel's callables that look the catalog up for every text."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # a text that comes from the processes (a phase, a diagram's own text, an outcome): its
    # translation when the catalog has one, else itself; never read as a format string (the
    # newstyle `_()` is, and a process owner's "100%" would break the page)
    app.jinja_env.filters["translated"] = translated


def translated(text: Any) -> Any:
    """A text that comes from the processes in this request's language: the processes'
    catalog, else the interface's (a status such as "Lopend"), else the text as written."""
    if not text or not isinstance(text, str):
        return text
    catalog = g.get("wegwijs_process_texts")
    if catalog is None:  # once per request, as `translations()` does for the interface's
        catalog = g.wegwijs_process_texts = PROCESS_TEXTS.get_translations()
    found = catalog.ugettext(text)
    return translations().ugettext(text) if found == text else found


#: the catalog of the processes' texts (domain "processes": phases, the diagrams' own texts,
#: desks, decisions, outcomes), kept by hand beside the interface's messages.po; Flask-Babel
#: finds it for the request's language, like the interface's own
PROCESS_TEXTS = Domain(domain="processes")
