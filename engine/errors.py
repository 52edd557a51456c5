"""Errors the engine raises: each carries a message a process owner or casist understands."""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base class: every error the engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One located finding in a set of process definition files: an error (blocks a deploy)
    or a warning (does not), and the rule that found it."""

    file: str
    message: str
    element_id: str | None = None
    line: int | None = None
    severity: str = "error"  # "error" or "warning"
    rule: str = "laden"  # which check found it, e.g. "laden", "bpmnlint:label-required"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

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


@dataclass(frozen=True)
class OriginQuestion:
    """A process about to become a new version of a deployed process that came from another
    diagram (another `definitions` id): the same id by accident, or really the next version?"""

    process_id: str
    latest_version: int
    deployed_origin: str
    new_origin: str


class OriginError(EngineError):
    """A deployment asks first: these process ids are deployed already from another diagram."""

    def __init__(self, questions: list[OriginQuestion]) -> None:
        self.questions = list(questions)
        lines = "\n".join(
            f"  - proces '{q.process_id}' bestaat al (versie {q.latest_version}, uit diagram "
            f"'{q.deployed_origin}'); dit diagram ('{q.new_origin}') zou er versie "
            f"{q.latest_version + 1} van worden"
            for q in self.questions
        )
        super().__init__(
            "Een proces met hetzelfde id komt uit een ander diagram:\n"
            f"{lines}\nBevestig dat het een nieuwe versie van hetzelfde proces is, of geef het "
            "proces een eigen id."
        )
