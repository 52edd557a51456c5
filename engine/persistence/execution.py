"""How statements run: plainly through SQLAlchemy's `Connection.execute` (the reference), or
prepared on the driver's cursor (`engine.fast.statements`, the same interface and results).

The engine's rooms and the application's read models call `all`, `run` and `run_many` on the
`Statements` of their engine; which of the two it is depends on `EngineSettings.fast_paths`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection


class Statements(Protocol):
    """Runs statements on a connection, inside its transaction."""

    def all(self, connection: Connection, statement: Any, params: Mapping[str, Any]) -> list[Any]:
        """The rows of a SELECT (attribute access by column name)."""

    def run(self, connection: Connection, statement: Any, params: Mapping[str, Any]) -> int:
        """Run an INSERT / UPDATE / DELETE once; the number of rows it changed."""

    def run_many(
        self, connection: Connection, statement: Any, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Run an INSERT / UPDATE once per row (all rows with the same keys)."""

    def savepoint(
        self, connection: Connection, name: str
    ) -> contextlib.AbstractContextManager[None]:
        """A block rolled back on its own when it raises; the rest of the transaction kept."""


class PlainStatements:
    """Every statement through `Connection.execute`: what SQLAlchemy does for everyone."""

    def all(self, connection: Connection, statement: Any, params: Mapping[str, Any]) -> list[Any]:
        return list(connection.execute(statement, dict(params)).all())

    def run(self, connection: Connection, statement: Any, params: Mapping[str, Any]) -> int:
        return int(connection.execute(statement, dict(params)).rowcount)

    def run_many(
        self, connection: Connection, statement: Any, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        if rows:
            connection.execute(statement, [dict(r) for r in rows])

    @contextlib.contextmanager
    def savepoint(self, connection: Connection, name: str) -> Iterator[None]:
        with connection.begin_nested():
            yield
