"""Interface language: Dutch first, English available; catalogs compiled from the .po files."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request, session

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = ("nl", "en")


def select_locale() -> str:
    """The session's choice, else the browser's preference, else Dutch."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or "nl"


def ensure_compiled() -> None:
    """Compile each .po catalog to .mo when the .mo is missing or older (no build step needed)."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        with mo.open("wb") as target:
            write_mo(target, catalog)
