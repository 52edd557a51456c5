"""A throw-away PostgreSQL database for a benchmark run (created, then dropped)."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine.persistence.database import normalise_url

PG_URL = os.environ.get("WEGWIJS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def create(prefix: str) -> str | None:
    """A new empty database on the local server, or None (with the reason printed)."""
    try:
        admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:
        print(f"(PostgreSQL not measured: {exc.__class__.__name__}: {exc})")
        return None
    return make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
