"""Process definitions: check files, deploy them as new versions, see the versions and their
cases, and move waiting cases to a newer version. The browser's modeler and the command line
take these same paths (`deploy_sources` is the one deploy)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine import (
    CheckReport,
    DeployResult,
    Engine,
    InstanceSummary,
    MigrationCheck,
    MigrationRecord,
    ProcessVersionInfo,
    SourceFile,
    UnitOfWork,
    VersionDiff,
    read_paths,
)
from workflows.accounts import Actor
from workflows.cases import require
from workflows.roles import MAY_DEPLOY, MAY_MIGRATE, MAY_MODEL

ACTIVE = ("running", "waiting")


def validate(engine: Engine, paths: Iterable[str]) -> dict[str, str]:
    """Use case: check definition files without deploying; {process id: name}."""
    return engine.validate_paths(paths)


def check_paths(engine: Engine, paths: Iterable[str]) -> CheckReport:
    """Use case: every finding (errors and warnings) of the files in these paths."""
    return engine.check(read_paths(paths))


def check(engine: Engine, actor: Actor, sources: Iterable[SourceFile]) -> CheckReport:
    """Use case: every finding of a set of files (a draft, an upload); nothing is stored."""
    require(actor, MAY_MODEL, "geen procesdefinities controleren")
    return engine.check(sources)


def deploy_sources(
    engine: Engine,
    actor: Actor,
    sources: Iterable[SourceFile],
    confirmed: Iterable[str] = (),
    uow: UnitOfWork | None = None,
) -> DeployResult:
    """Use case: deploy files as new versions (a new version per changed process).

    A process whose id is deployed already from another diagram becomes a new version only
    when its id is in `confirmed`; otherwise `OriginError` asks first.
    """
    require(actor, MAY_DEPLOY, "geen procesdefinities in gebruik nemen")
    return engine.deploy(sources, actor=actor.username, uow=uow, confirmed=tuple(confirmed))


def deploy(
    engine: Engine, actor: Actor, paths: Iterable[str], confirmed: Iterable[str] = ()
) -> DeployResult:
    """Use case: deploy the files in these paths (the command line's way in)."""
    return deploy_sources(engine, actor, read_paths(paths), confirmed)


@dataclass(frozen=True)
class ProcessOverview:
    """A deployed process with all its versions (newest first) and its cases per version."""

    process_id: str
    name: str
    versions: tuple[ProcessVersionInfo, ...]

    @property
    def latest(self) -> ProcessVersionInfo:
        return self.versions[0]

    @property
    def waiting_on_older(self) -> int:
        return sum(v.running_instances for v in self.versions[1:])


def overview(engine: Engine) -> list[ProcessOverview]:
    """Every deployed process with its versions: who deployed, when, running and finished cases."""
    found = []
    for latest in engine.list_processes():
        versions = tuple(reversed(engine.list_versions(latest.process_id)))
        found.append(ProcessOverview(latest.process_id, latest.name, versions))
    return found


def version(engine: Engine, version_id: int) -> tuple[ProcessVersionInfo, dict[str, str]]:
    """One version and its files (to open read-only)."""
    return engine.get_version(version_id), engine.version_files(version_id)


def diff_versions(engine: Engine, from_version_id: int, to_version_id: int) -> VersionDiff:
    """What changed between two versions, element by element."""
    return engine.diff_versions(from_version_id, to_version_id)


def cases_on_older_versions(
    engine: Engine, process_id: str, limit: int = 200
) -> list[InstanceSummary]:
    """Running and waiting cases of a process that are not on its newest version."""
    newest = max((v.version for v in engine.list_versions(process_id)), default=0)
    cases = [
        c
        for status in ACTIVE
        for c in engine.list_instances(status=status, process_id=process_id, limit=limit)
    ]
    return sorted((c for c in cases if c.version < newest), key=lambda c: c.id)


def check_migration(engine: Engine, actor: Actor, instance_id: int) -> MigrationCheck:
    """Use case: the pre-check of moving a case to the newest version (changes nothing)."""
    require(actor, MAY_MIGRATE, "geen zaken naar een nieuwe versie overzetten")
    return engine.check_migration(instance_id)


def migrate(engine: Engine, actor: Actor, instance_id: int) -> MigrationRecord:
    """Use case: move a waiting case to the newest version, after its pre-check (audited)."""
    require(actor, MAY_MIGRATE, "geen zaken naar een nieuwe versie overzetten")
    return engine.migrate(instance_id, actor=actor.username)


def undo_migration(engine: Engine, actor: Actor, instance_id: int) -> MigrationRecord:
    """Use case: put a moved case back on its old version, while it has not moved on."""
    require(actor, MAY_MIGRATE, "geen omzetting van een zaak terugdraaien")
    return engine.undo_migration(instance_id, actor=actor.username)


def migrations(engine: Engine, instance_id: int) -> list[MigrationRecord]:
    """The moves of a case between versions, newest first."""
    return engine.migrations(instance_id)
