"""The checks a definition file gets before it is deployed, each problem located (file, element,
line) and worded for a process owner: scripts, conditions, timers and DMN cells compiled in the
sandbox; unsupported elements; forms valid JSON Schema; properties, service operators and call
targets known; no process that calls itself."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask

from engine.definitions.dialects import library_message
from engine.definitions.xml import BPMN_NS, SPIFF_NS, line_of, nearest_id
from engine.errors import Problem
from engine.scripting import check_expression, check_script, literal

# BPMN flow elements SpiffWorkflow cannot run; listed so the owner hears it at deploy time.
UNSUPPORTED_ELEMENTS = {
    "complexGateway": "een complexe gateway (complexGateway)",
    "transaction": "een transactie-subproces (transaction)",
    "choreographyTask": "een choreografie-taak",
}


PropertyCheck = Callable[[str], "str | None"]


def check_expressions(name: str, root: Any, problems: list[Problem]) -> None:
    """Compile every script and expression in a BPMN file with the sandbox policy."""

    def report(node: Any, what: str, message: str) -> None:
        problems.append(
            Problem(name, f"{what}: {message}", element_id=nearest_id(node), line=node.sourceline)
        )

    bpmn = f"{{{BPMN_NS}}}"
    spiffns = f"{{{SPIFF_NS}}}"
    for node in root.iter(f"{bpmn}script", f"{spiffns}preScript", f"{spiffns}postScript"):
        if node.text and node.text.strip():
            message = check_script(node.text)
            if message:
                report(node, "fout in script", message)
    for tag, what in (
        ("conditionExpression", "fout in voorwaarde"),
        ("loopCardinality", "fout in aantal herhalingen"),
        ("completionCondition", "fout in afrondingsvoorwaarde"),
    ):
        for node in root.iter(f"{bpmn}{tag}"):
            if node.text and node.text.strip():
                message = check_expression(node.text)
                if message:
                    report(node, what, message)
    for node in root.iter(f"{spiffns}parameter"):
        value = node.get("value")
        if value and value.strip():
            message = check_expression(value)
            if message:
                report(node, f"fout in parameter '{node.get('id')}'", message)
    for node in root.iter(f"{spiffns}messagePayload"):
        if node.text and node.text.strip():
            message = check_expression(node.text)
            if message:
                report(node, "fout in berichtinhoud", message)
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for node in root.iter(f"{bpmn}{tag}"):
            message = check_timer(tag, (node.text or "").strip())
            if message:
                report(node, "fout in timer", message)


_ISO_LOOKING = re.compile(r"^(R\d*/)?P[\dTYMWDHS.]+$|^\d{4}-\d{2}-\d{2}")


def check_timer(tag: str, text: str) -> str | None:
    if not text:
        return "de timer heeft geen waarde"
    if _ISO_LOOKING.match(text):
        return (
            f'zet de waarde tussen aanhalingstekens, dus "{text}" (timers zijn Python-expressies)'
        )
    message = check_expression(text)
    if message:
        return message
    try:
        value = literal(text)
    except (ValueError, SyntaxError):
        return None  # an expression over task data; checked when the timer starts
    if not isinstance(value, str):
        return 'een timer moet een ISO-8601-tekst opleveren, zoals "P2D" of "2026-12-01T09:00:00+01:00"'
    try:
        if tag == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        elif tag == "timeDate":
            TimerEventDefinition.get_datetime(value)
        else:
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # the library raises assorted types for bad ISO text
        return f"'{value}' is geen geldige ISO-8601-waarde voor {tag}"
    return None


_QUESTION_OUTSIDE_QUOTES = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def dmn_cell_problem(input_expr: str, cell: str) -> str | None:
    """Check one input cell the way SpiffWorkflow's DMN engine will combine it with its input."""
    replaced = _QUESTION_OUTSIDE_QUOTES.sub("dmninputexpr", cell)
    if "dmninputexpr" in replaced:
        return check_expression(replaced)
    if check_expression(cell) is None:  # a plain value: compared with ==
        return None
    if cell[:1].isalpha() or cell[:1] == "_":
        # The library glues the cell straight onto the input: `wijk` + `in (...)` = `wijkin (...)`.
        return (
            f"de cel '{cell}' wordt zonder spatie achter de invoer '{input_expr}' geplakt; "
            f"schrijf '? {cell}' (het vraagteken staat voor de invoer)"
        )
    return check_expression(f"{input_expr}{cell}")


def check_dmn_cells(name: str, root: Any, problems: list[Problem]) -> None:
    """Compile every DMN input expression, input cell and output cell with the sandbox policy."""
    ns = f"{{{etree.QName(root).namespace}}}"

    def report(what: str, message: str | None, node: Any, at: Any) -> None:
        if message:
            problems.append(
                Problem(name, f"{what}: {message}", element_id=nearest_id(node), line=at.sourceline)
            )

    for table in root.iter(f"{ns}decisionTable"):
        inputs = [
            (node.findtext(f"{ns}inputExpression/{ns}text") or "").strip()
            for node in table.findall(f"{ns}input")
        ]
        for node in table.findall(f"{ns}input"):
            text_node = node.find(f"{ns}inputExpression/{ns}text")
            if text_node is not None and (text_node.text or "").strip():
                report(
                    "fout in invoer van de beslistabel",
                    check_expression(text_node.text or ""),
                    node,
                    text_node,
                )
        empty_reported: set[int] = set()
        for rule in table.findall(f"{ns}rule"):
            for column, entry in enumerate(rule.findall(f"{ns}inputEntry")):
                cell = (entry.findtext(f"{ns}text") or "").strip()
                if cell and cell != "-" and column < len(inputs) and not inputs[column]:
                    if column in empty_reported:
                        continue
                    empty_reported.add(column)
                    report(
                        "fout in beslistabel",
                        f"invoerkolom {column + 1} heeft geen invoerexpressie, dus de cel "
                        f"'{cell}' heeft niets om mee te vergelijken; vul de invoer van de kolom in",
                        entry,
                        entry,
                    )
                elif cell and cell != "-" and column < len(inputs):
                    report(
                        "fout in cel van regel",
                        dmn_cell_problem(inputs[column], cell),
                        entry,
                        entry,
                    )
            for entry in rule.findall(f"{ns}outputEntry"):
                cell = (entry.findtext(f"{ns}text") or "").strip()
                if cell:
                    report("fout in uitkomst van regel", check_expression(cell), entry, entry)


def check_unsupported(name: str, root: Any, problems: list[Problem]) -> None:
    for local, label in UNSUPPORTED_ELEMENTS.items():
        for node in root.iter(f"{{{BPMN_NS}}}{local}"):
            problems.append(
                Problem(
                    name,
                    f"{label} wordt niet ondersteund door de procesmotor; vervang dit element",
                    element_id=node.get("id"),
                    line=node.sourceline,
                )
            )


def check_form(name: str, content: bytes, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        schema = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem(name, "het formulierschema is geen UTF-8-tekst"))
        return None
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(name, f"het formulierschema is geen geldige JSON: {exc.msg}", line=exc.lineno)
        )
        return None
    if not isinstance(schema, dict):
        problems.append(Problem(name, "een formulierschema moet een JSON-object zijn"))
        return None
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(hoofdniveau)"
        problems.append(Problem(name, f"ongeldig JSON Schema bij {where}: {exc.message}"))
        return None
    return schema


def validation_problem(
    exc: ValidationException, trees: Mapping[str, Any], default_file: str
) -> Problem:
    file_name = exc.file_name or default_file
    element_id = getattr(exc, "id", "") or None
    line = exc.line_number if isinstance(exc.line_number, int) and exc.line_number else None
    message = str(exc.args[0]) if exc.args else str(exc)
    if element_id is None:  # e.g. a data store: named in the text, not on the exception
        element_id = _named_element(trees.get(file_name), message)
    if line is None:
        line = line_of(trees.get(file_name), element_id)
    return Problem(
        Path(file_name).name if file_name else default_file,
        library_message(message),
        element_id,
        line,
    )


def _named_element(tree: Any, message: str) -> str | None:
    """The id of the element a library message names by its name (`with name X`)."""
    found = re.search(r"with name (.+?) has", message)
    if tree is None or not found:
        return None
    for node in tree.iter():
        if node.get("name") == found.group(1) and node.get("id"):
            return str(node.get("id"))
    return None


def call_cycles(specs: Mapping[str, Any]) -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for process_id, spec in specs.items():
        graph[process_id] = {
            ts.spec
            for ts in spec.task_specs.values()
            if isinstance(ts, SubWorkflowTask) and ts.spec
        }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append(
                    [*path[path.index(target) :], target] if target in path else [node, target]
                )
            elif state.get(target) is None and target in graph:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node, [node])
    return cycles


def check_properties(
    bpmn_roots: Mapping[str, Any], checks: Mapping[str, PropertyCheck], problems: list[Problem]
) -> None:
    """Run the application's checks on extension properties (norms, phases, …)."""
    for name, root in bpmn_roots.items():
        for node in root.iter(f"{{{SPIFF_NS}}}property"):
            check = checks.get(str(node.get("name")))
            if check is None:
                continue
            message = check(node.get("value") or "")
            if message:
                problems.append(
                    Problem(
                        name,
                        f"eigenschap '{node.get('name')}': {message}",
                        element_id=nearest_id(node.getparent()),
                        line=node.sourceline,
                    )
                )


def check_services(
    bpmn_roots: Mapping[str, Any], known: frozenset[str], problems: list[Problem]
) -> None:
    """Every service task must name an operator this installation offers."""
    for name, root in bpmn_roots.items():
        for node in root.iter(f"{{{SPIFF_NS}}}serviceTaskOperator"):
            operator = node.get("id")
            if operator not in known:
                offered = ", ".join(sorted(known)) or "geen"
                problems.append(
                    Problem(
                        name,
                        f"de dienst '{operator}' bestaat niet in deze installatie (beschikbaar: {offered})",
                        element_id=nearest_id(node.getparent()),
                        line=node.sourceline,
                    )
                )


def check_call_targets(bpmn_roots: Mapping[str, Any], problems: list[Problem]) -> None:
    """Every call activity must name a process that is in the offered files."""
    known = {
        str(node.get("id"))
        for root in bpmn_roots.values()
        for node in root.iter(f"{{{BPMN_NS}}}process")
        if node.get("id")
    }
    for name, root in bpmn_roots.items():
        for node in root.iter(f"{{{BPMN_NS}}}callActivity"):
            target = node.get("calledElement")
            if not target:
                problems.append(
                    Problem(
                        name,
                        "deze call activity noemt geen aan te roepen proces (calledElement)",
                        element_id=node.get("id"),
                        line=node.sourceline,
                    )
                )
            elif target not in known:
                problems.append(
                    Problem(
                        name,
                        f"deze call activity roept proces '{target}' aan, maar dat proces zit niet in de "
                        f"aangeboden bestanden (bekend: {', '.join(sorted(known)) or 'geen'})",
                        element_id=node.get("id"),
                        line=node.sourceline,
                    )
                )


def form_references(specs: Iterable[Any]) -> list[tuple[str, str, str]]:
    refs = []
    for spec in specs:
        if spec is None:
            continue
        for task_spec in spec.task_specs.values():
            properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
            form = properties.get("formJsonSchemaFilename")
            if form:
                refs.append((task_spec.bpmn_id or task_spec.name, str(form), spec.file))
    return refs
