"""The errors a caller of Wegwijs may see, re-exported so the web layer need not import the engine."""

from engine import (
    ConflictError,
    DefinitionError,
    EngineError,
    InstanceStateError,
    NotFoundError,
    OriginError,
    Problem,
    TaskNotAllowedError,
)

__all__ = [
    "ConflictError",
    "DefinitionError",
    "EngineError",
    "InstanceStateError",
    "NotFoundError",
    "OriginError",
    "Problem",
    "TaskNotAllowedError",
]
