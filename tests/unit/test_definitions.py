"""Unit tests for engine.definitions: which definition files are accepted, and how refusals read.

Every refusal must name the file, say in Dutch what is wrong and, where the problem sits in a
diagram, point at the element id and/or the line. No database is involved.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from engine.definitions import MAX_FILE_BYTES, Bundle, SourceFile, load_bundle, read_paths
from engine.errors import DefinitionError, Problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TINY = FIXTURES / "tiny"
HOSTILE = FIXTURES / "hostile"
CORPUS = Path("/work/shared/corpus")
PWNED = Path("/tmp/wegwijs_pwned")


# ------------------------------------------------------------------ helpers


def tiny_sources() -> list[SourceFile]:
    return read_paths([TINY])


def load(sources: Iterable[SourceFile]) -> Bundle:
    bundle, _parser = load_bundle(sources)
    return bundle


def refusal(sources: Iterable[SourceFile]) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        load_bundle(sources)
    problems = caught.value.problems
    assert problems, "a DefinitionError must carry at least one problem"
    return problems


def problem_for(problems: list[Problem], file_name: str) -> Problem:
    matching = [p for p in problems if p.file == file_name]
    assert matching, f"no problem names {file_name!r}: {problems}"
    return matching[0]


def hostile(name: str) -> list[SourceFile]:
    return read_paths([HOSTILE / name])


def first_line_with(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not found in {path.name}")


def replace_one_whitespace_byte(content: bytes) -> bytes:
    """Change exactly one byte (an indentation space into a tab); the file stays valid."""
    index = content.index(b"\n ") + 1
    changed = content[:index] + b"\t" + content[index + 1 :]
    assert len(changed) == len(content)
    assert sum(a != b for a, b in zip(changed, content, strict=True)) == 1
    return changed


def host_name_words() -> set[str]:
    words = {socket.gethostname().strip()}
    hostname_file = Path("/etc/hostname")
    if hostname_file.is_file():
        words.add(hostname_file.read_text(encoding="utf-8").strip())
    return {w for w in words if w}


def words_of(problems: Iterable[Problem]) -> set[str]:
    return {w for p in problems for w in re.findall(r"[\w.-]+", str(p))}


@pytest.fixture
def no_pwned_file() -> Iterable[None]:
    PWNED.unlink(missing_ok=True)
    yield
    assert not PWNED.exists(), "checking a definition executed a script"


# ------------------------------------------------------------------ the valid tiny bundle


def test_tiny_bundle_validates_with_both_executable_processes() -> None:
    bundle = load(tiny_sources())

    assert set(bundle.process_names) == {"tiny_process", "tiny_confirm_process"}
    assert all(bundle.process_names.values())
    schema_file = TINY / "submit_request.schema.json"
    assert bundle.forms[schema_file.name] == json.loads(schema_file.read_text(encoding="utf-8"))


def test_content_hash_is_stable_across_two_loads() -> None:
    first, second = load(tiny_sources()), load(tiny_sources())

    for process_id in first.process_names:
        assert first.content_hash(process_id) == second.content_hash(process_id)
        assert re.fullmatch(r"[0-9a-f]{64}", first.content_hash(process_id))


@pytest.mark.parametrize("changed_file", sorted(p.name for p in TINY.iterdir()))
def test_content_hash_changes_exactly_for_processes_using_a_file_with_one_changed_byte(
    changed_file: str,
) -> None:
    original = load(tiny_sources())
    altered_sources = [
        SourceFile(
            s.name, replace_one_whitespace_byte(s.content) if s.name == changed_file else s.content
        )
        for s in tiny_sources()
    ]
    altered = load(altered_sources)

    users = {pid for pid, files in original.process_files.items() if changed_file in files}
    assert users, f"{changed_file} belongs to no process version"
    for process_id in original.process_names:
        changed = original.content_hash(process_id) != altered.content_hash(process_id)
        assert changed == (process_id in users), process_id


# ------------------------------------------------------------------ DTDs and entities


@pytest.mark.parametrize("file_name", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_dtd_and_entities_are_refused_quickly_with_their_line(file_name: str) -> None:
    started = time.monotonic()
    problems = refusal(hostile(file_name))
    elapsed = time.monotonic() - started

    problem = problem_for(problems, file_name)
    assert "DTD" in problem.message
    assert "niet toegestaan" in problem.message
    expected_line = min(
        first_line_with(HOSTILE / file_name, marker)
        for marker in ("<!DOCTYPE", "<!ENTITY")
        if marker in (HOSTILE / file_name).read_text(encoding="utf-8")
    )
    assert problem.line == expected_line
    assert elapsed < 2.0


def test_xxe_refusal_does_not_leak_the_host_name() -> None:
    problems = refusal(hostile("xxe.bpmn"))

    assert not host_name_words() & words_of(problems)


def test_xxe_pointing_at_a_secret_file_never_shows_its_content(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    token = f"geheim{time.time_ns()}"
    secret.write_text(token, encoding="utf-8")
    template = (HOSTILE / "xxe.bpmn").read_text(encoding="utf-8")
    hostile_text = template.replace("file:///etc/hostname", secret.as_uri()).replace(
        "<!DOCTYPE", "<!-- an innocent comment -->\n<!DOCTYPE", 1
    )
    (tmp_path / "leak.bpmn").write_text(hostile_text, encoding="utf-8")

    with pytest.raises(DefinitionError) as caught:
        load_bundle(read_paths([tmp_path / "leak.bpmn"]))

    assert token not in str(caught.value)
    problem = problem_for(caught.value.problems, "leak.bpmn")
    assert problem.line == first_line_with(tmp_path / "leak.bpmn", "<!DOCTYPE")


@pytest.mark.parametrize("file_name", ["xxe.bpmn", "billion_laughs.bpmn"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_dtd_hidden_in_utf16_is_still_refused(file_name: str, encoding: str) -> None:
    text = (HOSTILE / file_name).read_text(encoding="utf-8")
    text = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')

    started = time.monotonic()
    problems = refusal([SourceFile(file_name, text.encode(encoding))])

    assert time.monotonic() - started < 2.0
    assert problem_for(problems, file_name).message
    assert not host_name_words() & words_of(problems)


# ------------------------------------------------------------------ size limits


def write_huge_bpmn(path: Path, size: int) -> None:
    header = (HOSTILE / "endless_script.bpmn").read_bytes().split(b"<bpmn:process", 1)[0]
    with path.open("wb") as fh:
        fh.write(header)
        fh.write(b'<bpmn:process id="huge_process" isExecutable="true"><bpmn:documentation>')
        fh.write(b"x" * (size - fh.tell() - 100))
        fh.write(b"</bpmn:documentation></bpmn:process></bpmn:definitions>\n")


def test_a_20_mb_file_is_refused_by_read_paths_with_its_size(tmp_path: Path) -> None:
    huge = tmp_path / "huge.bpmn"
    write_huge_bpmn(huge, 20_000_000)
    assert huge.stat().st_size > MAX_FILE_BYTES

    with pytest.raises(DefinitionError) as caught:
        read_paths([tmp_path])

    problem = problem_for(caught.value.problems, "huge.bpmn")
    assert "te groot" in problem.message
    assert f"{huge.stat().st_size / 1024 / 1024:.1f} MB" in problem.message


def test_a_20_mb_file_is_refused_by_load_bundle_with_its_size(tmp_path: Path) -> None:
    huge = tmp_path / "huge.bpmn"
    write_huge_bpmn(huge, 20_000_000)
    content = huge.read_bytes()

    problems = refusal([SourceFile("huge.bpmn", content)])

    problem = problem_for(problems, "huge.bpmn")
    assert "te groot" in problem.message
    assert f"{len(content) / 1024 / 1024:.1f} MB" in problem.message


# ------------------------------------------------------------------ scripts and expressions


@pytest.mark.usefixtures("no_pwned_file")
@pytest.mark.parametrize(
    "file_name", ["os_system_script.bpmn", "import_os_script.bpmn", "subclasses_escape.bpmn"]
)
def test_script_escape_is_refused_at_validation_with_the_script_task(file_name: str) -> None:
    problems = refusal(hostile(file_name))

    problem = problem_for(problems, file_name)
    assert problem.message.startswith("fout in script")
    assert problem.element_id == "run_script"
    task_line = first_line_with(HOSTILE / file_name, 'id="run_script"')
    script_line = first_line_with(HOSTILE / file_name, "<bpmn:script>")
    assert problem.line is not None
    assert task_line <= problem.line <= script_line


@pytest.mark.parametrize(
    ("file_name", "fragment", "element_id", "element_marker", "expression_marker"),
    [
        (
            "bad_script_syntax.bpmn",
            "fout in script",
            "run_script",
            'id="run_script"',
            "<bpmn:script>",
        ),
        (
            "bad_condition_syntax.bpmn",
            "fout in voorwaarde",
            "flow_condition_true",
            'id="flow_condition_true"',
            "<bpmn:conditionExpression",
        ),
        (
            "bad_timer.bpmn",
            'tussen aanhalingstekens, dus "P2D"',
            "wait_timer_definition",
            'id="wait_timer"',
            "<bpmn:timeDuration",
        ),
    ],
)
def test_bad_expression_is_refused_with_element_id_and_line(
    file_name: str, fragment: str, element_id: str, element_marker: str, expression_marker: str
) -> None:
    problems = refusal(hostile(file_name))

    problem = problem_for(problems, file_name)
    assert fragment in problem.message
    assert problem.element_id == element_id
    assert problem.line is not None
    first = first_line_with(HOSTILE / file_name, element_marker)
    last = first_line_with(HOSTILE / file_name, expression_marker)
    assert first <= problem.line <= last


@pytest.mark.parametrize(
    "file_name",
    [
        "endless_script.bpmn",
        "endless_condition.bpmn",
        "memory_bomb_script.bpmn",
        "memory_bomb_condition.bpmn",
    ],
)
def test_runtime_bombs_that_are_valid_syntax_validate(file_name: str) -> None:
    bundle = load(hostile(file_name))

    assert set(bundle.process_names) == {file_name.removesuffix(".bpmn") + "_process"}


# ------------------------------------------------------------------ structural problems


def test_malformed_xml_is_refused_as_invalid_xml_with_a_line() -> None:
    problems = refusal(hostile("malformed.bpmn"))

    problem = problem_for(problems, "malformed.bpmn")
    assert "geen geldige XML" in problem.message
    line_count = len((HOSTILE / "malformed.bpmn").read_text(encoding="utf-8").splitlines())
    assert problem.line is not None
    assert 1 <= problem.line <= line_count + 1


def test_xml_that_is_not_bpmn_is_refused_naming_its_root_element() -> None:
    problems = refusal(hostile("not_bpmn.xml"))

    problem = problem_for(problems, "not_bpmn.xml")
    assert "geen BPMN" in problem.message
    assert "<svg>" in problem.message
    assert problem.line == first_line_with(HOSTILE / "not_bpmn.xml", "<svg")


def test_a_file_without_executable_process_is_refused_mentioning_is_executable() -> None:
    problems = refusal(hostile("no_executable_process.bpmn"))

    problem = problem_for(problems, "no_executable_process.bpmn")
    assert 'isExecutable="true"' in problem.message


def test_a_call_activity_to_a_missing_process_is_refused_naming_that_process() -> None:
    problems = refusal(hostile("missing_call_target.bpmn"))

    problem = problem_for(problems, "missing_call_target.bpmn")
    assert "does_not_exist_process" in problem.message


def test_a_call_activity_to_a_missing_process_is_located_at_the_call_activity() -> None:
    problems = refusal(hostile("missing_call_target.bpmn"))

    problem = problem_for(problems, "missing_call_target.bpmn")
    assert problem.element_id == "call_missing"
    assert problem.line == first_line_with(
        HOSTILE / "missing_call_target.bpmn", 'id="call_missing"'
    )


def test_a_process_calling_itself_is_refused() -> None:
    problems = refusal(hostile("self_recursive.bpmn"))

    problem = problem_for(problems, "self_recursive.bpmn")
    assert "zijn eigen proces aan" in problem.message
    assert "self_recursive_process" in problem.message
    assert problem.line is not None


def test_an_unsupported_complex_gateway_is_refused_with_its_element_id_and_line() -> None:
    problems = refusal(hostile("unsupported_element.bpmn"))

    problem = problem_for(problems, "unsupported_element.bpmn")
    assert "complexGateway" in problem.message
    assert "niet ondersteund" in problem.message
    assert problem.element_id == "complex_gateway"
    assert problem.line == first_line_with(
        HOSTILE / "unsupported_element.bpmn", 'id="complex_gateway"'
    )


# ------------------------------------------------------------------ forms and file types


def test_a_form_missing_from_the_bundle_is_refused_naming_form_and_user_task() -> None:
    sources = [s for s in tiny_sources() if s.name != "submit_request.schema.json"]

    problems = refusal(sources)

    problem = problem_for(problems, "tiny_main.bpmn")
    assert "submit_request.schema.json" in problem.message
    assert "ontbreekt" in problem.message
    assert problem.element_id == "submit_request"
    assert problem.line == first_line_with(TINY / "tiny_main.bpmn", 'id="submit_request"')


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (json.dumps({"type": 12}).encode(), "ongeldig JSON Schema"),
        (b'{"type": "object",\n "properties": {', "geen geldige JSON"),
        (b"[1, 2, 3]", "JSON-object"),
        ("{}".encode("utf-16"), "geen UTF-8"),
    ],
    ids=["invalid-schema", "not-json", "not-an-object", "not-utf8"],
)
def test_a_bad_form_schema_is_refused(content: bytes, fragment: str) -> None:
    sources = [
        SourceFile(s.name, content) if s.name == "submit_request.schema.json" else s
        for s in tiny_sources()
    ]

    problems = refusal(sources)

    problem = problem_for(problems, "submit_request.schema.json")
    assert fragment in problem.message


def test_an_unknown_file_type_is_refused() -> None:
    sources = [*tiny_sources(), SourceFile("notes.txt", b"some notes")]

    problems = refusal(sources)

    problem = problem_for(problems, "notes.txt")
    assert "onbekend bestandstype" in problem.message


def test_a_duplicate_file_name_is_refused() -> None:
    sources = tiny_sources()

    problems = refusal([*sources, sources[0]])

    assert "twee keer" in problem_for(problems, sources[0].name).message


def test_a_missing_path_is_refused_by_read_paths(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.bpmn"

    with pytest.raises(DefinitionError) as caught:
        read_paths([missing])

    assert "bestaat niet" in problem_for(caught.value.problems, str(missing)).message


# ------------------------------------------------------------------ corpus interop smoke


def _corpus_cases() -> list[pytest.param]:
    cases = [
        pytest.param([path], id=f"miwg/{path.name}")
        for path in sorted((CORPUS / "miwg" / "reference").glob("*.bpmn"))
    ]
    for path in sorted((CORPUS / "realworld").glob("**/*.bpmn")):
        dmn = sorted(path.parent.glob("*.dmn"))
        cases.append(pytest.param([path, *dmn], id=str(path.relative_to(CORPUS))))
    return cases


@pytest.mark.parametrize("paths", _corpus_cases())
def test_corpus_diagram_loads_or_is_refused_with_a_message(paths: list[Path]) -> None:
    sources = [SourceFile(p.name, p.read_bytes()) for p in paths]
    outcome: Bundle | DefinitionError
    try:
        outcome = load(sources)
    except DefinitionError as exc:
        outcome = exc
    if isinstance(outcome, DefinitionError):
        assert outcome.problems
        assert all(p.file and p.message.strip() for p in outcome.problems)
    else:
        assert outcome.process_names


_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="d" namespace="x">
  <decision id="dmn_gebied" name="Gebied">
    <decisionTable id="table" hitPolicy="UNIQUE">
      <input id="input_wijk" label="Wijk"><inputExpression id="ie" typeRef="string"><text>wijk</text></inputExpression></input>
      <output id="output_gebied" name="gebied" typeRef="string" />
      <rule id="rule_centrum">
        <inputEntry id="cell_centrum"><text>{cell}</text></inputEntry>
        <outputEntry id="out_centrum"><text>"Centrum"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""

_CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="gebied_process" isExecutable="true">
    <bpmn:startEvent id="start_event"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide"><bpmn:extensionElements>
      <spiffworkflow:calledDecisionId>dmn_gebied</spiffworkflow:calledDecisionId></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:endEvent id="end_event"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start_event" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end_event" />
  </bpmn:process>
</bpmn:definitions>
"""


def _dmn_bundle(cell: str) -> list[SourceFile]:
    return [
        SourceFile("gebied.bpmn", _CALLER.encode()),
        SourceFile("gebied.dmn", _DMN.format(cell=cell).encode()),
    ]


def test_a_dmn_cell_the_library_would_glue_onto_its_input_is_refused_with_a_hint() -> None:
    with pytest.raises(DefinitionError) as refused:
        load_bundle(_dmn_bundle('in ("Binnenstad", "Staart")'))
    [problem] = refused.value.problems
    assert problem.file == "gebied.dmn"
    assert problem.element_id == "cell_centrum"
    assert problem.line == 8
    assert '? in ("Binnenstad", "Staart")' in problem.message


@pytest.mark.parametrize(
    "cell", ['? in ("Binnenstad", "Staart")', '"Binnenstad"', '!= "Staart"', "-"]
)
def test_dmn_cells_the_library_can_run_are_accepted(cell: str) -> None:
    bundle, _ = load_bundle(_dmn_bundle(cell))
    assert set(bundle.process_names) == {"gebied_process"}


def test_a_dmn_output_that_is_not_an_expression_is_refused() -> None:
    bad = _DMN.format(cell='"x"').replace('<text>"Centrum"</text>', "<text>Centrum ok</text>")
    with pytest.raises(DefinitionError) as refused:
        load_bundle(
            [SourceFile("gebied.bpmn", _CALLER.encode()), SourceFile("gebied.dmn", bad.encode())]
        )
    assert refused.value.problems[0].element_id == "out_centrum"
