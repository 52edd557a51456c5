"""Generic BPMN runtime on SpiffWorkflow with SQLAlchemy persistence.

The engine knows no initiative and no Flask. It hands out plain frozen dataclasses
(see `engine.types`); no SpiffWorkflow object leaves this package.
"""

from engine.clock import Clock, ManualClock, SystemClock
from engine.errors import (
    ConflictError,
    DefinitionError,
    EngineError,
    NotFoundError,
    Problem,
    TaskNotAllowedError,
)
from engine.runtime import Engine, EngineSettings, caches_enabled
from engine.types import (
    DeployResult,
    EventRecord,
    HumanTask,
    InstanceDetail,
    InstanceSummary,
    ProcessVersionInfo,
)

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
    "InstanceSummary",
    "ManualClock",
    "NotFoundError",
    "Problem",
    "ProcessVersionInfo",
    "SystemClock",
    "TaskNotAllowedError",
    "caches_enabled",
]
