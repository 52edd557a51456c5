"""Domain services that diagrams call from service tasks, run inside the engine's transaction.

A diagram names an operator with `spiffworkflow:serviceTaskOperator id="fund_reserve"` and
parameters (expressions over the task data, evaluated in the sandbox). The application
registers operators with the engine (`EngineSettings.services`); each receives a `ServiceCall`
with the current transaction's connection and returns a JSON-serializable result, which lands
in the task data under the operator's `resultVariable`.

Each call runs under a SAVEPOINT: an operator that raises leaves no partial writes, and its
instance is marked errored with the operator's message (retryable after a fix).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from engine.errors import EngineError


@dataclass(frozen=True)
class ServiceCall:
    """What an operator knows about the call: where it runs and in which transaction."""

    connection: Connection
    instance_id: int
    process_id: str
    business_key: str | None
    task_bpmn_id: str
    now: datetime
    actor: str | None
    data: Mapping[str, Any]


Operator = Callable[[ServiceCall, dict[str, Any]], Any]


class ServiceError(EngineError):
    """An operator refused or failed; the message is shown with the errored instance."""


@dataclass(frozen=True)
class Scope:
    """The case whose step is running, and its transaction (with how to make a savepoint)."""

    connection: Connection
    instance_id: int
    process_id: str
    business_key: str | None
    now: datetime
    actor: str | None
    savepoint: Callable[[str], contextlib.AbstractContextManager[None]]


_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "wegwijs_service_scope", default=None
)


@contextlib.contextmanager
def scope(current: Scope) -> Iterator[None]:
    """Make the current transaction and instance available to operators called in this block."""
    token = _scope.set(current)
    try:
        yield
    finally:
        _scope.reset(token)


class Dispatcher:
    """Routes a service task to its registered operator."""

    def __init__(self, operators: Mapping[str, Operator]) -> None:
        self.operators = dict(operators)

    def names(self) -> frozenset[str]:
        return frozenset(self.operators)

    def __call__(
        self, task_bpmn_id: str, data: Mapping[str, Any], name: str, params: dict[str, Any]
    ) -> Any:
        operator = self.operators.get(name)
        if operator is None:
            raise ServiceError(f"De dienst '{name}' bestaat niet in deze installatie.")
        current = _scope.get()
        if current is None:
            raise ServiceError(f"De dienst '{name}' kan alleen binnen een zaak worden aangeroepen.")
        call = ServiceCall(
            connection=current.connection,
            instance_id=current.instance_id,
            process_id=current.process_id,
            business_key=current.business_key,
            task_bpmn_id=task_bpmn_id,
            now=current.now,
            actor=current.actor,
            data=dict(data),
        )
        with current.savepoint("wegwijs_service"):
            return operator(call, params)
