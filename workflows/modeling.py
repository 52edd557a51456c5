"""A process owner's drafts: start one from a deployed version or an imported diagram, save it
on the server (every save with who changed what), check it, compare it with the newest
version, and deploy it through the same use case as `wegwijs deploy`.

A save carries the revision it was based on; a save on an older revision (a second browser
tab, a colleague) is refused as a conflict and the text stays in the editor, so nothing is
lost and nothing is overwritten unseen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import insert, select, update

from engine import (
    CheckReport,
    ConflictError,
    DeployResult,
    Engine,
    EngineError,
    NotFoundError,
    Outline,
    SourceFile,
    VersionDiff,
    as_utc,
)
from workflows import processes
from workflows.accounts import Actor
from workflows.cases import require
from workflows.roles import MAY_MODEL
from workflows.tables import process_draft, process_draft_change

#: the most a draft may hold (the engine refuses more at check and deploy too)
MAX_DRAFT_BYTES = 20 * 1024 * 1024
_KINDS = (".bpmn", ".dmn", ".json")
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
#: the most changes one save lists (a replaced diagram would list every element)
MAX_SUMMARY = 15


@dataclass(frozen=True)
class DraftChange:
    """One save: who, when, what changed."""

    revision: int
    actor: str
    at: datetime
    summary: tuple[str, ...]


@dataclass(frozen=True)
class Draft:
    """A process owner's draft of a process definition (its files as text)."""

    id: int
    process_id: str
    title: str
    base_version_id: int | None
    origin: str
    files: dict[str, str]
    revision: int
    status: str
    deployed_version: int | None
    created_by: str
    updated_by: str
    updated_at: datetime
    changes: tuple[DraftChange, ...] = ()

    @property
    def bpmn_file(self) -> str | None:
        """The BPMN file that defines the draft's process (else the first BPMN file)."""
        bpmn = [n for n in sorted(self.files) if n.lower().endswith(".bpmn")]
        marker = f'id="{self.process_id}"'
        return next((n for n in bpmn if marker in self.files[n]), bpmn[0] if bpmn else None)

    def of_kind(self, suffix: str) -> list[str]:
        return [n for n in sorted(self.files) if n.lower().endswith(suffix)]

    def sources(self) -> list[SourceFile]:
        return [SourceFile(name, text.encode("utf-8")) for name, text in self.files.items()]


def _draft(row: Any, changes: Iterable[Any] = ()) -> Draft:
    return Draft(
        id=int(row.id),
        process_id=row.process_id,
        title=row.title,
        base_version_id=row.base_version_id,
        origin=row.origin,
        files=dict(row.files),
        revision=int(row.revision),
        status=row.status,
        deployed_version=row.deployed_version,
        created_by=row.created_by,
        updated_by=row.updated_by,
        updated_at=as_utc(row.updated_at),
        changes=tuple(
            DraftChange(int(c.revision), c.actor, as_utc(c.at), tuple(c.summary)) for c in changes
        ),
    )


def list_drafts(engine: Engine) -> list[Draft]:
    """The open drafts, most recently changed first."""
    with engine.reading() as conn:
        found = conn.execute(
            select(process_draft)
            .where(process_draft.c.status == "open")
            .order_by(process_draft.c.updated_at.desc())
        ).all()
    return [_draft(r) for r in found]


def get_draft(engine: Engine, draft_id: int) -> Draft:
    """One draft with who changed what in it (newest first)."""
    with engine.reading() as conn:
        found = conn.execute(select(process_draft).where(process_draft.c.id == draft_id)).first()
        if found is None:
            raise NotFoundError(f"Concept {draft_id} bestaat niet.")
        changes = conn.execute(
            select(process_draft_change)
            .where(process_draft_change.c.draft_id == draft_id)
            .order_by(process_draft_change.c.id.desc())
            .limit(100)
        ).all()
    return _draft(found, changes)


def _check_files(files: Mapping[str, str]) -> dict[str, str]:
    """File names a draft may hold (plain names with a known suffix) and its size cap."""
    clean: dict[str, str] = {}
    for name, text in files.items():
        path = PurePosixPath(str(name))
        if (
            not path.parts
            or ".." in path.parts
            or path.is_absolute()
            or not path.name.lower().endswith(_KINDS)
        ):
            raise EngineError(
                f"De bestandsnaam '{name}' kan niet: gebruik een naam op .bpmn, .dmn of .json."
            )
        if path.name.lower().endswith((".bpmn", ".dmn")) and _DTD.search(str(text)):
            raise EngineError(
                f"'{name}' bevat een DTD of entiteit (<!DOCTYPE>, <!ENTITY>); die zijn niet "
                "toegestaan in een procesbestand. Er is niets opgeslagen."
            )
        clean[str(path)] = str(text)
    if sum(len(t.encode("utf-8")) for t in clean.values()) > MAX_DRAFT_BYTES:
        raise EngineError("Het concept is te groot (meer dan 20 MB); er is niets opgeslagen.")
    return clean


def _insert(
    engine: Engine,
    actor: Actor,
    process_id: str,
    title: str,
    base_version_id: int | None,
    origin: str,
    files: Mapping[str, str],
    summary: list[str],
) -> int:
    now = engine.now()
    with engine.transaction() as uow:
        key = uow.connection.execute(
            insert(process_draft).values(
                process_id=process_id,
                title=title[:300],
                base_version_id=base_version_id,
                origin=origin[:300],
                files=dict(files),
                revision=1,
                status="open",
                created_by=actor.username,
                created_at=now,
                updated_by=actor.username,
                updated_at=now,
            )
        ).inserted_primary_key
        if key is None:
            raise EngineError("de database gaf geen nieuwe sleutel terug")
        draft_id = int(key[0])
        uow.connection.execute(
            insert(process_draft_change).values(
                draft_id=draft_id, revision=1, actor=actor.username, at=now, summary=summary
            )
        )
        engine.record_event(
            "draft_created",
            actor.username,
            {"draft": draft_id, "process_id": process_id, "origin": origin},
            uow,
        )
    return draft_id


def start_draft(engine: Engine, actor: Actor, version_id: int) -> Draft:
    """Use case: a new draft holding the files of a deployed version."""
    require(actor, MAY_MODEL, "geen concepten maken")
    info = engine.get_version(version_id)
    files = engine.version_files(version_id)
    draft_id = _insert(
        engine,
        actor,
        info.process_id,
        info.name,
        info.id,
        f"versie {info.version}",
        files,
        [f"begonnen vanaf versie {info.version}"],
    )
    return get_draft(engine, draft_id)


@dataclass(frozen=True)
class ImportResult:
    """An uploaded diagram: its findings, and the draft made of it (None: refused)."""

    report: CheckReport
    draft: Draft | None


def import_files(
    engine: Engine, actor: Actor, uploads: Iterable[tuple[str, bytes]]
) -> ImportResult:
    """Use case: check uploaded files (made elsewhere) and make a draft of them.

    Every file goes through the engine's own safe parsing first. A draft is made when the
    files can be worked on in the modeler: no findings at all, or only findings located on an
    element (a DTD, broken XML or a file that is no BPMN is refused outright).
    """
    files = [SourceFile(name, content) for name, content in uploads]
    report = processes.check(engine, actor, files)
    fixable = all(p.element_id for p in report.errors)
    if not fixable or not any(f.name.lower().endswith((".bpmn", ".dmn")) for f in files):
        return ImportResult(report, None)
    texts = {}
    for source in files:
        try:
            texts[PurePosixPath(source.name).name] = source.content.decode("utf-8")
        except UnicodeDecodeError:
            return ImportResult(report, None)
    texts = _check_files(texts)
    process_id = next(iter(sorted(report.processes)), "")
    if not process_id:
        drawn = engine.outline(files)
        process_id = next((e.process_id for e in drawn.elements if e.executable), "")
    title = report.processes.get(process_id) or process_id or next(iter(texts))
    names = ", ".join(sorted(texts))
    draft_id = _insert(
        engine,
        actor,
        process_id,
        title,
        None,
        f"import: {names}",
        texts,
        [f"geïmporteerd: {names}"],
    )
    return ImportResult(report, get_draft(engine, draft_id))


def add_files(
    engine: Engine, actor: Actor, draft_id: int, uploads: Iterable[tuple[str, bytes]]
) -> Draft:
    """Use case: add uploaded files (a decision table, a form) to a draft."""
    draft = get_draft(engine, draft_id)
    merged = dict(draft.files)
    for name, content in uploads:
        try:
            merged[PurePosixPath(name).name] = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EngineError(f"'{name}' is geen UTF-8-tekst; niets toegevoegd.") from exc
    return save_draft(engine, actor, draft_id, merged, draft.revision)


def save_file(
    engine: Engine, actor: Actor, draft_id: int, name: str, text: str, revision: int
) -> Draft:
    """Use case: store one file of a draft (the modeler's autosave, an editor's save)."""
    draft = get_draft(engine, draft_id)
    if name not in draft.files:
        raise EngineError(f"Het concept heeft geen bestand '{name}'; er is niets opgeslagen.")
    return save_draft(engine, actor, draft_id, {**draft.files, name: text}, revision)


def _summary(engine: Engine, before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """What a save changed, in words: files, and elements added, removed or renamed."""
    words = [f"bestand {n} toegevoegd" for n in sorted(set(after) - set(before))]
    words += [f"bestand {n} verwijderd" for n in sorted(set(before) - set(after))]
    changed = [n for n in sorted(set(before) & set(after)) if before[n] != after[n]]
    words += [f"formulier {n} gewijzigd" for n in changed if n.lower().endswith(".json")]
    words += [f"beslistabel {n} gewijzigd" for n in changed if n.lower().endswith(".dmn")]
    diagrams = [n for n in changed if n.lower().endswith(".bpmn")]
    if diagrams:
        old = _outline(engine, {n: before[n] for n in diagrams})
        new = _outline(engine, {n: after[n] for n in diagrams})
        old_by_id = {e.id: e for e in old.elements}
        new_by_id = {e.id: e for e in new.elements}
        for element_id in sorted(set(new_by_id) - set(old_by_id)):
            words.append(f"'{new_by_id[element_id].name or element_id}' toegevoegd")
        for element_id in sorted(set(old_by_id) - set(new_by_id)):
            words.append(f"'{old_by_id[element_id].name or element_id}' verwijderd")
        for element_id in sorted(set(old_by_id) & set(new_by_id)):
            a, b = old_by_id[element_id], new_by_id[element_id]
            if a.name != b.name:
                words.append(f"'{a.name or element_id}' hernoemd tot '{b.name}'")
            for key in sorted(set(a.properties) | set(b.properties)):
                if a.properties.get(key) != b.properties.get(key):
                    words.append(
                        f"'{b.name or element_id}': {key} "
                        f"'{a.properties.get(key, '')}' → '{b.properties.get(key, '')}'"
                    )
            if a.outgoing != b.outgoing:
                words.append(f"'{b.name or element_id}': pijlen of voorwaarden gewijzigd")
        if len(words) == 0:
            words.append("tekening gewijzigd")
    if len(words) > MAX_SUMMARY:
        words = [*words[:MAX_SUMMARY], f"en {len(words) - MAX_SUMMARY} andere wijzigingen"]
    return words or ["niets gewijzigd"]


def _outline(engine: Engine, files: Mapping[str, str]) -> Outline:
    return engine.outline([SourceFile(n, t.encode("utf-8")) for n, t in files.items()])


def save_draft(
    engine: Engine, actor: Actor, draft_id: int, files: Mapping[str, str], revision: int
) -> Draft:
    """Use case: store the draft's files (all of them) as its next revision; audited."""
    require(actor, MAY_MODEL, "geen concepten opslaan")
    files = _check_files(files)
    draft = get_draft(engine, draft_id)
    if draft.status != "open":
        raise ConflictError(
            f"Concept {draft_id} is al {'in gebruik genomen' if draft.status == 'deployed' else 'weggegooid'}; "
            "uw wijziging is niet opgeslagen. Begin een nieuw concept vanaf de nieuwste versie."
        )
    if files == draft.files:
        return draft
    summary = _summary(engine, draft.files, files)
    now = engine.now()
    with engine.transaction() as uow:
        changed = uow.connection.execute(
            update(process_draft)
            .where(process_draft.c.id == draft_id, process_draft.c.revision == revision)
            .values(
                files=dict(files), revision=revision + 1, updated_by=actor.username, updated_at=now
            )
        ).rowcount
        if changed != 1:
            raise ConflictError(
                f"Concept {draft_id} is intussen opgeslagen door {draft.updated_by} "
                f"(versie {draft.revision}); uw wijziging is niet opgeslagen maar staat nog in "
                "de editor. Laad het concept opnieuw en voer haar daarna weer in."
            )
        uow.connection.execute(
            insert(process_draft_change).values(
                draft_id=draft_id,
                revision=revision + 1,
                actor=actor.username,
                at=now,
                summary=summary,
            )
        )
        engine.record_event(
            "draft_saved",
            actor.username,
            {"draft": draft_id, "revision": revision + 1, "changes": summary[:50]},
            uow,
        )
    return get_draft(engine, draft_id)


def check_draft(engine: Engine, actor: Actor, draft_id: int) -> CheckReport:
    """Use case: every finding of a draft (errors block its deploy, warnings do not)."""
    return processes.check(engine, actor, get_draft(engine, draft_id).sources())


def diff_draft(engine: Engine, draft_id: int) -> VersionDiff | None:
    """What the draft changes against the newest version of its process (None: a new one)."""
    draft = get_draft(engine, draft_id)
    versions = [v for v in engine.list_processes() if v.process_id == draft.process_id]
    if not versions:
        return None
    return engine.diff_files(versions[0].id, draft.sources(), draft.process_id)


def deploy_draft(
    engine: Engine, actor: Actor, draft_id: int, confirm_new_version: bool = False
) -> DeployResult:
    """Use case: deploy a draft as a new version, through the same use case as
    `wegwijs deploy`. A draft that did not start from this process's versions (an import whose
    process id is taken) needs `confirm_new_version`; otherwise OriginError asks."""
    draft = get_draft(engine, draft_id)
    if draft.status != "open":
        raise ConflictError(f"Concept {draft_id} is al in gebruik genomen of weggegooid.")
    confirmed = [draft.process_id] if confirm_new_version or draft.base_version_id else []
    with engine.transaction() as uow:
        result = processes.deploy_sources(engine, actor, draft.sources(), confirmed, uow)
        deployed = next((v for v in result.created if v.process_id == draft.process_id), None)
        uow.connection.execute(
            update(process_draft)
            .where(process_draft.c.id == draft_id)
            .values(
                status="deployed",
                deployed_version=deployed.version if deployed else None,
                updated_by=actor.username,
                updated_at=engine.now(),
            )
        )
    return result


def discard_draft(engine: Engine, actor: Actor, draft_id: int) -> None:
    """Use case: throw a draft away (its history stays in the audit trail)."""
    require(actor, MAY_MODEL, "geen concepten weggooien")
    with engine.transaction() as uow:
        uow.connection.execute(
            update(process_draft)
            .where(process_draft.c.id == draft_id, process_draft.c.status == "open")
            .values(status="discarded", updated_by=actor.username, updated_at=engine.now())
        )
        engine.record_event("draft_discarded", actor.username, {"draft": draft_id}, uow)


def form_json(text: str) -> dict[str, Any]:
    """A form schema typed in the editor, as JSON (EngineError in Dutch when it is not)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EngineError(
            f"Het formulier is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno})."
        ) from exc
    if not isinstance(value, dict):
        raise EngineError("Een formulierschema is een JSON-object ({ … }).")
    return value


def check_snippet(engine: Engine, actor: Actor, kind: str, text: str, name: str = "") -> str | None:
    """Use case: the syntax check as you type in the modeler (the same check as at deploy)."""
    require(actor, MAY_MODEL, "geen procesdefinities controleren")
    return engine.check_snippet(kind, text, name)
