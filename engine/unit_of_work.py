"""Transactions and connections: the unit of work, read transactions and one-statement reads.

`Database.transaction()` is the one way a change is written: it commits when its block ends
normally and rolls back on any error, and tells the caches what happened (a workflow is put
back in the cache only after its commit). A caller that passes its own `UnitOfWork` to an
engine operation gets that operation under a savepoint inside the caller's transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SqlEngine

from engine import fast
from engine.persistence import database
from engine.persistence.execution import PlainStatements, Statements


class UnitOfWork:
    """One database transaction plus what must happen to the caches after commit or rollback."""

    def __init__(self, connection: Connection, statements: Statements) -> None:
        self.connection = connection
        self.statements = statements
        self._after_commit: list[Callable[[], None]] = []
        self._after_rollback: list[Callable[[], None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def after_rollback(self, callback: Callable[[], None]) -> None:
        self._after_rollback.append(callback)

    def all(self, statement: Any, params: Mapping[str, Any]) -> list[Any]:
        return self.statements.all(self.connection, statement, params)

    def run(self, statement: Any, params: Mapping[str, Any]) -> int:
        return self.statements.run(self.connection, statement, params)

    def _committed(self) -> None:
        for callback in self._after_commit:
            callback()

    def _rolled_back(self) -> None:
        for callback in self._after_rollback:
            callback()


class Reads:
    """A connection for reads, with the engine's way of running statements."""

    def __init__(self, connection: Connection, statements: Statements) -> None:
        self.connection = connection
        self._statements = statements

    def all(self, statement: Any, params: Mapping[str, Any] | None = None) -> list[Any]:
        return self._statements.all(self.connection, statement, params or {})


class Database:
    """The engine's database: its connection pools and how statements run on them."""

    def __init__(self, url: str, fast_paths: bool, db: SqlEngine | None = None) -> None:
        self.fast = fast.usable(fast_paths)
        if db is None:
            options: dict[str, Any] = {}
            if self.fast:  # the plain twin keeps SQLAlchemy's pool defaults
                from engine.fast import pool

                options = pool.main_pool_options(url)
            db = database.create_db_engine(url, **options)
        self.engine = db
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self.statements: Statements = PlainStatements()
        #: the pool of `statement_reads` (on PostgreSQL with fast paths: a pool of its own)
        self.statement_engine = self.engine
        if self.fast:
            from engine.fast import pool, statements

            self.statements = statements.PreparedStatements(self.engine.dialect)
            if self.is_postgres:
                self.statement_engine = pool.create_statement_reads_engine(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.statement_engine is not self.engine:
            self.statement_engine.dispose()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """A unit of work: commits when the block ends normally, rolls back on any error."""
        with self.engine.connect() as connection:
            uow = UnitOfWork(connection, self.statements)
            try:
                with connection.begin():
                    yield uow
            except BaseException:
                uow._rolled_back()
                raise
            uow._committed()

    @contextlib.contextmanager
    def within(self, uow: UnitOfWork | None) -> Iterator[UnitOfWork]:
        """The caller's unit of work (the operation under a savepoint), or a transaction of its own.

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
            self.engine.connect().execution_options(sqlite_begin="DEFERRED") as connection,
            connection.begin(),
        ):
            yield connection

    @contextlib.contextmanager
    def statement_reads(self) -> Iterator[Reads]:
        """Reads of one statement (or two) each its own snapshot: with fast paths on,
        outside a transaction (one round trip each on PostgreSQL, `engine.fast.pool`);
        otherwise in a plain read transaction."""
        if not self.fast:
            with self.reading() as connection:
                yield Reads(connection, self.statements)
            return
        with self.statement_engine.connect().execution_options(
            sqlite_begin="DEFERRED"
        ) as connection:
            yield Reads(connection, self.statements)
