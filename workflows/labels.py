"""Dutch words for the codes the processes use — aspects, teams, categories, outcomes,
verdicts and the values of case data — so that no page shows a code to a person.

The words come from `bpmn/labels.json`, which the process owner maintains beside the diagrams
(read once when Wegwijs starts, like the diagrams in bpmn/); values of a field a form defines
can also take their word from that form's options (`oneOf` titles). A code without a word is
shown as it is, and `tests/unit/test_labels.py` fails for every code the processes can
produce that has none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

LABELS_FILE = Path(__file__).resolve().parent.parent / "bpmn" / "labels.json"


def _load(path: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    found.pop("_about", None)
    return found


#: kind -> code -> word; "values" holds data key -> value -> word
TABLE: Mapping[str, Any] = _load(LABELS_FILE)


def word(kind: str, code: Any) -> str:
    """The word for a code of a kind ("aspect", "team", "category", "outcome", "verdict")."""
    if code is None or code == "":
        return "–"
    text = str(code)
    found = TABLE.get(kind, {}).get(text)
    if found is None and kind == "category":
        found = TABLE["category"].get(text.upper())
    return str(found) if found is not None else text


def value(key: str, data_value: Any) -> str | None:
    """The word for a value of a case data field (e.g. scale "meerdere_wijken"), or None."""
    found = TABLE.get("values", {}).get(key, {}).get(str(data_value))
    return str(found) if found is not None else None


def aspect(entry: Mapping[str, Any] | None) -> str:
    """An aspect of an assessment as people read it: "Past in het beleid (team Beleid)"."""
    if not isinstance(entry, Mapping):
        return ""
    code, team = entry.get("code"), entry.get("team")
    if code and team and not entry.get("group") and entry.get("lane") == "casist":
        return word("aspect", code)  # the case's own casist assesses it, no team
    if code and team:
        return f"{word('aspect', code)} (team {word('team', team)})"
    return word("aspect", code) if code else word("team", team) if team else ""


def context(values: Any) -> str:
    """A short label from the task's context values (e.g. the aspect of an assessment):
    "BELEIDSFIT (BELEID)"."""
    if not isinstance(values, dict):
        return ""
    parts = []
    for key, item in values.items():
        if isinstance(item, dict):
            parts.append(aspect(item) if item.get("code") else str(item.get("name") or ""))
        elif isinstance(item, list):  # e.g. the questions a request asks: their text
            text = "; ".join(str(v) for v in item if v not in (None, ""))
            parts.append(text if len(text) <= 120 else text[:119] + "…")
        elif item not in (None, ""):
            parts.append(value(key, item) or str(item))
    return ", ".join(p for p in parts if p)
