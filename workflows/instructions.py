"""What a diagram tells whoever does a user task (`spiffworkflow:instructionsForEndUser`), filled
in from the task's data as people read it: "Wat er ontbreekt: {{ admissibility_notes }}" or "de
vergadering van {{ meeting_date }}" (an ISO date reads "1 april 2026", an amount "€ 1.800,00", a
code its word from labels.json). The text comes from a diagram, so it is rendered in Jinja's sandbox, without
HTML (the pages escape it), and a template that fails shows nothing rather than an error.

Also the budget a task decides on (task property `budget`), so the page can show what is left of
it before anyone decides."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from engine import Engine
from workflows import fund, labels, operators

log = logging.getLogger("wegwijs.instructions")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
#: the task property the engine keeps a task's instructions in
PROPERTY = "instructions"


def render(text: Any, data: Mapping[str, Any]) -> str:
    """The instructions with the case data filled in ("" without instructions)."""
    if not text:
        return ""
    env = SandboxedEnvironment(autoescape=False, cache_size=0)
    words = {k: _word(k, v) for k, v in data.items() if isinstance(k, str) and k.isidentifier()}
    try:
        # lines and runs of spaces become one space; a no-break space (€ 1.800,00) stays
        return _SPACES.sub(" ", env.from_string(str(text)).render(words)).strip()
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


@dataclass(frozen=True)
class BudgetView:
    """The budget a task decides on: its ledger's name, and the ledger (None: nothing granted
    from it yet, so it is not opened)."""

    code: str
    summary: fund.FundSummary | None


#: a task property naming the ledger a decision in that task spends from, with the case's
#: values in braces and {year} for this year: "wijkwensen-{gebied}-{year}" shows the
#: gebiedsmanager what is left of the gebied's budget before deciding on a wish
BUDGET = "budget"
_ZONE = ZoneInfo("Europe/Amsterdam")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def budget_of(
    engine: Engine, properties: Mapping[str, Any], data: Mapping[str, Any]
) -> BudgetView | None:
    """The ledger the task's `budget` property names, filled in from the case (None: the task
    names none, or a value it needs is missing)."""
    spec = str(properties.get(BUDGET) or "")
    if not spec:
        return None
    values = {"year": str(engine.now().astimezone(_ZONE).year)}
    values |= {k: str(v) for k, v in data.items() if isinstance(v, str | int) and v != ""}
    missing = [name for name in _PLACEHOLDER.findall(spec) if name not in values]
    if missing:
        return None
    code = _PLACEHOLDER.sub(lambda m: values[m.group(1)], spec)
    with engine.reading() as conn:
        summary = fund.summary(conn, code) if fund.period_exists(conn, code) else None
    return BudgetView(code, summary)
