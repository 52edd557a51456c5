"""The library versions whose private parts Wegwijs uses are the ones it was written for.

An upgrade of SpiffWorkflow, SQLAlchemy, psycopg or RestrictedPython must fail here — a named
test — before it can reach production: the pins in pyproject.toml keep pip from installing
another minor version, and these tests check both the pins and each private part we touch.
(In production, engine/fast also falls back to its plain twins on an unknown version.)
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from engine import fast

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
#: distribution -> the minor version the code was written for (engine/fast says the same)
WRITTEN_FOR = {**fast.SUPPORTED, "RestrictedPython": "9.0."}


def _pin(name: str) -> str:
    deps = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    found = [d for d in deps if re.match(rf"{re.escape(name)}(\[.*\])?[<>=]", d, re.IGNORECASE)]
    assert len(found) == 1, name
    return str(found[0])


@pytest.mark.parametrize("name", sorted(WRITTEN_FOR))
def test_the_installed_version_is_the_one_the_code_was_written_for(name: str) -> None:
    assert version(name).split(".")[:2] == WRITTEN_FOR[name].split(".")[:2], (
        f"{name} {version(name)} is installed; engine/ was written for {WRITTEN_FOR[name]}x. "
        "Check every private part listed in tests/unit/test_pinned_libraries.py, then update "
        "the pin, engine.fast.SUPPORTED and this test."
    )


@pytest.mark.parametrize("name", sorted(WRITTEN_FOR))
def test_pyproject_pins_each_of_them_to_that_minor_version(name: str) -> None:
    major, minor = WRITTEN_FOR[name].split(".")[:2]
    pin = _pin(name)
    assert f">={major}.{minor}" in pin
    assert f"<{major}.{int(minor) + 1}" in pin


def test_the_spiffworkflow_internals_we_use_are_there() -> None:
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import (
        MultiInstanceTask,
        StandardLoopTask,
    )
    from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
    from SpiffWorkflow.specs.base import TaskSpec
    from SpiffWorkflow.util.task import TaskIterator

    from engine import spiff

    spiff.lift_depth_cliff()  # raises if the defaults it replaces are gone
    assert 10**9 in (TaskIterator.__init__.__defaults__ or ())
    assert 10**9 in (BpmnTaskIterator.__init__.__defaults__ or ())
    assert hasattr(StandardLoopTask, "merge_child")  # engine/specs.py connects it up front
    assert hasattr(MultiInstanceTask, "merge_child")
    spec = TaskSpec.__init__.__code__.co_names
    assert "_inputs" in spec
    assert "_outputs" in spec
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure({}))
    assert hasattr(serializer, "_encoder_cls")
    assert hasattr(serializer.registry, "_encoder_mode")


def test_the_sqlalchemy_and_psycopg_internals_we_use_are_there() -> None:
    import psycopg
    from sqlalchemy import bindparam, select
    from sqlalchemy.dialects import postgresql, sqlite

    from engine.readmodel import human_task

    assert hasattr(psycopg, "RawCursor")
    query = select(human_task.c.task_id).where(human_task.c.task_id == bindparam("b"))
    assert query._generate_cache_key() is not None
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        compiled = query.compile(dialect=dialect, column_keys=[])
        for attribute in ("binds", "positional", "positiontup", "literal_execute_params"):
            assert hasattr(compiled, attribute), attribute


def test_the_restrictedpython_internals_we_use_are_there() -> None:
    from RestrictedPython.transformer import RestrictingNodeTransformer

    assert hasattr(RestrictingNodeTransformer, "node_contents_visit")
    assert hasattr(RestrictingNodeTransformer, "error")
