"""A plain outline of a set of definition files — elements, lanes, flows, forms, decisions, the
data names each element sets and each gateway reads — for checks that are about meaning rather
than syntax. The application's own rules (`EngineSettings.definition_rules`) receive it, so they
never see XML or SpiffWorkflow; the engine's one generic rule here asks whether an exclusive
gateway without a default path can find every condition false.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.definitions.xml import BPMN_NS, SPIFF_NS, nearest_id
from engine.errors import Problem
from engine.scripting import literal, parse_python

_B = f"{{{BPMN_NS}}}"
_S = f"{{{SPIFF_NS}}}"
_FLOW_NODES = frozenset(
    {
        "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
        "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
        "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
        "boundaryEvent", "exclusiveGateway", "inclusiveGateway", "parallelGateway",
        "eventBasedGateway", "complexGateway",
    }
)  # fmt: skip
GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway"})
#: names every expression may use without the case holding them
KNOWN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True)
class Element:
    """One flow node of a diagram, as the checks need it."""

    id: str
    kind: str  # the BPMN element's local name: userTask, exclusiveGateway, …
    name: str
    file: str
    line: int | None
    process_id: str
    executable: bool
    lane: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)
    #: the form's JSON Schema (when the task names one that is among the files)
    form: Mapping[str, Any] | None = None
    default: str | None = None  # a gateway's default flow id
    #: outgoing flows: (flow id, target element id, condition or None)
    outgoing: tuple[tuple[str, str, str | None], ...] = ()
    decision: str | None = None  # the decision a business rule task calls
    writes: frozenset[str] = frozenset()  # data names this element sets
    reads: frozenset[str] = frozenset()  # data names its conditions read
    attached_to: str | None = None  # a boundary event's task
    timer: bool = False  # a timer event (start, intermediate or boundary)


@dataclass(frozen=True)
class Lane:
    id: str
    name: str
    file: str
    line: int | None
    process_id: str
    executable: bool


@dataclass(frozen=True)
class Outline:
    """Every element, lane and decision of a set of files (executable or not)."""

    elements: tuple[Element, ...]
    lanes: tuple[Lane, ...]
    #: decision id -> {output name: the literal values its rules can give}
    decisions: Mapping[str, Mapping[str, tuple[Any, ...]]]

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.elements if e.id == element_id), None)

    def written_anywhere(self) -> frozenset[str]:
        names: set[str] = set()
        for element in self.elements:
            names |= element.writes
        return frozenset(names)

    def next_gateways(self, element: Element) -> list[Element]:
        """The gateways a token reaches from this element before any other activity or event."""
        found: list[Element] = []
        seen: set[str] = set()
        todo = [target for _, target, _ in element.outgoing]
        while todo:
            current = self.by_id(todo.pop())
            if current is None or current.id in seen:
                continue
            seen.add(current.id)
            if current.kind in GATEWAYS and (len(current.outgoing) > 1 or current.reads):
                found.append(current)
            elif current.kind in GATEWAYS | {"parallelGateway"}:
                todo.extend(target for _, target, _ in current.outgoing)
        return found


Rule = Callable[[Outline], Iterable[Problem]]


def form_fields(schema: Mapping[str, Any] | None) -> frozenset[str]:
    """The top-level field names of a form (what completing it puts in the case data)."""
    properties = (schema or {}).get("properties")
    return frozenset(properties) if isinstance(properties, Mapping) else frozenset()


def _names(source: str, mode: str) -> tuple[set[str], set[str]]:
    """(names read, names assigned) by a Python expression or script; empty when it is no
    Python (the expression checks report that)."""
    try:
        tree = parse_python(source.strip() if mode == "eval" else source, mode)
    except (SyntaxError, ValueError):
        return set(), set()
    read: set[str] = set()
    written: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else written).add(node.id)
        elif isinstance(node, ast.comprehension):
            for target in ast.walk(node.target):
                if isinstance(target, ast.Name):
                    written.add(target.id)
    return read, written


def build(
    bpmn: Mapping[str, Any], dmn: Mapping[str, Any], forms: Mapping[str, dict[str, Any]]
) -> Outline:
    """The outline of parsed files (lxml roots by file name) and form schemas by base name."""
    decisions = {k: v for root in dmn.values() for k, v in _decisions(root).items()}
    elements: list[Element] = []
    lanes: list[Lane] = []
    for name, root in bpmn.items():
        for process in root.iter(f"{_B}process"):
            pid = str(process.get("id"))
            executable = process.get("isExecutable", "false").lower() == "true"
            lane_of: dict[str, str] = {}
            for lane in process.iter(f"{_B}lane"):
                lanes.append(
                    Lane(
                        str(lane.get("id")),
                        (lane.get("name") or "").strip(),
                        name,
                        lane.sourceline,
                        pid,
                        executable,
                    )
                )
                for ref in lane.findall(f"{_B}flowNodeRef"):
                    lane_of[(ref.text or "").strip()] = (lane.get("name") or "").strip()
            flows: dict[str, list[tuple[str, str, str | None]]] = {}
            for flow in process.iter(f"{_B}sequenceFlow"):
                condition = flow.findtext(f"{_B}conditionExpression")
                flows.setdefault(str(flow.get("sourceRef")), []).append(
                    (
                        str(flow.get("id")),
                        str(flow.get("targetRef")),
                        condition.strip() if condition and condition.strip() else None,
                    )
                )
            for node in process.iter():
                if not isinstance(node.tag, str):
                    continue
                kind = etree.QName(node).localname
                if etree.QName(node).namespace != BPMN_NS or kind not in _FLOW_NODES:
                    continue
                elements.append(
                    _element(node, kind, name, pid, executable, lane_of, flows, forms, decisions)
                )
    return Outline(tuple(elements), tuple(lanes), decisions)


def _element(
    node: Any,
    kind: str,
    file: str,
    process_id: str,
    executable: bool,
    lane_of: Mapping[str, str],
    flows: Mapping[str, list[tuple[str, str, str | None]]],
    forms: Mapping[str, dict[str, Any]],
    decisions: Mapping[str, Mapping[str, tuple[Any, ...]]],
) -> Element:
    element_id = str(node.get("id"))
    properties = {
        str(p.get("name")): str(p.get("value") or "")
        for p in node.iterfind(f"{_B}extensionElements/{_S}properties/{_S}property")
    }
    form_name = properties.get("formJsonSchemaFilename")
    form = forms.get(form_name.rsplit("/", 1)[-1]) if form_name else None
    writes: set[str] = set(form_fields(form))
    for script in (
        *node.iterfind(f"{_B}script"),
        *node.iterfind(f"{_B}extensionElements/{_S}preScript"),
        *node.iterfind(f"{_B}extensionElements/{_S}postScript"),
    ):
        writes |= _names(script.text or "", "exec")[1]
    for tag in ("resultVariable",):
        for operator in node.iterfind(f"{_B}extensionElements/{_S}serviceTaskOperator"):
            if operator.get(tag):
                writes.add(str(operator.get(tag)))
    for variable in node.iter(f"{_S}messageVariable", f"{_S}variableName"):
        if variable.text and variable.text.strip():
            writes.add(variable.text.strip())
    for item in node.iter(f"{_B}outputDataItem", f"{_B}inputDataItem", f"{_B}dataObject"):
        if item.get("name") or item.get("id"):
            writes.add(str(item.get("name") or item.get("id")))
    decision = node.findtext(f"{_B}extensionElements/{_S}calledDecisionId")
    decision = decision.strip() if decision else None
    if decision:
        writes |= set(decisions.get(decision, {}))
    outgoing = tuple(flows.get(element_id, ()))
    reads: set[str] = set()
    for _, _, condition in outgoing:
        if condition:
            reads |= _names(condition, "eval")[0]
    return Element(
        id=element_id,
        kind=kind,
        name=(node.get("name") or "").strip(),
        file=file,
        line=node.sourceline,
        process_id=process_id,
        executable=executable,
        lane=lane_of.get(element_id),
        properties=properties,
        form=form,
        default=node.get("default"),
        outgoing=outgoing,
        decision=decision,
        writes=frozenset(writes),
        reads=frozenset(reads - KNOWN_NAMES),
        attached_to=node.get("attachedToRef"),
        timer=node.find(f"{_B}timerEventDefinition") is not None,
    )


def _decisions(root: Any) -> dict[str, dict[str, tuple[Any, ...]]]:
    """decision id -> {output name: literal values of its output cells}."""
    ns = f"{{{etree.QName(root).namespace}}}"
    found: dict[str, dict[str, tuple[Any, ...]]] = {}
    for decision in root.iter(f"{ns}decision"):
        table = decision.find(f"{ns}decisionTable")
        if table is None:
            continue
        names = [str(o.get("name") or o.get("label") or "") for o in table.findall(f"{ns}output")]
        values: dict[str, list[Any]] = {n: [] for n in names if n}
        for rule in table.findall(f"{ns}rule"):
            for column, entry in enumerate(rule.findall(f"{ns}outputEntry")):
                if column < len(names) and names[column]:
                    with contextlib.suppress(ValueError, SyntaxError):
                        values[names[column]].append(
                            literal((entry.findtext(f"{ns}text") or "").strip())
                        )
        found[str(decision.get("id"))] = {k: tuple(v) for k, v in values.items()}
    return found


# ------------------------------------------------------------------ the engine's generic rule

MAX_COMBINATIONS = 512


def _candidates(outline: Outline, gateway: Element, name: str) -> list[Any]:
    """Values a name may hold when the gateway is reached, as far as the diagram tells."""
    values: list[Any] = []
    closed = False  # the diagram limits the name to these values (a choice, a yes/no, a table)
    for element in outline.elements:
        schema = ((element.form or {}).get("properties") or {}).get(name)
        if isinstance(schema, Mapping):
            closed = closed or bool(
                schema.get("type") == "boolean"
                or schema.get("enum")
                or schema.get("oneOf")
                or schema.get("anyOf")
            )
            if schema.get("type") == "boolean":
                values += [True, False]
            values += list(schema.get("enum") or [])
            values += [c["const"] for c in schema.get("oneOf") or [] if isinstance(c, Mapping)]
            values += [c["const"] for c in schema.get("anyOf") or [] if isinstance(c, Mapping)]
    for outputs in outline.decisions.values():
        if outputs.get(name):
            closed = True
            values += list(outputs[name])
    for _, _, condition in gateway.outgoing:
        try:
            tree = parse_python(condition or "", "eval")
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and not isinstance(node.value, bytes):
                value = node.value
                values.append(value)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    values += [value - 1, value + 1]
    if not closed:
        values.append(None)  # nothing in the diagram keeps it to the values the conditions name
    if not values:
        values = [True, False, 0, ""]
    unique: list[Any] = []
    for value in values:
        if not any(type(value) is type(u) and value == u for u in unique):
            unique.append(value)
    return unique


def _shown(value: Any) -> str:
    if value is None:
        return "leeg (niet ingevuld)"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return f'"{value}"' if isinstance(value, str) else str(value)


def check_gateway_defaults(
    outline: Outline, evaluate: Callable[[str, dict[str, Any]], Any]
) -> list[Problem]:
    """An exclusive gateway without a default path, whose conditions can all be false for some
    values the diagram allows: the case would stop there with an error."""
    problems: list[Problem] = []
    for gateway in outline.elements:
        if gateway.kind != "exclusiveGateway" or gateway.default or len(gateway.outgoing) < 2:
            continue
        conditions = [c for _, _, c in gateway.outgoing]
        if any(c is None for c in conditions) or not gateway.executable:
            continue  # bpmnlint's conditional-flows speaks about a flow without condition
        names = sorted(gateway.reads)
        domains = [_candidates(outline, gateway, n) for n in names]
        example = None
        for count, combo in enumerate(itertools.product(*domains)):
            if count >= MAX_COMBINATIONS:
                break
            data = dict(zip(names, combo, strict=True))
            try:
                results = [bool(evaluate(str(c), dict(data))) for c in conditions]
            except Exception:  # noqa: S112 - a value of the wrong kind for this condition
                continue
            if not any(results):
                example = data
                break
        if example is not None:
            shown = ", ".join(f"{k} = {_shown(v)}" for k, v in example.items()) or "deze gegevens"
            problems.append(
                Problem(
                    gateway.file,
                    "deze gateway heeft geen standaardpad en geen van de voorwaarden is waar bij "
                    f"{shown}; de zaak zou hier vastlopen. Geef een standaardpad (default flow) of "
                    "maak de voorwaarden sluitend",
                    element_id=gateway.id,
                    line=gateway.line,
                    rule="gateway-standaardpad",
                )
            )
    return problems


__all__ = [
    "Element",
    "Lane",
    "Outline",
    "Rule",
    "build",
    "check_gateway_defaults",
    "form_fields",
    "nearest_id",
]
