"""The engine's tables the application may read in its own queries (worklists, reports, read
models) and the one it writes to (the outbox, in the transaction of the step that caused the
message). Their columns are a published interface: a migration that changes them says so.

This and `engine` itself are all of the engine that `workflows/` may import (import-linter).
"""

from engine.persistence.tables import (
    NAMING_CONVENTION,
    TASK_IS_OPEN,
    Id,
    event,
    human_task,
    metadata,
    outbox,
    process_instance,
    process_version,
)

__all__ = [
    "NAMING_CONVENTION",
    "TASK_IS_OPEN",
    "Id",
    "event",
    "human_task",
    "metadata",
    "outbox",
    "process_instance",
    "process_version",
]
