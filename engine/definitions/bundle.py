"""Load a set of definition files for deployment (`load_bundle`: every check, every problem
reported together), parse a stored version again (`parse_version_files`: parsing only), and
read the lane names of stored files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine import spiff
from engine.definitions import outline
from engine.definitions.checks import (
    PropertyCheck,
    call_cycles,
    check_call_targets,
    check_dmn_cells,
    check_expressions,
    check_form,
    check_properties,
    check_services,
    check_unsupported,
    form_references,
    validation_problem,
)
from engine.definitions.dialects import library_message
from engine.definitions.files import (
    FORM_SUFFIXES,
    MAX_BUNDLE_BYTES,
    MAX_FILE_BYTES,
    MAX_FILES,
    XML_SUFFIXES,
    Bundle,
    SourceFile,
    too_large,
)
from engine.definitions.lint import BpmnLinter
from engine.definitions.outline import Rule
from engine.definitions.xml import BPMN_NS, file_kind, line_of, safe_parse_xml
from engine.errors import DefinitionError, Problem
from engine.scripting import AST_LOCK


@dataclass(frozen=True)
class Checks:
    """What a check of definition files runs besides the loader's own checks."""

    #: the operator names service tasks may use (None: not checked)
    known_services: frozenset[str] | None = None
    #: per extension-property name, a check returning a message for a bad value
    property_checks: Mapping[str, PropertyCheck] = field(default_factory=dict)
    #: the application's rules on the outline of the files (see engine.definitions.outline)
    rules: Sequence[Rule] = ()
    #: evaluates an expression in the sandbox (for the gateway rule; None: that rule is off)
    evaluate: Callable[[str, dict[str, Any]], Any] | None = None
    #: bpmnlint's recommended rules (None: not linted)
    linter: BpmnLinter | None = None


def check_bundle(
    sources: Iterable[SourceFile], checks: Checks, allow_decisions_only: bool = False
) -> tuple[Bundle | None, Any, list[Problem]]:
    """Check a set of files and collect every finding (errors and warnings) of every step that
    can run: (the bundle and a loaded SpiffWorkflow parser when there is no error, findings).

    `allow_decisions_only`: DMN files without a BPMN file are checked as decision tables
    (an import of a table alone) instead of refused.
    """
    sources = list(sources)
    _check_sizes(sources)
    read = _read(sources)
    problems = list(read.problems)
    if not read.bpmn and not (allow_decisions_only and read.dmn):
        if not problems:
            problems.append(Problem(next(iter(read.files)), "er zit geen BPMN-bestand bij"))
        return None, None, problems
    structural: list[Problem] = []
    check_call_targets(read.bpmn, structural)
    if checks.known_services is not None:
        check_services(read.bpmn, checks.known_services, structural)
    if checks.property_checks:
        check_properties(read.bpmn, checks.property_checks, structural)
    problems += structural
    if checks.linter is not None:
        for name, root in read.bpmn.items():
            problems += checks.linter.lint(name, read.files[name], root)
    drawn = outline.build(read.bpmn, read.dmn, read.forms)
    if checks.evaluate is not None:
        problems += outline.check_gateway_defaults(drawn, checks.evaluate)
    for rule in checks.rules:
        problems += list(rule(drawn))
    if any(p.is_error for p in problems):
        return None, None, _unique(problems)
    try:
        with AST_LOCK:  # the library's DMN parser runs ast.parse on every output cell
            parser = _library_parser(read)
            if not read.bpmn:
                return None, parser, _unique(problems)
            names, process_files = _executable_processes(parser, read)
    except DefinitionError as exc:
        return None, None, _unique(problems + exc.problems)
    bundle = Bundle(
        files=read.files, process_names=names, process_files=process_files, forms=read.forms
    )
    return bundle, parser, _unique(problems)


def load_bundle(
    sources: Iterable[SourceFile],
    known_services: frozenset[str] | None = None,
    property_checks: Mapping[str, PropertyCheck] | None = None,
    checks: Checks | None = None,
) -> tuple[Bundle, Any]:
    """Check and parse a set of files for deployment; return the bundle and a loaded parser.

    Raises DefinitionError listing every error found (warnings do not stop a deployment).
    """
    if checks is None:
        checks = Checks(known_services, dict(property_checks or {}))
    bundle, parser, problems = check_bundle(sources, checks)
    errors = [p for p in problems if p.is_error]
    if errors or bundle is None:
        raise DefinitionError(errors)
    return bundle, parser


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise DefinitionError(problems)


def _check_sizes(sources: list[SourceFile]) -> None:
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


@dataclass
class _Read:
    """The files as read and checked one by one."""

    files: dict[str, bytes] = field(default_factory=dict)
    bpmn: dict[str, Any] = field(default_factory=dict)  # name -> parsed root
    dmn: dict[str, Any] = field(default_factory=dict)
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)  # base name -> schema
    problems: list[Problem] = field(default_factory=list)


def _read(sources: list[SourceFile]) -> _Read:
    """Parse every file ourselves and run the checks that need only that file."""
    read = _Read()
    problems = read.problems
    for source in sources:
        name = source.name
        if name in read.files:
            problems.append(Problem(name, "deze bestandsnaam komt twee keer voor"))
            continue
        read.files[name] = source.content
        if len(source.content) > MAX_FILE_BYTES:
            problems.append(too_large(name, len(source.content)))
            continue
        lower = name.lower()
        if lower.endswith(FORM_SUFFIXES):
            schema = check_form(name, source.content, problems)
            if schema is not None:
                read.forms[Path(name).name] = schema
            continue
        if not lower.endswith(XML_SUFFIXES):
            problems.append(Problem(name, "onbekend bestandstype (verwacht .bpmn, .dmn of .json)"))
            continue
        root = safe_parse_xml(name, source.content, problems)
        if root is None:
            continue
        found = file_kind(root)
        if found == "bpmn":
            read.bpmn[name] = root
            check_unsupported(name, root, problems)
            check_expressions(name, root, problems)
        elif found == "dmn":
            read.dmn[name] = root
            check_dmn_cells(name, root, problems)
        else:
            problems.append(
                Problem(
                    name,
                    f"dit is geen BPMN- of DMN-bestand (het hoofdelement is <{etree.QName(root).localname}>)",
                    line=root.sourceline,
                )
            )
    return read


def _library_parser(read: _Read) -> Any:
    """SpiffWorkflow's parser loaded with the (already safely parsed) trees."""
    problems: list[Problem] = []
    parser = spiff.new_parser()
    for name, root in read.bpmn.items():
        try:
            parser.add_bpmn_xml(root.getroottree(), filename=name)
        except ValidationException as exc:
            problems.append(validation_problem(exc, read.bpmn, name))
        except (
            SpiffWorkflowException,
            etree.LxmlError,
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            IndexError,
            RecursionError,
        ) as exc:
            problems.append(Problem(name, library_message(str(exc))))
    for name, root in read.dmn.items():
        try:
            parser.add_dmn_xml(root, filename=name)
            for decision in list(parser.dmn_parsers.values()):
                if decision.filename == name:
                    decision.parse()
        except ValidationException as exc:
            problems.append(validation_problem(exc, read.dmn, name))
        except (
            SpiffWorkflowException,
            etree.LxmlError,
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            IndexError,
        ):
            decisions = list(root.iter(f"{{{etree.QName(root).namespace}}}decision"))
            where = decisions[0] if decisions else root
            problems.append(
                Problem(
                    name,
                    "de beslistabel kan niet worden ingelezen: "
                    + (
                        "meer dan één beslissing in één bestand (DRD) wordt niet ondersteund"
                        if len(decisions) > 1
                        else "deze DMN-opbouw of -versie wordt niet ondersteund"
                    ),
                    element_id=where.get("id"),
                    line=where.sourceline,
                )
            )
    _raise_if(problems)
    return parser


def _executable_processes(
    parser: Any, read: _Read
) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Every executable process: its display name and the files its version consists of
    (its BPMN, the files of the processes it calls, the DMN files, the forms it names)."""
    first = next(iter(read.bpmn))
    try:
        process_ids = list(parser.get_process_ids())
    except ValidationException as exc:
        raise DefinitionError([validation_problem(exc, read.bpmn, first)]) from exc
    if not process_ids:
        raise DefinitionError(
            [
                Problem(
                    name,
                    'er staat geen uitvoerbaar proces in (zet isExecutable="true" op het proces)',
                    line=root.sourceline,
                )
                for name, root in read.bpmn.items()
            ]
        )
    problems: list[Problem] = []
    all_specs: dict[str, Any] = {}
    names: dict[str, str] = {}
    process_files: dict[str, tuple[str, ...]] = {}
    for process_id in process_ids:
        try:
            spec = parser.get_spec(process_id)
            subprocess_specs = parser.get_subprocess_specs(process_id)
        except ValidationException as exc:
            problems.append(validation_problem(exc, read.bpmn, first))
            continue
        except (
            SpiffWorkflowException,
            NotImplementedError,
            TypeError,
            KeyError,
            ValueError,
            AttributeError,
            IndexError,
            RecursionError,
        ) as exc:
            problems.append(
                Problem(
                    first,
                    f"proces '{process_id}': {library_message(str(exc))}",
                    element_id=process_id,
                    line=line_of(read.bpmn.get(first), process_id),
                )
            )
            continue
        all_specs[process_id] = spec
        all_specs.update({k: v for k, v in subprocess_specs.items() if v is not None})
        names[process_id] = spec.description or process_id
        used = {spec.file, *(s.file for s in subprocess_specs.values() if s is not None)}
        form_refs = form_references([spec, *subprocess_specs.values()])
        for element_id, form_name, spec_file in form_refs:
            if Path(form_name).name not in read.forms:
                problems.append(
                    Problem(
                        Path(spec_file).name,
                        f"het formulier '{form_name}' ontbreekt in de aangeboden bestanden",
                        element_id=element_id,
                        line=line_of(read.bpmn.get(spec_file), element_id),
                    )
                )
        wanted = {Path(f).name for _, f, _ in form_refs}
        form_files = {n for n in read.files if Path(n).name in wanted}
        process_files[process_id] = tuple(
            sorted({f for f in used if f in read.files} | set(read.dmn) | form_files)
        )
    problems.extend(_self_calls(all_specs, read))
    _raise_if(problems)
    return names, process_files


def _self_calls(all_specs: Mapping[str, Any], read: _Read) -> list[Problem]:
    problems = []
    for cycle in call_cycles(all_specs):
        spec = all_specs.get(cycle[0])
        file_name = Path(spec.file).name if spec is not None else next(iter(read.bpmn))
        problems.append(
            Problem(
                file_name,
                "een call activity roept (via " + " → ".join(cycle) + ") zijn eigen proces aan; "
                "dat zou eindeloos nieuwe subprocessen starten",
                element_id=cycle[0],
                line=line_of(read.bpmn.get(file_name), cycle[0]),
            )
        )
    return problems


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
        root = safe_parse_xml(name, content, problems)
        if root is None:
            raise DefinitionError(problems)
        if file_kind(root) == "bpmn":
            parser.add_bpmn_xml(root.getroottree(), filename=name)
        elif file_kind(root) == "dmn":
            parser.add_dmn_xml(root, filename=name)
    return *specs_of(parser, process_id), forms


def specs_of(parser: Any, process_id: str) -> tuple[Any, dict[str, Any]]:
    """(spec, subprocess specs) of one process from a loaded parser. Under `AST_LOCK`: the
    library parses each decision table again, with `ast.parse`, while it builds the spec."""
    with AST_LOCK:
        return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def lane_names(files: Mapping[str, str]) -> set[str]:
    """The names of the lanes in these stored BPMN files (the roles their tasks go to)."""
    found: set[str] = set()
    for name, text in files.items():
        if not name.lower().endswith(XML_SUFFIXES):
            continue
        root = safe_parse_xml(name, text.encode("utf-8"), [])
        if root is None or file_kind(root) != "bpmn":
            continue
        found.update(
            str(node.get("name")).strip()
            for node in root.iter(f"{{{BPMN_NS}}}lane")
            if node.get("name") and str(node.get("name")).strip()
        )
    return found


def outline_of(files: Mapping[str, bytes]) -> outline.Outline:
    """The outline of a set of files, parsed safely; files that do not parse are left out
    (a check says why)."""
    bpmn: dict[str, Any] = {}
    dmn: dict[str, Any] = {}
    forms: dict[str, dict[str, Any]] = {}
    for name, content in files.items():
        lower = name.lower()
        if lower.endswith(FORM_SUFFIXES):
            try:
                schema = json.loads(content)
            except ValueError:
                continue
            if isinstance(schema, dict):
                forms[Path(name).name] = schema
            continue
        root = safe_parse_xml(name, content, []) if len(content) <= MAX_FILE_BYTES else None
        if root is None:
            continue
        kind = file_kind(root)
        if kind == "bpmn":
            bpmn[name] = root
        elif kind == "dmn":
            dmn[name] = root
    return outline.build(bpmn, dmn, forms)
