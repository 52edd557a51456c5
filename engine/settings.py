"""How an engine is wired (`EngineSettings`), and what its extension points receive.

Built once in the composition root (`workflows.bootstrap.engine_settings`); the engine reads
nothing from the environment except the two switches below, whose defaults come from it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from engine.definitions.outline import Rule
from engine.scripting import DEFAULT_LIMITS, Limits
from engine.services import Operator

_OFF = ("off", "0", "false", "no")


def caches_enabled(environ: Mapping[str, str]) -> bool:
    """Whether the in-process caches are on (`WEGWIJS_CACHES=off` turns every one off)."""
    return environ.get("WEGWIJS_CACHES", "on").strip().lower() not in _OFF


def fast_paths_enabled(environ: Mapping[str, str]) -> bool:
    """Whether the speed-ups of `engine.fast` are on (`WEGWIJS_FAST_PATHS=off`: the plain
    SQLAlchemy statements and the library's own serializer)."""
    return environ.get("WEGWIJS_FAST_PATHS", "on").strip().lower() not in _OFF


@dataclass(frozen=True)
class TaskDueInput:
    """What a due-date policy knows about a new user task."""

    process_id: str
    bpmn_id: str
    lane: str | None
    properties: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class SavedInstance:
    """What an `on_saved` hook learns about an instance the engine just wrote.

    The hook runs inside the same transaction (`connection`), so a read model it maintains is
    always consistent with the instance; an error in it rolls the whole step back.
    """

    connection: Connection
    instance_id: int
    process_id: str
    business_key: str | None
    status: str
    at: datetime
    #: the events this step recorded, as (type, bpmn_id, detail)
    events: tuple[tuple[str, str | None, dict[str, Any]], ...]
    #: the current values of the named data keys (only these are copied out of the workflow)
    values: Callable[[Iterable[str]], dict[str, Any]]
    #: run a write statement in this transaction (as the engine runs its own: see engine.fast)
    execute: Callable[[Any, Mapping[str, Any]], int]
    #: run a read statement in this transaction, the same way; returns its rows
    fetch: Callable[[Any, Mapping[str, Any]], list[Any]]


@dataclass(frozen=True)
class EngineSettings:
    """How the engine is wired; built once in the composition root."""

    database_url: str
    script_limits: Limits = DEFAULT_LIMITS
    workflow_cache_size: int = 512
    spec_cache_size: int = 64
    #: False: no workflow or spec is kept between calls; every load reads the database and
    #: parses the version's files (the caches are only caches; `WEGWIJS_CACHES=off` runs
    #: everything this way to show that nothing depends on them)
    caches: bool = field(default_factory=lambda: caches_enabled(os.environ))
    #: False: plain SQLAlchemy statements and the library's serializer instead of the
    #: speed-ups in engine/fast (`WEGWIJS_FAST_PATHS=off`); both give the same results
    fast_paths: bool = field(default_factory=lambda: fast_paths_enabled(os.environ))
    script_helpers: Mapping[str, Any] = field(default_factory=dict)
    #: operators that service tasks may call, by name (see engine.services)
    services: Mapping[str, Operator] = field(default_factory=dict)
    #: due date of a new user task (e.g. from its norm property), or None
    task_due: Callable[[TaskDueInput], datetime | None] | None = None
    #: a completed task with this extension property records a milestone event
    milestone_property: str = "phase"
    #: the milestone event also carries this property of the element, when it has it (a text
    #: the diagram gives the milestone)
    milestone_text_property: str = "phase_text"
    #: deploy-time checks of extension property values: name -> (value -> message or None)
    property_checks: Mapping[str, Callable[[str], str | None]] = field(default_factory=dict)
    #: called in the transaction after every save of an instance (e.g. to keep a read model)
    on_saved: Callable[[SavedInstance], None] | None = None
    #: the application's own rules on definition files, run by every check and deploy on the
    #: outline of the files (`engine.Outline`); each finding an error (blocks) or a warning
    definition_rules: Sequence[Rule] = ()
