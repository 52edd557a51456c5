"""Why the engine refuses a request, in the Dutch a casist reads on the page."""

from __future__ import annotations

from typing import Any

from engine.clock import as_utc

_STATUS_NL = {
    "completed": "afgerond",
    "cancelled": "geannuleerd",
    "errored": "in fout",
    "running": "lopend",
    "waiting": "wachtend",
}


def status_nl(status: str) -> str:
    return _STATUS_NL.get(status, status)


def task_closed(row: Any) -> str:
    """A task that is no longer open (row: a human_task row): by whom and when it closed."""
    if row.state == "completed":
        who = f" door {row.completed_by}" if row.completed_by else ""
        when = as_utc(row.completed_at).strftime("%d-%m-%Y %H:%M") if row.completed_at else ""
        return f"Taak '{row.title}' is al afgerond{who} ({when} UTC); uw invoer is niet verwerkt."
    return (
        f"Taak '{row.title}' is niet meer open (status: {row.state}); uw invoer is niet verwerkt."
    )


def not_active(instance_id: int, status: str, what: str) -> str:
    return f"Zaak {instance_id} is {status_nl(status)}; {what}"
