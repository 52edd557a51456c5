"""How the engine's pools hand out connections: the one returned last first, and on
PostgreSQL a second pool for hot reads of one statement (`Engine.statement_reads`):
autocommit, read-only, and planning each prepared statement once per connection.

The main pool hands out the connection returned last (`pool_use_lifo`), where SQLAlchemy's
default is the one returned first. A SQLite connection keeps the pages it read, but has to
read them again when another connection wrote since: a step that reads while it writes (a
hand-over starting a case, the norm watch) leaves two connections in the pool, and taking
them in turn made every transaction start on a stale cache. Over a simulated year the same
statements read 41,007 pages instead of 154,875 (`strace -c -e pread64`). On PostgreSQL it
keeps the busiest connection's prepared statements warm and lets idle ones time out.

The worklist's page is one statement. Through the engine's main pool it would cost five
round trips (pre-ping, BEGIN, a plan setting, the statement, COMMIT); through this pool it
costs one. `plan_cache_mode = force_generic_plan` keeps PostgreSQL from planning the
statement afresh for every run: its walks of the open-task indexes do not depend on the
values, and planning them took longer than running them (docs/performance.md).

The settings travel as the connection's startup `options`: behind PgBouncer, add `options` to
its `ignore_startup_parameters` (the settings then do not apply), or connect this pool to
PostgreSQL directly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from engine.persistence.database import create_db_engine, normalise_url


def main_pool_options(url: str) -> dict[str, Any]:
    """Options of the engine's main pool with fast paths on (the plain twin: SQLAlchemy's
    defaults): the connection returned last is handed out first. Not for an in-memory SQLite
    database, whose pool keeps one connection per thread."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return {}  # create_db_engine reports a bad URL in its own words
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        return {}
    return {"pool_use_lifo": True}


def create_statement_reads_engine(db: Engine) -> Engine:
    """A second PostgreSQL pool on the same database, for `Engine.statement_reads`: its
    connections are in autocommit, read-only, and use generic plans for prepared statements.
    Options in the URL (`?options=-c …`) are kept. Listeners of `db`'s before_ and
    after_cursor_execute events hear its statements too."""
    given = db.url.query.get("options")
    options = " ".join(
        [
            *([given] if isinstance(given, str) else list(given or ())),
            "-c plan_cache_mode=force_generic_plan",
            "-c default_transaction_read_only=on",
        ]
    )
    reads = create_db_engine(
        db.url.render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
        pool_size=getattr(db.pool, "size", lambda: 10)(),  # as many as the main pool
        connect_args={"options": options},
    )

    # Tracing, logging and benchmarks listen on the engine's database: they see these too.
    @event.listens_for(reads, "before_cursor_execute")
    def _before(*args: Any) -> None:
        if db.dispatch.before_cursor_execute:
            db.dispatch.before_cursor_execute(*args)

    @event.listens_for(reads, "after_cursor_execute")
    def _after(*args: Any) -> None:
        if db.dispatch.after_cursor_execute:
            db.dispatch.after_cursor_execute(*args)

    return reads
