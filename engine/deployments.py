"""Deployments: check definition files, store them as process versions, list what is deployed.

Deploying the same content again creates nothing; changing one file creates a new version
only for the processes that use it. A running instance stays on the version it started on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from engine.definitions import SourceFile, lane_names, load_bundle
from engine.definitions.bundle import check_bundle, specs_of
from engine.definitions.xml import safe_parse_xml
from engine.errors import (
    DefinitionError,
    EngineError,
    NotFoundError,
    OriginError,
    OriginQuestion,
)
from engine.persistence import rows
from engine.persistence import statements as sql
from engine.persistence.tables import process_instance, process_version
from engine.runtime import ACTIVE, Runtime
from engine.types import CheckReport, DeployResult, ProcessVersionInfo
from engine.unit_of_work import UnitOfWork


def validate(rt: Runtime, sources: Iterable[SourceFile]) -> dict[str, str]:
    """Check definition files without deploying; {process id: name}. Raises DefinitionError."""
    bundle, _ = load_bundle(sources, checks=rt.checks)
    return dict(bundle.process_names)


def check(rt: Runtime, sources: Iterable[SourceFile]) -> CheckReport:
    """Every finding of a set of files, errors first; nothing is stored."""
    try:
        bundle, parser, problems = check_bundle(sources, rt.checks, allow_decisions_only=True)
    except DefinitionError as exc:  # nothing to check (no files, too large)
        return CheckReport(findings=tuple(exc.problems))
    ordered = sorted(problems, key=lambda p: (not p.is_error, p.file, p.line or 0))
    decisions = tuple(sorted(parser.dmn_parsers)) if parser is not None else ()
    return CheckReport(
        findings=tuple(ordered),
        processes=dict(bundle.process_names) if bundle is not None else {},
        decisions=decisions if bundle is None else (),
    )


def deploy(
    rt: Runtime,
    sources: Iterable[SourceFile],
    actor: str | None,
    uow: UnitOfWork | None,
    confirmed: Iterable[str] | None = None,
) -> DeployResult:
    """Validate and store files as new process versions; identical content is a no-op."""
    sources = list(sources)
    bundle, parser, problems = check_bundle(sources, rt.checks)
    errors = [p for p in problems if p.is_error]
    if errors or bundle is None:
        raise DefinitionError(errors)
    warnings = tuple(p for p in problems if not p.is_error)
    try:
        result = _store(rt, bundle, parser, actor, uow, confirmed)
    except IntegrityError:
        # Someone deployed the same content at the same moment; theirs counts.
        result = _store(rt, bundle, parser, actor, uow, confirmed)
    return DeployResult(result.created, result.unchanged, warnings)


def origin_of(files: Mapping[str, bytes | str], spec_file: str | None) -> str:
    """Where a process's diagram comes from: its file's name and the `id` of its BPMN
    `definitions` (modelers keep both while a diagram is edited; tools copy the id between
    diagrams, so the id alone does not tell two diagrams apart)."""
    name = Path(spec_file).name if spec_file else ""
    content = next((c for n, c in files.items() if Path(n).name == name), None) if name else None
    if content is not None:
        root = safe_parse_xml(name, content if isinstance(content, bytes) else content.encode(), [])
        if root is not None and root.get("id"):
            return f"{root.get('id')} ({name})"
    return name or "?"


def _deployed_origin(conn: Any, process_id: str) -> tuple[int, str] | None:
    row = conn.execute(
        select(process_version.c.version, process_version.c.files)
        .where(process_version.c.process_id == process_id)
        .order_by(process_version.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    marker = re.compile(rf"<(?:\w+:)?process\b[^>]*\bid=[\"']{re.escape(process_id)}[\"']")
    defining = next(
        (n for n, text in sorted(row.files.items()) if n.endswith(".bpmn") and marker.search(text)),
        None,
    )
    return int(row.version), origin_of(row.files, defining)


def _store(
    rt: Runtime,
    bundle: Any,
    parser: Any,
    actor: str | None,
    uow: UnitOfWork | None,
    confirmed: Iterable[str] | None,
) -> DeployResult:
    created: list[ProcessVersionInfo] = []
    unchanged: list[ProcessVersionInfo] = []
    now = rt.now()
    with rt.database.within(uow) as u:
        conn = u.connection
        if confirmed is not None:
            _ask_about_origins(conn, bundle, parser, set(confirmed))
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
            parsed = rt.codec.version_specs(*specs_of(parser, process_id), forms)
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


def _ask_about_origins(conn: Any, bundle: Any, parser: Any, confirmed: set[str]) -> None:
    """Refuse (OriginError) to make a process a new version of a deployed process that came
    from another diagram, unless its id was confirmed."""
    questions = []
    for process_id in sorted(bundle.process_names):
        if process_id in confirmed:
            continue
        deployed = _deployed_origin(conn, process_id)
        if deployed is None:
            continue
        if conn.execute(
            sql.VERSION_BY_HASH,
            {"b_process_id": process_id, "b_hash": bundle.content_hash(process_id)},
        ).first():
            continue  # the same content again: nothing would change
        new = origin_of(bundle.files, specs_of(parser, process_id)[0].file)
        if new != deployed[1]:
            questions.append(OriginQuestion(process_id, deployed[0], deployed[1], new))
    if questions:
        raise OriginError(questions)


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


def get_version(rt: Runtime, version_id: int) -> ProcessVersionInfo:
    """One deployed version, with its counts of instances."""
    with rt.database.reading() as conn:
        found = conn.execute(sql.VERSION_BY_ID, {"b_id": version_id}).first()
        if found is None:
            raise NotFoundError(f"Versie {version_id} bestaat niet.")
        counts = _counts(
            conn,
            process_instance.c.process_version_id,
            process_instance.c.process_version_id == version_id,
        )
    return rows.version_info(found, *counts.get(found.id, (0, 0)))


def version_files(rt: Runtime, version_id: int) -> dict[str, str]:
    """The files of a deployed version (name -> text)."""
    with rt.database.reading() as conn:
        found = conn.execute(sql.VERSION_FILES, {"b_id": version_id}).first()
    if found is None:
        raise NotFoundError(f"Versie {version_id} bestaat niet.")
    return dict(found.files)


def record_event(
    rt: Runtime,
    kind: str,
    actor: str | None,
    detail: Mapping[str, Any],
    uow: UnitOfWork | None,
    instance_id: int | None = None,
) -> None:
    """An application event in the audit trail: about no case (saving a draft, for instance),
    or about one case whatever its state (a finished case handed over to a new one)."""
    with rt.database.within(uow) as u:
        u.run(
            sql.INSERT_EVENT,
            {
                "instance_id": instance_id,
                "type": kind[:40],
                "at": rt.now(),
                "actor": actor,
                "task_id": None,
                "bpmn_id": None,
                "detail": dict(detail),
            },
        )


def check_snippet(rt: Runtime, kind: str, text: str, name: str) -> str | None:
    """One piece of a diagram checked as deploy checks it (see Engine.check_snippet)."""
    from engine.definitions.checks import check_timer
    from engine.scripting import check_expression, check_script

    if len(text) > 100_000:
        return "de tekst is te lang"
    if kind == "expression":
        return check_expression(text) if text.strip() else None
    if kind == "script":
        return check_script(text) if text.strip() else None
    if kind == "timer":
        tag = name if name in ("timeDuration", "timeDate", "timeCycle") else "timeDuration"
        return check_timer(tag, text.strip())
    if kind == "property":
        check = rt.property_checks.get(name)
        return check(text) if check is not None and text.strip() else None
    return f"onbekende soort controle '{kind}'"
