"""Generic BPMN runtime on SpiffWorkflow with SQLAlchemy persistence: the engine's public API.

The engine knows no initiative and no Flask. It hands out plain frozen dataclasses
(see `engine.types`); no SpiffWorkflow object leaves this package. The application uses what
this module exports, plus `engine.readmodel` (the tables it may read); import-linter holds
`workflows/` to that.
"""

from engine.clock import Clock, ManualClock, SystemClock, as_utc, current_time
from engine.definitions import SourceFile, read_paths
from engine.definitions.outline import Element as OutlineElement
from engine.definitions.outline import Lane as OutlineLane
from engine.definitions.outline import Outline, Rule, form_fields
from engine.errors import (
    ConflictError,
    DefinitionError,
    EngineError,
    InstanceStateError,
    NotFoundError,
    OriginError,
    OriginQuestion,
    Problem,
    TaskNotAllowedError,
)
from engine.facade import Engine
from engine.scripting import DEFAULT_LIMITS, Limits
from engine.services import Operator, ServiceCall, ServiceError
from engine.settings import (
    EngineSettings,
    SavedInstance,
    TaskDueInput,
    caches_enabled,
    fast_paths_enabled,
)
from engine.types import (
    CheckReport,
    DeployResult,
    ElementChange,
    EventRecord,
    HumanTask,
    InstanceDetail,
    InstanceSummary,
    MigrationCheck,
    MigrationRecord,
    OpenTask,
    ProcessVersionInfo,
    Trail,
    VersionDiff,
    Waiting,
)
from engine.unit_of_work import Reads, UnitOfWork

__all__ = [
    "DEFAULT_LIMITS",
    "CheckReport",
    "Clock",
    "ConflictError",
    "DefinitionError",
    "DeployResult",
    "ElementChange",
    "Engine",
    "EngineError",
    "EngineSettings",
    "EventRecord",
    "HumanTask",
    "InstanceDetail",
    "InstanceStateError",
    "InstanceSummary",
    "Limits",
    "ManualClock",
    "MigrationCheck",
    "MigrationRecord",
    "NotFoundError",
    "OpenTask",
    "Operator",
    "OriginError",
    "OriginQuestion",
    "Outline",
    "OutlineElement",
    "OutlineLane",
    "Problem",
    "ProcessVersionInfo",
    "Reads",
    "Rule",
    "SavedInstance",
    "ServiceCall",
    "ServiceError",
    "SourceFile",
    "SystemClock",
    "TaskDueInput",
    "TaskNotAllowedError",
    "Trail",
    "UnitOfWork",
    "VersionDiff",
    "Waiting",
    "as_utc",
    "caches_enabled",
    "current_time",
    "fast_paths_enabled",
    "form_fields",
    "read_paths",
]
