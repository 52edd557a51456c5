"""What changed between two versions of a process, element by element and in words, from
SpiffWorkflow's own spec diff (`SpecDiff`: elements aligned by BPMN id, else by position).

Used for the diff a process owner sees before deploying (a draft against the newest version)
and for the pre-check of a migration (what changes for one waiting case).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff

from engine.types import ElementChange, VersionDiff

#: the attributes of a serialized task spec, as a process owner would name a change to them
_ATTRIBUTES = {
    "lane": "baan",
    "documentation": "beschrijving",
    "script": "script",
    "cond_task_specs": "voorwaarden van de uitgaande pijlen",
    "default_task_spec": "standaardpad",
    "event_definition": "gebeurtenis (timer, bericht of signaal)",
    "outputs": "verbindingen naar volgende stappen",
    "inputs": "verbindingen vanaf eerdere stappen",
    "typename": "soort element",
    "decision_ref": "beslistabel",
    "prescript": "script vooraf",
    "postscript": "script achteraf",
    "spec": "aangeroepen proces",
    "operation_name": "dienst",
    "operation_params": "parameters van de dienst",
    "cancel_activity": "onderbrekend of niet",
}
_IGNORED = frozenset({"name", "bpmn_id", "manual", "lookahead", "data_input_associations"})


def _label(spec: Any) -> str:
    return str(getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name)


def _words(old: dict[str, Any], new: dict[str, Any], changed: Iterable[str]) -> list[str]:
    words: list[str] = []
    for attribute in changed:
        if attribute in _IGNORED:
            continue
        if attribute == "bpmn_name":
            words.append(f"naam: '{old.get('bpmn_name') or ''}' → '{new.get('bpmn_name') or ''}'")
        elif attribute == "extensions":
            words += _extension_words(old.get("extensions") or {}, new.get("extensions") or {})
        elif attribute == "lane":
            words.append(f"baan: '{old.get('lane') or '-'}' → '{new.get('lane') or '-'}'")
        else:
            words.append(f"{_ATTRIBUTES.get(attribute, attribute)} gewijzigd")
    return words


def _extension_words(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    words: list[str] = []
    before = dict(old.get("properties") or {})
    after = dict(new.get("properties") or {})
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            if key not in before:
                words.append(f"eigenschap {key} toegevoegd: '{after[key]}'")
            elif key not in after:
                words.append(f"eigenschap {key} verwijderd (was '{before[key]}')")
            else:
                words.append(f"eigenschap {key}: '{before[key]}' → '{after[key]}'")
    for key in sorted((set(old) | set(new)) - {"properties"}):
        if old.get(key) != new.get(key):
            words.append(f"{_ATTRIBUTES.get(key.lower(), key)} gewijzigd")
    return words


def _visible(spec: Any) -> bool:
    """Specs a person drew (not the library's own Start/End/joins)."""
    return bool(getattr(spec, "bpmn_id", None)) and "." not in spec.name


def diff_specs(
    registry: Any,
    old: tuple[Any, Mapping[str, Any]],
    new: tuple[Any, Mapping[str, Any]],
    process_id: str,
    from_version: int | None,
    to_version: int | None,
) -> VersionDiff:
    """The changes from `old` to `new` (each: the process spec and its subprocess specs)."""
    changes: list[ElementChange] = []
    pairs: list[tuple[Any, Any]] = [(old[0], new[0])]
    old_subs, new_subs = dict(old[1]), dict(new[1])
    for name in sorted(set(old_subs) | set(new_subs)):
        if name in old_subs and name in new_subs:
            pairs.append((old_subs[name], new_subs[name]))
        elif name in new_subs:
            changes.append(
                ElementChange(name, name, "added", ("subproces of aangeroepen proces toegevoegd",))
            )
        else:
            changes.append(
                ElementChange(name, name, "removed", ("subproces of aangeroepen proces vervallen",))
            )
    for before, after in pairs:
        diff = SpecDiff(registry, before, after)
        for spec in diff.added:
            if _visible(spec):
                changes.append(ElementChange(spec.bpmn_id, _label(spec), "added", ("nieuw",)))
        for spec in diff.removed:
            if _visible(spec):
                changes.append(ElementChange(spec.bpmn_id, _label(spec), "removed", ("vervallen",)))
        for spec, attributes in diff.changed.items():
            if not _visible(spec):
                continue
            words = _words(
                registry.convert(spec), registry.convert(diff.alignment[spec]), attributes
            )
            if words:
                changes.append(
                    ElementChange(
                        spec.bpmn_id, _label(diff.alignment[spec]), "changed", tuple(words)
                    )
                )
    order = {"added": 0, "changed": 1, "removed": 2}
    unique = {(c.element_id, c.kind): c for c in changes}
    return VersionDiff(
        process_id=process_id,
        from_version=from_version,
        to_version=to_version,
        changes=tuple(sorted(unique.values(), key=lambda c: (order[c.kind], c.name))),
    )
