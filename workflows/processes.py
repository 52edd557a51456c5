"""Process definitions: check files and deploy them as new versions (the web's future modeler
and the command line take this one path)."""

from __future__ import annotations

from collections.abc import Iterable

from engine import DeployResult, Engine
from workflows.accounts import Actor
from workflows.cases import require
from workflows.roles import MAY_DEPLOY


def validate(engine: Engine, paths: Iterable[str]) -> dict[str, str]:
    """Use case: check definition files without deploying; {process id: name}."""
    return engine.validate_paths(paths)


def deploy(engine: Engine, actor: Actor, paths: Iterable[str]) -> DeployResult:
    """Use case: deploy the files in these paths; a new version per changed process."""
    require(actor, MAY_DEPLOY, "geen procesdefinities in gebruik nemen")
    return engine.deploy_paths(paths, actor=actor.username)
