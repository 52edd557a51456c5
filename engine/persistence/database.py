"""Create the SQLAlchemy engine for SQLite (WAL, BEGIN IMMEDIATE) or PostgreSQL, and migrate it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

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
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_engine(url, **kwargs)


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(db: Engine, version_locations: Sequence[Path] = ()) -> None:
    """Bring the schema to the newest revision of every branch (in place; safe to repeat).

    `version_locations`: revision folders of the application's own tables, besides the engine's.
    """
    from alembic import command

    config = alembic_config(db.url.render_as_string(hide_password=False))
    locations = [MIGRATIONS_DIR / "versions", *version_locations]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
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
