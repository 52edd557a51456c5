"""Definition files as they arrive: from disk (files and folders) or an upload, with size caps."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import DefinitionError, Problem

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_BUNDLE_BYTES = 20 * 1024 * 1024
MAX_FILES = 200
XML_SUFFIXES = (".bpmn", ".bpmn20.xml", ".xml", ".dmn")
FORM_SUFFIXES = (".json",)


@dataclass(frozen=True)
class SourceFile:
    """One uploaded or on-disk definition file."""

    name: str
    content: bytes


@dataclass
class Bundle:
    """A validated set of files, ready to deploy."""

    files: dict[str, bytes]
    process_names: dict[str, str]  # executable process id -> display name
    process_files: dict[str, tuple[str, ...]]  # process id -> files its version consists of
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)

    def content_hash(self, process_id: str) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.process_files[process_id]):
            digest.update(name.encode())
            digest.update(b"\0")
            digest.update(hashlib.sha256(self.files[name]).digest())
        return digest.hexdigest()


def read_paths(paths: Iterable[str | Path]) -> list[SourceFile]:
    """Read definition files from files and folders (folders recursively, known suffixes only)."""
    files: list[SourceFile] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.name.endswith(XML_SUFFIXES + FORM_SUFFIXES)
            )
            base = path
        elif path.is_file():
            candidates, base = [path], path.parent
        else:
            raise DefinitionError([Problem(str(path), "bestand of map bestaat niet")])
        for candidate in candidates:
            size = candidate.stat().st_size
            name = candidate.relative_to(base).as_posix()
            if size > MAX_FILE_BYTES:
                files.append(
                    SourceFile(name, b"")
                )  # flagged below without reading 20 MB into memory
                raise DefinitionError([too_large(name, size)])
            files.append(SourceFile(name, candidate.read_bytes()))
    return files


def too_large(name: str, size: int) -> Problem:
    return Problem(
        name,
        f"het bestand is te groot ({size / 1024 / 1024:.1f} MB; maximaal "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB per bestand)",
    )
