"""Deployments: check definition files, store them as process versions, list what is deployed.

Deploying the same content again creates nothing; changing one file creates a new version
only for the processes that use it. A running instance stays on the version it started on.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from engine.definitions import SourceFile, lane_names, load_bundle
from engine.errors import EngineError
from engine.persistence import rows
from engine.persistence import statements as sql
from engine.persistence.tables import process_instance, process_version
from engine.runtime import ACTIVE, Runtime
from engine.types import DeployResult, ProcessVersionInfo
from engine.unit_of_work import UnitOfWork


def validate(rt: Runtime, sources: Iterable[SourceFile]) -> dict[str, str]:
    """Check definition files without deploying; {process id: name}. Raises DefinitionError."""
    bundle, _ = load_bundle(sources, rt.dispatcher.names(), rt.property_checks)
    return dict(bundle.process_names)


def deploy(
    rt: Runtime, sources: Iterable[SourceFile], actor: str | None, uow: UnitOfWork | None
) -> DeployResult:
    """Validate and store files as new process versions; identical content is a no-op."""
    bundle, parser = load_bundle(list(sources), rt.dispatcher.names(), rt.property_checks)
    try:
        return _store(rt, bundle, parser, actor, uow)
    except IntegrityError:
        # Someone deployed the same content at the same moment; theirs counts.
        return _store(rt, bundle, parser, actor, uow)


def _store(
    rt: Runtime, bundle: Any, parser: Any, actor: str | None, uow: UnitOfWork | None
) -> DeployResult:
    created: list[ProcessVersionInfo] = []
    unchanged: list[ProcessVersionInfo] = []
    now = rt.now()
    with rt.database.within(uow) as u:
        conn = u.connection
        for process_id in sorted(bundle.process_names):
            digest = bundle.content_hash(process_id)
            existing = conn.execute(
                sql.VERSION_BY_HASH, {"b_process_id": process_id, "b_hash": digest}
            ).first()
            if existing is not None:
                unchanged.append(rows.version_info(existing))
                continue
            latest = conn.execute(sql.HIGHEST_VERSION, {"b_process_id": process_id}).scalar()
            names = bundle.process_files[process_id]
            values = {
                "process_id": process_id,
                "name": bundle.process_names[process_id],
                "version": (latest or 0) + 1,
                "content_hash": digest,
                "files": {name: bundle.files[name].decode("utf-8") for name in names},
                "deployed_at": now,
                "deployed_by": actor,
            }
            key = conn.execute(sql.INSERT_VERSION, values).inserted_primary_key
            if key is None:
                raise EngineError("de database gaf geen nieuwe sleutel terug")
            version_id = int(key[0])
            created.append(
                rows.version_info(conn.execute(sql.VERSION_BY_ID, {"b_id": version_id}).one())
            )
            forms = {
                Path(n).name: bundle.forms[Path(n).name]
                for n in names
                if Path(n).name in bundle.forms
            }
            parsed = rt.codec.version_specs(
                parser.get_spec(process_id), parser.get_subprocess_specs(process_id), forms
            )
            u.after_commit(functools.partial(rt.specs.put, version_id, parsed))
            u.run(
                sql.INSERT_EVENT,
                {
                    "instance_id": None,
                    "type": "version_deployed",
                    "at": now,
                    "actor": actor,
                    "task_id": None,
                    "bpmn_id": None,
                    "detail": {
                        "process_id": process_id,
                        "version": values["version"],
                        "hash": digest,
                    },
                },
            )
    return DeployResult(created=tuple(created), unchanged=tuple(unchanged))


def _counts(conn: Any, group: Any, *where: Any) -> dict[Any, tuple[int, int]]:
    """(running, finished) instances per value of `group`."""
    active = process_instance.c.status.in_(ACTIVE)
    query = (
        select(
            group,
            func.sum(case((active, 1), else_=0)),
            func.sum(case((active, 0), else_=1)),
        )
        .where(*where)
        .group_by(group)
    )
    return {
        key: (int(running or 0), int(finished or 0))
        for key, running, finished in conn.execute(query)
    }


def list_processes(rt: Runtime) -> list[ProcessVersionInfo]:
    """The newest version of every deployed process, with its counts of instances (all versions)."""
    with rt.database.reading() as conn:
        latest = (
            select(process_version.c.process_id, func.max(process_version.c.version).label("v"))
            .group_by(process_version.c.process_id)
            .subquery()
        )
        found = conn.execute(
            select(process_version)
            .join(
                latest,
                (latest.c.process_id == process_version.c.process_id)
                & (latest.c.v == process_version.c.version),
            )
            .order_by(process_version.c.process_id)
        ).all()
        counts = _counts(conn, process_instance.c.process_id)
    return [rows.version_info(r, *counts.get(r.process_id, (0, 0))) for r in found]


def list_versions(rt: Runtime, process_id: str) -> list[ProcessVersionInfo]:
    """Every version of a process, oldest first, with its counts of instances."""
    with rt.database.reading() as conn:
        found = conn.execute(
            select(process_version)
            .where(process_version.c.process_id == process_id)
            .order_by(process_version.c.version)
        ).all()
        counts = _counts(
            conn,
            process_instance.c.process_version_id,
            process_instance.c.process_id == process_id,
        )
    return [rows.version_info(r, *counts.get(r.id, (0, 0))) for r in found]


def deployed_lanes(rt: Runtime) -> frozenset[str]:
    """The lane names of the newest version of every deployed process."""
    lanes: set[str] = set()
    for info in list_processes(rt):
        with rt.database.reading() as conn:
            files = conn.execute(sql.VERSION_FILES, {"b_id": info.id}).one().files
        lanes |= lane_names(files)
    return frozenset(lanes)
