"""Composition root for the domain: settings from the environment, and the engine built from them."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from engine import (
    DEFAULT_LIMITS,
    Clock,
    Engine,
    EngineError,
    EngineSettings,
    SavedInstance,
    caches_enabled,
)
from workflows import (
    diagram_rules,
    fund,
    mail,
    operators,
    phases,
    read_model,
    retention,
    status_links,
)
from workflows.reports import rollups

DEFAULT_DB_FILE = Path("instance") / "wegwijs.db"
BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
MIGRATIONS = (Path(__file__).resolve().parent / "migrations" / "versions",)


@dataclass(frozen=True)
class Settings:
    """Everything Wegwijs needs to know at start-up."""

    database_url: str
    fund_period: str = "initiatievenfonds"
    fund_name: str = "Initiatievenfonds maatschappelijke initiatieven"
    fund_ceiling_cents: int = 12_000_000  # € 120.000 (subsidieregeling art. 3)
    #: the in-process caches (off: every load from the database; `WEGWIJS_CACHES=off`)
    caches: bool = field(default_factory=lambda: caches_enabled(os.environ))
    #: the most a case's data may hold after a script, as stored JSON
    #: (`WEGWIJS_MAX_CASE_DATA_KB`, default 1,000 kB)
    max_case_data_bytes: int = field(default_factory=lambda: _case_data_bytes(os.environ))
    #: seconds between two rounds of the background loop (timers, e-mail): `WEGWIJS_LOOP_SECONDS`
    loop_seconds: float = field(default_factory=lambda: _loop_seconds(os.environ))
    #: the address initiators reach the app on (links in e-mail): `WEGWIJS_PUBLIC_URL`
    public_url: str = field(
        default_factory=lambda: (
            os.environ.get("WEGWIJS_PUBLIC_URL", "").strip() or "http://127.0.0.1:5000"
        )
    )
    #: months after a case ended that its personal data are removed: `WEGWIJS_RETENTION_MONTHS`
    retention_months: int = field(default_factory=lambda: _retention_months(os.environ))
    #: where the outbox's e-mail goes (`WEGWIJS_SMTP_HOST` and friends; None: it waits)
    smtp: mail.SmtpSettings | None = field(
        default_factory=lambda: mail.SmtpSettings.from_env(os.environ)
    )


def _case_data_bytes(env: os._Environ[str] | dict[str, str]) -> int:
    raw = env.get("WEGWIJS_MAX_CASE_DATA_KB", "").strip()
    if not raw:
        return DEFAULT_LIMITS.max_data_bytes
    if not raw.isdigit() or not 10 <= int(raw) <= 100_000:
        raise EngineError(
            f"WEGWIJS_MAX_CASE_DATA_KB moet een geheel getal van 10 tot 100000 zijn, niet {raw!r}."
        )
    return int(raw) * 1000


def _retention_months(env: os._Environ[str] | dict[str, str]) -> int:
    raw = env.get("WEGWIJS_RETENTION_MONTHS", "").strip()
    if not raw:
        return retention.DEFAULT_MONTHS
    if not raw.isdigit() or not 1 <= int(raw) <= 1200:
        raise EngineError(
            f"WEGWIJS_RETENTION_MONTHS moet een geheel aantal maanden van 1 tot 1200 zijn, "
            f"niet {raw!r}."
        )
    return int(raw)


def _loop_seconds(env: os._Environ[str] | dict[str, str]) -> float:
    raw = env.get("WEGWIJS_LOOP_SECONDS", "").strip()
    if not raw:
        return 30.0
    if not raw.isdigit() or not 1 <= int(raw) <= 86_400:
        raise EngineError(
            f"WEGWIJS_LOOP_SECONDS moet een geheel getal van 1 tot 86400 zijn, niet {raw!r}."
        )
    return float(raw)


def secret_key() -> str:
    """WEGWIJS_SECRET_KEY, or a random key kept in instance/secret_key (created once): the web
    app's sessions and the initiators' status links are made with it.

    Several workers may start at once: the file is created exclusively, and whoever loses the
    race reads the winner's key (never an empty or a different one).
    """
    configured = os.environ.get("WEGWIJS_SECRET_KEY")
    if configured:
        return configured
    path = Path("instance") / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.1)  # the winner is still writing it
        raise EngineError(
            f"{path} is leeg; verwijder het bestand of zet WEGWIJS_SECRET_KEY."
        ) from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def links(settings: Settings, secret: str | None = None) -> status_links.Links:
    """Where the initiators' status links point, and the key they are made with."""
    return status_links.Links(secret or secret_key(), settings.public_url)


def default_database_url(cwd: Path | None = None) -> str:
    """The one database every command (and the demo) uses when none is named."""
    return f"sqlite:///{(cwd or Path.cwd()) / DEFAULT_DB_FILE}"


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    """Read `WEGWIJS_DATABASE_URL` (default: instance/wegwijs.db under the cwd)."""
    env = os.environ if environ is None else environ
    return Settings(database_url=env.get("WEGWIJS_DATABASE_URL") or default_database_url())


def engine_settings(settings: Settings) -> EngineSettings:
    """The engine wired with the domain: operators, helpers, norms and phases."""
    return EngineSettings(
        database_url=settings.database_url,
        caches=settings.caches,
        script_limits=replace(DEFAULT_LIMITS, max_data_bytes=settings.max_case_data_bytes),
        services=operators.operators(settings.fund_period),
        script_helpers=operators.SCRIPT_HELPERS,
        task_due=operators.task_due,
        milestone_property="phase",
        property_checks={
            "norm": operators.check_norm,
            "escalation": operators.check_norm,
            "phase": phases.check_phase,
        },
        on_saved=on_saved,
        definition_rules=diagram_rules.RULES,
    )


def on_saved(saved: SavedInstance) -> None:
    """After every step, in its transaction: the reports' rollups (which read the phase the
    case was in before this step), then the initiative read model."""
    rollups.on_saved(saved)
    read_model.on_saved(saved)


class SchemaBehindError(EngineError):
    """The database's schema is older than this release: `wegwijs db upgrade` first."""


def open_engine(settings: Settings, clock: Clock | None = None, upgrade: bool = False) -> Engine:
    """Build the engine for these settings, with the database ready for this release.

    A database without tables is created on first use. `upgrade=True` (`wegwijs db upgrade`,
    `serve`, `demo`) migrates an older schema in place; otherwise an older schema is refused
    with one Dutch line, so that no command changes a production schema by the way.
    """
    engine = Engine(engine_settings(settings), clock=clock)
    try:
        state = engine.schema_state(MIGRATIONS)
        if state == "behind" and not upgrade:
            raise SchemaBehindError(
                "Het databaseschema is ouder dan deze versie van Wegwijs; voer eerst "
                "'wegwijs db upgrade' uit."
            )
        if state == "newer":
            raise SchemaBehindError(
                "Deze database is bijgewerkt door een nieuwere versie van Wegwijs; gebruik die "
                "versie (of een kopie van de database van vóór die update)."
            )
        if state != "current":
            engine.upgrade_schema(MIGRATIONS)
        _open_fund(engine, settings)
        read_model.backfill(engine)
        rollups.backfill(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _open_fund(engine: Engine, settings: Settings) -> None:
    """The fund period of these settings exists (created once; a read when it does)."""
    with engine.reading() as conn:
        if fund.period_exists(conn, settings.fund_period):
            return
    with engine.transaction() as uow:
        fund.open_period(
            uow.connection,
            settings.fund_period,
            settings.fund_name,
            settings.fund_ceiling_cents,
            engine.now(),
        )
