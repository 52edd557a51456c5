"""Interface language: Dutch first, English available; catalogs compiled from the .po files."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, request, session
from flask_babel import get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

log = logging.getLogger("wegwijs.i18n")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = ("nl", "en")


def select_locale() -> str:
    """The session's choice, else the browser's preference, else Dutch."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or "nl"


def ensure_compiled() -> None:
    """Compile each .po catalog to .mo when the .mo is missing or older (no build step needed).

    Written to a temporary file and moved into place, so a worker starting at the same moment
    never reads half a catalog; where the package is read-only the interface stays Dutch.
    """
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
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
    """This request's catalog, looked up once (a page asks for dozens of texts).

    Each language's catalog is kept per app after its first use: Flask-Babel would parse the
    language into a babel Locale on every request to find the same catalog again.
    """
    found = g.get("wegwijs_translations")
    if found is None:
        catalogs: dict[str, Any] = current_app.extensions.setdefault("wegwijs_catalogs", {})
        code = language()
        found = catalogs.get(code)
        if found is None:
            found = catalogs[code] = get_translations()
        g.wegwijs_translations = found
    return found


def install_fast_gettext(app: Flask) -> None:
    """Templates' `_()` read the request's cached catalog instead of resolving it per text.

    Same behaviour as Jinja's "newstyle" gettext (the result is markup and always a format
    string, so `%(name)s` values are escaped), in one call instead of three; a text without
    values is translated and formatted once per catalog. A page rendered by `render_template`
    gets a `_` bound to the request's catalog (it asks for dozens of texts); macro modules,
    which keep their own context between requests, use the global one, which looks the
    catalog up on every call.
    """
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = _template_gettext

    @app.context_processor
    def _page_gettext() -> dict[str, Any]:
        catalog = translations()

        @pass_context
        def gettext(context: Context, string: str, **variables: Any) -> str:
            return _translate(catalog, context, string, variables)

        return {"_": gettext}


@pass_context
def _template_gettext(context: Context, string: str, **variables: Any) -> str:
    return _translate(translations(), context, string, variables)


def _translate(catalog: Any, context: Context, string: str, variables: dict[str, Any]) -> str:
    # Markup as Jinja's own newstyle gettext does: the text is the template's literal and our
    # shipped translation of it; the values put into it are escaped by Markup's %.
    if variables or not context.eval_ctx.autoescape:
        text = catalog.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704
    done: dict[str, Markup] = catalog.__dict__.setdefault("_wegwijs_markup", {})
    found = done.get(string)
    if found is None:
        found = done[string] = Markup(catalog.ugettext(string)) % {}  # noqa: S704
    return found
