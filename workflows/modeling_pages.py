"""What the procesbeheer pages show, read in one go per page: a version with its diagram and
changes, a draft with its files, history, findings and diff, one file of a draft, and the live
preview of a form schema as the casist's task page will show it (with its cross-field rules).

Reads only; every state change is in `workflows.modeling` and `workflows.processes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from engine import (
    CheckReport,
    DefinitionError,
    Engine,
    EngineError,
    NotFoundError,
    ProcessVersionInfo,
    VersionDiff,
)
from workflows import forms
from workflows.modeling import Draft, form_json, get_draft


def _diagram_of(files: Mapping[str, str], process_id: str) -> tuple[str | None, str]:
    bpmn = sorted(n for n in files if n.lower().endswith(".bpmn"))
    name = next((n for n in bpmn if f'id="{process_id}"' in files[n]), bpmn[0] if bpmn else None)
    return name, files.get(name, "") if name else ""


@dataclass(frozen=True)
class VersionPage:
    """One deployed version, read-only."""

    info: ProcessVersionInfo
    files: tuple[str, ...]
    diagram: str
    previous: ProcessVersionInfo | None
    diff: VersionDiff | None


def version_page(engine: Engine, version_id: int) -> VersionPage:
    info = engine.get_version(version_id)
    files = engine.version_files(version_id)
    older = [v for v in engine.list_versions(info.process_id) if v.version < info.version]
    previous = older[-1] if older else None
    diff = engine.diff_versions(previous.id, version_id) if previous else None
    return VersionPage(
        info, tuple(sorted(files)), _diagram_of(files, info.process_id)[1], previous, diff
    )


@dataclass(frozen=True)
class DraftPage:
    """A draft as its page shows it: the modeler's diagram, its other files, its findings."""

    draft: Draft
    diagram_file: str | None
    diagram: str
    forms: tuple[str, ...]
    decisions: tuple[str, ...]  # decision ids of its DMN files
    decision_files: tuple[str, ...]
    report: CheckReport | None
    diff: VersionDiff | None
    diff_problem: str | None
    latest: ProcessVersionInfo | None


def draft_page(
    engine: Engine,
    draft_id: int,
    report: CheckReport | None = None,
    diff: tuple[VersionDiff | None, str | None] | None = None,
) -> DraftPage:
    draft = get_draft(engine, draft_id)
    name, text = _diagram_of(draft.files, draft.process_id)
    drawn = engine.outline(draft.sources())
    latest = next((v for v in engine.list_processes() if v.process_id == draft.process_id), None)
    return DraftPage(
        draft=draft,
        diagram_file=name,
        diagram=text,
        forms=tuple(n.rsplit("/", 1)[-1] for n in draft.of_kind(".json")),
        decisions=tuple(sorted(drawn.decisions)),
        decision_files=tuple(draft.of_kind(".dmn")),
        report=report,
        diff=diff[0] if diff else None,
        diff_problem=diff[1] if diff else None,
        latest=latest,
    )


def diff_page(engine: Engine, draft_id: int) -> tuple[VersionDiff | None, str | None]:
    """The draft's changes against the newest version, or why there is nothing to compare."""
    from workflows.modeling import diff_draft

    try:
        found = diff_draft(engine, draft_id)
    except DefinitionError as exc:
        return None, "; ".join(p.message for p in exc.problems)
    if found is None:
        return None, "Dit proces is nog nooit in gebruik genomen; alles is nieuw."
    return found, None


def report_of(exc: DefinitionError) -> CheckReport:
    """A refused deployment as a check report (its findings are all errors)."""
    return CheckReport(findings=tuple(exc.problems))


@dataclass(frozen=True)
class FilePage:
    """One file of a draft, to edit."""

    draft: Draft
    name: str
    text: str


def file_page(engine: Engine, draft_id: int, name: str) -> FilePage:
    draft = get_draft(engine, draft_id)
    found = next((n for n in draft.files if n == name or n.rsplit("/", 1)[-1] == name), None)
    if found is None:
        raise NotFoundError(f"Het concept heeft geen bestand '{name}'.")
    return FilePage(draft, found, draft.files[found])


__all__ = [
    "DraftPage",
    "FilePage",
    "VersionPage",
    "diff_page",
    "draft_page",
    "file_page",
    "report_of",
    "version_page",
]


@dataclass(frozen=True)
class FormPreview:
    """A form schema as a casist's task page shows it, plus its cross-field rules in words."""

    title: str
    description: str
    fields: tuple[forms.FieldSpec, ...]
    rules: tuple[str, ...]
    problems: tuple[str, ...]  # why the schema is not valid (the page shows what it can)


def form_preview(text: str) -> FormPreview:
    """The fields a casist will see for this schema text, and its cross-field rules."""
    try:
        schema = form_json(text)
    except EngineError as exc:
        return FormPreview("", "", (), (), (str(exc),))
    problems = []
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(hoofdniveau)"
        problems.append(f"Ongeldig JSON Schema bij {where}.")
    try:
        fields = tuple(forms.fields(schema))
    except Exception:  # a schema too broken to describe: show the problem only
        fields = ()
        problems.append("De velden van dit schema kunnen niet worden getoond.")
    return FormPreview(
        str(schema.get("title") or ""),
        str(schema.get("description") or ""),
        fields,
        tuple(cross_field_rules(schema)),
        tuple(problems),
    )


def _title(schema: Mapping[str, Any], name: str) -> str:
    sub = (schema.get("properties") or {}).get(name)
    return str(sub.get("title") or name) if isinstance(sub, Mapping) else name


def _value(schema: Mapping[str, Any], name: str, value: Any) -> str:
    """A value as the form shows it: the option's title, ja/nee, or the number itself."""
    sub = (schema.get("properties") or {}).get(name)
    options = sub.get("oneOf") or sub.get("anyOf") or [] if isinstance(sub, Mapping) else []
    for option in options:
        if isinstance(option, Mapping) and option.get("const") == value and option.get("title"):
            return f"'{option['title']}'"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int | float):
        return f"{value:,}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"'{value}'"


def _condition(schema: Mapping[str, Any], condition: Any) -> str:
    parts = []
    for name, sub in ((condition or {}).get("properties") or {}).items():
        if not isinstance(sub, Mapping):
            continue
        if "const" in sub:
            parts.append(f"'{_title(schema, name)}' {_value(schema, name, sub['const'])} is")
        elif "enum" in sub:
            values = " of ".join(_value(schema, name, v) for v in sub["enum"])
            parts.append(f"'{_title(schema, name)}' {values} is")
        else:
            parts.append(f"'{_title(schema, name)}' aan een voorwaarde voldoet")
    return " en ".join(parts) or "de voorwaarde geldt"


_LIMITS = {
    "minimum": "minstens {}",
    "exclusiveMinimum": "meer dan {}",
    "maximum": "hoogstens {}",
    "exclusiveMaximum": "minder dan {}",
    "const": "{}",
}


def _consequence(schema: Mapping[str, Any], then: Any) -> list[str]:
    words = []
    required = (then or {}).get("required") or []
    if required:
        names = ", ".join(f"'{_title(schema, n)}'" for n in required)
        words.append(f"{names} {'is' if len(required) == 1 else 'zijn'} verplicht")
    for name, sub in ((then or {}).get("properties") or {}).items():
        if not isinstance(sub, Mapping):
            continue
        limits = [
            template.format(_value(schema, name, sub[key]))
            for key, template in _LIMITS.items()
            if key in sub
        ]
        if "enum" in sub:
            limits.append(" of ".join(_value(schema, name, v) for v in sub["enum"]))
        if limits:
            words.append(f"'{_title(schema, name)}' moet {' en '.join(limits)} zijn")
    return words


def cross_field_rules(schema: Mapping[str, Any]) -> list[str]:
    """The rules between fields (if/then/else, dependentRequired), in Dutch."""
    rules: list[str] = []
    blocks = [schema, *[b for b in schema.get("allOf") or [] if isinstance(b, Mapping)]]
    for block in blocks:
        if "if" in block:
            condition = _condition(schema, block.get("if"))
            then = _consequence(schema, block.get("then"))
            otherwise = _consequence(schema, block.get("else"))
            if then:
                rules.append(f"Als {condition}: {'; '.join(then)}.")
            if otherwise:
                rules.append(f"Anders: {'; '.join(otherwise)}.")
    for name, needed in (schema.get("dependentRequired") or {}).items():
        names = ", ".join(f"'{_title(schema, n)}'" for n in needed)
        rules.append(f"Wie '{_title(schema, name)}' invult, moet ook {names} invullen.")
    return rules
