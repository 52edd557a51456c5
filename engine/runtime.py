"""The engine facade: deploy definitions, start and drive instances, query tasks and history.

Every state change is one transaction: lock the instance row (`SELECT … FOR UPDATE` on
PostgreSQL, `BEGIN IMMEDIATE` on SQLite) → load the workflow (from the in-process cache when
its `lock_version` matches, else deserialize with the cached spec) → check → run →
`do_engine_steps()` → serialize → write instance (`lock_version + 1`), human tasks and events
→ commit. The workflow cache is only a cache: a row whose lock_version moved on is reloaded.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Generic, NamedTuple, NoReturn, TypeVar

from sqlalchemy import Connection, Integer, Select, bindparam, func, insert, select, update
from sqlalchemy import Engine as DbEngine
from sqlalchemy.exc import IntegrityError

from engine import clock as clock_module
from engine import failures, services, spiff
from engine.clock import Clock, SystemClock, as_utc
from engine.definitions import SourceFile, load_bundle, parse_version_files, read_paths
from engine.errors import (
    ConflictError,
    EngineError,
    InstanceStateError,
    NotFoundError,
    TaskNotAllowedError,
)
from engine.persistence import database
from engine.persistence.prepared import PreparedRead, PreparedWrite
from engine.persistence.tables import (
    TASK_IS_OPEN,
    event,
    human_task,
    process_instance,
    process_version,
)
from engine.scripting import DEFAULT_LIMITS, Limits, make_script_engine
from engine.services import Operator
from engine.types import (
    DeployResult,
    EventRecord,
    HumanTask,
    InstanceDetail,
    InstanceSummary,
    ProcessVersionInfo,
)

log = logging.getLogger("wegwijs.engine")

MAX_DATA_BYTES = 1_000_000
ACTIVE = ("running", "waiting")

K = TypeVar("K")
V = TypeVar("V")


class _LRU(Generic[K, V]):
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def pop(self, key: K) -> V | None:
        with self._lock:
            return self._items.pop(key, None)

    def put(self, key: K, value: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def put_unless_newer(self, key: K, value: V, newer: Callable[[V, V], bool]) -> None:
        """Put `value` back unless the entry already there is newer (a writer committed meanwhile)."""
        with self._lock:
            current = self._items.get(key)
            if current is not None and newer(current, value):
                return
        self.put(key, value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def caches_enabled(environ: Mapping[str, str]) -> bool:
    """Whether the in-process caches are on (`WEGWIJS_CACHES=off` turns every one off)."""
    return environ.get("WEGWIJS_CACHES", "on").strip().lower() not in ("off", "0", "false", "no")


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
    script_helpers: Mapping[str, Any] = field(default_factory=dict)
    #: operators that service tasks may call, by name (see engine.services)
    services: Mapping[str, Operator] = field(default_factory=dict)
    #: due date of a new user task (e.g. from its norm property), or None
    task_due: Callable[[TaskDueInput], datetime | None] | None = None
    #: a completed task with this extension property records a milestone event
    milestone_property: str = "phase"
    #: deploy-time checks of extension property values: name -> (value -> message or None)
    property_checks: Mapping[str, Callable[[str], str | None]] = field(default_factory=dict)
    #: called in the transaction after every save of an instance (e.g. to keep a read model)
    on_saved: Callable[[SavedInstance], None] | None = None


class UnitOfWork:
    """One database transaction plus what must happen to the caches after commit or rollback."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._after_commit: list[Callable[[], None]] = []
        self._after_rollback: list[Callable[[], None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def after_rollback(self, callback: Callable[[], None]) -> None:
        self._after_rollback.append(callback)

    def _committed(self) -> None:
        for callback in self._after_commit:
            callback()

    def _rolled_back(self) -> None:
        for callback in self._after_rollback:
            callback()


@dataclass
class _Loaded:
    """A locked instance row and its workflow, plus what this transaction will write."""

    row: Any
    workflow: Any
    errors: list[str] = field(default_factory=list)
    open_tasks: dict[str, str] | None = None  # task_id -> bpmn_id of open human_task rows
    events: list[dict[str, Any]] = field(default_factory=list)
    opened: list[HumanTask] = field(default_factory=list)  # the human tasks this step created

    def add_event(
        self,
        kind: str,
        at: datetime,
        actor: str | None,
        task_id: str | None = None,
        bpmn_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(
            {
                "instance_id": int(self.row.instance_id),
                "type": kind,
                "at": at,
                "actor": actor,
                "task_id": task_id,
                "bpmn_id": bpmn_id,
                "detail": detail or {},
            }
        )


class _NewInstance(NamedTuple):
    """A process_instance row as `start` has just inserted it (the columns of _INSTANCE_COLUMNS)."""

    instance_id: int
    process_version_id: int
    process_id: str
    business_key: str | None
    status: str
    serializer_version: str
    lock_version: int
    started_at: datetime
    last_error: str | None
    next_timer_due: datetime | None


_INSERT_INSTANCE = insert(process_instance)
_LATEST_VERSION = (
    select(process_version.c.id, process_version.c.version)
    .where(process_version.c.process_id == bindparam("b_process_id"))
    .order_by(process_version.c.version.desc())
    .limit(1)
)
_INSTANCE_COLUMNS = (
    process_instance.c.id.label("instance_id"),
    process_instance.c.process_version_id,
    process_instance.c.process_id,
    process_instance.c.business_key,
    process_instance.c.status,
    process_instance.c.serializer_version,
    process_instance.c.lock_version,
    process_instance.c.started_at,
    process_instance.c.last_error,
    process_instance.c.next_timer_due,
)
_OPEN_TASKS_OF_TASK_INSTANCE = (
    select(
        human_task.c.task_id,
        human_task.c.bpmn_id,
        human_task.c.title,
        human_task.c.lane,
        *_INSTANCE_COLUMNS,
    )
    .join(process_instance, process_instance.c.id == human_task.c.instance_id)
    .where(
        human_task.c.instance_id
        == select(human_task.c.instance_id)
        .where(human_task.c.task_id == bindparam("task_id"))
        .scalar_subquery(),
        TASK_IS_OPEN,
    )
)
_SELECT_STATE = select(process_instance.c.state).where(process_instance.c.id == bindparam("b_id"))
_UPDATE_INSTANCE = update(process_instance).where(
    process_instance.c.id == bindparam("b_id"),
    process_instance.c.lock_version == bindparam("b_lock"),
)
_COMPLETE_HUMAN_TASK = update(human_task).where(
    human_task.c.task_id == bindparam("b_task_id"), TASK_IS_OPEN
)
_INSERT_EVENT = insert(event)
_INSERT_HUMAN_TASK = insert(human_task)
#: Only active instances carry a next_timer_due (_save and _mark_errored clear it), so the
#: timer queries walk the partial index on it instead of every active instance.
_HAS_TIMER = process_instance.c.next_timer_due.is_not(None)
_NEXT_TIMER_DUE = (
    select(process_instance.c.next_timer_due)
    .where(_HAS_TIMER)
    .order_by(process_instance.c.next_timer_due)
    .limit(1)
)
_SELECT_OPEN_TASKS = select(human_task.c.task_id, human_task.c.bpmn_id).where(
    human_task.c.instance_id == bindparam("b_id"), TASK_IS_OPEN
)
#: a user task row as `HumanTask` reads it
_TASK_ROW = select(human_task, process_instance.c.business_key).join(
    process_instance, process_instance.c.id == human_task.c.instance_id
)
_TASK_BY_ID = _TASK_ROW.where(human_task.c.task_id == bindparam("b_task_id"))
_INSTANCE_BY_ID = select(*_INSTANCE_COLUMNS).where(process_instance.c.id == bindparam("b_id"))
_INSTANCE_OF_TASK = (
    select(*_INSTANCE_COLUMNS, human_task.c.state.label("task_state"), human_task.c.title)
    .join(human_task, human_task.c.instance_id == process_instance.c.id)
    .where(human_task.c.task_id == bindparam("b_task_id"))
)


def _task_list(state: str | None, by_assignee: bool, by_instance: bool) -> Select[Any]:
    """The user tasks in a state (open: as the partial indexes need it; any other: bound as
    `b_state`; None: any state), of one assignee or instance, oldest first, at most
    `b_limit`."""
    query = _TASK_ROW.order_by(human_task.c.created_at, human_task.c.id).limit(
        bindparam("b_limit", type_=Integer)
    )
    if state == "open":
        query = query.where(TASK_IS_OPEN)
    elif state is not None:
        query = query.where(human_task.c.state == bindparam("b_state"))
    if by_assignee:
        query = query.where(human_task.c.assignee == bindparam("b_assignee"))
    if by_instance:
        query = query.where(human_task.c.instance_id == bindparam("b_instance"))
    return query


class Engine:
    """Generic BPMN runtime with persistence. Build one per process in the composition root."""

    def __init__(
        self, settings: EngineSettings, clock: Clock | None = None, db: DbEngine | None = None
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.db = db or database.create_db_engine(settings.database_url)
        self.codec = spiff.WorkflowCodec()
        self.dispatcher = services.Dispatcher(settings.services)
        self.script_engine = make_script_engine(
            dict(settings.script_helpers), settings.script_limits, self.dispatcher
        )
        self._specs: _LRU[int, spiff.VersionSpecs] = _LRU(
            settings.spec_cache_size if settings.caches else 0
        )
        self._workflows: _LRU[int, tuple[int, Any]] = _LRU(
            settings.workflow_cache_size if settings.caches else 0
        )
        self._is_postgres = self.db.dialect.name == "postgresql"
        #: the database of `statement_reads` (on PostgreSQL a pool of its own, else `db`)
        self.statement_db = (
            database.create_statement_reads_engine(self.db) if self._is_postgres else self.db
        )
        # the engine's own extension properties first; the application's checks come on top
        self._property_checks = {
            spiff.GROUP_PROPERTY: spiff.check_group_path,
            **settings.property_checks,
        }
        dialect = self.db.dialect
        self._complete_human_task = PreparedWrite(_COMPLETE_HUMAN_TASK, dialect)
        self._update_instance = PreparedWrite(_UPDATE_INSTANCE, dialect)
        self._insert_events = PreparedWrite(_INSERT_EVENT, dialect)
        self._insert_human_tasks = PreparedWrite(_INSERT_HUMAN_TASK, dialect)
        self._lock_open_tasks = PreparedRead(
            _OPEN_TASKS_OF_TASK_INSTANCE.with_for_update(of=process_instance)
            if self._is_postgres
            else _OPEN_TASKS_OF_TASK_INSTANCE,
            dialect,
        )
        # the reads that callers run after every step (the simulator, a worker, the task page)
        self._task_by_id = PreparedRead(_TASK_BY_ID, dialect)
        self._instance_of_task = PreparedRead(_INSTANCE_OF_TASK, dialect)
        self._latest_version = PreparedRead(_LATEST_VERSION, dialect)
        self._instance_row = PreparedRead(_INSTANCE_BY_ID, dialect)
        self._next_timer_due = PreparedRead(_NEXT_TIMER_DUE, dialect)
        self._task_lists: dict[tuple[str | None, bool, bool], PreparedRead] = {}
        clock_module.install_into_spiffworkflow()

    # ------------------------------------------------------------------ schema & transactions

    def upgrade_schema(self, version_locations: Sequence[Path] = ()) -> None:
        """Create or migrate the database schema in place (plus the application's branches)."""
        database.upgrade(self.db, version_locations)

    def dispose(self) -> None:
        self.db.dispose()
        if self.statement_db is not self.db:
            self.statement_db.dispose()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """A unit of work: commits when the block ends normally, rolls back on any error."""
        with self.db.connect() as connection:
            uow = UnitOfWork(connection)
            try:
                with connection.begin():
                    yield uow
            except BaseException:
                uow._rolled_back()
                raise
            uow._committed()

    @contextlib.contextmanager
    def _uow(self, uow: UnitOfWork | None) -> Iterator[UnitOfWork]:
        """The caller's unit of work (each operation under a savepoint), or a transaction of its own.

        Within a caller's unit of work a failed operation rolls back to its savepoint, so a caller
        that catches the error and commits the rest never keeps half an operation. The workflow
        it had taken from the cache is not put back (it is only put back after a commit).
        """
        if uow is not None:
            with uow.connection.begin_nested():
                yield uow
        else:
            with self.transaction() as own:
                yield own

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction that never blocks writers (SQLite: BEGIN DEFERRED)."""
        with (
            self.db.connect().execution_options(sqlite_begin="DEFERRED") as connection,
            connection.begin(),
        ):
            yield connection

    @contextlib.contextmanager
    def statement_reads(self) -> Iterator[Connection]:
        """A connection for a hot read of one statement (or two), outside a transaction: each
        statement is its own snapshot, and nothing is begun or committed. On PostgreSQL that is
        one round trip per statement instead of BEGIN, the statement and COMMIT.

        For statements run through `engine.persistence.prepared` (`Connection.execute` would
        begin a transaction). On PostgreSQL the connections come from a pool of their own: in
        autocommit, read-only, and planning each prepared statement once per connection
        (`plan_cache_mode = force_generic_plan`) — for hot reads whose best plan does not
        depend on the values, such as the worklist's walks of the open-task indexes. Its planner
        kept choosing a fresh plan for those, which took longer than running them
        (docs/performance.md).
        """
        with self.statement_db.connect().execution_options(sqlite_begin="DEFERRED") as connection:
            yield connection

    def now(self) -> datetime:
        return self.clock.now()

    # ------------------------------------------------------------------ deployments

    def validate_paths(self, paths: Iterable[str]) -> dict[str, str]:
        """Check definition files without deploying; returns {process id: name}."""
        return self.validate(read_paths(paths))

    def validate(self, sources: Iterable[SourceFile]) -> dict[str, str]:
        bundle, _ = load_bundle(sources, self.dispatcher.names(), self._property_checks)
        return dict(bundle.process_names)

    def deploy_paths(self, paths: Iterable[str], actor: str | None = None) -> DeployResult:
        return self.deploy(read_paths(paths), actor)

    def deploy(
        self, sources: Iterable[SourceFile], actor: str | None = None, uow: UnitOfWork | None = None
    ) -> DeployResult:
        """Validate and store files as new process versions; identical content is a no-op."""
        sources = list(sources)
        bundle, parser = load_bundle(sources, self.dispatcher.names(), self._property_checks)
        try:
            return self._store_bundle(bundle, parser, actor, uow)
        except IntegrityError:
            # Someone deployed the same content at the same moment; theirs counts.
            return self._store_bundle(bundle, parser, actor, uow)

    def _store_bundle(
        self, bundle: Any, parser: Any, actor: str | None, uow: UnitOfWork | None
    ) -> DeployResult:
        created: list[ProcessVersionInfo] = []
        unchanged: list[ProcessVersionInfo] = []
        now = self.now()
        with self._uow(uow) as u:
            conn = u.connection
            for process_id in sorted(bundle.process_names):
                digest = bundle.content_hash(process_id)
                existing = conn.execute(
                    select(process_version).where(
                        process_version.c.process_id == process_id,
                        process_version.c.content_hash == digest,
                    )
                ).first()
                if existing is not None:
                    unchanged.append(_version_info(existing))
                    continue
                latest = conn.execute(
                    select(func.max(process_version.c.version)).where(
                        process_version.c.process_id == process_id
                    )
                ).scalar()
                files = {
                    name: bundle.files[name].decode("utf-8")
                    for name in bundle.process_files[process_id]
                }
                values = {
                    "process_id": process_id,
                    "name": bundle.process_names[process_id],
                    "version": (latest or 0) + 1,
                    "content_hash": digest,
                    "files": files,
                    "deployed_at": now,
                    "deployed_by": actor,
                }
                version_id = _new_id(conn.execute(insert(process_version).values(**values)))
                row = conn.execute(
                    select(process_version).where(process_version.c.id == version_id)
                ).one()
                created.append(_version_info(row))
                parsed = self.codec.version_specs(
                    parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
                )
                u.after_commit(functools.partial(self._specs.put, version_id, parsed))
                conn.execute(
                    insert(event).values(
                        instance_id=None,
                        type="version_deployed",
                        at=now,
                        actor=actor,
                        detail={
                            "process_id": process_id,
                            "version": values["version"],
                            "hash": digest,
                        },
                    )
                )
        return DeployResult(created=tuple(created), unchanged=tuple(unchanged))

    def list_processes(self) -> list[ProcessVersionInfo]:
        """The newest version of every deployed process, with its count of active instances."""
        with self.reading() as conn:
            latest = (
                select(process_version.c.process_id, func.max(process_version.c.version).label("v"))
                .group_by(process_version.c.process_id)
                .subquery()
            )
            rows = conn.execute(
                select(process_version)
                .join(
                    latest,
                    (latest.c.process_id == process_version.c.process_id)
                    & (latest.c.v == process_version.c.version),
                )
                .order_by(process_version.c.process_id)
            ).all()
            counts: dict[Any, int] = {
                key: n
                for key, n in conn.execute(
                    select(process_instance.c.process_id, func.count())
                    .where(process_instance.c.status.in_(ACTIVE))
                    .group_by(process_instance.c.process_id)
                ).all()
            }
        return [_version_info(r, counts.get(r.process_id, 0)) for r in rows]

    def list_versions(self, process_id: str) -> list[ProcessVersionInfo]:
        with self.reading() as conn:
            rows = conn.execute(
                select(process_version)
                .where(process_version.c.process_id == process_id)
                .order_by(process_version.c.version)
            ).all()
            counts: dict[Any, int] = {
                key: n
                for key, n in conn.execute(
                    select(process_instance.c.process_version_id, func.count())
                    .where(
                        process_instance.c.status.in_(ACTIVE),
                        process_instance.c.process_id == process_id,
                    )
                    .group_by(process_instance.c.process_version_id)
                ).all()
            }
        return [_version_info(r, counts.get(r.id, 0)) for r in rows]

    def _spec(self, conn: Connection, version_id: int) -> spiff.VersionSpecs:
        cached = self._specs.get(version_id)
        if cached is not None:
            return cached
        row = conn.execute(
            select(process_version.c.process_id, process_version.c.files).where(
                process_version.c.id == version_id
            )
        ).one()
        parsed = self.codec.version_specs(
            *parse_version_files(
                {n: t.encode("utf-8") for n, t in row.files.items()}, row.process_id
            )
        )
        self._specs.put(version_id, parsed)
        return parsed

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
        data = dict(data or {})
        _check_data(data)
        with self._uow(uow) as u:
            conn = u.connection
            found = self._latest_version.all(conn, {"b_process_id": process_id})
            if not found:
                known = (
                    conn.execute(select(process_version.c.process_id).distinct()).scalars().all()
                )
                hint = (
                    f" Bekende processen: {', '.join(sorted(known))}."
                    if known
                    else " Er is nog niets gedeployed."
                )
                raise NotFoundError(f"Proces '{process_id}' bestaat niet.{hint}")
            version = found[0]
            workflow = self.codec.new_workflow(self._spec(conn, version.id), self.script_engine)
            for task in workflow.get_tasks(state=spiff.TaskState.READY):
                task.data.update(data)
            now = self.now()
            values = {
                "process_version_id": version.id,
                "process_id": process_id,
                "business_key": business_key,
                "status": "running",
                "state": "{}",
                "serializer_version": self.codec.version,
                "lock_version": 0,
                "started_at": now,
                "updated_at": now,
                "started_by": actor,
            }
            instance_id = _new_id(conn.execute(_INSERT_INSTANCE, values))
            # the row as it was just written (what a read of _INSTANCE_COLUMNS would give)
            row = _NewInstance(
                instance_id=instance_id,
                process_version_id=version.id,
                process_id=process_id,
                business_key=business_key,
                status="running",
                serializer_version=self.codec.version,
                lock_version=0,
                started_at=now,
                last_error=None,
                next_timer_due=None,
            )
            loaded = _Loaded(row, workflow, open_tasks={})
            loaded.add_event(  # the first event of the case: written with the others in _save
                "instance_started",
                now,
                actor,
                detail={
                    "process_id": process_id,
                    "version": version.version,
                    "business_key": business_key,
                },
            )
            loaded.errors = self._advance(u, loaded, lambda: None, actor, now)
            summary = self._save(u, loaded, actor, now)
        return summary

    def complete_task(
        self,
        task_id: str,
        data: Mapping[str, Any] | None = None,
        actor: str | None = None,
        lanes: Iterable[str] | None = None,
        uow: UnitOfWork | None = None,
    ) -> InstanceSummary:
        """Complete a READY user task with form data, then run the instance until it waits.

        `lanes`: the roles of the acting user; None means "no lane check" (system use).
        Raises ConflictError when the task was completed or cancelled meanwhile.
        """
        data = dict(data or {})
        _check_data(data)
        with self._uow(uow) as u:
            conn = u.connection
            # One statement: lock the instance and read all its open tasks (the hot path).
            rows = self._lock_open_tasks.all(conn, {"task_id": task_id})
            target = next((r for r in rows if r.task_id == task_id), None)
            if target is None:
                self._explain_unavailable(conn, task_id)
            if lanes is not None and target.lane and target.lane not in set(lanes):
                raise TaskNotAllowedError(
                    f"U mag taak '{target.title}' niet uitvoeren: die hoort bij de rol '{target.lane}'."
                )
            if target.status not in ACTIVE:
                raise InstanceStateError(
                    f"Zaak {target.instance_id} is {_status_nl(target.status)}; de taak kan nu niet worden afgerond."
                )
            open_tasks = {r.task_id: r.bpmn_id for r in rows}
            if self._is_postgres:
                # The task rows of the locking statement come from before the lock was granted
                # (only the locked row is re-read); read them again now that we hold it.
                open_tasks = {
                    r.task_id: r.bpmn_id
                    for r in conn.execute(_SELECT_OPEN_TASKS, {"b_id": target.instance_id})
                }
            loaded = self._load(u, target, open_tasks=open_tasks)
            task = spiff.find_task(loaded.workflow, task_id)
            if task is None or task.state != spiff.TaskState.READY or not task.task_spec.manual:
                # PostgreSQL read the open-task rows before the lock was granted; re-read now.
                self._explain_unavailable(conn, task_id)
            now = self.now()

            def run_task() -> None:
                spec = task.task_spec
                if hasattr(spec, "add_data_from_form"):
                    spec.add_data_from_form(task, data)
                else:
                    task.data.update(data)
                task.run()

            marked = self._complete_human_task.execute(
                conn,
                {
                    "b_task_id": task_id,
                    "state": "completed",
                    "completed_at": now,
                    "completed_by": actor,
                },
            )
            if marked != 1:
                self._explain_unavailable(conn, task_id)
            if loaded.open_tasks is not None:
                loaded.open_tasks.pop(task_id, None)
            loaded.add_event(
                "task_completed",
                now,
                actor,
                task_id=task_id,
                bpmn_id=target.bpmn_id,
                # what was submitted, for the audit trail and for outcomes shown per task
                detail={"title": target.title, "lane": target.lane, "data": data},
            )
            loaded.errors = self._advance(u, loaded, run_task, actor, now)
            return self._save(u, loaded, actor, now)

    def _explain_unavailable(self, conn: Connection, task_id: str) -> NoReturn:
        """Raise the precise reason a task cannot be completed (cold path)."""
        row = conn.execute(select(human_task).where(human_task.c.task_id == task_id)).first()
        if row is None:
            raise NotFoundError(f"Taak {task_id} bestaat niet.")
        if row.state == "open":
            raise ConflictError(f"Taak '{row.title}' staat niet (meer) open; vernieuw de pagina.")
        raise ConflictError(_closed_message(row))

    def claim_task(self, task_id: str, user: str, uow: UnitOfWork | None = None) -> HumanTask:
        """Assign an open, unassigned task to a user (recorded as an event)."""
        return self._assign(task_id, user, user, "task_claimed", uow, only_if_free=True)

    def release_task(self, task_id: str, actor: str, uow: UnitOfWork | None = None) -> HumanTask:
        """Put an open task back in its team's queue (recorded as an event)."""
        return self._assign(task_id, None, actor, "task_released", uow)

    def reassign_task(
        self, task_id: str, assignee: str, actor: str, uow: UnitOfWork | None = None
    ) -> HumanTask:
        """Give an open task to another user (recorded as an event)."""
        return self._assign(task_id, assignee, actor, "task_reassigned", uow)

    def _assign(
        self,
        task_id: str,
        assignee: str | None,
        actor: str,
        kind: str,
        uow: UnitOfWork | None,
        only_if_free: bool = False,
    ) -> HumanTask:
        with self._uow(uow) as u:
            conn = u.connection
            row = conn.execute(select(human_task).where(human_task.c.task_id == task_id)).first()
            if row is None:
                raise NotFoundError(f"Taak {task_id} bestaat niet.")
            if row.state != "open":
                raise ConflictError(_closed_message(row))
            if only_if_free and row.assignee and row.assignee != assignee:
                raise ConflictError(f"Taak '{row.title}' is intussen opgepakt door {row.assignee}.")
            now = self.now()
            # Conditional on what was just read: a concurrent claim, release or completion in
            # between (PostgreSQL reads do not lock) makes this change nothing, and we say so.
            guard = [human_task.c.task_id == task_id, TASK_IS_OPEN]
            guard.append(
                human_task.c.assignee.is_(None)
                if row.assignee is None
                else human_task.c.assignee == row.assignee
            )
            changed = conn.execute(
                update(human_task)
                .where(*guard)
                .values(assignee=assignee, claimed_at=now if assignee else None)
            )
            if changed.rowcount != 1:
                raise ConflictError(
                    f"Taak '{row.title}' is intussen door iemand anders gewijzigd; vernieuw de pagina."
                )
            self._event(
                conn,
                row.instance_id,
                kind,
                now,
                actor,
                task_id=task_id,
                bpmn_id=row.bpmn_id,
                detail={"assignee": assignee, "previous": row.assignee, "title": row.title},
            )
            return self._get_task(conn, task_id)

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
        with self._uow(uow) as u:
            conn = u.connection
            if instance_id is None:
                if business_key is None:
                    raise EngineError("Geef een zaak-id of een zaaknummer op voor het bericht.")
                instance_id = conn.execute(
                    select(process_instance.c.id)
                    .where(
                        process_instance.c.business_key == business_key,
                        process_instance.c.status.in_(ACTIVE),
                    )
                    .order_by(process_instance.c.id.desc())
                    .limit(1)
                ).scalar()
                if instance_id is None:
                    raise NotFoundError(f"Geen lopende zaak met zaaknummer '{business_key}'.")
            loaded = self._lock_and_load(u, instance_id)
            if loaded.row.status not in ACTIVE:
                raise InstanceStateError(
                    f"Zaak {instance_id} heeft status '{loaded.row.status}' en wacht niet op berichten."
                )
            if not spiff.waits_for_message(loaded.workflow, name):
                raise ConflictError(f"Zaak {instance_id} wacht nu niet op het bericht '{name}'.")
            now = self.now()
            loaded.add_event("message_received", now, actor, detail={"message": name})
            loaded.errors = self._advance(
                u,
                loaded,
                lambda: loaded.workflow.send_event(spiff.message_event(name, payload)),
                actor,
                now,
            )
            return self._save(u, loaded, actor, now)

    def cancel(
        self,
        instance_id: int,
        actor: str | None = None,
        reason: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> InstanceSummary:
        """Stop an instance; its open tasks are cancelled."""
        with self._uow(uow) as u:
            loaded = self._lock_and_load(u, instance_id)
            if loaded.row.status in ("completed", "cancelled"):
                raise InstanceStateError(
                    f"Zaak {instance_id} is al {_status_nl(loaded.row.status)}."
                )
            now = self.now()
            loaded.workflow.cancel()
            loaded.add_event("instance_cancelled", now, actor, detail={"reason": reason})
            return self._save(u, loaded, actor, now, force_status="cancelled")

    def retry(
        self,
        instance_id: int,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
        uow: UnitOfWork | None = None,
    ) -> InstanceSummary:
        """Run an errored instance again from its failed step (optionally after fixing data)."""
        with self._uow(uow) as u:
            loaded = self._lock_and_load(u, instance_id)
            if loaded.row.status != "errored":
                raise InstanceStateError(
                    f"Zaak {instance_id} staat niet in fout (status '{loaded.row.status}')."
                )
            _, failed = spiff.scan(loaded.workflow)
            now = self.now()

            def rerun() -> None:
                for task in failed:
                    if data:
                        task.data.update(dict(data))
                    task._set_state(spiff.TaskState.READY)
                    if task.task_spec.manual:
                        task.run()  # a user task whose own run failed: its input is already there
                if not failed:  # it stood still: repair what an older load left unconnected
                    spiff.merge_unmerged_loop_children(loaded.workflow)
                    loaded.workflow.refresh_timers()

            loaded.add_event(
                "instance_retried",
                now,
                actor,
                detail={"tasks": [t.task_spec.bpmn_id or t.task_spec.name for t in failed]},
            )
            loaded.errors = self._advance(u, loaded, rerun, actor, now)
            return self._save(u, loaded, actor, now)

    def fire_due_timers(self, now: datetime | None = None, limit: int = 100) -> int:
        """Fire the timers that are due; each instance in its own transaction. Returns how many ran."""
        now = now or self.now()
        with self.reading() as conn:
            due = (
                conn.execute(
                    select(process_instance.c.id)
                    .where(_HAS_TIMER, process_instance.c.next_timer_due <= now)
                    .order_by(process_instance.c.next_timer_due)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
        fired = 0
        for instance_id in due:
            try:
                fired += self._fire_one(instance_id, now)
            except Exception as exc:
                message = f"timer kon niet worden verwerkt: {exc}"
                log.error("instance %s: %s", instance_id, message)
                self._mark_errored(instance_id, message)
        return fired

    def _fire_one(self, instance_id: int, now: datetime) -> int:
        """Fire the due timers of one instance in its own transaction; 1 when it ran."""
        with self.transaction() as u:
            loaded = self._lock_and_load(u, instance_id, skip_locked=True)
            if loaded is None:
                return 0  # another worker has it
            due_at = loaded.row.next_timer_due
            if loaded.row.status not in ACTIVE or due_at is None or as_utc(due_at) > now:
                return 0
            before = {e.name for e in loaded.workflow.waiting_events() if spiff.is_timer(e)}
            at = self.now()
            loaded.errors = self._advance(u, loaded, loaded.workflow.refresh_timers, None, at)
            after = {e.name for e in loaded.workflow.waiting_events() if spiff.is_timer(e)}
            for name in sorted(before - after):
                loaded.add_event("timer_fired", at, None, bpmn_id=name)
            self._save(u, loaded, None, at)
            return 1

    # ------------------------------------------------------------------ queries

    def next_timer_due(self) -> datetime | None:
        """The earliest due timer over all active instances (for workers and the simulator)."""
        with self.reading() as conn:
            found = self._next_timer_due.all(conn, {})
        return as_utc(found[0].next_timer_due) if found else None

    def list_tasks(
        self,
        lanes: Iterable[str] | None = None,
        assignee: str | None = None,
        instance_id: int | None = None,
        state: str | None = "open",
        limit: int = 200,
    ) -> list[HumanTask]:
        """User tasks from the human_task table (never deserializes a workflow)."""
        params = {
            "b_state": state,
            "b_assignee": assignee,
            "b_instance": instance_id,
            "b_limit": limit,
        }
        by_assignee, by_instance = assignee is not None, instance_id is not None
        with self.reading() as conn:
            if lanes is not None:  # a list of lanes: expanded at run time, not prepared
                query = _task_list(state, by_assignee, by_instance)
                query = query.where(human_task.c.lane.in_(list(lanes)))
                return [_human_task(r) for r in conn.execute(query, params).all()]
            # one prepared read per shape: open, one other state (bound), or any state
            kind = state if state in ("open", None) else "other"
            read = self._task_lists.get((kind, by_assignee, by_instance))
            if read is None:
                read = PreparedRead(_task_list(kind, by_assignee, by_instance), self.db.dialect)
                self._task_lists[(kind, by_assignee, by_instance)] = read
            return [_human_task(r) for r in read.all(conn, params)]

    def get_task(self, task_id: str) -> HumanTask:
        with self.reading() as conn:
            return self._get_task(conn, task_id)

    def _get_task(self, conn: Connection, task_id: str) -> HumanTask:
        found = self._task_by_id.all(conn, {"b_task_id": task_id})
        if not found:
            raise NotFoundError(f"Taak {task_id} bestaat niet.")
        return _human_task(found[0])

    def task_data(self, task_id: str) -> dict[str, Any]:
        """The data an open user task sees (a copy): what its form starts from.

        Not the case's newest data: in a multi-instance task that would be a sibling's answers.
        Raises ConflictError when the task is no longer open (completed or cancelled).
        """
        with self.reading() as conn:
            found = self._instance_of_task.all(conn, {"b_task_id": task_id})
            if not found:
                raise NotFoundError(f"Taak {task_id} bestaat niet.")
            if found[0].task_state != "open":
                raise ConflictError(f"Taak '{found[0].title}' is niet meer open.")
            with self._borrowed(conn, found[0]) as workflow:
                task = spiff.find_task(workflow, task_id)
                data = copy.deepcopy(dict(task.data)) if task is not None else {}
        return data

    def task_form(self, task_id: str) -> dict[str, Any] | None:
        """The JSON Schema of a user task's form (from its instance's version), or None."""
        with self.reading() as conn:
            row = conn.execute(
                select(human_task.c.properties, process_instance.c.process_version_id)
                .join(process_instance, process_instance.c.id == human_task.c.instance_id)
                .where(human_task.c.task_id == task_id)
            ).first()
            if row is None:
                raise NotFoundError(f"Taak {task_id} bestaat niet.")
            form = (row.properties or {}).get("formJsonSchemaFilename")
            if not form:
                return None
            files = conn.execute(
                select(process_version.c.files).where(
                    process_version.c.id == row.process_version_id
                )
            ).scalar_one()
        for name, text in files.items():
            if name.rsplit("/", 1)[-1] == form.rsplit("/", 1)[-1]:
                schema: dict[str, Any] = json.loads(text)
                return schema
        raise NotFoundError(f"Het formulier '{form}' ontbreekt in de versie van deze zaak.")

    def list_instances(
        self, status: str | None = None, process_id: str | None = None, limit: int = 200
    ) -> list[InstanceSummary]:
        query = _summary_query().order_by(process_instance.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(process_instance.c.status == status)
        if process_id is not None:
            query = query.where(process_instance.c.process_id == process_id)
        with self.reading() as conn:
            return [_summary(r) for r in conn.execute(query).all()]

    def get_instance(self, instance_id: int) -> InstanceDetail:
        """One instance with its current data, open tasks, what it waits for and its history."""
        with self.reading() as conn:
            found = self._instance_row.all(conn, {"b_id": instance_id})
            if not found:
                raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
            row = found[0]
            summary = _summary(
                conn.execute(_summary_query().where(process_instance.c.id == instance_id)).one()
            )
            with self._borrowed(conn, row) as workflow:
                data = spiff.current_data(workflow)
                waiting = tuple(spiff.waiting_for(workflow)) if row.status in ACTIVE else ()
            events = conn.execute(
                select(event).where(event.c.instance_id == instance_id).order_by(event.c.id)
            ).all()
        open_tasks = tuple(self.list_tasks(instance_id=instance_id))
        return InstanceDetail(
            summary=summary,
            data=data,
            open_tasks=open_tasks,
            waiting_for=waiting,
            events=tuple(_event_record(e) for e in events),
        )

    def instance_values(self, instance_id: int, keys: Iterable[str]) -> dict[str, Any]:
        """Copies of these keys of an instance's current data (those it has): a cheaper read
        than `get_instance` when a few values are all that is needed."""
        with self.reading() as conn:
            found = self._instance_row.all(conn, {"b_id": instance_id})
            if not found:
                raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
            with self._borrowed(conn, found[0]) as workflow:
                return spiff.current_values(workflow, keys)

    def diagram(self, instance_id: int) -> str:
        """The BPMN file (text) of the version an instance runs on that defines its process."""
        with self.reading() as conn:
            row = conn.execute(
                select(process_instance.c.process_id, process_version.c.files)
                .join(
                    process_version, process_version.c.id == process_instance.c.process_version_id
                )
                .where(process_instance.c.id == instance_id)
            ).first()
        if row is None:
            raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
        marker = re.compile(rf"<(?:\w+:)?process\b[^>]*\bid=[\"']{re.escape(row.process_id)}[\"']")
        for name, text in sorted(row.files.items()):
            if name.endswith(".bpmn") and marker.search(text):
                return str(text)
        raise NotFoundError(f"Het diagram van zaak {instance_id} ontbreekt in de versie.")

    def events(self, instance_id: int | None = None, limit: int = 1000) -> list[EventRecord]:
        query = select(event).order_by(event.c.id).limit(limit)
        if instance_id is not None:
            query = query.where(event.c.instance_id == instance_id)
        with self.reading() as conn:
            return [_event_record(e) for e in conn.execute(query).all()]

    # ------------------------------------------------------------------ internals

    def _lock_and_load(self, u: UnitOfWork, instance_id: int, skip_locked: bool = False) -> Any:
        query = select(*_INSTANCE_COLUMNS).where(process_instance.c.id == instance_id)
        if self._is_postgres:
            query = query.with_for_update(skip_locked=skip_locked)
        row = u.connection.execute(query).first()
        if row is None:
            if skip_locked:
                return None
            raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
        return self._load(u, row)

    def _load(self, u: UnitOfWork, row: Any, open_tasks: dict[str, str] | None = None) -> _Loaded:
        """The workflow of a locked instance: from the cache when current, else deserialized."""
        workflow = self._take_workflow(u.connection, row)  # owned by this transaction until commit
        u.after_rollback(functools.partial(self._evict, int(row.instance_id)))
        return _Loaded(row, workflow, open_tasks=open_tasks)

    def _take_workflow(self, conn: Connection, row: Any) -> Any:
        """Take an instance's workflow out of the cache when current, else deserialize it."""
        instance_id = int(row.instance_id)
        cached = self._workflows.pop(instance_id)
        if cached is not None and cached[0] == row.lock_version:
            return cached[1]
        state = conn.execute(_SELECT_STATE, {"b_id": instance_id}).scalar_one()
        return self._restore(conn, row.process_version_id, state, row.serializer_version)

    @contextlib.contextmanager
    def _borrowed(self, conn: Connection, row: Any) -> Iterator[Any]:
        """A workflow to read from, taken like a transaction would and put back afterwards
        (unless a newer version was cached meanwhile). Readers must not change it."""
        workflow = self._take_workflow(conn, row)
        try:
            yield workflow
        finally:
            self._workflows.put_unless_newer(
                int(row.instance_id),
                (row.lock_version, workflow),
                lambda have, ours: have[0] > ours[0],
            )

    def _evict(self, instance_id: int) -> None:
        self._workflows.pop(instance_id)

    def _restore(
        self, conn: Connection, version_id: int, state: str, serializer_version: str
    ) -> Any:
        workflow = self.codec.loads(state, serializer_version, self._spec(conn, version_id))
        workflow.script_engine = self.script_engine
        return workflow

    def _advance(
        self,
        u: UnitOfWork,
        loaded: _Loaded,
        step: Callable[[], None],
        actor: str | None,
        now: datetime,
    ) -> list[str]:
        """Run one step and then the engine until it waits; an error stays with this instance.

        Service operators called meanwhile write in this transaction; tasks carrying the
        milestone property record a `milestone_reached` event as they complete.
        """
        workflow, row = loaded.workflow, loaded.row
        marker = self.settings.milestone_property

        def completed(task: Any) -> None:
            properties = (getattr(task.task_spec, "extensions", None) or {}).get("properties") or {}
            if marker in properties:
                spec = task.task_spec
                loaded.add_event(
                    "milestone_reached",
                    self.now(),
                    actor,
                    bpmn_id=spec.bpmn_id or spec.name,
                    detail={"milestone": properties[marker], "title": spec.bpmn_name},
                )

        try:
            with (
                clock_module.using(self.clock),
                services.scope(
                    u.connection, int(row.instance_id), row.process_id, row.business_key, now, actor
                ),
            ):
                step()
                workflow.do_engine_steps(did_complete_task=completed)
        except Exception as exc:
            message = failures.describe(exc)
            log.warning("instance %s step failed: %s", row.instance_id, message)
            return [message]
        return []

    def _save(
        self,
        u: UnitOfWork,
        loaded: _Loaded,
        actor: str | None,
        now: datetime,
        force_status: str | None = None,
    ) -> InstanceSummary:
        """Write the instance (lock_version + 1), its human tasks and events; cache after commit."""
        conn = u.connection
        workflow, row = loaded.workflow, loaded.row
        instance_id = int(row.instance_id)
        ready, failed = spiff.scan(workflow)
        if not (loaded.errors or failed or ready or force_status):
            stuck = spiff.stalled_at(workflow)
            if stuck is not None:
                loaded.errors.append(failures.stalled(stuck))
        errored = bool(loaded.errors) or bool(failed)
        if errored or force_status:
            ready = []
        if force_status:
            status = force_status
        elif errored:
            status = "errored"
        elif spiff.is_finished(workflow):
            status = "completed"
        else:
            status = "running" if ready else "waiting"
        ended = now if status in ("completed", "cancelled") else None
        next_due = spiff.next_timer_due(workflow) if status in ACTIVE else None
        last_error = (
            "; ".join(loaded.errors) if loaded.errors else (row.last_error if errored else None)
        )
        new_lock = row.lock_version + 1
        values = {
            "b_id": instance_id,
            "b_lock": row.lock_version,
            "state": self._dumps(workflow, instance_id),
            "lock_version": new_lock,
            "updated_at": now,
            "ended_at": ended,
            "last_error": last_error,
            "serializer_version": self.codec.version,
        }
        # Indexed columns only when they change: SQLite rewrites an index entry for every
        # column in the SET list, changed or not (a page written per completion for nothing).
        if status != row.status:
            values["status"] = status
        if next_due != _opt_utc(row.next_timer_due):
            values["next_timer_due"] = next_due
        if self._update_instance.execute(conn, values) != 1:
            raise ConflictError(
                f"Zaak {instance_id} is tegelijk door iemand anders gewijzigd; probeer het opnieuw."
            )
        if not errored:
            self._sync_tasks(conn, loaded, ready, now, actor)
        if status != row.status or force_status:
            if status == "completed":
                loaded.add_event("instance_completed", now, actor)
            elif status == "errored":
                loaded.add_event("instance_errored", now, actor, detail={"error": last_error})
        if loaded.events:
            self._insert_events.execute_many(conn, loaded.events)
        if self.settings.on_saved is not None:
            self.settings.on_saved(
                SavedInstance(
                    connection=conn,
                    instance_id=instance_id,
                    process_id=row.process_id,
                    business_key=row.business_key,
                    status=status,
                    at=now,
                    events=tuple((e["type"], e["bpmn_id"], e["detail"]) for e in loaded.events),
                    values=functools.partial(spiff.current_values, workflow),
                )
            )
        u.after_commit(functools.partial(self._workflows.put, instance_id, (new_lock, workflow)))
        return InstanceSummary(
            id=instance_id,
            process_id=row.process_id,
            version=0,
            business_key=row.business_key,
            status=status,
            started_at=as_utc(row.started_at),
            ended_at=ended,
            next_timer_due=next_due,
            last_error=last_error,
            opened_tasks=tuple(loaded.opened),
        )

    def _dumps(self, workflow: Any, instance_id: int) -> str:
        try:
            return self.codec.dumps(workflow)
        except (TypeError, ValueError, OverflowError) as exc:
            raise EngineError(
                f"Zaak {instance_id} bevat gegevens die niet bewaard kunnen worden ({exc}); "
                "de stap is niet uitgevoerd. Meld dit aan de beheerder."
            ) from exc

    def _mark_errored(self, instance_id: int, message: str) -> None:
        """Take a case out of circulation with a visible error (its state stays as last saved)."""
        now = self.now()
        with self.transaction() as u:
            u.connection.execute(
                update(process_instance)
                .where(process_instance.c.id == instance_id)
                .values(
                    status="errored",
                    last_error=message[:2000],
                    next_timer_due=None,
                    updated_at=now,
                    lock_version=process_instance.c.lock_version + 1,
                )
            )
            self._event(
                u.connection,
                instance_id,
                "instance_errored",
                now,
                None,
                detail={"error": message[:2000]},
            )
        self._workflows.pop(instance_id)

    def _sync_tasks(
        self,
        conn: Connection,
        loaded: _Loaded,
        ready: list[spiff.ReadyUserTask],
        now: datetime,
        actor: str | None,
    ) -> None:
        """Make the open human_task rows match the workflow's READY user tasks."""
        instance_id = int(loaded.row.instance_id)
        open_tasks = loaded.open_tasks
        if open_tasks is None:
            open_tasks = {
                r.task_id: r.bpmn_id
                for r in conn.execute(_SELECT_OPEN_TASKS, {"b_id": instance_id})
            }
        ready_ids = {t.id for t in ready}
        new = [t for t in ready if t.id not in open_tasks]
        if new:
            rows = [
                {
                    "task_id": t.id,
                    "instance_id": instance_id,
                    "process_id": t.process_id,
                    "bpmn_id": t.bpmn_id,
                    "title": t.title,
                    "lane": t.lane,
                    "state": "open",
                    "created_at": now,
                    "due_at": self._due(t, now),
                    "properties": t.properties,
                    "candidate_group": t.group,
                }
                for t in new
            ]
            self._insert_human_tasks.execute_many(conn, rows)
            loaded.opened.extend(_opened_task(r, loaded.row.business_key) for r in rows)
            for t in new:
                loaded.add_event(
                    "task_created",
                    now,
                    None,
                    task_id=t.id,
                    bpmn_id=t.bpmn_id,
                    detail={"title": t.title, "lane": t.lane},
                )
        gone = [
            (task_id, bpmn_id)
            for task_id, bpmn_id in open_tasks.items()
            if task_id not in ready_ids
        ]
        if gone:
            conn.execute(
                update(human_task)
                .where(
                    human_task.c.task_id.in_([task_id for task_id, _ in gone]),
                    TASK_IS_OPEN,
                )
                .values(state="cancelled", completed_at=now)
            )
            for task_id, bpmn_id in gone:
                loaded.add_event("task_cancelled", now, actor, task_id=task_id, bpmn_id=bpmn_id)

    def _due(self, task: spiff.ReadyUserTask, now: datetime) -> datetime | None:
        if self.settings.task_due is None:
            return None
        return self.settings.task_due(
            TaskDueInput(task.process_id, task.bpmn_id, task.lane, dict(task.properties), now)
        )

    @staticmethod
    def _event(
        conn: Connection,
        instance_id: int | None,
        kind: str,
        at: datetime,
        actor: str | None,
        task_id: str | None = None,
        bpmn_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        conn.execute(
            insert(event).values(
                instance_id=instance_id,
                type=kind,
                at=at,
                actor=actor,
                task_id=task_id,
                bpmn_id=bpmn_id,
                detail=detail or {},
            )
        )


# ---------------------------------------------------------------------- helpers


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    if key is None:
        raise EngineError("de database gaf geen nieuwe sleutel terug")
    return int(key[0])


def _check_data(data: Mapping[str, Any]) -> None:
    try:
        encoded = json.dumps(data)
    except (TypeError, ValueError) as exc:
        raise EngineError(f"De gegevens zijn geen geldige JSON-waarden: {exc}") from exc
    if len(encoded) > MAX_DATA_BYTES:
        raise EngineError(
            f"De gegevens zijn te groot ({len(encoded):,} bytes; maximaal {MAX_DATA_BYTES:,})."
        )


_STATUS_NL = {
    "completed": "afgerond",
    "cancelled": "geannuleerd",
    "errored": "in fout",
    "running": "lopend",
    "waiting": "wachtend",
}


def _status_nl(status: str) -> str:
    return _STATUS_NL.get(status, status)


def _closed_message(row: Any) -> str:
    if row.state == "completed":
        who = f" door {row.completed_by}" if row.completed_by else ""
        when = as_utc(row.completed_at).strftime("%d-%m-%Y %H:%M") if row.completed_at else ""
        return f"Taak '{row.title}' is al afgerond{who} ({when} UTC); uw invoer is niet verwerkt."
    return (
        f"Taak '{row.title}' is niet meer open (status: {row.state}); uw invoer is niet verwerkt."
    )


def _version_info(row: Any, running: int = 0) -> ProcessVersionInfo:
    return ProcessVersionInfo(
        id=row.id,
        process_id=row.process_id,
        name=row.name,
        version=row.version,
        content_hash=row.content_hash,
        deployed_at=as_utc(row.deployed_at),
        deployed_by=row.deployed_by,
        files=tuple(sorted(row.files)),
        running_instances=running,
    )


def _summary_query() -> Any:
    return select(
        process_instance.c.id,
        process_instance.c.process_id,
        process_version.c.version,
        process_instance.c.business_key,
        process_instance.c.status,
        process_instance.c.started_at,
        process_instance.c.ended_at,
        process_instance.c.next_timer_due,
        process_instance.c.last_error,
    ).join(process_version, process_version.c.id == process_instance.c.process_version_id)


def _opt_utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _summary(row: Any) -> InstanceSummary:
    return InstanceSummary(
        id=row.id,
        process_id=row.process_id,
        version=row.version,
        business_key=row.business_key,
        status=row.status,
        started_at=as_utc(row.started_at),
        ended_at=_opt_utc(row.ended_at),
        next_timer_due=_opt_utc(row.next_timer_due),
        last_error=row.last_error,
    )


def _human_task(row: Any) -> HumanTask:
    return HumanTask(
        id=row.task_id,
        instance_id=row.instance_id,
        process_id=row.process_id,
        business_key=row.business_key,
        bpmn_id=row.bpmn_id,
        title=row.title,
        lane=row.lane,
        state=row.state,
        assignee=row.assignee,
        created_at=as_utc(row.created_at),
        claimed_at=_opt_utc(row.claimed_at),
        completed_at=_opt_utc(row.completed_at),
        completed_by=row.completed_by,
        due_at=_opt_utc(row.due_at),
        properties=dict(row.properties or {}),
        group=row.candidate_group,
    )


def _opened_task(row: dict[str, Any], business_key: str | None) -> HumanTask:
    """The HumanTask of a human_task row this transaction has just inserted (open, unclaimed)."""
    unset = dict.fromkeys(("assignee", "claimed_at", "completed_at", "completed_by"))
    return _human_task(SimpleNamespace(**row, **unset, business_key=business_key))


def _event_record(row: Any) -> EventRecord:
    return EventRecord(
        id=row.id,
        instance_id=row.instance_id,
        type=row.type,
        at=as_utc(row.at),
        actor=row.actor,
        task_id=row.task_id,
        bpmn_id=row.bpmn_id,
        detail=dict(row.detail or {}),
    )
