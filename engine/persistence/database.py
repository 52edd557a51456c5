"""Create the SQLAlchemy engine for SQLite (WAL, BEGIN IMMEDIATE) or PostgreSQL, and migrate it."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError

from engine.errors import EngineError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` URLs and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(db: Engine) -> bool:
    return db.dialect.name == "sqlite"


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An SQLAlchemy engine; SQLite gets WAL, a busy timeout and write transactions that lock early."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise EngineError(f"De database-URL '{url}' is ongeldig: {exc}") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise EngineError(
            f"Database '{parsed.get_backend_name()}' wordt niet ondersteund; gebruik sqlite:///pad/naar/bestand.db "
            "of postgresql://gebruiker@host/database."
        )
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise EngineError(
                    f"Kan de map voor de database {database} niet maken: {exc.strerror}"
                ) from exc
        db = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(db, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(db, "begin")
        def _on_begin(conn: Any) -> None:
            # Writers take the lock at BEGIN, so two writers never deadlock on an upgrade;
            # readers ask for DEFERRED through an execution option.
            mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
            # straight on the driver: every write transaction pays this statement
            conn.connection.driver_connection.execute(f"BEGIN {mode}")

        return db
    kwargs.setdefault("pool_size", 10)
    db = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        ping_when_idle(db)
    return db


#: a pooled connection unused for longer than this is checked before it is handed out
PING_AFTER_IDLE_SECONDS = 10.0


def ping_when_idle(db: Engine) -> None:
    """Check a pooled PostgreSQL connection before use when it sat idle for
    PING_AFTER_IDLE_SECONDS.

    What `pool_pre_ping` is for (a server restart or a firewall dropping idle connections
    hands out a dead connection), without its round trip on every checkout: a busy app's
    connections come back within moments, and a page that runs one statement would pay a
    second round trip for the check. A connection that fails the check is replaced before
    anyone sees it. One used within the last seconds is trusted; if the server went away in
    exactly that gap, the statement fails, the pool drops all its connections (SQLAlchemy does
    that on a disconnect) and the next request gets a fresh one.
    """

    @event.listens_for(db, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(db, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # new, or back in the pool only just now
        try:
            db.dialect.do_ping(dbapi_conn)
        except db.dialect.loaded_dbapi.Error as exc:
            # the pool drops this connection and checks out another (a new one if need be)
            raise DisconnectionError(f"idle connection is gone: {exc}") from exc


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def _config_for(db: Engine, version_locations: Sequence[Path]) -> Any:
    config = alembic_config(db.url.render_as_string(hide_password=False))
    locations = [MIGRATIONS_DIR / "versions", *version_locations]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    return config


def schema_state(db: Engine, version_locations: Sequence[Path] = ()) -> str:
    """'empty' (no tables yet), 'current' (at the newest revision of every branch),
    'behind' (an older revision: `wegwijs db upgrade` brings it up to date) or 'newer' (a
    revision this release does not know)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(_config_for(db, version_locations))
    try:
        with db.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except DBAPIError as exc:
        where = db.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise EngineError(f"Kan de database {where} niet bereiken: {reason}") from exc
    if not current:
        return "empty"
    # a stored head stands for itself and everything it depends on (one row per branch)
    reached: set[str] = set()
    try:
        for head in current:
            reached.update(s.revision for s in script.walk_revisions(base="base", head=head))
    except CommandError:
        return "newer"  # a revision this release does not know: a newer release migrated it
    return "current" if set(script.get_heads()) <= reached else "behind"


def upgrade(db: Engine, version_locations: Sequence[Path] = ()) -> None:
    """Bring the schema to the newest revision of every branch (in place; safe to repeat).

    `version_locations`: revision folders of the application's own tables, besides the engine's.
    """
    from alembic import command

    config = _config_for(db, version_locations)
    try:
        with db.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    except DBAPIError as exc:
        if exc.connection_invalidated or "connect" in str(exc).lower():
            where = db.url.render_as_string(hide_password=True)
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise EngineError(f"Kan de database {where} niet bereiken: {reason}") from exc
        raise


def current_revision(db: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
