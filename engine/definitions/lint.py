"""bpmnlint's recommended rules on a BPMN file, on the server (the `bpmn-io` package: bpmnlint
ported to Python, same rules and findings), each finding in Dutch and located.

Severity follows bpmnlint's recommended configuration, with two deliberate exceptions that are
warnings here: `label-required` and `no-bpmndi` say how a diagram reads, not whether it runs,
and diagrams from other tools (Signavio, the OMG suite) leave labels out by the hundred. A
finding on a process that is not executable (another pool in a collaboration) is a warning too:
Wegwijs never runs it.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from bpmn_io import create_moddle
from bpmn_io.lint import Linter
from bpmn_io.lint.resolver import NodeResolver
from lxml import etree

from engine.cache import LRU
from engine.definitions.xml import BPMN_NS, line_of
from engine.errors import Problem

CONFIG = {"extends": "bpmnlint:recommended"}
AS_WARNING = frozenset({"label-required", "no-bpmndi"})

RULES_NL: dict[str, str] = {
    "ad-hoc-sub-process": "een ad-hoc-subproces mag geen start- of eindgebeurtenis hebben",
    "conditional-flows": "een uitgaande pijl van een splitsing heeft geen voorwaarde",
    "end-event-required": "het proces heeft geen eindgebeurtenis",
    "event-based-gateway": "een gebeurtenisgateway moet naar minstens twee vangende gebeurtenissen wijzen",
    "event-sub-process-typed-start-event": "een gebeurtenis-subproces heeft een start met een soort gebeurtenis nodig",
    "fake-join": "meerdere inkomende pijlen op een taak worden niet samengevoegd; gebruik een gateway",
    "global": "dit element hoort bij de globale elementen maar wordt niet gebruikt",
    "label-required": "dit element heeft geen naam",
    "link-event": "een link-gebeurtenis heeft geen bijpassende tegenhanger",
    "no-bpmndi": "dit element staat niet in de tekening (ontbrekende diagraminformatie)",
    "no-complex-gateway": "een complexe gateway wordt niet ondersteund",
    "no-disconnected": "dit element is nergens mee verbonden",
    "no-duplicate-sequence-flows": "er lopen twee gelijke pijlen tussen dezelfde elementen",
    "no-gateway-join-fork": "deze gateway voegt samen én splitst; gebruik er twee",
    "no-implicit-split": "de pijlen splitsen zonder gateway (impliciete splitsing)",
    "no-implicit-end": "het proces eindigt hier zonder eindgebeurtenis",
    "no-implicit-start": "dit element begint zonder startgebeurtenis",
    "no-inclusive-gateway": "een inclusieve gateway is lastig te volgen; overweeg exclusieve of parallelle",
    "no-overlapping-elements": "elementen liggen in de tekening over elkaar",
    "single-blank-start-event": "er is meer dan één lege startgebeurtenis",
    "single-event-definition": "een gebeurtenis heeft meer dan één soort (bericht, timer, …)",
    "start-event-required": "het proces heeft geen startgebeurtenis",
    "sub-process-blank-start-event": "een subproces moet met een lege startgebeurtenis beginnen",
    "superfluous-gateway": "deze gateway heeft maar één in- en uitgang en is overbodig",
    "superfluous-label": "deze pijl heeft een overbodige naam",
    "superfluous-termination": "een beëindigende eindgebeurtenis is hier overbodig",
}


class BpmnLinter:
    """Lints BPMN files; findings are kept per file content (only a cache: size 0 keeps none)."""

    def __init__(self, cache_size: int = 32) -> None:
        self._moddle = create_moddle()
        self._cache: LRU[str, tuple[tuple[str, str, str], ...]] = LRU(cache_size)

    def _reports(self, content: bytes) -> tuple[tuple[str, str, str], ...]:
        key = hashlib.sha256(content).hexdigest()
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            parsed = self._moddle.from_xml(content.decode("utf-8", "replace"))
            # a new linter each time: the port's rule objects keep what they saw (one kept
            # linter reported every flow of a second file as a duplicate of the first's)
            linter = Linter(config=CONFIG, resolver=cast(Any, NodeResolver()))
            found = linter.lint(cast(Any, parsed.root_element))
        except Exception:  # a file the port cannot read: the loader reports what is wrong
            return ()
        reports = tuple(
            (rule, str(report.get("id") or ""), str(report.get("category") or "warn"))
            for rule, items in found.items()
            for report in items
        )
        self._cache.put(key, reports)
        return reports

    def lint(self, name: str, content: bytes, root: Any) -> list[Problem]:
        """The findings of the recommended rules for one parsed BPMN file (root: its lxml tree)."""
        content = _with_flow_references(root, content)
        not_executable = {
            str(node.get("id"))
            for node in root.iter(f"{{{BPMN_NS}}}process")
            if node.get("isExecutable", "false").lower() != "true"
        }
        problems: list[Problem] = []
        for rule, element_id, category in self._reports(content):
            severity = "error" if category == "error" and rule not in AS_WARNING else "warning"
            if severity == "error" and _process_of(root, element_id) in not_executable:
                severity = "warning"
            problems.append(
                Problem(
                    name,
                    RULES_NL.get(rule, f"bpmnlint-regel '{rule}'"),
                    element_id=element_id or None,
                    line=line_of(root, element_id),
                    severity=severity,
                    rule=f"bpmnlint:{rule}",
                )
            )
        return problems


def _with_flow_references(root: Any, content: bytes) -> bytes:
    """The file with every flow node naming its incoming and outgoing flows.

    BPMN allows leaving `<incoming>`/`<outgoing>` out (the flows' sourceRef and targetRef say
    it; SpiffWorkflow reads those), but bpmnlint reads only the node's own references and would
    call every such node disconnected."""
    by_id = {node.get("id"): node for node in root.iter() if node.get("id")}
    missing: list[tuple[Any, str, str]] = []
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        flow_id = str(flow.get("id"))
        for side, ref in (("outgoing", flow.get("sourceRef")), ("incoming", flow.get("targetRef"))):
            node = by_id.get(ref)
            if node is None:
                continue
            if flow_id not in {
                (c.text or "").strip() for c in node.findall(f"{{{BPMN_NS}}}{side}")
            }:
                missing.append((node, side, flow_id))
    if not missing:
        return content
    copy = etree.fromstring(etree.tostring(root))
    copied = {node.get("id"): node for node in copy.iter() if node.get("id")}
    for node, side, flow_id in missing:
        target = copied[node.get("id")]
        reference = etree.Element(f"{{{BPMN_NS}}}{side}")
        reference.text = flow_id
        documented = target.find(f"{{{BPMN_NS}}}extensionElements")
        if documented is None:
            documented = target.find(f"{{{BPMN_NS}}}documentation")
        position = target.index(documented) + 1 if documented is not None else 0
        target.insert(position, reference)
    return bytes(etree.tostring(copy))


def _process_of(root: Any, element_id: str) -> str | None:
    """The id of the process an element lies in (the element itself when it is one)."""
    for node in root.iter():
        if node.get("id") == element_id:
            while node is not None:
                if node.tag == f"{{{BPMN_NS}}}process":
                    return str(node.get("id"))
                node = node.getparent()
            return None
    return None
