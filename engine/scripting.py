"""Safe evaluation of the scripts and expressions a diagram carries.

SpiffWorkflow evaluates conditions, scripts, timer expressions, DMN cells, multi-instance and
message expressions with plain `eval`/`exec`. Every one of them passes through
`SandboxEnvironment` instead, which:

- compiles with RestrictedPython (no `_`-names, no dunder access, no `import`), so the classic
  escape `().__class__.__base__.__subclasses__()` is refused at compile time;
- offers a small, documented set of builtins plus helpers the application registers;
- bounds the work one evaluation can do: a wall-clock budget checked on every loop pass and
  every iterated item, guarded `*`, `**` and `<<` (no 10 GB strings or 10**10**9 integers),
  a bounded `range`, guarded string methods that can amplify size, and a check on the
  process's resident memory growth while loops run.

A violation raises `SandboxViolation` (deliberately not a `SyntaxError`: SpiffWorkflow's error
reporting crashes on a SyntaxError without a line number), which SpiffWorkflow wraps into a
task error; the engine then marks only that instance as errored.

Residual risk, documented for the team: this is an in-process sandbox. Single C-level operations
that we have not guarded (for example an f-string with an enormous width) can still allocate
or spin before the next check. Running engine steps in a separate, rlimited worker process is
the stronger next step for untrusted diagrams.

It is one module (~830 lines) on purpose: the compile-time policy and the run-time guards it
inserts calls to must be read together to judge what a script can do.
"""

from __future__ import annotations

import ast
import builtins
import copy
import datetime as _datetime
import functools
import json
import math
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment


class SandboxViolation(Exception):  # noqa: N818 - reads better in messages than "...Error"
    """A script or expression did something the sandbox does not allow."""


class ResourceLimitExceeded(SandboxViolation):
    """A script or expression exceeded its time, size or memory budget."""


@dataclass(frozen=True)
class Limits:
    """Bounds on one evaluation of a script or expression."""

    seconds: float = 2.0
    max_sequence: int = 1_000_000  # elements or characters a single operation may produce
    max_int_bits: int = 100_000
    max_memory_growth: int = 256 * 1024 * 1024  # bytes of resident memory while loops run
    #: a case's data after a script, as stored (JSON; every reference counted, as it is saved)
    max_data_bytes: int = 1_000_000


DEFAULT_LIMITS = Limits()

# ------------------------------------------------------------------ compile-time policy


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


_GUARDED_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Mod: "%",
    ast.Mult: "*",
    ast.Pow: "**",
    ast.LShift: "<<",
}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: no imports, ticks in loops, guarded amplifying operators."""

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(
            node, "'import' is niet toegestaan in scripts; gebruik de beschikbare hulpfuncties."
        )
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.error(
            node, "'import' is niet toegestaan in scripts; gebruik de beschikbare hulpfuncties."
        )
        return node

    def visit_Global(self, node: ast.Global) -> ast.AST:
        self.error(node, "'global' is niet toegestaan in scripts.")
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        new = self.node_contents_visit(node)
        tick = ast.Expr(value=_call("_tick_"))
        ast.copy_location(tick, node)
        new.body.insert(0, tick)
        ast.fix_missing_locations(new)
        return new

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        """f'{v:SPEC}' becomes f'{_format_(v, SPEC, conversion)}': the width is checked."""
        new = self.node_contents_visit(node)
        if new.format_spec is None:
            return new
        call = _call("_format_", new.value, new.format_spec, ast.Constant(new.conversion))
        replaced = ast.FormattedValue(value=call, conversion=-1, format_spec=None)
        ast.copy_location(replaced, node)
        ast.fix_missing_locations(replaced)
        return replaced

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        new = self.node_contents_visit(node)
        symbol = _GUARDED_BINOPS.get(type(new.op))
        if symbol is None:
            return new
        call = _call("_binop_", ast.Constant(symbol), new.left, new.right)
        ast.copy_location(call, node)
        ast.fix_missing_locations(call)
        return call


_LINE = re.compile(r"^Line (\d+): ")
_RESTRICTED_MESSAGES = (
    (
        re.compile(r"SyntaxError: .*? at statement: (.*)$", re.DOTALL),
        "dit is geen geldige Python-code: {0}",  # {0}: the statement as written
    ),
    (
        re.compile(r'"(.*?)" is an invalid (?:attribute|variable) name because it starts with "_"'),
        "'{0}' is niet toegestaan: namen die met '_' beginnen zijn afgeschermd",
    ),
    (re.compile(r'"(.*?)" is a reserved name'), "'{0}' is een gereserveerde naam"),
    (re.compile(r"(Exec|Eval) calls are not allowed"), "{0}() is niet toegestaan in scripts"),
)


def _dutch(error: str) -> str:
    """One of RestrictedPython's (English) compile errors in Dutch; ours pass unchanged."""
    text = error.replace("<inline>", "").strip()
    line = _LINE.match(text)
    where = f"regel {line.group(1)}: " if line else ""
    text = _LINE.sub("", text)
    for pattern, dutch in _RESTRICTED_MESSAGES:
        found = pattern.search(text)
        if found:
            return where + dutch.format(*found.groups()).removesuffix(": None").rstrip(".")
    if not re.search(r"\bniet\b", text):  # another of RestrictedPython's English texts
        return where + "deze Python-constructie is in scripts niet toegestaan"
    return where + text


def _format_errors(errors: Iterable[str]) -> str:
    return "; ".join(_dutch(e) for e in errors)


#: Held while Python source becomes AST objects or AST objects become code. In CPython 3.11
#: the AST converter's recursion counter lives in the interpreter, shared by every thread
#: (python/cpython#106905 and the reports linked there): two threads converting at once,
#: with a garbage collection or a thread switch in between, fail with "SystemError: AST
#: constructor recursion depth mismatch". It hit a case during 50 concurrent decisions.
#: Re-entrant, because a bundle's whole parse holds it and the checks inside parse again.
AST_LOCK = threading.RLock()


def parse_python(source: str, mode: str = "exec") -> ast.AST:
    """`ast.parse` under `AST_LOCK`: use it for every parse the engine does at run time."""
    with AST_LOCK:
        return ast.parse(source, mode=mode)


def literal(text: str) -> Any:
    """`ast.literal_eval` under `AST_LOCK`."""
    with AST_LOCK:
        return ast.literal_eval(text)


@functools.lru_cache(maxsize=4096)
def _compile(source: str, mode: str) -> Any:
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        with AST_LOCK:
            result = compiler(source, filename="<string>", policy=_Policy)
    except (SyntaxError, ValueError) as exc:  # Python's own compile after the policy passed
        line = getattr(exc, "lineno", None)
        raise SandboxViolation(
            (f"regel {line}: " if line else "") + "dit is geen geldige Python-code"
        ) from exc
    if result.errors:
        raise SandboxViolation(_format_errors(result.errors))
    return result.code


def check_expression(source: str) -> str | None:
    """Return a message if `source` is not an allowed expression, else None (nothing runs)."""
    return _check(source.strip(), "eval")


def check_script(source: str) -> str | None:
    """Return a message if `source` is not an allowed script, else None (nothing runs)."""
    return _check(source, "exec")


def _check(source: str, mode: str) -> str | None:
    try:
        _compile(source, mode)
    except SandboxViolation as exc:
        from engine.definitions.dialects import foreign_expression_hint

        hint = foreign_expression_hint(source) if "geldige Python" in str(exc) else None
        return f"{exc}; {hint}" if hint else str(exc)
    missing = _unavailable_calls(source, mode)
    if missing:
        names = ", ".join(f"{name}()" for name in missing)
        return (
            f"{names} bestaat in scripts niet (beschikbaar zijn onder meer "
            f"{', '.join(f'{n}()' for n in _SHOWN_BUILTINS)} en {', '.join(DOCUMENTED_HELPERS)})"
        )
    return None


def _unavailable_calls(source: str, mode: str) -> list[str]:
    """Python builtins the source calls that the sandbox does not offer (e.g. open(), type()).

    What deploy accepts, the runtime must run: such a call would compile and then fail on the
    case with a NameError. A name the source defines itself, or one task data could hold under
    that name without being called, is not reported.
    """
    tree = parse_python(source, mode)
    defined: set[str] = set()
    called: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            defined.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(node.func.id)
    offered = set(_BASE_GLOBALS["__builtins__"]) | set(_BASE_GLOBALS) | {"print"}
    return sorted(name for name in called - defined - offered if name in vars(builtins))


# ------------------------------------------------------------------ run-time budget


class _Budget(threading.local):
    def __init__(self) -> None:
        self.deadline: float | None = None
        self.ticks = 0
        self.rss_start = 0
        self.checked = 0.0  # when the clock and memory were last looked at
        self.limits = DEFAULT_LIMITS


_budget = _Budget()
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _tick() -> None:
    _budget.ticks += 1
    if not _budget.rss_start:  # baseline taken at the first loop pass: only looping code pays
        _budget.rss_start = _resident_bytes() or -1
    now = time.monotonic()
    # every 64 passes, and on any pass 2 ms after the last look: a pass that allocates a lot
    # (a set of a million numbers) is seen at once, a cheap tight loop pays little
    if _budget.ticks & 63 and now - _budget.checked < 0.002:
        return
    _budget.checked = now
    deadline = _budget.deadline
    if deadline is not None and now > deadline:
        raise ResourceLimitExceeded(
            f"het script of de expressie liep langer dan {_budget.limits.seconds:g} seconden en is gestopt"
        )
    if _budget.rss_start > 0:
        grown = _resident_bytes() - _budget.rss_start
        if grown > _budget.limits.max_memory_growth:
            raise ResourceLimitExceeded(
                f"het script of de expressie gebruikte meer dan "
                f"{_budget.limits.max_memory_growth // (1024 * 1024)} MB geheugen en is gestopt"
            )


class _run_budget:  # noqa: N801 - used as a context manager, reads like a function
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.outer: tuple[float | None, int, int, Limits] | None = None

    def __enter__(self) -> None:
        self.outer = (_budget.deadline, _budget.ticks, _budget.rss_start, _budget.limits)
        if _budget.deadline is None:  # nested evaluations share the outer budget
            _budget.deadline = time.monotonic() + self.limits.seconds
            _budget.ticks = 0
            _budget.rss_start = 0
            _budget.limits = self.limits

    def __exit__(self, *exc: object) -> None:
        if self.outer is None:
            return
        _budget.deadline, _budget.ticks, _budget.rss_start, _budget.limits = self.outer


def _too_big(what: str) -> ResourceLimitExceeded:
    return ResourceLimitExceeded(
        f"{what} zou groter worden dan toegestaan "
        f"({_dutch_number(_budget.limits.max_sequence)} elementen/tekens)"
    )


def _dutch_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _size(value: Any) -> int | None:
    if isinstance(value, str | bytes | bytearray | list | tuple):
        return len(value)
    return None


def _binop(symbol: str, left: Any, right: Any) -> Any:
    limits = _budget.limits
    if symbol == "%" and isinstance(left, str | bytes):
        _check_format_size(left, right)
        return left % right
    if symbol == "%":
        return left % right
    if symbol == "+":
        left_size, right_size = _size(left), _size(right)
        if (
            left_size is not None
            and right_size is not None
            and left_size + right_size > limits.max_sequence
        ):
            raise _too_big("een samenvoeging met '+'")
        return left + right
    if symbol == "*":
        if (
            type(left) is int
            and type(right) is int
            and left.bit_length() + right.bit_length() > limits.max_int_bits
        ):
            raise ResourceLimitExceeded("een vermenigvuldiging zou een te groot getal opleveren")
        for seq, count in ((left, right), (right, left)):
            n = _size(seq)
            if n is not None and isinstance(count, int) and n * max(count, 0) > limits.max_sequence:
                raise _too_big("een herhaling met '*'")
        return left * right
    both_int = isinstance(left, int) and isinstance(right, int) and right > 0
    if symbol == "**":
        if both_int and abs(left) > 1 and right * math.log2(abs(left)) > limits.max_int_bits:
            raise ResourceLimitExceeded("een macht met '**' zou een te groot getal opleveren")
        return left**right
    if both_int and left.bit_length() + right > limits.max_int_bits:  # "<<"
        raise ResourceLimitExceeded("een verschuiving met '<<' zou een te groot getal opleveren")
    return left << right


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": lambda a, b: _binop("+", a, b),
    "-=": lambda a, b: a - b,
    "*=": lambda a, b: _binop("*", a, b),
    "/=": lambda a, b: a / b,
    "//=": lambda a, b: a // b,
    "%=": lambda a, b: _binop("%", a, b),
    "**=": lambda a, b: _binop("**", a, b),
    "<<=": lambda a, b: _binop("<<", a, b),
    ">>=": lambda a, b: a >> b,
    "&=": lambda a, b: a & b,
    "|=": lambda a, b: a | b,
    "^=": lambda a, b: a ^ b,
}


_FORMAT_SPEC = re.compile(rb"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_format_size(template: str | bytes, args: Any) -> None:
    """Estimate a %-formatted result's size before building it; refuse '*' widths."""
    raw = template.encode() if isinstance(template, str) else template
    widths = 0
    for width, precision in _FORMAT_SPEC.findall(raw):
        if width == b"*" or precision == b"*":
            raise SandboxViolation("een '*' als breedte in %-opmaak is niet toegestaan")
        widths += int(width or 0) + int(precision or 0)
    values = args if isinstance(args, tuple) else (args,)
    size = len(raw) + widths + sum(len(v) if isinstance(v, str | bytes) else 32 for v in values)
    if size > _budget.limits.max_sequence:
        raise _too_big("een %-opmaak")


def _inplacevar(op: str, left: Any, right: Any) -> Any:
    if (
        op == "+="
        and isinstance(left, str | list | tuple)
        and len(left) + (_size(right) or 0) > _budget.limits.max_sequence
    ):
        raise _too_big("een samenvoeging met '+='")  # names the operator the author wrote
    try:
        return _INPLACE[op](left, right)
    except KeyError:
        raise SandboxViolation(f"de bewerking '{op}' is niet toegestaan") from None


def _guarded_iter(obj: Any) -> Iterator[Any]:
    for item in iter(obj):
        _tick()
        yield item


def _bounded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > _budget.limits.max_sequence:
        raise _too_big("range()")
    return result


def _check_width(width: Any) -> None:
    if isinstance(width, int) and width > _budget.limits.max_sequence:
        raise _too_big("een tekst")


_SPEC_NUMBER = re.compile(r"[0-9]+")


def _check_format_spec(spec: str) -> None:
    """A format spec's width and precision stay within the bound (`{1:>999999999}` would
    build a gigabyte)."""
    for run in _SPEC_NUMBER.findall(spec):
        if len(run) > 9 or int(run) > _budget.limits.max_sequence:
            raise _too_big("een opmaak (breedte of precisie)")


_CONVERSIONS: dict[int, Callable[[Any], str]] = {ord("s"): str, ord("r"): repr, ord("a"): ascii}


def _format(value: Any, spec: str, conversion: int = -1) -> str:
    if conversion in _CONVERSIONS:
        value = _CONVERSIONS[conversion](value)
    _check_format_spec(str(spec))
    return builtins.format(value, spec)


def _guard_str_method(obj: str, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        limit = _budget.limits.max_sequence
        if name in ("ljust", "rjust", "center", "zfill") and args:
            _check_width(args[0])
        elif name == "expandtabs":
            size = args[0] if args else kwargs.get("tabsize", 8)
            if isinstance(size, int) and size * (obj.count("\t") + 1) + len(obj) > limit:
                raise _too_big("expandtabs()")
        elif name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            if isinstance(old, str) and isinstance(new, str):
                hits = obj.count(old) if old else len(obj) + 1
                if len(obj) + hits * max(len(new) - len(old), 0) > limit:
                    raise _too_big("replace()")
        elif name == "translate" and args and isinstance(args[0], dict):
            longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
            if len(obj) * max(longest, 1) > limit:
                raise _too_big("translate()")
        elif name == "join" and args:
            items = list(_guarded_iter(args[0]))
            total = sum(len(i) for i in items if isinstance(i, str)) + len(obj) * len(items)
            if total > limit:
                raise _too_big("join()")
            return method(items)
        return method(*args, **kwargs)

    return guarded


_AMPLIFYING_STR_METHODS = frozenset(
    {
        "ljust",
        "rjust",
        "center",
        "zfill",
        "expandtabs",
        "replace",
        "join",
        "translate",
    }
)


def _guard_list_extend(obj: list[Any], method: Callable[..., Any]) -> Callable[..., Any]:
    def extend(items: Any) -> None:
        items = list(_guarded_iter(items))
        if len(obj) + len(items) > _budget.limits.max_sequence:
            raise _too_big("extend()")
        method(items)

    return extend


def _guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    value = safer_getattr(obj, name, default)
    if isinstance(obj, list) and name == "extend":
        return _guard_list_extend(obj, value)
    if isinstance(obj, str | bytes) and name in _AMPLIFYING_STR_METHODS and callable(value):
        return _guard_str_method(obj, name, value)  # type: ignore[arg-type]
    return value


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _consume(factory: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a builtin that consumes an iterable so that consumption ticks the budget."""
    # min(a, b) and max(a, b) compare their arguments; only a single argument is an iterable.
    single_only = factory in (builtins.min, builtins.max)

    @functools.wraps(factory)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if (
            args
            and (len(args) == 1 or not single_only)
            and not isinstance(args[0], str | bytes | dict | list | tuple | set | frozenset | range)
        ):
            args = (_guarded_iter(args[0]), *args[1:])
        return factory(*args, **kwargs)

    return wrapped


def _sum(iterable: Any, start: Any = 0) -> Any:
    if not isinstance(start, int | float | complex):
        raise SandboxViolation(
            "sum() telt alleen getallen op; voeg lijsten of teksten samen met + of join()"
        )
    return builtins.sum(_guarded_iter(iterable), start)


_PLAIN_BUILTINS = (
    "None",
    "False",
    "True",
    "abs",
    "bool",
    "chr",
    "divmod",
    "float",
    "int",
    "isinstance",
    "len",
    "ord",
    "repr",
    "round",
    "str",
    "callable",
    "hex",
    "oct",
    "map",
    "filter",
    "zip",
    "enumerate",
    "reversed",
    "ArithmeticError",
    "Exception",
    "KeyError",
    "IndexError",
    "TypeError",
    "ValueError",
    "ZeroDivisionError",
    "LookupError",
)
_CONSUMING_BUILTINS = (
    "list",
    "tuple",
    "set",
    "frozenset",
    "dict",
    "sorted",
    "min",
    "max",
    "any",
    "all",
)


def _build_builtins() -> dict[str, Any]:
    table: dict[str, Any] = {name: getattr(builtins, name) for name in _PLAIN_BUILTINS}
    for name in _CONSUMING_BUILTINS:
        table[name] = _consume(getattr(builtins, name))
    table["range"] = _bounded_range
    table["sum"] = _sum
    table["pow"] = lambda a, b, *m: _binop("**", a, b) if not m else builtins.pow(a, b, *m)
    return table


class _DiscardedPrint:
    """What `print()` in a diagram script writes to: nothing (a script has no console).

    RestrictedPython turns `print(...)` into calls on this object; offering it keeps a script
    that prints (as SpiffArena's scripts often do while being written) running as deployed.
    """

    def __init__(self, _getattr_: Any = None) -> None:
        pass

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        return None

    def __call__(self) -> str:  # the `printed` name of RestrictedPython
        return ""


_BASE_GLOBALS: dict[str, Any] = {
    "__builtins__": _build_builtins(),
    "__name__": "diagram_script",
    "__metaclass__": type,
    "_getattr_": _guarded_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": _guarded_iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_apply_": _apply,
    "_tick_": _tick,
    "_binop_": _binop,
    "_format_": _format,
    "_inplacevar_": _inplacevar,
    "_print_": _DiscardedPrint,
    # documented helpers available to every diagram
    "date": _datetime.date,
    "datetime": _datetime.datetime,
    "timedelta": _datetime.timedelta,
}

#: Names every diagram may use besides its own task data (shown to process owners).
DOCUMENTED_HELPERS = ("date", "datetime", "timedelta")
_SHOWN_BUILTINS = ("len", "str", "int", "round", "sorted", "min", "max", "sum")


class SandboxEnvironment(TaskDataEnvironment):
    """SpiffWorkflow script environment that runs everything through the sandbox."""

    def __init__(
        self, helpers: dict[str, Any] | None = None, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        super().__init__(environment_globals=dict(helpers or {}))
        self.limits = limits

    def _globals(self, external_context: dict[str, Any] | None) -> dict[str, Any]:
        scope = dict(_BASE_GLOBALS)
        scope.update(self.globals)
        scope.update(external_context or {})
        return scope

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        code = _compile(expression.strip(), "eval")
        scope = self._globals(external_context)
        scope.update(context)
        with _run_budget(self.limits):
            return eval(code, scope)  # noqa: S307 - restricted bytecode, see module docstring

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        code = _compile(script, "exec")
        scope = self._globals(external_context)
        before = dict(context)
        saved = copy.deepcopy(before)  # a failed script leaves the data exactly as it was
        for key, value in scope.items():
            # guards always apply; documented helpers never hide task data of the same name
            if key.startswith("_") or key not in context:
                context[key] = value
        try:
            with _run_budget(self.limits):
                exec(code, context)  # noqa: S102 - restricted bytecode, see module docstring
            for key, value in list(context.items()):
                if (key in scope and value is scope[key] and key not in before) or key.startswith(
                    "_"
                ):
                    del context[key]
            self._remove_globals_and_functions_from_context(context, external_context)
            for key, value in context.items():
                if key not in before or before[key] is not value:
                    _check_storable(key, value)
            _check_stored_size(context, self.limits.max_data_bytes)
        except BaseException:
            context.clear()
            context.update(saved)
            raise
        return True


_STORABLE_SCALARS = (
    type(None),
    bool,
    int,
    float,
    str,
    _datetime.date,
    _datetime.timedelta,
    uuid.UUID,
)


def _check_storable(name: str, value: Any, depth: int = 0) -> None:
    """Refuse values the case cannot be saved with (e.g. a map object or a generator)."""
    if isinstance(value, _STORABLE_SCALARS):
        return
    if depth > 50:
        raise SandboxViolation(f"de waarde '{name}' is te diep genest om te bewaren")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise SandboxViolation(
                    f"de waarde '{name}' heeft een sleutel die niet bewaard kan worden"
                )
            _check_storable(name, item, depth + 1)
        return
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_storable(name, item, depth + 1)
        return
    raise SandboxViolation(
        f"het script liet in '{name}' een waarde van het type {type(value).__name__} achter die niet "
        "bewaard kan worden; zet die om naar een lijst, tekst of getal (bijvoorbeeld list(...))"
    )


def _check_stored_size(data: Mapping[str, Any], limit: int) -> None:
    """The case's data as it would be stored stays within `limit` bytes. Counted as the JSON
    is written (a list holding one long text 300 times is 300 texts), and stopped as soon as
    the limit is passed, so counting costs at most the limit."""
    total = 0
    pending: list[Any] = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            total += len(value) + 2
        elif isinstance(value, Mapping):
            total += 2
            for key, item in value.items():
                total += len(str(key)) + 4
                pending.append(item)
        elif isinstance(value, list | tuple | set | frozenset):
            total += 2 + len(value)
            pending.extend(value)
        else:
            total += 24  # a number, a date, true/false/null: at most this much as text
        if total > limit:
            raise ResourceLimitExceeded(
                f"de gegevens van de zaak zouden na dit script groter worden dan "
                f"{_dutch_number(limit // 1000)} kB (opgeslagen als JSON); het script is gestopt en de "
                "gegevens zijn niet veranderd"
            )


class _SandboxScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine with our sandbox and our service dispatch."""

    def __init__(
        self, environment: SandboxEnvironment, services: Callable[..., Any] | None
    ) -> None:
        super().__init__(environment=environment)
        self.services = services

    def validate(self, expression: str) -> None:
        # The library's version parses every DMN input and cell on every evaluation, without
        # AST_LOCK; the answer for one text never changes.
        error = _syntax_error(expression)
        if error is not None:
            raise SyntaxError(error)

    def call_service(
        self, task: Any, operation_name: str = "", operation_params: Any = None, **_: Any
    ) -> str:
        # Replaces the library's version, whose error path refers to an undefined name.
        if self.services is None:
            raise SandboxViolation(f"service tasks are not enabled (operator '{operation_name}')")
        params = {name: spec.get("value") for name, spec in (operation_params or {}).items()}
        spec = task.task_spec
        result = self.services(spec.bpmn_id or spec.name, task.data, operation_name, params)
        return json.dumps(result)


@functools.lru_cache(maxsize=4096)
def _syntax_error(expression: str) -> str | None:
    """Why `expression` is no Python (None when it is)."""
    try:
        parse_python(expression)
    except SyntaxError as exc:
        return str(exc)
    return None


def make_script_engine(
    helpers: dict[str, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    services: Callable[..., Any] | None = None,
) -> Any:
    """A SpiffWorkflow script engine whose every evaluation is sandboxed."""
    return _SandboxScriptEngine(SandboxEnvironment(helpers, limits), services)
