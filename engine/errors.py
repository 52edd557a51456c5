"""Errors the engine raises: each carries a message a process owner or casist understands."""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base class: every error the engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One located problem in a set of process definition files."""

    file: str
    message: str
    element_id: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f", regel {self.line}"
        if self.element_id:
            where += f", element '{self.element_id}'"
        return f"{where}: {self.message}"


class DefinitionError(EngineError):
    """A deployment was refused: the files have one or more located problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"De procesdefinitie is afgekeurd ({len(self.problems)} probleem/problemen):\n{lines}"
        )


class NotFoundError(EngineError):
    """The process, instance or task does not exist."""


class ConflictError(EngineError):
    """The state changed meanwhile (a double or stale submit); nothing was changed."""


class TaskNotAllowedError(EngineError):
    """The task exists but this user may not act on it (lane/role)."""


class InstanceStateError(EngineError):
    """The instance is not in a state that allows this operation."""


class ScriptError(EngineError):
    """A script or expression in a diagram failed; it errors only its own instance."""
