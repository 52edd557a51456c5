"""How a failure inside a case is told to people: in Dutch, naming the diagram element,
never with a Python object's text (`<… object at 0x…>`).

The engine records these texts as an instance's `last_error`; the beheerder's error list and
`wegwijs show` print them as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine import spiff
from engine.errors import EngineError
from engine.scripting import SandboxViolation

#: longest text kept as an instance's last error
MAX_ERROR_LENGTH = 2000

_OBJECT_REPR = re.compile(r"<[A-Za-z_][\w.]*(?: object)? at 0x[0-9a-fA-F]+>")


def stalled(task: Any) -> str:
    """Why a case that can no longer move is in error, naming where it stands."""
    return (
        f"De zaak staat stil bij {spiff.element_label(task)}: er is geen open taak, geen timer "
        "en geen bericht waarmee de zaak verder kan (alleen nog bijvoorbeeld een intrekking). "
        "Laat de procesbeheerder het diagram nakijken; daarna kan de beheerder de zaak opnieuw "
        "proberen."
    )


def _quoted(exc: BaseException) -> str:
    return _plain(exc.args[0]) if exc.args else ""


_DUTCH: dict[type[BaseException], Callable[[BaseException], str]] = {
    NameError: lambda e: (
        f"de naam {_quoted_name(e)} is onbekend: het is geen gegeven van de zaak en geen "
        "hulpfunctie (een tikfout, of een veld dat eerder in het proces niet is ingevuld?)"
    ),
    KeyError: lambda e: f"het gegeven '{_quoted(e)}' ontbreekt",
    IndexError: lambda e: "een lijst heeft minder elementen dan de gevraagde positie",
    ZeroDivisionError: lambda e: "er wordt door nul gedeeld",
    AttributeError: lambda e: f"een waarde heeft dit onderdeel niet ({_quoted(e)})",
    TypeError: lambda e: f"een waarde heeft niet het verwachte soort ({_quoted(e)})",
    ValueError: lambda e: f"een waarde is ongeldig ({_quoted(e)})",
    RecursionError: lambda e: "de berekening roept zichzelf te vaak aan",
    MemoryError: lambda e: "de berekening vraagt te veel geheugen",
}


def _quoted_name(exc: BaseException) -> str:
    name = getattr(exc, "name", None)
    if name:
        return f"'{name}'"
    found = re.search(r"'([^']+)'", _quoted(exc))
    return f"'{found.group(1)}'" if found else "(onbekend)"


def _root_cause(exc: BaseException) -> BaseException:
    """The exception that started it all (SpiffWorkflow wraps the original one, often twice)."""
    seen: set[int] = set()
    current = exc
    while id(current) not in seen:
        seen.add(id(current))
        inner = getattr(current, "exception", None) or current.__cause__ or current.__context__
        if not isinstance(inner, BaseException):
            break
        current = inner
    return current


def _plain(value: Any) -> str:
    """Text of a value for a person: an element by its name, never an object repr."""
    spec = getattr(value, "task_spec", None) or value
    if getattr(spec, "bpmn_id", None) or getattr(spec, "bpmn_name", None):
        name = getattr(spec, "bpmn_name", None) or spec.bpmn_id
        return f"'{name}'"
    return _OBJECT_REPR.sub("(intern onderdeel)", str(value))


def describe(exc: BaseException) -> str:
    """One line: where in the diagram (element and line) and what went wrong, in Dutch."""
    task = getattr(exc, "task", None)
    where = f"bij {spiff.element_label(task)}" if task is not None else ""
    line = getattr(exc, "line_number", 0)
    if where and isinstance(line, int) and line > 0:
        where += f", regel {line}"
    root = _root_cause(exc)
    if isinstance(exc, EngineError):  # the engine's own refusals are already worded for people
        text = str(exc)
    elif isinstance(root, SandboxViolation):
        text = str(root)
    else:
        translate = next((f for kind, f in _DUTCH.items() if isinstance(root, kind)), None)
        if translate is not None:
            text = translate(root)
        else:
            text = _plain(exc.args[0]) if exc.args else exc.__class__.__name__
            notes = [
                n
                for n in getattr(exc, "notes", None) or getattr(exc, "__notes__", None) or []
                if n and n not in text and not n.startswith("Python script error")
            ]
            if notes:
                text += " (" + "; ".join(_plain(n) for n in notes) + ")"
    message = f"{where}: {text}" if where else text
    return _OBJECT_REPR.sub("(intern onderdeel)", message)[:MAX_ERROR_LENGTH]
