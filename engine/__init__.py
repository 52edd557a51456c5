"""Generic BPMN runtime on SpiffWorkflow with SQLAlchemy persistence: the engine's public API.

The engine knows no initiative and no Flask. It hands out plain frozen dataclasses
(see `engine.types`); no SpiffWorkflow object leaves this package. The application uses what
this module exports, plus `engine.readmodel` (the tables it may read); import-linter holds
`workflows/` to that.
"""

from engine.clock import Clock, ManualClock, SystemClock, as_utc, current_time
from engine.errors import (
    ConflictError,
    DefinitionError,
    EngineError,
    InstanceStateError,
    NotFoundError,
    Problem,
    TaskNotAllowedError,
)
from engine.facade import Engine
from engine.services import Operator, ServiceCall, ServiceError
from engine.settings import (
    EngineSettings,
    SavedInstance,
    TaskDueInput,
    caches_enabled,
    fast_paths_enabled,
)
from engine.types import (
    DeployResult,
    EventRecord,
    HumanTask,
    InstanceDetail,
    InstanceSummary,
    OpenTask,
    ProcessVersionInfo,
    Trail,
)
from engine.unit_of_work import Reads, UnitOfWork

__all__ = [
    "Clock",
    "ConflictError",
    "DefinitionError",
    "DeployResult",
    "Engine",
    "EngineError",
    "EngineSettings",
    "EventRecord",
    "HumanTask",
    "InstanceDetail",
    "InstanceStateError",
    "InstanceSummary",
    "ManualClock",
    "NotFoundError",
    "OpenTask",
    "Operator",
    "Problem",
    "ProcessVersionInfo",
    "Reads",
    "SavedInstance",
    "ServiceCall",
    "ServiceError",
    "SystemClock",
    "TaskDueInput",
    "TaskNotAllowedError",
    "Trail",
    "UnitOfWork",
    "as_utc",
    "caches_enabled",
    "current_time",
    "fast_paths_enabled",
]
