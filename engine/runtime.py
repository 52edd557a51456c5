"""The parts of one running engine, shared by its rooms: settings, clock, database, caches,
codec, script engine. `Engine` (engine/facade.py) builds one; the rooms receive it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from engine import services
from engine.cache import WorkflowCache
from engine.clock import Clock
from engine.codec import WorkflowCodec
from engine.definitions.bundle import Checks
from engine.persistence.statements import VERSION_FILES
from engine.settings import EngineSettings
from engine.specs import SpecLibrary, VersionSpecs
from engine.unit_of_work import Database

#: statuses of a case that is still going
ACTIVE = ("running", "waiting")


@dataclass
class Runtime:
    """Everything the rooms of an engine share (one per `Engine`)."""

    settings: EngineSettings
    clock: Clock
    database: Database
    codec: WorkflowCodec
    script_engine: Any
    dispatcher: services.Dispatcher
    specs: SpecLibrary
    workflows: WorkflowCache
    property_checks: Mapping[str, Callable[[str], str | None]]
    #: what a check or deploy of definition files runs (services, properties, rules, lint)
    checks: Checks

    def now(self) -> datetime:
        return self.clock.now()

    def version_specs(self, connection: Connection, version_id: int) -> VersionSpecs:
        """The specs of a deployed version (from the spec cache, or parsed from its files)."""

        def read(vid: int) -> tuple[str, dict[str, str]]:
            row = self.database.statements.all(connection, VERSION_FILES, {"b_id": vid})[0]
            return row.process_id, row.files

        return self.specs.get(read, version_id)
