"""What a diagram tells whoever does a user task (`spiffworkflow:instructionsForEndUser`), filled
in from the task's data as people read it: "Wat er ontbreekt: {{ admissibility_notes }}" or "de
vergadering van {{ meeting_date }}" (an ISO date reads "1 april 2026", an amount "€ 1.800,00", a
code its word from labels.json). The text comes from a diagram, so it is rendered in Jinja's sandbox, without
HTML (the pages escape it), and a template that fails shows nothing rather than an error."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from workflows import fund, labels, operators

log = logging.getLogger("wegwijs.instructions")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: the task property the engine keeps a task's instructions in
PROPERTY = "instructions"


def render(text: Any, data: Mapping[str, Any]) -> str:
    """The instructions with the case data filled in ("" without instructions)."""
    if not text:
        return ""
    env = SandboxedEnvironment(autoescape=False, cache_size=0)
    words = {k: _word(k, v) for k, v in data.items() if isinstance(k, str) and k.isidentifier()}
    try:
        return " ".join(env.from_string(str(text)).render(words).split())
    except TemplateError:
        log.warning("instructions of a task could not be filled in", exc_info=True)
        return ""


def _word(key: str, value: Any) -> Any:
    if key.endswith("_amount") and isinstance(value, int | float) and not isinstance(value, bool):
        return fund.euros(round(value * 100))  # 1800.0 → "€ 1.800,00"
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return operators.dutch_date(value)  # the scripts' helper: "1 april 2026"
        except ValueError:
            return value
    if isinstance(value, str | int | bool):
        return labels.value(key, value) or value
    return value
