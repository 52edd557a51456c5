"""Statements compiled once and run on the DB-API cursor: `PreparedStatements`, the fast twin
of `engine.persistence.execution.PlainStatements` (same interface, same results).

A task completion runs five small statements: the lock read and four writes; a worklist page
runs one read. Through
`Connection.execute` about two thirds of each one's time is SQLAlchemy's per-call work
(compiled-cache lookup, parameter construction, execution context, result set-up), not the
database's (measured with py-spy; docs/performance.md). A prepared statement is compiled once
per dialect and keeps SQLAlchemy's own bind and result processors, so values are stored and
read exactly as through `Connection.execute` (the same datetime text on SQLite, the same
JSON). It runs on a cursor of the caller's connection, so it is part of the same transaction
and savepoint, and driver errors are raised as SQLAlchemy's `DBAPIError` subclasses, as
usual. Listeners of the `before_cursor_execute` / `after_cursor_execute` events see these
statements too (without an execution context). Everything else goes through
`Connection.execute`.

Statements with parameters expanded at run time (`IN` lists) cannot be prepared; they run
through `Connection.execute`.

On PostgreSQL the statements are compiled with PostgreSQL's own `$1` placeholders and run on
psycopg's `RawCursor`, which sends them as they are. With `%(name)s` placeholders psycopg
rewrites the text on every run, and it only remembers that work for statements under 4 kB:
the worklist's page statement is longer, and rewriting it took a fifth of its time.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import weakref
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import UpdateBase

Processor = Callable[[Any], Any]


class NotPreparableError(ValueError):
    """The statement has parameters expanded at run time (an IN list): run it as usual."""


class _Compiled:
    """One statement text for one set of parameter names, with how to bind each value."""

    def __init__(
        self, statement: UpdateBase | Select[Any], dialect: Dialect, keys: Sequence[str]
    ) -> None:
        compiled = statement.compile(dialect=_placeholders(dialect), column_keys=list(keys))
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise NotPreparableError(
                "a prepared statement cannot have parameters expanded at run time"
            )
        self.sql = compiled.string
        processors: dict[str, Processor | None] = {
            name: _bind_processor(bind.type.dialect_impl(dialect), dialect)
            for name, bind in compiled.binds.items()
        }
        self.positional = compiled.positional
        order = list(compiled.positiontup or ()) if compiled.positional else list(processors)
        self.names = order
        self.processors = [processors.get(name) for name in order]
        #: values the statement itself holds (a literal LIMIT, a JSON path): used unless given
        self.fixed = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }

    def bind(self, params: Mapping[str, Any]) -> Any:
        if self.fixed:
            params = {**self.fixed, **params}
        missing = [name for name in self.names if name not in params]
        if missing:  # e.g. a column with a Python-side default: only Connection.execute fills it
            raise ValueError(f"a prepared statement needs the parameters {', '.join(missing)}")
        values = [
            params[name] if proc is None else proc(params[name])
            for name, proc in zip(self.names, self.processors, strict=True)
        ]
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))


def _bind_processor(impl: Any, dialect: Dialect) -> Processor | None:
    """SQLAlchemy's bind processor of a column type, except SQLite's DATETIME in its default
    storage format: that one builds its text with %-formatting of a dict, the costliest part of
    binding a row (most rows hold two or three moments); `isoformat` writes the same text."""
    plain = impl.bind_processor(dialect)
    if (
        plain is None
        or not isinstance(impl, sqlite.DATETIME)
        or impl._storage_format != sqlite.DATETIME._storage_format
    ):
        return plain

    def process(value: Any) -> Any:
        if type(value) is datetime:  # the text of its wall-clock time, as SQLAlchemy writes it
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")
        return plain(value)  # None, a date, a subclass, a wrong type: as SQLAlchemy does

    return process


class PreparedWrite:
    """An INSERT or UPDATE run straight on the DB-API cursor (see the module docstring).

    Every call must give the same parameter names it was prepared for, except that an
    UPDATE's SET list may vary: each distinct set of names is compiled once.
    """

    def __init__(self, statement: UpdateBase, dialect: Dialect) -> None:
        self._statement = statement
        self._dialect = dialect
        self._compiled: dict[frozenset[str], _Compiled] = {}

    def _for(self, keys: Iterable[str]) -> _Compiled:
        names = frozenset(keys)
        compiled = self._compiled.get(names)
        if compiled is None:
            compiled = self._compiled[names] = _Compiled(
                self._statement, self._dialect, sorted(names)
            )
        return compiled

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> int:
        """Run once; the number of rows it changed."""
        compiled = self._for(params)
        return self._run(connection, compiled, compiled.bind(params), many=False)

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Run once per row (all rows with the same keys)."""
        if not rows:
            return 0
        compiled = self._for(rows[0])
        return self._run(connection, compiled, [compiled.bind(row) for row in rows], many=True)

    def _run(self, connection: Connection, compiled: _Compiled, params: Any, many: bool) -> int:
        with _cursor(connection, self._dialect, compiled.sql, params) as cursor:
            _execute(connection, cursor, compiled.sql, params, many)
            return int(cursor.rowcount)


class PreparedRead:
    """A SELECT compiled once for a dialect and run on the DB-API cursor (see the module
    docstring), its rows converted by SQLAlchemy's own result processors, as named tuples."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        self._compiled = _Compiled(statement, dialect, ())
        columns = statement.selected_columns
        row_type = namedtuple("Row", list(columns.keys()), rename=True)  # type: ignore[misc]
        self._make: Callable[[Iterable[Any]], Any] = row_type._make
        processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]
        #: (position, processor) of the columns that have one: most have none
        self._processors = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
        self._dialect = dialect

    def all(self, connection: Connection, params: Mapping[str, Any]) -> list[Any]:
        compiled = self._compiled
        bound = compiled.bind(params)
        with _cursor(connection, self._dialect, compiled.sql, bound) as cursor:
            _execute(connection, cursor, compiled.sql, bound, False)
            rows = cursor.fetchall()
        make, processors = self._make, self._processors
        if not processors:
            return [make(row) for row in rows]
        found = []
        for row in rows:
            values = list(row)
            for i, proc in processors:
                values[i] = proc(values[i])
            found.append(make(values))
        return found


@contextlib.contextmanager
def savepoint(connection: Connection, name: str = "wegwijs_step") -> Iterator[None]:
    """A block rolled back on its own when it raises (the error is re-raised), the rest of the
    transaction kept: SAVEPOINT / RELEASE (or ROLLBACK TO) straight on the driver.

    What `Connection.begin_nested()` does, without its per-call work (two statements through
    `Connection.execute` cost more than the database's part). Nesting with the same name is
    fine: both SQLite and PostgreSQL act on the newest savepoint of that name. The connection
    must be in a transaction that SQLAlchemy began (the engine's SQLite set-up issues BEGIN
    itself, so the driver never starts one behind our back).
    """

    def run(sql: str) -> None:
        with _cursor(connection, connection.dialect, sql, ()) as cursor:
            _execute(connection, cursor, sql, (), False)

    run(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        run(f"ROLLBACK TO SAVEPOINT {name}")
        run(f"RELEASE SAVEPOINT {name}")
        raise
    run(f"RELEASE SAVEPOINT {name}")


#: per dialect in use, its twin that writes `$1` placeholders (gone with the dialect)
_TWINS: weakref.WeakKeyDictionary[Dialect, Dialect] = weakref.WeakKeyDictionary()


def _placeholders(dialect: Dialect) -> Dialect:
    """The dialect to compile with: for psycopg a twin that writes `$1` placeholders (for its
    RawCursor), otherwise the dialect itself."""
    if not _raw_cursors(dialect):
        return dialect
    twin = _TWINS.get(dialect)
    if twin is None:
        twin = copy.copy(dialect)
        twin.paramstyle = "numeric_dollar"
        twin.positional = True
        twin.identifier_preparer = twin.preparer(twin)  # no doubled "%" in literals
        _TWINS[dialect] = twin
    return twin


def _raw_cursors(dialect: Dialect) -> bool:
    return dialect.driver == "psycopg"


@contextlib.contextmanager
def _cursor(connection: Connection, dialect: Dialect, sql: str, params: Any) -> Iterator[Any]:
    """A DB-API cursor of the connection (its transaction); driver errors become DBAPIError."""
    dbapi_error = dialect.loaded_dbapi.Error
    if _raw_cursors(dialect):
        cursor = dialect.loaded_dbapi.RawCursor(connection.connection.driver_connection)
    else:
        cursor = connection.connection.cursor()
    try:
        yield cursor
    except dbapi_error as exc:
        raise DBAPIError.instance(sql, params, exc, dbapi_error, dialect=dialect) from exc
    finally:
        cursor.close()


def _execute(connection: Connection, cursor: Any, sql: str, params: Any, many: bool) -> None:
    """Run the statement; listeners of the connection's (or its engine's) before_ and
    after_cursor_execute events see it as they see any other (tracing, logging, benchmarks),
    with no execution context; their return values are not used."""
    dispatch = connection.dispatch
    if dispatch.before_cursor_execute:
        dispatch.before_cursor_execute(connection, cursor, sql, params, None, many)
    if many:
        cursor.executemany(sql, params)
    else:
        cursor.execute(sql, params)
    if dispatch.after_cursor_execute:
        dispatch.after_cursor_execute(connection, cursor, sql, params, None, many)


#: prepared statements kept per engine (statements the application builds per call included)
CACHE_SIZE = 512


class PreparedStatements:
    """The `Statements` of an engine with fast paths on: each distinct statement is compiled
    once for the engine's dialect and kept (at most CACHE_SIZE, least recently used out)."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._prepared: OrderedDict[Any, PreparedRead | PreparedWrite | None] = OrderedDict()
        #: the same statement object again (the usual case: statements built once) skips
        #: working out its cache key; it holds the statement, so its id is not reused
        self._by_identity: dict[int, tuple[Any, Any]] = {}
        self._lock = threading.Lock()

    def all(self, connection: Connection, statement: Any, params: Mapping[str, Any]) -> list[Any]:
        prepared = self._get(statement, PreparedRead)
        if isinstance(prepared, PreparedRead):
            return prepared.all(connection, params)
        return list(connection.execute(statement, dict(params)).all())

    def run(self, connection: Connection, statement: Any, params: Mapping[str, Any]) -> int:
        prepared = self._get(statement, PreparedWrite)
        if isinstance(prepared, PreparedWrite):
            try:
                return prepared.execute(connection, params)
            except NotPreparableError:
                self._unprepared(statement)
        return int(connection.execute(statement, dict(params)).rowcount)

    def run_many(
        self, connection: Connection, statement: Any, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        if not rows:
            return
        prepared = self._get(statement, PreparedWrite)
        if isinstance(prepared, PreparedWrite):
            try:
                prepared.execute_many(connection, rows)
                return
            except NotPreparableError:
                self._unprepared(statement)
        connection.execute(statement, [dict(r) for r in rows])

    def savepoint(
        self, connection: Connection, name: str
    ) -> contextlib.AbstractContextManager[None]:
        return savepoint(connection, name)

    def _get(self, statement: Any, kind: Callable[..., Any]) -> Any:
        seen = self._by_identity.get(id(statement))
        if seen is not None and seen[0] is statement:
            return seen[1]
        key = _key(statement)
        if key is not None:
            with self._lock:
                if key in self._prepared:
                    self._prepared.move_to_end(key)
                    return self._prepared[key]
        try:
            prepared = kind(statement, self._dialect)
        except NotPreparableError:
            prepared = None
        self._keep(key, prepared)
        with self._lock:
            if len(self._by_identity) >= CACHE_SIZE:
                self._by_identity.clear()
            self._by_identity[id(statement)] = (statement, prepared)
        return prepared

    def _unprepared(self, statement: Any) -> None:
        """Remember that this statement runs through Connection.execute (an IN list)."""
        self._keep(_key(statement), None)
        with self._lock:
            self._by_identity[id(statement)] = (statement, None)

    def _keep(self, key: Any, prepared: Any) -> None:
        if key is None:
            return
        with self._lock:
            self._prepared[key] = prepared
            while len(self._prepared) > CACHE_SIZE:
                self._prepared.popitem(last=False)


def _key(statement: Any) -> Any:
    """What makes two statement objects the same prepared statement: SQLAlchemy's cache key
    (the statement's structure) plus the values it holds (a literal LIMIT, a JSON path), which
    a prepared statement binds itself. None when a value cannot be a key (then not kept)."""
    found = statement._generate_cache_key()
    if found is None:
        return None
    try:
        values = tuple(bind.effective_value for bind in found.bindparams)
        hash(values)
    except TypeError:
        return None
    return (found.key, values)
