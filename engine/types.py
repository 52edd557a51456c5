"""Plain frozen dataclasses the engine hands out (never SpiffWorkflow objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.errors import Problem


@dataclass(frozen=True)
class ProcessVersionInfo:
    """One deployed version of one executable process."""

    id: int
    process_id: str
    name: str
    version: int
    content_hash: str
    deployed_at: datetime
    deployed_by: str | None
    files: tuple[str, ...]
    running_instances: int = 0
    finished_instances: int = 0


@dataclass(frozen=True)
class DeployResult:
    """Outcome of a deployment: the versions it created, or the ones it found unchanged."""

    created: tuple[ProcessVersionInfo, ...]
    unchanged: tuple[ProcessVersionInfo, ...]
    #: findings that did not stop the deployment
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class CheckReport:
    """Every finding of a check of definition files, errors (which block a deploy) first."""

    findings: tuple[Problem, ...]
    #: the executable processes found (id -> name); empty while there are errors
    processes: dict[str, str] = field(default_factory=dict)
    #: the decision tables found (when the files are only DMN)
    decisions: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.findings if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.findings if not p.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class HumanTask:
    """A user task as the worklist sees it (read from the human_task table)."""

    id: str
    instance_id: int
    process_id: str
    business_key: str | None
    bpmn_id: str
    title: str
    lane: str | None
    state: str
    assignee: str | None
    created_at: datetime
    claimed_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    due_at: datetime | None
    properties: dict[str, Any] = field(default_factory=dict)
    group: str | None = None  # candidate group within the lane; None: anyone in the lane


@dataclass(frozen=True)
class InstanceSummary:
    """One process instance, without its state."""

    id: int
    process_id: str
    version: int
    business_key: str | None
    status: str
    started_at: datetime
    ended_at: datetime | None
    next_timer_due: datetime | None
    last_error: str | None
    #: the user tasks opened by the call that returned this summary (start, complete_task,
    #: send_message, retry), in the order they were created; always empty when read back
    opened_tasks: tuple[HumanTask, ...] = ()


@dataclass(frozen=True)
class OpenTask:
    """A task about to be completed, as the completion's lock read found it: what a caller's
    check (who may, is the form right) needs, read once inside the transaction."""

    task: HumanTask
    case_status: str
    #: the JSON Schema of its form, from the version the case runs on (None: no form)
    form: dict[str, Any] | None


@dataclass(frozen=True)
class EventRecord:
    """One entry of the append-only audit trail."""

    id: int
    instance_id: int | None
    type: str
    at: datetime
    actor: str | None
    task_id: str | None
    bpmn_id: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class Waiting:
    """Something a running case waits for: a message (by its name) or a timer (the name of its
    element in the diagram, and when it is due)."""

    kind: str  # "message", "timer", or the event type of another event
    name: str
    due: datetime | None = None
    #: the waiting element's id in the diagram, and its properties there
    bpmn_id: str = ""
    properties: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.kind == "message":
            return f"bericht '{self.name}'"
        if self.kind == "timer":
            return f"timer '{self.name}' tot {self.due.isoformat() if self.due else '?'}"
        return f"{self.kind} '{self.name}'"


@dataclass(frozen=True)
class InstanceDetail:
    """An instance with its data, open tasks, waiting events and history."""

    summary: InstanceSummary
    data: dict[str, Any]
    open_tasks: tuple[HumanTask, ...]
    waiting_for: tuple[Waiting, ...]
    events: tuple[EventRecord, ...]


@dataclass(frozen=True)
class Trail:
    """Where a case has been and where it is, by BPMN element id (for drawing it on its diagram).

    Elements inside subprocesses and call activities are included; `ended` are the end events
    a finished case reached."""

    done: tuple[str, ...]
    current: tuple[str, ...]
    ended: tuple[str, ...] = ()


@dataclass(frozen=True)
class ElementChange:
    """One element that a new version adds, removes or changes, with the change in words."""

    element_id: str
    name: str
    kind: str  # "added", "removed" or "changed"
    what: tuple[str, ...]


@dataclass(frozen=True)
class VersionDiff:
    """What changed in a process from one version (or draft) to another."""

    process_id: str
    from_version: int | None
    to_version: int | None  # None: a draft, not deployed yet
    changes: tuple[ElementChange, ...]


@dataclass(frozen=True)
class MigrationCheck:
    """The pre-check of moving one case to another version: allowed or not, and why."""

    instance_id: int
    business_key: str | None
    status: str
    from_version: int
    to_version: int
    allowed: bool
    #: why it is refused (empty when allowed)
    reasons: tuple[str, ...]
    #: what changes for this case when it moves (renamed task, new norm, timers kept, …)
    changes: tuple[str, ...]


@dataclass(frozen=True)
class MigrationRecord:
    """A case that was moved to another version (and whether that can still be undone)."""

    id: int
    instance_id: int
    from_version: int
    to_version: int
    at: datetime
    actor: str | None
    changes: tuple[str, ...]
    undone_at: datetime | None
    undoable: bool
