"""Reading XML that may be hostile: our own parser (size cap, no DTD, no entities, no network)
runs before SpiffWorkflow sees any file, and tells what kind of definition file it is."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from engine.errors import Problem

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

_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def safe_parse_xml(name: str, content: bytes, problems: list[Problem]) -> Any:
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


def file_kind(root: Any) -> str | None:
    qname = etree.QName(root)
    if qname.localname != "definitions":
        return None
    if qname.namespace == BPMN_NS:
        return "bpmn"
    if qname.namespace in DMN_NAMESPACES:
        return "dmn"
    return None


def line_of(tree: Any, element_id: str | None) -> int | None:
    if not element_id or tree is None:
        return None
    for node in tree.iter():
        if node.get("id") == element_id:
            return int(node.sourceline) if node.sourceline else None
    return None


def nearest_id(node: Any) -> str | None:
    while node is not None:
        if node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return None
