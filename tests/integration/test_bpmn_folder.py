"""The process definitions in bpmn/ as a whole: they deploy through the composition root, every
user task has a valid form, every lane is a role, and every id the Python code names exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from engine import Engine, ManualClock
from workflows import bootstrap, norms, phases
from workflows.roles import LANE_ROLES

BPMN = bootstrap.BPMN_DIR
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
DIAGRAMS = sorted(BPMN.rglob("*.bpmn"))
SCHEMAS = {p.name: p for p in BPMN.rglob("*.schema.json")}


def _parse(path: Path) -> etree._Element:
    return etree.parse(
        str(path), etree.XMLParser(resolve_entities=False, no_network=True)
    ).getroot()


def _all_ids() -> set[str]:
    return {
        str(node.get("id")) for path in DIAGRAMS for node in _parse(path).iter() if node.get("id")
    }


def test_the_whole_folder_deploys_through_the_composition_root(database_url: str) -> None:
    engine: Engine = bootstrap.open_engine(
        bootstrap.Settings(database_url=database_url), clock=ManualClock()
    )
    try:
        result = engine.deploy_paths([str(BPMN)])
        assert {v.process_id for v in result.created} == {
            "complex_initiative_process",
            "wijkwens_process",
            "simple_green_initiative_process",
        }
        assert engine.deploy_paths([str(BPMN)]).created == ()  # same content: no new versions
    finally:
        engine.dispose()


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=lambda p: p.name)
def test_every_user_task_has_a_valid_form_and_a_parseable_norm(diagram: Path) -> None:
    root = _parse(diagram)
    tasks = root.findall(".//bpmn:userTask", NS)
    assert tasks, f"{diagram.name} has no user tasks"
    for task in tasks:
        props = {p.get("name"): p.get("value") for p in task.findall(".//spiff:property", NS)}
        form = props.get("formJsonSchemaFilename")
        assert form, f"{diagram.name}: user task {task.get('id')} has no form"
        assert form in SCHEMAS, f"{diagram.name}: form {form} of {task.get('id')} is missing"
        schema = json.loads(SCHEMAS[form].read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema).check_schema(schema)
        if props.get("norm"):
            norms.parse_norm(str(props["norm"]))


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=lambda p: p.name)
def test_every_lane_is_a_role_and_every_phase_is_known(diagram: Path) -> None:
    root = _parse(diagram)
    lanes = {str(lane.get("name")) for lane in root.iter(f"{{{NS['bpmn']}}}lane")}
    assert lanes, f"{diagram.name} has no lanes"
    assert lanes <= LANE_ROLES, lanes - LANE_ROLES
    for prop in root.iter(f"{{{NS['spiff']}}}property"):
        if prop.get("name") == "phase":
            assert phases.check_phase(str(prop.get("value"))) is None


def test_every_id_the_python_code_names_exists_in_the_diagrams() -> None:
    from workflows.simulation import profiles

    ids = _all_ids()
    messages = {
        str(m.get("name"))
        for path in DIAGRAMS
        for m in _parse(path).iter(f"{{{NS['bpmn']}}}message")
    }
    for profile in profiles():
        assert profile.process_id in ids
        missing = set(profile.tasks) - ids
        assert not missing, f"{profile.process_id}: task plans for unknown ids {missing}"
        for plan in profile.messages:
            assert plan.name in messages, plan.name


def test_every_message_a_diagram_sends_has_its_own_words() -> None:
    """A template without its own text would reach the initiator as "Er is iets veranderd aan
    uw initiatief": every template a diagram names (a notify parameter, a closing template)
    has a subject and text of its own in workflows/mail_texts.py."""
    from workflows.mail_texts import TEXTS

    named: set[str] = set()
    for path in DIAGRAMS:
        text = path.read_text()
        named |= set(re.findall(r'closing_template = "([a-z_]+)"', text))
        for value in re.findall(r'id="template" type="[a-z]+" value=\'([^\']+)\'', text):
            named |= set(re.findall(r'(?<!\[)"([a-z_]+)"', value))  # not settlement["…"]
    assert len(named) > 30
    assert sorted(named - set(TEXTS)) == []
