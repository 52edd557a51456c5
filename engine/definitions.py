"""Load, check and parse a set of process definition files (BPMN, DMN, JSON form schemas).

Uploads can be hostile. Our code parses every XML file itself — size cap, no DTD, no entities,
no network — before SpiffWorkflow sees it, and every problem found is reported with file,
element id and line in words a process owner understands.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine import spiff
from engine.errors import DefinitionError, Problem
from engine.scripting import check_expression, check_script

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_BUNDLE_BYTES = 20 * 1024 * 1024
MAX_FILES = 200

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_NAMESPACES = frozenset(
    {
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
        "http://www.omg.org/spec/DMN/20180521/MODEL/",
        "https://www.omg.org/spec/DMN/20191111/MODEL/",
        "https://www.omg.org/spec/DMN/20230324/MODEL/",
    }
)
XML_SUFFIXES = (".bpmn", ".bpmn20.xml", ".xml", ".dmn")
FORM_SUFFIXES = (".json",)

# BPMN flow elements SpiffWorkflow cannot run; listed so the owner hears it at deploy time.
UNSUPPORTED_ELEMENTS = {
    "complexGateway": "een complexe gateway (complexGateway)",
    "transaction": "een transactie-subproces (transaction)",
    "choreographyTask": "een choreografie-taak",
}

_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class SourceFile:
    """One uploaded or on-disk definition file."""

    name: str
    content: bytes


@dataclass
class Bundle:
    """A validated set of files, ready to deploy."""

    files: dict[str, bytes]
    process_names: dict[str, str]  # executable process id -> display name
    process_files: dict[str, tuple[str, ...]]  # process id -> files its version consists of
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)

    def content_hash(self, process_id: str) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.process_files[process_id]):
            digest.update(name.encode())
            digest.update(b"\0")
            digest.update(hashlib.sha256(self.files[name]).digest())
        return digest.hexdigest()


def read_paths(paths: Iterable[str | Path]) -> list[SourceFile]:
    """Read definition files from files and folders (folders recursively, known suffixes only)."""
    files: list[SourceFile] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.name.endswith(XML_SUFFIXES + FORM_SUFFIXES)
            )
            base = path
        elif path.is_file():
            candidates, base = [path], path.parent
        else:
            raise DefinitionError([Problem(str(path), "bestand of map bestaat niet")])
        for candidate in candidates:
            size = candidate.stat().st_size
            name = candidate.relative_to(base).as_posix()
            if size > MAX_FILE_BYTES:
                files.append(
                    SourceFile(name, b"")
                )  # flagged below without reading 20 MB into memory
                raise DefinitionError([_too_large(name, size)])
            files.append(SourceFile(name, candidate.read_bytes()))
    return files


def _too_large(name: str, size: int) -> Problem:
    return Problem(
        name,
        f"het bestand is te groot ({size / 1024 / 1024:.1f} MB; maximaal "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB per bestand)",
    )


def _line_of(tree: Any, element_id: str | None) -> int | None:
    if not element_id or tree is None:
        return None
    for node in tree.iter():
        if node.get("id") == element_id:
            return int(node.sourceline) if node.sourceline else None
    return None


def _nearest_id(node: Any) -> str | None:
    while node is not None:
        if node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return None


def _safe_parse_xml(name: str, content: bytes, problems: list[Problem]) -> Any:
    match = _DTD_RE.search(content)
    if match:
        line = content.count(b"\n", 0, match.start()) + 1
        problems.append(
            Problem(
                name,
                "DTD's en entiteiten (<!DOCTYPE>, <!ENTITY>) zijn niet toegestaan in een procesbestand",
                line=line,
            )
        )
        return None
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=False,
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        problems.append(
            Problem(name, f"dit is geen geldige XML: {exc.msg}", line=exc.lineno or None)
        )
        return None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        problems.append(Problem(name, "DTD's zijn niet toegestaan in een procesbestand", line=1))
        return None
    return root


def _kind(root: Any) -> str | None:
    qname = etree.QName(root)
    if qname.localname != "definitions":
        return None
    if qname.namespace == BPMN_NS:
        return "bpmn"
    if qname.namespace in DMN_NAMESPACES:
        return "dmn"
    return None


def _check_expressions(name: str, root: Any, problems: list[Problem]) -> None:
    """Compile every script and expression in a BPMN file with the sandbox policy."""

    def report(node: Any, what: str, message: str) -> None:
        problems.append(
            Problem(name, f"{what}: {message}", element_id=_nearest_id(node), line=node.sourceline)
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
            message = _check_timer(tag, (node.text or "").strip())
            if message:
                report(node, "fout in timer", message)


_ISO_LOOKING = re.compile(r"^(R\d*/)?P[\dTYMWDHS.]+$|^\d{4}-\d{2}-\d{2}")


def _check_timer(tag: str, text: str) -> str | None:
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
        import ast

        value = ast.literal_eval(text)
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


def _dmn_cell_problem(input_expr: str, cell: str) -> str | None:
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


def _check_dmn_cells(name: str, root: Any, problems: list[Problem]) -> None:
    """Compile every DMN input expression, input cell and output cell with the sandbox policy."""
    ns = f"{{{etree.QName(root).namespace}}}"

    def report(what: str, message: str | None, node: Any, at: Any) -> None:
        if message:
            problems.append(
                Problem(
                    name, f"{what}: {message}", element_id=_nearest_id(node), line=at.sourceline
                )
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
        for rule in table.findall(f"{ns}rule"):
            for column, entry in enumerate(rule.findall(f"{ns}inputEntry")):
                cell = (entry.findtext(f"{ns}text") or "").strip()
                if cell and cell != "-" and column < len(inputs):
                    report(
                        "fout in cel van regel",
                        _dmn_cell_problem(inputs[column], cell),
                        entry,
                        entry,
                    )
            for entry in rule.findall(f"{ns}outputEntry"):
                cell = (entry.findtext(f"{ns}text") or "").strip()
                if cell:
                    report("fout in uitkomst van regel", check_expression(cell), entry, entry)


def _check_unsupported(name: str, root: Any, problems: list[Problem]) -> None:
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


def _check_form(name: str, content: bytes, problems: list[Problem]) -> dict[str, Any] | None:
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


def _validation_problem(
    exc: ValidationException, trees: Mapping[str, Any], default_file: str
) -> Problem:
    file_name = exc.file_name or default_file
    element_id = getattr(exc, "id", "") or None
    line = exc.line_number if isinstance(exc.line_number, int) and exc.line_number else None
    if line is None:
        line = _line_of(trees.get(file_name), element_id)
    message = str(exc.args[0]) if exc.args else str(exc)
    return Problem(
        Path(file_name).name if file_name else default_file, message.strip(), element_id, line
    )


def _call_cycles(specs: Mapping[str, Any]) -> list[list[str]]:
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


PropertyCheck = Callable[[str], "str | None"]


def load_bundle(
    sources: Iterable[SourceFile],
    known_services: frozenset[str] | None = None,
    property_checks: Mapping[str, PropertyCheck] | None = None,
) -> tuple[Bundle, Any]:
    """Check and parse a set of files; return the bundle and a loaded SpiffWorkflow parser.

    `known_services`: the operator names service tasks may use (None: not checked).
    `property_checks`: per extension-property name, a check returning a message for a bad value.
    Raises DefinitionError listing every problem found.
    """
    sources = list(sources)
    problems: list[Problem] = []
    if not sources:
        raise DefinitionError(
            [Problem("(geen bestanden)", "er zijn geen procesbestanden aangeboden")]
        )
    if len(sources) > MAX_FILES:
        raise DefinitionError(
            [Problem("(upload)", f"te veel bestanden ({len(sources)}; maximaal {MAX_FILES})")]
        )
    total = sum(len(s.content) for s in sources)
    if total > MAX_BUNDLE_BYTES:
        raise DefinitionError(
            [
                Problem(
                    "(upload)", f"de bestanden zijn samen te groot ({total / 1024 / 1024:.1f} MB)"
                )
            ]
        )

    files: dict[str, bytes] = {}
    bpmn_roots: dict[str, Any] = {}
    dmn_roots: dict[str, Any] = {}
    forms: dict[str, dict[str, Any]] = {}
    for source in sources:
        name = source.name
        if name in files:
            problems.append(Problem(name, "deze bestandsnaam komt twee keer voor"))
            continue
        files[name] = source.content
        if len(source.content) > MAX_FILE_BYTES:
            problems.append(_too_large(name, len(source.content)))
            continue
        lower = name.lower()
        if lower.endswith(FORM_SUFFIXES):
            schema = _check_form(name, source.content, problems)
            if schema is not None:
                forms[Path(name).name] = schema
            continue
        if not lower.endswith(XML_SUFFIXES):
            problems.append(Problem(name, "onbekend bestandstype (verwacht .bpmn, .dmn of .json)"))
            continue
        root = _safe_parse_xml(name, source.content, problems)
        if root is None:
            continue
        kind = _kind(root)
        if kind == "bpmn":
            bpmn_roots[name] = root
            _check_unsupported(name, root, problems)
            _check_expressions(name, root, problems)
        elif kind == "dmn":
            dmn_roots[name] = root
            _check_dmn_cells(name, root, problems)
        else:
            problems.append(
                Problem(
                    name,
                    f"dit is geen BPMN- of DMN-bestand (het hoofdelement is <{etree.QName(root).localname}>)",
                    line=root.sourceline,
                )
            )
    if problems:
        raise DefinitionError(problems)
    if not bpmn_roots:
        raise DefinitionError([Problem(next(iter(files)), "er zit geen BPMN-bestand bij")])

    _check_call_targets(bpmn_roots, problems)
    if known_services is not None:
        _check_services(bpmn_roots, known_services, problems)
    if property_checks:
        _check_properties(bpmn_roots, property_checks, problems)
    if problems:
        raise DefinitionError(problems)

    parser = spiff.new_parser()
    for name, root in bpmn_roots.items():
        try:
            parser.add_bpmn_xml(root.getroottree(), filename=name)
        except ValidationException as exc:
            problems.append(_validation_problem(exc, bpmn_roots, name))
        except (SpiffWorkflowException, etree.LxmlError, ValueError, TypeError) as exc:
            problems.append(Problem(name, f"kon het bestand niet inlezen: {exc}"))
    for name, root in dmn_roots.items():
        try:
            parser.add_dmn_xml(root, filename=name)
        except ValidationException as exc:
            problems.append(_validation_problem(exc, dmn_roots, name))
        except (SpiffWorkflowException, etree.LxmlError, ValueError, TypeError, KeyError) as exc:
            problems.append(Problem(name, f"kon de beslistabel niet inlezen: {exc}"))
    if problems:
        raise DefinitionError(problems)

    try:
        process_ids = list(parser.get_process_ids())
    except ValidationException as exc:
        raise DefinitionError(
            [_validation_problem(exc, bpmn_roots, next(iter(bpmn_roots)))]
        ) from exc
    if not process_ids:
        raise DefinitionError(
            [
                Problem(
                    name,
                    'er staat geen uitvoerbaar proces in (zet isExecutable="true" op het proces)',
                    line=root.sourceline,
                )
                for name, root in bpmn_roots.items()
            ]
        )

    all_specs: dict[str, Any] = {}
    names: dict[str, str] = {}
    process_files: dict[str, tuple[str, ...]] = {}
    dmn_files = tuple(dmn_roots)
    for process_id in process_ids:
        try:
            spec = parser.get_spec(process_id)
            subprocess_specs = parser.get_subprocess_specs(process_id)
        except ValidationException as exc:
            problems.append(_validation_problem(exc, bpmn_roots, next(iter(bpmn_roots))))
            continue
        except (
            SpiffWorkflowException,
            NotImplementedError,
            TypeError,
            KeyError,
            ValueError,
        ) as exc:
            problems.append(
                Problem(
                    next(iter(bpmn_roots)), f"proces '{process_id}': {exc}", element_id=process_id
                )
            )
            continue
        all_specs[process_id] = spec
        all_specs.update({k: v for k, v in subprocess_specs.items() if v is not None})
        names[process_id] = spec.description or process_id
        used = {spec.file, *(s.file for s in subprocess_specs.values() if s is not None)}
        form_refs = _form_references([spec, *subprocess_specs.values()])
        for element_id, form_name, spec_file in form_refs:
            if Path(form_name).name not in forms:
                problems.append(
                    Problem(
                        Path(spec_file).name,
                        f"het formulier '{form_name}' ontbreekt in de aangeboden bestanden",
                        element_id=element_id,
                        line=_line_of(bpmn_roots.get(spec_file), element_id),
                    )
                )
        form_files = {n for n in files if Path(n).name in {Path(f).name for _, f, _ in form_refs}}
        process_files[process_id] = tuple(
            sorted({f for f in used if f in files} | set(dmn_files) | form_files)
        )

    for cycle in _call_cycles(all_specs):
        first = cycle[0]
        spec = all_specs.get(first)
        file_name = Path(spec.file).name if spec is not None else next(iter(bpmn_roots))
        problems.append(
            Problem(
                file_name,
                "een call activity roept (via " + " → ".join(cycle) + ") zijn eigen proces aan; "
                "dat zou eindeloos nieuwe subprocessen starten",
                element_id=first,
                line=_line_of(bpmn_roots.get(file_name), first),
            )
        )
    if problems:
        raise DefinitionError(problems)
    return Bundle(
        files=files, process_names=names, process_files=process_files, forms=forms
    ), parser


def _check_properties(
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
                        element_id=_nearest_id(node.getparent()),
                        line=node.sourceline,
                    )
                )


def _check_services(
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
                        element_id=_nearest_id(node.getparent()),
                        line=node.sourceline,
                    )
                )


def _check_call_targets(bpmn_roots: Mapping[str, Any], problems: list[Problem]) -> None:
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


def _form_references(specs: Iterable[Any]) -> list[tuple[str, str, str]]:
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


def parse_version_files(
    files: Mapping[str, bytes], process_id: str
) -> tuple[Any, dict[str, Any], dict[str, dict[str, Any]]]:
    """Parse the stored files of one deployed version: (spec, subprocess specs, forms by name).

    These files passed every check of `load_bundle` when they were deployed, so only the
    parsing is done again (still through the safe XML parser, never the library's own): no
    XSD validation, no form or expression checks. That is what a case pays when it is loaded
    and its version's spec is not cached.
    """
    parser = spiff.new_parser(validate=False)
    problems: list[Problem] = []
    forms: dict[str, dict[str, Any]] = {}
    for name, content in files.items():
        lower = name.lower()
        if lower.endswith(FORM_SUFFIXES):
            forms[Path(name).name] = json.loads(content)
            continue
        if not lower.endswith(XML_SUFFIXES):
            continue
        root = _safe_parse_xml(name, content, problems)
        if root is None:
            raise DefinitionError(problems)
        if _kind(root) == "bpmn":
            parser.add_bpmn_xml(root.getroottree(), filename=name)
        elif _kind(root) == "dmn":
            parser.add_dmn_xml(root, filename=name)
    spec = parser.get_spec(process_id)
    return spec, parser.get_subprocess_specs(process_id), forms


def lane_names(files: Mapping[str, str]) -> set[str]:
    """The names of the lanes in these stored BPMN files (the roles their tasks go to)."""
    found: set[str] = set()
    for name, text in files.items():
        if not name.lower().endswith(XML_SUFFIXES):
            continue
        root = _safe_parse_xml(name, text.encode("utf-8"), [])
        if root is None or _kind(root) != "bpmn":
            continue
        found.update(
            str(node.get("name")).strip()
            for node in root.iter(f"{{{BPMN_NS}}}lane")
            if node.get("name") and str(node.get("name")).strip()
        )
    return found
