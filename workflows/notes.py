"""What staff attach to a case: internal notes and documents (type checked on the content)."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, insert, select
from sqlalchemy.engine import Connection

from engine import Engine, EngineError, NotFoundError, as_utc
from workflows.accounts import User
from workflows.tables import document, initiative, note

MAX_NOTE = 5000
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: quotas: what one case may hold, and what one person may upload in 24 hours
MAX_CASE_DOCUMENTS = 50
MAX_CASE_BYTES = 100 * 1024 * 1024
MAX_USER_DAY_BYTES = 200 * 1024 * 1024
#: an office file (a ZIP container) may expand to this much, in at most this many entries
MAX_EXPANDED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
#: what may be uploaded (checked on the content, not on the name the browser sends)
DOCUMENT_TYPES: Mapping[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}


@dataclass(frozen=True)
class NoteItem:
    id: int
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class DocumentItem:
    id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


def of_case(conn: Connection, instance_id: int) -> tuple[NoteItem, ...]:
    """The notes of a case, newest first."""
    return tuple(
        NoteItem(int(n.id), n.author, n.body, as_utc(n.created_at))
        for n in conn.execute(
            select(note).where(note.c.instance_id == instance_id).order_by(note.c.id.desc())
        )
    )


def documents_of_case(conn: Connection, instance_id: int) -> tuple[DocumentItem, ...]:
    """The documents of a case (without their content), newest first."""
    return tuple(
        DocumentItem(
            int(d.id), d.filename, d.content_type, d.size, d.uploaded_by, as_utc(d.uploaded_at)
        )
        for d in conn.execute(
            select(
                document.c.id,
                document.c.filename,
                document.c.content_type,
                document.c.size,
                document.c.uploaded_by,
                document.c.uploaded_at,
            )
            .where(document.c.instance_id == instance_id)
            .order_by(document.c.id.desc())
        )
    )


def add_note(engine: Engine, user: User, instance_id: int, body: str) -> NoteItem:
    """Use case: add an internal note to a case."""
    text = body.strip()
    if not text:
        raise EngineError("De notitie is leeg; schrijf eerst iets.")
    if len(text) > MAX_NOTE:
        raise EngineError(f"De notitie is te lang ({len(text)} tekens; maximaal {MAX_NOTE}).")
    with engine.transaction() as uow:
        conn = uow.connection
        _require_case(conn, instance_id)
        now = engine.now()
        key = conn.execute(
            insert(note).values(
                instance_id=instance_id, author=user.username, body=text, created_at=now
            )
        ).inserted_primary_key
        assert key is not None  # noqa: S101
        return NoteItem(int(key[0]), user.username, text, now)


def add_document(
    engine: Engine, user: User, instance_id: int, filename: str, content: bytes
) -> DocumentItem:
    """Use case: attach an uploaded file to a case (type checked on its content)."""
    checked = check_document(filename, content)
    with engine.transaction() as uow:
        conn = uow.connection
        _require_case(conn, instance_id)
        now = engine.now()
        _within_quotas(conn, user, instance_id, len(content), now)
        return store_document(conn, instance_id, checked, user.username, now)


@dataclass(frozen=True)
class CheckedDocument:
    """An upload that passed the checks: its safe name, its type (from the content), its bytes."""

    filename: str
    content_type: str
    content: bytes


def check_document(filename: str, content: bytes) -> CheckedDocument:
    """The checks every upload passes, staff's and initiators' alike: a usable name, not empty,
    not too large, and really the kind of file its name says (read from the content)."""
    name = _safe_filename(filename)
    if not content:
        raise EngineError(f"Het bestand '{name}' is leeg.")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise EngineError(
            f"Het bestand '{name}' is te groot ({len(content) / 1_048_576:.1f} MB; maximaal "
            f"{MAX_DOCUMENT_BYTES // 1_048_576} MB)."
        )
    return CheckedDocument(name, _sniff(name, content), content)


def store_document(
    conn: Connection, instance_id: int, checked: CheckedDocument, by: str, now: datetime
) -> DocumentItem:
    """Keep a checked file with its case (in the caller's transaction)."""
    content = checked.content
    key = conn.execute(
        insert(document).values(
            instance_id=instance_id,
            filename=checked.filename,
            content_type=checked.content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_by=by,
            uploaded_at=now,
        )
    ).inserted_primary_key
    assert key is not None  # noqa: S101
    return DocumentItem(int(key[0]), checked.filename, checked.content_type, len(content), by, now)


def _within_quotas(
    conn: Connection, user: User, instance_id: int, size: int, now: datetime
) -> None:
    held = conn.execute(
        select(func.count(), func.coalesce(func.sum(document.c.size), 0)).where(
            document.c.instance_id == instance_id
        )
    ).one()
    if held[0] >= MAX_CASE_DOCUMENTS:
        raise EngineError(
            f"Deze zaak heeft al {held[0]} documenten (maximaal {MAX_CASE_DOCUMENTS}); "
            "voeg bestanden samen of verwijder er via de beheerder een paar."
        )
    if held[1] + size > MAX_CASE_BYTES:
        raise EngineError(
            f"Met dit bestand wordt de zaak groter dan {MAX_CASE_BYTES // 1_048_576} MB aan "
            "documenten; maak het bestand kleiner."
        )
    today = conn.execute(
        select(func.coalesce(func.sum(document.c.size), 0)).where(
            document.c.uploaded_by == user.username,
            document.c.uploaded_at > now - timedelta(days=1),
        )
    ).scalar_one()
    if today + size > MAX_USER_DAY_BYTES:
        raise EngineError(
            f"U heeft de afgelopen 24 uur al {today / 1_048_576:.0f} MB opgeladen (maximaal "
            f"{MAX_USER_DAY_BYTES // 1_048_576} MB per dag); probeer het morgen opnieuw."
        )


#: what each office format must contain (so a renamed ZIP is not taken for a document)
_OFFICE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "odt": "content.xml"}


def _check_office(name: str, ext: str, content: bytes) -> None:
    """An office file is a ZIP: refuse a broken one, one with too many entries, or one that
    expands beyond the bound (read, never written anywhere, and stopped at the bound)."""
    refused = EngineError(f"Het bestand '{name}' is geen geldig .{ext}-bestand.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise EngineError(
                    f"Het bestand '{name}' bevat te veel onderdelen ({len(entries)}; "
                    f"maximaal {MAX_ZIP_ENTRIES})."
                )
            if _OFFICE_PARTS[ext] not in {e.filename for e in entries}:
                raise refused
            expanded = 0
            for entry in entries:
                expanded += entry.file_size  # what it says first: most bombs say it honestly
                if expanded > MAX_EXPANDED_BYTES:
                    raise _too_large(name)
            expanded = 0
            for entry in entries:  # then what it really holds, stopped at the bound
                with archive.open(entry) as member:
                    while chunk := member.read(1 << 20):
                        expanded += len(chunk)
                        if expanded > MAX_EXPANDED_BYTES:
                            raise _too_large(name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise refused from None
    except RuntimeError:  # an encrypted entry
        raise EngineError(
            f"Het bestand '{name}' is versleuteld; lever het zonder wachtwoord aan."
        ) from None


def _too_large(name: str) -> EngineError:
    return EngineError(
        f"Het bestand '{name}' wordt uitgepakt groter dan "
        f"{MAX_EXPANDED_BYTES // 1_048_576} MB en wordt daarom niet aangenomen."
    )


@dataclass(frozen=True)
class DocumentFile:
    filename: str
    content_type: str
    content: bytes


def get_document(engine: Engine, instance_id: int, document_id: int) -> DocumentFile:
    """Use case: one attached file of a case."""
    with engine.reading() as conn:
        row = conn.execute(
            select(document.c.filename, document.c.content_type, document.c.content).where(
                and_(document.c.id == document_id, document.c.instance_id == instance_id)
            )
        ).first()
    if row is None:
        raise NotFoundError("Dit document bestaat niet (meer).")
    return DocumentFile(row.filename, row.content_type, bytes(row.content))


def _require_case(conn: Connection, instance_id: int) -> None:
    if (
        conn.execute(
            select(initiative.c.instance_id).where(initiative.c.instance_id == instance_id)
        ).first()
        is None
    ):
        raise NotFoundError(f"Zaak {instance_id} bestaat niet.")


def _safe_filename(filename: str) -> str:
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    # what is not a letter, digit or one of ". - ( )" becomes "-" (an "_" would read as a code)
    base = re.sub(r"[^\w.\- ()]+", "-", base)[:200].strip("._- ")
    if not base:
        raise EngineError("Het bestand heeft geen bruikbare naam.")
    return base


_MAGIC: tuple[tuple[bytes, tuple[str, ...]], ...] = (
    (b"%PDF-", ("pdf",)),
    (b"\x89PNG\r\n\x1a\n", ("png",)),
    (b"\xff\xd8\xff", ("jpg", "jpeg")),
    (b"PK\x03\x04", ("docx", "xlsx", "odt")),
)


def _sniff(name: str, content: bytes) -> str:
    """The content type, when the content really is the kind of file its name says."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in DOCUMENT_TYPES:
        raise EngineError(
            f"Bestandstype '.{ext or '?'}' wordt niet aangenomen. Toegestaan: "
            f"{', '.join('.' + e for e in DOCUMENT_TYPES)}."
        )
    for magic, kinds in _MAGIC:
        if ext in kinds:
            if not content.startswith(magic):
                raise EngineError(f"Het bestand '{name}' is geen echt .{ext}-bestand.")
            if ext in _OFFICE_PARTS:
                _check_office(name, ext, content)
            return DOCUMENT_TYPES[ext]
    try:  # txt and csv: must be text
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EngineError(f"Het bestand '{name}' is geen leesbare tekst (UTF-8).") from exc
    return DOCUMENT_TYPES[ext]
