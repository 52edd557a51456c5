"""Composition root for the domain: settings from the environment, and the engine built from them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine import Clock, Engine, EngineSettings

DEFAULT_DB_FILE = Path("instance") / "wegwijs.db"
MIGRATIONS = (Path(__file__).resolve().parent / "migrations" / "versions",)


@dataclass(frozen=True)
class Settings:
    """Everything Wegwijs needs to know at start-up."""

    database_url: str


def default_database_url(cwd: Path | None = None) -> str:
    path = (cwd or Path.cwd()) / DEFAULT_DB_FILE
    return f"sqlite:///{path}"


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    """Read `WEGWIJS_DATABASE_URL` (default: a SQLite file instance/wegwijs.db under the cwd)."""
    env = os.environ if environ is None else environ
    return Settings(database_url=env.get("WEGWIJS_DATABASE_URL") or default_database_url())


def open_engine(settings: Settings, clock: Clock | None = None, upgrade: bool = True) -> Engine:
    """Build the engine for these settings; migrates the schema in place unless told not to."""
    engine = Engine(EngineSettings(database_url=settings.database_url), clock=clock)
    if upgrade:
        engine.upgrade_schema(MIGRATIONS)
    return engine
