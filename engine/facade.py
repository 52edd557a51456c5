"""`Engine`: the one object the other layers hold. It wires the engine's parts once and hands
each call to the room that does the work:

| room | what it does |
|---|---|
| `deployments` | check files, store versions, list processes and versions |
| `instances` | the run loop: start, complete, message, cancel, retry, timers |
| `saving` | after every step: status, state, human tasks, events, read models |
| `assignment` | claim, release, reassign |
| `queries` | tasks, instances, case data, what a case waits for, diagram, history |
| `unit_of_work` | transactions and connections (`transaction`, `reading`, `statement_reads`) |
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SqlEngine

from engine import assignment, deployments, instances, migration, queries, redaction, services
from engine import clock as clock_module
from engine.cache import WorkflowCache
from engine.clock import Clock, SystemClock
from engine.codec import WorkflowCodec
from engine.definitions import SourceFile, read_paths
from engine.definitions.bundle import Checks, outline_of
from engine.definitions.lint import BpmnLinter
from engine.definitions.outline import Outline
from engine.persistence import database
from engine.runtime import Runtime
from engine.scripting import Limits, SandboxEnvironment, make_script_engine
from engine.settings import EngineSettings
from engine.specs import SpecLibrary
from engine.spiff import ASSIGNEE_PROPERTY, GROUP_PROPERTY, LANE_PROPERTY, check_group_path
from engine.types import (
    CheckReport,
    DeployResult,
    EventRecord,
    HumanTask,
    InstanceDetail,
    InstanceSummary,
    MigrationCheck,
    MigrationRecord,
    OpenTask,
    ProcessVersionInfo,
    Trail,
    VersionDiff,
)
from engine.unit_of_work import Database, Reads, UnitOfWork


class Engine:
    """Generic BPMN runtime with persistence. Build one per process in the composition root."""

    def __init__(
        self, settings: EngineSettings, clock: Clock | None = None, db: SqlEngine | None = None
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        data = Database(settings.database_url, settings.fast_paths, db)
        codec: WorkflowCodec = WorkflowCodec()
        if data.fast:
            from engine.fast.codec import FastWorkflowCodec

            codec = FastWorkflowCodec()
        dispatcher = services.Dispatcher(settings.services)
        property_checks = {
            GROUP_PROPERTY: check_group_path,
            ASSIGNEE_PROPERTY: check_group_path,
            LANE_PROPERTY: check_group_path,
            **settings.property_checks,
        }
        gateway_probe = SandboxEnvironment(
            dict(settings.script_helpers), Limits(seconds=0.2, max_sequence=10_000)
        )
        self._rt = Runtime(
            settings=settings,
            clock=self.clock,
            database=data,
            codec=codec,
            script_engine=make_script_engine(
                dict(settings.script_helpers), settings.script_limits, dispatcher
            ),
            dispatcher=dispatcher,
            specs=SpecLibrary(codec, settings.spec_cache_size if settings.caches else 0),
            workflows=WorkflowCache(settings.workflow_cache_size if settings.caches else 0),
            # the engine's own extension properties first; the application's checks on top
            property_checks=property_checks,
            checks=Checks(
                known_services=dispatcher.names(),
                property_checks=property_checks,
                rules=tuple(settings.definition_rules),
                evaluate=gateway_probe.evaluate,
                linter=BpmnLinter(32 if settings.caches else 0),
            ),
        )
        #: the SQLAlchemy engine (listeners, tests) and the pool of `statement_reads`
        self.db = data.engine
        self.statement_db = data.statement_engine
        #: whether the speed-ups of engine/fast are in use (settings and library versions)
        self.fast_paths = data.fast
        clock_module.install_into_spiffworkflow()

    # ------------------------------------------------------------------ schema & transactions

    def upgrade_schema(self, version_locations: Iterable[Any] = ()) -> None:
        """Create or migrate the database schema in place (plus the application's branches)."""
        database.upgrade(self.db, list(version_locations))

    def schema_state(self, version_locations: Iterable[Any] = ()) -> str:
        """'empty', 'current' or 'behind': the schema against the newest migrations."""
        return database.schema_state(self.db, list(version_locations))

    def dispose(self) -> None:
        self._rt.database.dispose()

    def transaction(self) -> contextlib.AbstractContextManager[UnitOfWork]:
        """A unit of work: commits when the block ends normally, rolls back on any error."""
        return self._rt.database.transaction()

    def reading(self) -> contextlib.AbstractContextManager[Connection]:
        """A read-only transaction that never blocks writers (SQLite: BEGIN DEFERRED)."""
        return self._rt.database.reading()

    def statement_reads(self) -> contextlib.AbstractContextManager[Reads]:
        """Hot reads of one statement each (a worklist page): see Database.statement_reads."""
        return self._rt.database.statement_reads()

    def now(self) -> datetime:
        return self.clock.now()

    # ------------------------------------------------------------------ deployments

    def validate_paths(self, paths: Iterable[str]) -> dict[str, str]:
        """Check definition files without deploying; returns {process id: name}."""
        return self.validate(read_paths(paths))

    def validate(self, sources: Iterable[SourceFile]) -> dict[str, str]:
        return deployments.validate(self._rt, sources)

    def check_snippet(self, kind: str, text: str, name: str = "") -> str | None:
        """Why one piece of a diagram would be refused at deploy, in Dutch (None: it is fine).

        `kind`: "expression" (a condition), "script", "timer" (`name`: timeDuration, timeDate
        or timeCycle) or "property" (`name`: the extension property, e.g. norm)."""
        return deployments.check_snippet(self._rt, kind, text, name)

    def outline(self, sources: Iterable[SourceFile]) -> Outline:
        """The elements, lanes and decisions of a set of files (parsed safely; no checks)."""
        return outline_of({s.name: s.content for s in sources})

    def check(self, sources: Iterable[SourceFile]) -> CheckReport:
        """Every finding (errors block a deploy, warnings do not) of a set of files; nothing
        is stored. DMN files alone are checked as decision tables."""
        return deployments.check(self._rt, sources)

    def deploy_paths(self, paths: Iterable[str], actor: str | None = None) -> DeployResult:
        return self.deploy(read_paths(paths), actor)

    def deploy(
        self,
        sources: Iterable[SourceFile],
        actor: str | None = None,
        uow: UnitOfWork | None = None,
        confirmed: Iterable[str] | None = None,
    ) -> DeployResult:
        """Validate and store files as new process versions; identical content is a no-op.

        `confirmed`: when given, a process whose id is deployed already from files of another
        origin (another diagram that happens to use the same id) becomes a new version only when
        its id is in `confirmed`; otherwise `OriginError` asks. None: no such question."""
        return deployments.deploy(self._rt, sources, actor, uow, confirmed)

    def list_processes(self) -> list[ProcessVersionInfo]:
        """The newest version of every deployed process, with its counts of instances."""
        return deployments.list_processes(self._rt)

    def list_versions(self, process_id: str) -> list[ProcessVersionInfo]:
        return deployments.list_versions(self._rt, process_id)

    def get_version(self, version_id: int) -> ProcessVersionInfo:
        """One deployed version, with its counts of instances."""
        return deployments.get_version(self._rt, version_id)

    def version_files(self, version_id: int) -> dict[str, str]:
        """The files a deployed version consists of (name -> text)."""
        return deployments.version_files(self._rt, version_id)

    def diff_versions(self, from_version_id: int, to_version_id: int) -> VersionDiff:
        """What changed between two deployed versions of a process, element by element."""
        return migration.diff_versions(self._rt, from_version_id, to_version_id)

    def diff_files(
        self, from_version_id: int, sources: Iterable[SourceFile], process_id: str
    ) -> VersionDiff:
        """What a set of files (a draft) would change in a deployed version."""
        files = {s.name: s.content for s in sources}
        return migration.diff_files(self._rt, from_version_id, files, process_id)

    def check_migration(self, instance_id: int, to_version_id: int | None = None) -> MigrationCheck:
        """The pre-check of moving a case to a newer version (None: the newest); changes nothing."""
        return migration.check(self._rt, instance_id, to_version_id)

    def migrate(
        self,
        instance_id: int,
        to_version_id: int | None = None,
        actor: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> MigrationRecord:
        """Move a case to a newer version (refused with the pre-check's reasons when unsafe)."""
        return migration.migrate(self._rt, instance_id, to_version_id, actor, uow)

    def undo_migration(
        self, instance_id: int, actor: str | None = None, uow: UnitOfWork | None = None
    ) -> MigrationRecord:
        """Put a moved case back on its old version, while it has not moved on since."""
        return migration.undo(self._rt, instance_id, actor, uow)

    def migrations(self, instance_id: int) -> list[MigrationRecord]:
        """The moves of a case between versions, newest first."""
        return migration.history(self._rt, instance_id)

    def record_event(
        self,
        kind: str,
        actor: str | None,
        detail: Mapping[str, Any],
        uow: UnitOfWork | None = None,
        instance_id: int | None = None,
    ) -> None:
        """Add an event of the application to the audit trail: about no case, or about one
        case without running it (also a finished one)."""
        deployments.record_event(self._rt, kind, actor, detail, uow, instance_id)

    def deployed_lanes(self) -> frozenset[str]:
        """The lane names of the newest version of every deployed process."""
        return deployments.deployed_lanes(self._rt)

    # ------------------------------------------------------------------ instances

    def start(
        self,
        process_id: str,
        data: Mapping[str, Any] | None = None,
        business_key: str | None = None,
        actor: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> InstanceSummary:
        """Start the newest version of a process with initial data; runs until it waits."""
        return instances.start(self._rt, process_id, data, business_key, actor, uow)

    def complete_task(
        self,
        task_id: str,
        data: Mapping[str, Any] | None = None,
        actor: str | None = None,
        lanes: Iterable[str] | None = None,
        uow: UnitOfWork | None = None,
        check: Callable[[OpenTask], Mapping[str, Any] | None] | None = None,
        claim: bool = False,
    ) -> InstanceSummary:
        """Complete a READY user task, then run the instance until it waits (see
        `engine.instances.complete_task` for `check` and `claim`)."""
        return instances.complete_task(self._rt, task_id, data, actor, lanes, uow, check, claim)

    def send_message(
        self,
        name: str,
        payload: Any = None,
        instance_id: int | None = None,
        business_key: str | None = None,
        actor: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> InstanceSummary:
        """Deliver a BPMN message to one waiting instance (by id or business key)."""
        return instances.send_message(
            self._rt, name, payload, instance_id, business_key, actor, uow
        )

    def cancel(
        self,
        instance_id: int,
        actor: str | None = None,
        reason: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> InstanceSummary:
        """Stop an instance; its open tasks are cancelled."""
        return instances.cancel(self._rt, instance_id, actor, reason, uow)

    def retry(
        self,
        instance_id: int,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
        uow: UnitOfWork | None = None,
    ) -> InstanceSummary:
        """Run an errored instance again from its failed step (optionally after fixing data)."""
        return instances.retry(self._rt, instance_id, actor, data, uow)

    def update_data(
        self,
        instance_id: int,
        values: Mapping[str, Any],
        actor: str | None = None,
        uow: UnitOfWork | None = None,
        kind: str = "data_edited",
        detail: Mapping[str, Any] | None = None,
    ) -> InstanceSummary:
        """Change a running case's data, recorded as an event of type `kind`."""
        return instances.update_data(self._rt, instance_id, values, actor, uow, kind, detail)

    def anonymise(
        self,
        instance_id: int,
        keys: Iterable[str],
        replacement: str,
        actor: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> int:
        """Replace the values of these data keys everywhere the engine keeps an ended case
        (state, events, outbox, migration undo states); how many values were replaced."""
        return redaction.anonymise(self._rt, instance_id, tuple(keys), replacement, actor, uow)

    def fire_due_timers(self, now: datetime | None = None, limit: int = 100) -> int:
        """Fire the timers that are due; each instance in its own transaction. Returns how many ran."""
        return len(instances.fire_due_timers(self._rt, now, limit))

    def fire_timers(
        self, now: datetime | None = None, limit: int = 100
    ) -> list[InstanceSummary]:
        """`fire_due_timers`, returning the instances whose timers ran (with the tasks each
        step opened), in the order they ran."""
        return instances.fire_due_timers(self._rt, now, limit)

    # ------------------------------------------------------------------ who holds a task

    def claim_task(
        self,
        task_id: str,
        user: str,
        uow: UnitOfWork | None = None,
        check: Callable[[HumanTask], None] | None = None,
    ) -> HumanTask:
        """Assign an open, unassigned task to a user (recorded as an event)."""
        return assignment.assign(
            self._rt, task_id, user, user, "task_claimed", uow, only_if_free=True, check=check
        )

    def release_task(
        self,
        task_id: str,
        actor: str,
        uow: UnitOfWork | None = None,
        check: Callable[[HumanTask], None] | None = None,
    ) -> HumanTask:
        """Put an open task back in its team's queue (recorded as an event)."""
        return assignment.assign(self._rt, task_id, None, actor, "task_released", uow, check=check)

    def reassign_task(
        self,
        task_id: str,
        assignee: str,
        actor: str,
        uow: UnitOfWork | None = None,
        check: Callable[[HumanTask], None] | None = None,
    ) -> HumanTask:
        """Give an open task to another user (recorded as an event)."""
        return assignment.assign(
            self._rt, task_id, assignee, actor, "task_reassigned", uow, check=check
        )

    # ------------------------------------------------------------------ queries

    def next_timer_due(self) -> datetime | None:
        """The earliest due timer over all active instances (for workers and the simulator)."""
        return queries.next_timer_due(self._rt)

    def list_tasks(
        self,
        lanes: Iterable[str] | None = None,
        assignee: str | None = None,
        instance_id: int | None = None,
        state: str | None = "open",
        limit: int = 200,
    ) -> list[HumanTask]:
        """User tasks from the human_task table (never deserializes a workflow)."""
        return queries.list_tasks(self._rt, lanes, assignee, instance_id, state, limit)

    def get_task(self, task_id: str) -> HumanTask:
        return queries.get_task(self._rt, task_id)

    def task_data(self, task_id: str) -> dict[str, Any]:
        """The data an open user task sees (a copy): what its form starts from."""
        return queries.task_data(self._rt, task_id)

    def milestones(self, instance_id: int) -> frozenset[str]:
        """The milestones the diagram of this case's version marks (the phases it can pass)."""
        return queries.milestones(self._rt, instance_id)

    def task_form(self, task_id: str) -> dict[str, Any] | None:
        """The JSON Schema of a user task's form (from its instance's version), or None."""
        return queries.task_form(self._rt, task_id)

    def list_instances(
        self,
        status: str | None = None,
        process_id: str | None = None,
        limit: int = 200,
        before_id: int | None = None,
    ) -> list[InstanceSummary]:
        """Instances, newest first (`before_id`: the next page after that instance)."""
        return queries.list_instances(self._rt, status, process_id, limit, before_id)

    def count_instances(self, status: str | None = None, process_id: str | None = None) -> int:
        return queries.count_instances(self._rt, status, process_id)

    def get_instance(self, instance_id: int) -> InstanceDetail:
        """One instance with its current data, open tasks, what it waits for and its history."""
        return queries.get_instance(self._rt, instance_id)

    def instance_values(self, instance_id: int, keys: Iterable[str]) -> dict[str, Any]:
        """Copies of these keys of an instance's current data (those it has)."""
        return queries.instance_values(self._rt, instance_id, keys)

    def diagram(self, instance_id: int) -> str:
        """The BPMN file (text) of the version an instance runs on that defines its process."""
        return queries.diagram(self._rt, instance_id)

    def trail(self, instance_id: int) -> Trail:
        """Where a case has been and where it is, by BPMN element id (its diagram's colours)."""
        return queries.trail(self._rt, instance_id)

    def events(self, instance_id: int | None = None, limit: int = 1000) -> list[EventRecord]:
        return queries.events(self._rt, instance_id, limit)
