"""The checks a process owner's draft gets, without a database: SpiffWorkflow's messages and
other tools' expressions said in Dutch, the gateway rule, and Wegwijs's own rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.definitions import SourceFile
from engine.definitions.bundle import Checks, check_bundle
from engine.definitions.dialects import GENERIC, foreign_expression_hint, library_message
from engine.errors import Problem
from engine.scripting import SandboxEnvironment, check_expression
from workflows.diagram_rules import RULES

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" '
    'targetNamespace="t"><bpmn:process id="p" isExecutable="true">'
)
TAIL = "</bpmn:process></bpmn:definitions>"
FORM = (
    '{"type": "object", "properties": {"decision": {"type": "string", '
    '"enum": ["ja", "nee"]}}, "required": ["decision"]}'
)


def _diagram(body: str, lane: str | None = "casist") -> bytes:
    lanes = ""
    if lane is not None:
        lanes = (
            f'<bpmn:laneSet id="ls"><bpmn:lane id="l" name="{lane}">'
            "<bpmn:flowNodeRef>review</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>"
        )
    return (HEAD + lanes + body + TAIL).encode()


def _gateway(form: bool, default: bool) -> bytes:
    properties = (
        "<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property "
        'name="formJsonSchemaFilename" value="review.schema.json" /></spiffworkflow:properties>'
        "</bpmn:extensionElements>"
        if form
        else ""
    )
    return _diagram(
        '<bpmn:startEvent id="start" /><bpmn:userTask id="review" name="Beoordelen">'
        f"{properties}</bpmn:userTask>"
        f'<bpmn:exclusiveGateway id="choose" {"default=" + chr(34) + "to_no" + chr(34) if default else ""} />'
        '<bpmn:endEvent id="end_yes" name="Ja" /><bpmn:endEvent id="end_no" name="Nee" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="choose" />'
        '<bpmn:sequenceFlow id="to_yes" sourceRef="choose" targetRef="end_yes">'
        '<bpmn:conditionExpression>decision == "ja"</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="to_no" sourceRef="choose" targetRef="end_no">'
        '<bpmn:conditionExpression>decision == "nee"</bpmn:conditionExpression></bpmn:sequenceFlow>'
    )


def _findings(*files: tuple[str, bytes]) -> list[Problem]:
    checks = Checks(rules=RULES, evaluate=SandboxEnvironment().evaluate)
    _, _, problems = check_bundle([SourceFile(n, c) for n, c in files], checks)
    return problems


def _rules(problems: list[Problem]) -> dict[str, str]:
    return {f"{p.rule} {p.element_id}": p.severity for p in problems}


def test_library_messages_are_dutch_and_never_show_an_object() -> None:
    assert "gegevensopslag (data store) 'Klanten'" in library_message(
        "Data Store with name Klanten has no implementation"
    )
    text = library_message("Cannot resolve dataOutputAssociation <Element {x}targetRef at 0x7f90>")
    assert "0x" not in text
    assert "gegevenskoppeling" in text
    assert library_message("Something nobody translated") == GENERIC


@pytest.mark.parametrize(
    ("expression", "hint"),
    [
        ("${approved}", "Camunda-expressie (JUEL"),
        ("#{!approved}", "schrijf bijvoorbeeld 'not approved'"),
        ("[1..20]", "'1 <= ? <= 20'"),
        ("= not(approved)", "FEEL-expressie"),
        ("bpmn:getDataObject('approved')", "XPath"),
        ("0/5 0/1 * 1/1 * ?", "cron"),
    ],
)
def test_expressions_in_other_dialects_get_a_dutch_hint(expression: str, hint: str) -> None:
    assert hint in (foreign_expression_hint(expression) or "")


def test_a_camunda_condition_is_refused_with_the_hint_and_no_english() -> None:
    message = check_expression("${score > 5}") or ""
    assert "Camunda-expressie" in message
    assert "SyntaxError" not in message
    assert "invalid syntax" not in message


def test_a_gateway_without_default_whose_conditions_can_all_be_false_is_an_error() -> None:
    found = _rules(_findings(("p.bpmn", _gateway(form=False, default=False))))
    assert found["gateway-standaardpad choose"] == "error"
    assert found["wegwijs:formulier review"] == "error"


def test_a_gateway_whose_form_allows_only_the_values_its_conditions_name_is_fine() -> None:
    found = _rules(
        _findings(
            ("p.bpmn", _gateway(form=True, default=False)),
            ("review.schema.json", FORM.encode()),
        )
    )
    assert "gateway-standaardpad choose" not in found
    assert "wegwijs:formulier-dekt-gateway choose" not in found


def test_a_gateway_with_a_default_path_is_fine_whatever_its_conditions() -> None:
    assert "gateway-standaardpad choose" not in _rules(
        _findings(("p.bpmn", _gateway(form=False, default=True)))
    )


def test_a_lane_that_is_no_role_warns_and_a_lane_without_a_name_is_an_error() -> None:
    body = '<bpmn:startEvent id="start" /><bpmn:userTask id="review" />'
    assert (
        _rules(_findings(("p.bpmn", _diagram(body, lane="reviewer"))))["wegwijs:baan-rol l"]
        == "warning"
    )
    assert _rules(_findings(("p.bpmn", _diagram(body, lane=""))))["wegwijs:baan-rol l"] == "error"


def test_a_user_task_without_a_form_outside_staff_lanes_only_warns() -> None:
    body = '<bpmn:startEvent id="start" /><bpmn:userTask id="review" />'
    found = _rules(_findings(("p.bpmn", _diagram(body, lane="reviewer"))))
    assert found["wegwijs:formulier review"] == "warning"


def test_linting_the_same_diagram_twice_finds_the_same() -> None:
    from engine.definitions.lint import BpmnLinter
    from engine.definitions.xml import safe_parse_xml

    path = Path(__file__).resolve().parents[2] / "bpmn" / "wijkwens" / "wijkwens_process.bpmn"
    content = path.read_bytes()
    root = safe_parse_xml(path.name, content, [])
    linter = BpmnLinter(cache_size=0)
    first = linter.lint(path.name, content, root)
    assert first == linter.lint(path.name, content, root)
    assert {p.rule for p in first} == {"bpmnlint:fake-join", "bpmnlint:superfluous-label"}
