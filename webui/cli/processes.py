"""`wegwijs db upgrade`, `validate`, `deploy`, `processes`: the database and the definitions."""

from __future__ import annotations

import os
from collections.abc import Iterable

import click

from webui.cli.common import engine, fmt, print_json, redact, system, table
from workflows import bootstrap, processes
from workflows.errors import DefinitionError, Problem


@click.group()
def db() -> None:
    """Database beheren."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Maak of migreer het databaseschema (veilig om te herhalen)."""
    settings = bootstrap.settings_from_env()
    bootstrap.open_engine(settings, upgrade=True).dispose()
    click.echo(f"Database bijgewerkt: {redact(settings.database_url)}")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Controleer BPMN/DMN/formulierbestanden zonder te deployen."""
    report = processes.check_paths(engine(), paths)
    if report.errors:
        raise DefinitionError(list(report.errors))
    _warn(report.warnings)
    click.echo("In orde. Uitvoerbare processen:")
    for process_id, name in sorted(report.processes.items()):
        click.echo(f"  {process_id}  ({name})")
    for decision in report.decisions:
        click.echo(f"  beslistabel {decision}")


def _warn(warnings: Iterable[Problem]) -> None:
    for warning in warnings:
        click.echo(f"Waarschuwing: {warning}", err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--user", default=None, help="Wie deployt (voor de audittrail).")
@click.option(
    "--new-version-of",
    "confirmed",
    multiple=True,
    metavar="PROCES_ID",
    help="Bevestig dat dit diagram een nieuwe versie is van een bestaand proces met dit id "
    "dat uit een ander diagram kwam.",
)
def deploy(paths: tuple[str, ...], user: str | None, confirmed: tuple[str, ...]) -> None:
    """Deploy procesbestanden als nieuwe versie (ongewijzigde inhoud: geen nieuwe versie)."""
    result = processes.deploy(engine(), system(user or os.environ.get("USER")), paths, confirmed)
    _warn(result.warnings)
    for version in result.created:
        click.echo(f"Nieuw: {version.process_id} versie {version.version}")
    for version in result.unchanged:
        click.echo(f"Ongewijzigd: {version.process_id} blijft versie {version.version}")


@click.command("processes")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
def processes_command(as_json: bool) -> None:
    """Toon de gedeployde processen (nieuwste versie, lopende zaken)."""
    items = engine().list_processes()
    if as_json:
        print_json(items)
        return
    table(
        [(p.process_id, p.version, p.running_instances, fmt(p.deployed_at), p.name) for p in items],
        ["proces", "versie", "lopend", "gedeployed", "naam"],
    )


COMMANDS = (db, validate, deploy, processes_command)
