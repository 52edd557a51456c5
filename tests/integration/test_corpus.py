"""Diagrams nobody on this project wrote (`shared/corpus/`: the OMG interchange suite, Camunda
and Signavio exports, SpiffWorkflow's and SpiffArena's own models, Dutch municipal processes):

- every file goes through the import a process owner uses: it deploys, or it is refused with
  Dutch findings that name the element or the line — never a Python object's text, an English
  library message or an unhandled exception;
- every process that deployed and can start without outside input runs to its end through
  Wegwijs and through raw SpiffWorkflow with the same (empty) data, and both end the same way,
  or the file is named here with the reason Wegwijs differs.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine import DefinitionError, Engine, EngineSettings, ManualClock, OriginError
from tests.conftest import IN_CI
from workflows import accounts, bootstrap, modeling
from workflows.bootstrap import MIGRATIONS

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
FILES = sorted(CORPUS.rglob("*.bpmn")) + sorted(CORPUS.rglob("*.dmn")) if CORPUS.is_dir() else []
MAX_STEPS = 200

_REPR = re.compile(r"<[^<>]*\bat 0x[0-9a-f]+|object at 0x|Traceback")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|«[^»]*»")
_ENGLISH = re.compile(
    r"\b(the|is not|not found|must|should|cannot|unable|expected|invalid|missing|unknown|"
    r"unsupported|available|error|exception|no such|has no|does not)\b",
    re.IGNORECASE,
)


def _english(message: str) -> bool:
    """Whether a message (its quoted parts left out: ids, code, names) reads as English."""
    return bool(_ENGLISH.search(_QUOTED.sub("", message)))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not FILES:
        reason = f"the corpus is not at {CORPUS}"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'wegwijs.db'}"
    Engine(EngineSettings(database_url=url)).upgrade_schema(MIGRATIONS)
    built = bootstrap.open_engine(bootstrap.Settings(database_url=url), clock=ManualClock())
    yield built
    built.dispose()


@dataclass
class Corpus:
    """What the import did with every file, and every process run both ways right after its
    deployment (while its version is the newest: several files use the process id `main`)."""

    outcomes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    #: (file, process id, raw SpiffWorkflow's end, Wegwijs's end)
    runs: list[tuple[str, str, Any, Any]] = field(default_factory=list)


@pytest.fixture(scope="module")
def imported(engine: Engine) -> Corpus:
    """Every corpus file through the import; each deployed process run both ways."""
    corpus = Corpus()
    outcomes = corpus.outcomes
    owner = accounts.add_user(engine, "corpus", ["procesbeheerder"], "wachtwoord-corpus-1")
    for path in FILES:
        name = str(path.relative_to(CORPUS))
        result = modeling.import_files(engine, owner, [(path.name, path.read_bytes())])
        for problem in result.report.findings:
            assert not _REPR.search(problem.message), (name, problem.message)
            assert not _english(problem.message), (name, problem.message)
            if problem.is_error:
                assert problem.element_id or problem.line, (name, str(problem))
        if not result.report.ok:
            assert result.report.errors, name
            outcomes[name] = ("refused", [])
            continue
        if result.draft is None or not result.report.processes:
            assert path.suffix == ".dmn" or not result.report.processes, name
            outcomes[name] = ("decision table" if result.report.decisions else "nothing to run", [])
            continue
        outcome = "deployed"
        try:
            deployed = modeling.deploy_draft(engine, owner, result.draft.id)
        except OriginError:
            outcome = "deployed after the origin question"
            deployed = modeling.deploy_draft(engine, owner, result.draft.id, True)
        except DefinitionError as exc:  # the check passed: deploy must agree
            pytest.fail(f"{name}: checked fine but refused at deploy: {exc}")
        ids = [v.process_id for v in deployed.created + deployed.unchanged]
        outcomes[name] = (outcome, ids)
        corpus.runs += _run_both_ways(engine, path, name, ids)
    return corpus


def _run_both_ways(
    engine: Engine, path: Path, name: str, process_ids: list[str]
) -> list[tuple[str, str, Any, Any]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(path))
    runs = []
    for process_id in process_ids:
        if process_id in parser.get_process_ids() and _can_start_alone(parser.get_spec(process_id)):
            runs.append((name, process_id, _raw(path, process_id), _wegwijs(engine, process_id)))
    return runs


def test_every_corpus_file_deploys_or_is_refused_in_located_dutch(imported: Corpus) -> None:
    counts = Counter(outcome for outcome, _ in imported.outcomes.values())
    print(f"\ncorpus import of {len(FILES)} files: {dict(sorted(counts.items()))}")
    assert sum(counts.values()) == len(FILES)
    assert counts["deployed"] + counts["deployed after the origin question"] >= 30
    assert counts["deployed after the origin question"] >= 2  # unrelated files with id `main`


# ---------------------------------------------------------------- differential

#: files where Wegwijs ends differently from raw SpiffWorkflow, and why (documented)
DIFFERENT = {
    "spiffworkflow/bpmn/data/timer-date-start.bpmn": "raw SpiffWorkflow's default script "
    "environment has no `datetime`, so its script fails; Wegwijs's sandbox offers date, datetime "
    "and timedelta, so the case runs on and waits for its timer",
}


def _can_start_alone(process: Any) -> bool:
    starts = [s for s in process.task_specs.values() if type(s).__name__ == "StartEvent"]
    return bool(starts) and all(
        not getattr(s, "event_definition", None)
        or type(s.event_definition).__name__ == "NoneEventDefinition"
        for s in starts
    )


def _raw(path: Path, process_id: str) -> tuple[str, dict[str, Any]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(path))
    workflow = BpmnWorkflow(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))
    try:
        workflow.do_engine_steps()
        for _ in range(MAX_STEPS):
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            ready[0].run()
            workflow.do_engine_steps()
    except Exception:
        return "error", {}
    if workflow.is_completed():
        return "completed", _plain(workflow.last_task.data if workflow.last_task else {})
    return "waiting", {}


def _wegwijs(engine: Engine, process_id: str) -> tuple[str, dict[str, Any]]:
    summary = engine.start(process_id, {})
    for _ in range(MAX_STEPS):
        if summary.status != "running":
            break
        tasks = engine.list_tasks(instance_id=summary.id)
        if not tasks:
            break
        summary = engine.complete_task(tasks[0].id, {}, actor="corpus")
    status = {"errored": "error", "completed": "completed"}.get(summary.status, "waiting")
    data = engine.get_instance(summary.id).data if status == "completed" else {}
    return status, _plain(data)


def _plain(data: Any) -> dict[str, Any]:
    return dict(json.loads(json.dumps(data, default=str, sort_keys=True)))


def test_corpus_processes_end_as_in_raw_spiffworkflow(imported: Corpus) -> None:
    differing = [run for run in imported.runs if run[2] != run[3]]
    print(f"\ncorpus processes run both ways: {len(imported.runs)}, differing: {len(differing)}")
    for name, process_id, raw, ours in differing:
        print(f"  {name} {process_id}: raw {raw[0]}, wegwijs {ours[0]}: {DIFFERENT.get(name)}")
    unexplained = [d for d in differing if d[0] not in DIFFERENT]
    assert not unexplained, "\n".join(
        f"{n} {p}: raw {r} / wegwijs {o}" for n, p, r, o in unexplained
    )
    assert len(imported.runs) >= 20
