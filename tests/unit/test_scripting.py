"""Unit tests for engine.scripting: ordinary diagram scripts work; escapes and bombs are stopped.

The bomb tests use a short time budget (Limits(seconds=0.5)) and must each finish within a few
seconds. Tests for bombs the sandbox does not stop yet run in a child process with an address
space limit and a timeout, so a failure cannot take the test run (or the machine) down.
"""

from __future__ import annotations

import copy
import datetime
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.scripting import (
    Limits,
    ResourceLimitExceeded,
    SandboxEnvironment,
    SandboxViolation,
    check_expression,
    check_script,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PWNED = Path("/tmp/wegwijs_pwned")
FAST = Limits(seconds=0.5)
DUTCH = re.compile(r"toegestaan|te groot|gestopt|geheugen")
HELPERS = {"date": datetime.date, "datetime": datetime.datetime, "timedelta": datetime.timedelta}


@pytest.fixture(autouse=True)
def no_pwned_file() -> Iterator[None]:
    PWNED.unlink(missing_ok=True)
    yield
    assert not PWNED.exists(), "a sandboxed script reached the operating system"


def plain_python(script: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the same (trusted, test-authored) script leaves behind when run as plain Python."""
    namespace: dict[str, Any] = {**HELPERS, **copy.deepcopy(data)}
    exec(script, namespace)  # noqa: S102 - our own literal scripts, the reference to compare with
    return {
        k: v
        for k, v in namespace.items()
        if k != "__builtins__" and k not in HELPERS and not callable(v)
    }


def assert_still_usable(env: SandboxEnvironment) -> None:
    data = {"a": 2, "b": 3}
    assert env.evaluate("a * b + 1", data) == data["a"] * data["b"] + 1
    scratch = {"n": 4}
    env.execute("n += 1", scratch)
    assert scratch == {"n": 5}


# ------------------------------------------------------------------ ordinary scripts

ORDINARY_SCRIPTS = {
    "arithmetic": "total = (3 + 4) * 2 - 10 / 4\nrest = 17 % 5\nwhole = 17 // 5\npower = 2 ** 10",
    "containers": (
        "person = {'name': 'An', 'tags': ['a', 'b']}\n"
        "pairs = [(1, 'x'), (2, 'y')]\n"
        "first = person['tags'][0]\n"
        "person['age'] = amount\n"
        "pairs.append((3, 'z'))"
    ),
    "comprehensions": (
        "squares = [n * n for n in range(10)]\n"
        "evens = {n: n % 2 == 0 for n in range(5)}\n"
        "letters = sorted({c for c in 'abracadabra'})"
    ),
    "builtins": (
        "values = [5, 3, 9, 1]\n"
        "ordered = sorted(values, reverse=True)\n"
        "biggest = max(values)\n"
        "smallest = min(values)\n"
        "total = sum(values)\n"
        "filtered = sum(v for v in values if v > 2)\n"
        "counted = len(list(filter(None, values)))"
    ),
    "join": "label = ', '.join(['a', 'b', 'c'])\nnumbers = '-'.join(str(n) for n in range(5))",
    "f-strings": "name = 'Dordrecht'\ntext = f'{name}: {amount:.2f} euro, {len(name)} letters'",
    "augmented assignment": (
        "count = 0\ncount += 1\ncount += 1\nwords = ['a']\nwords += ['b']\nscale = 3\nscale *= 4"
    ),
    "dates": (
        "due = date(2026, 1, 1) + timedelta(days=3)\n"
        "weekday = due.weekday()\n"
        "stamp = datetime(2026, 1, 1, 9, 30).isoformat()\n"
        "days_left = (due - date(2025, 12, 25)).days"
    ),
    "loops and unpacking": (
        "a, b = 1, 2\n"
        "for key, value in [('x', 1), ('y', 2)]:\n"
        "    last = key + str(value)\n"
        "n = 0\n"
        "while n < 100:\n"
        "    n += 1"
    ),
    "try/except": "try:\n    ratio = amount / 0\nexcept ZeroDivisionError:\n    ratio = -1",
}


@pytest.mark.parametrize("script", ORDINARY_SCRIPTS.values(), ids=ORDINARY_SCRIPTS.keys())
def test_ordinary_script_gives_the_same_task_data_as_plain_python(script: str) -> None:
    assert check_script(script) is None
    data = {"amount": 12.5}

    SandboxEnvironment(limits=FAST).execute(script, data)

    assert data == plain_python(script, {"amount": 12.5})


def test_a_registered_helper_is_callable_and_not_left_in_the_task_data() -> None:
    env = SandboxEnvironment(helpers={"double": lambda x: 2 * x}, limits=FAST)
    data = {"amount": 21}

    env.execute("result = double(amount)", data)

    assert data["result"] == 2 * data["amount"]
    assert set(data) == {"amount", "result"}


def test_documented_helpers_are_not_left_in_the_task_data() -> None:
    data: dict[str, Any] = {}

    SandboxEnvironment(limits=FAST).execute("due = date(2026, 1, 1) + timedelta(days=3)", data)

    assert data == {"due": datetime.date(2026, 1, 1) + datetime.timedelta(days=3)}


def test_functions_defined_in_a_script_do_not_end_up_in_the_task_data() -> None:
    data = {"amount": 10}
    script = "def fee(x):\n    return x + 1\nresult = fee(amount)\nshort = lambda y: y"

    SandboxEnvironment(limits=FAST).execute(script, data)

    assert data["result"] == data["amount"] + 1
    assert set(data) == {"amount", "result"}


def test_task_data_named_like_a_documented_helper_is_not_silently_deleted_by_a_script() -> None:
    data = {"date": "2026-01-01", "amount": 1}

    try:
        SandboxEnvironment(limits=FAST).execute("amount += 1", data)
    except (ValueError, SandboxViolation):
        return  # refusing loudly, as for registered helpers, would be fine too

    assert data.get("date") == "2026-01-01"


def test_evaluating_an_expression_does_not_change_the_task_data() -> None:
    data = {"amount": 1200, "items": [3, 1, 2], "person": {"name": "An"}}
    before = copy.deepcopy(data)
    expression = (
        "(seen := amount + 1) > 1000 and sorted(items)[0] == min(items) "
        "and person['name'] == 'An' and date(2026, 1, 1) < date(2026, 1, 2)"
    )

    result = SandboxEnvironment(helpers={"double": lambda x: 2 * x}, limits=FAST).evaluate(
        expression, data
    )

    assert result is True
    assert data == before


def test_check_expression_and_check_script_accept_valid_and_refuse_invalid_source() -> None:
    assert check_expression("amount > 1000 and level == 'high'") is None
    assert check_script("level = 'high' if amount > 1000 else 'low'") is None
    assert check_expression("level = 'high'") is not None
    assert check_script("x = = 1") is not None


# ------------------------------------------------------------------ escapes

REFUSED_AT_COMPILE_TIME = {
    "__import__": "marker = 1\nrc = __import__('os').system('touch /tmp/wegwijs_pwned')",
    "import": "marker = 1\nimport os\nos.system('touch /tmp/wegwijs_pwned')",
    "from-import": "marker = 1\nfrom os import system\nsystem('touch /tmp/wegwijs_pwned')",
    "subclasses": (
        "marker = 1\n"
        "loader = [c for c in ().__class__.__base__.__subclasses__()"
        " if c.__name__ == 'BuiltinImporter'][0]\n"
        "loader.load_module('os').system('touch /tmp/wegwijs_pwned')"
    ),
    "eval": "marker = 1\neval(\"__import__('os').system('touch /tmp/wegwijs_pwned')\")",
    "exec": "marker = 1\nexec(\"import os; os.system('touch /tmp/wegwijs_pwned')\")",
    "mro-subclasses": "marker = 1\nclasses = str.mro()[-1].__subclasses__()",
    "helper-internals": "marker = 1\nleak = date.today.__self__.__dict__",
    "global": "marker = 1\ndef f():\n    global marker\n    marker = 2",
}


@pytest.mark.parametrize(
    "script", REFUSED_AT_COMPILE_TIME.values(), ids=REFUSED_AT_COMPILE_TIME.keys()
)
def test_escape_is_refused_before_anything_runs(script: str) -> None:
    assert check_script(script) is not None
    data = {"x": 1}

    with pytest.raises(SandboxViolation):
        SandboxEnvironment(limits=FAST).execute(script, data)

    assert data == {"x": 1}, "part of the script ran"


REFUSED_AT_RUN_TIME = {
    "getattr via a string": "leak = getattr(x, '__class__')",
    "open for reading": "leak = open('/etc/passwd').read()",
    "open for writing": "leak = open('/tmp/wegwijs_pwned', 'w').write('pwned')",
    "compile": "leak = compile(\"__import__('os')\", 'x', 'eval')",
    "globals": "leak = globals()['__builtins__']",
    "vars": "leak = vars()",
    "type().mro()": "leak = type(x).mro()",
    "str.format attribute walk": "leak = '{0.__class__}'.format(x)",
}


@pytest.mark.parametrize("script", REFUSED_AT_RUN_TIME.values(), ids=REFUSED_AT_RUN_TIME.keys())
def test_escape_through_an_unavailable_builtin_raises_and_gives_no_access(script: str) -> None:
    data = {"x": 1}

    with pytest.raises((NameError, SandboxViolation, NotImplementedError)):
        SandboxEnvironment(limits=FAST).execute(script, data)

    assert "leak" not in data


def test_escapes_are_refused_in_expressions_too() -> None:
    env = SandboxEnvironment(limits=FAST)

    with pytest.raises(SandboxViolation):
        env.evaluate("__import__('os').system('touch /tmp/wegwijs_pwned')", {})
    with pytest.raises(SandboxViolation):
        env.evaluate("().__class__.__base__.__subclasses__()", {})
    with pytest.raises(NameError):
        env.evaluate("open('/tmp/wegwijs_pwned', 'w')", {})


# ------------------------------------------------------------------ bounds

BOMBS = {
    "endless loop": ("while True:\n    pass", r"langer dan 0\.5 seconden"),
    "huge generator": ("total = sum(i for i in range(10**15))", r"range\(\)"),
    "10 GB string": ("blob = 'x' * (10 * 1024**3)", r"'\*'"),
    "huge list": ("blob = [0] * 10**10", r"'\*'"),
    "huge power": ("big = 10 ** 10 ** 8", r"'\*\*'"),
    "huge pow()": ("big = pow(10, 10**8)", r"'\*\*'"),
    "huge shift": ("big = 1 << 10**9", r"'<<'"),
    "ljust": ("blob = 'a'.ljust(10**10)", r"tekst"),
    "center": ("blob = 'a'.center(10**10)", r"tekst"),
    "replace": ("blob = ('ab' * 1000).replace('a', 'a' * 100000)", r"replace\(\)"),
    "join": ("blob = 'x'.join(['y'] * 10**6)", r"join\(\)|seconden"),
    "expandtabs": ("blob = ('\\t' * 1000).expandtabs(10**6)", r"expandtabs\(\)"),
    "list(range())": ("blob = list(range(10**9))", r"range\(\)"),
    "in-place repeat": ("blob = 'ab'\nblob *= 10**9", r"'\*'"),
    "in-place power": ("big = 2\nbig **= 10**8", r"'\*\*'"),
    "in-place doubling": ("blob = 'x' * 1000\nwhile True:\n    blob += blob", r"'\+='"),
    "nested comprehension": (
        "pairs = [(a, b) for a in range(10**6) for b in range(10**6)]",
        r"langer dan 0\.5 seconden",
    ),
}


@pytest.mark.parametrize(("script", "fragment"), BOMBS.values(), ids=BOMBS.keys())
def test_resource_bomb_is_stopped_quickly_with_a_dutch_message(script: str, fragment: str) -> None:
    env = SandboxEnvironment(limits=FAST)

    started = time.monotonic()
    with pytest.raises(ResourceLimitExceeded) as caught:
        env.execute(script, {})
    elapsed = time.monotonic() - started

    assert elapsed < 3.0
    assert DUTCH.search(str(caught.value))
    assert re.search(fragment, str(caught.value))
    assert_still_usable(env)


def test_bombs_in_expressions_are_stopped_too() -> None:
    env = SandboxEnvironment(limits=FAST)

    for expression in ("len('x' * (10 * 1024 ** 3)) > 0", "sum(i for i in range(10**15)) > 0"):
        with pytest.raises(ResourceLimitExceeded):
            env.evaluate(expression, {})
    assert_still_usable(env)


def test_accumulating_memory_in_a_loop_is_stopped_by_the_memory_limit() -> None:
    # A longer time budget, so that the memory check (not the clock) is what stops it; the loop is
    # capped at 600 MB in case the check never fires.
    env = SandboxEnvironment(limits=Limits(seconds=10, max_memory_growth=64 * 1024 * 1024))
    script = "blobs = []\nfor i in range(600):\n    blobs.append('x' * 1000000)"

    started = time.monotonic()
    with pytest.raises(ResourceLimitExceeded) as caught:
        env.execute(script, {})

    assert time.monotonic() - started < 5.0
    assert "geheugen" in str(caught.value)
    assert "64 MB" in str(caught.value)
    assert_still_usable(env)


def test_a_fresh_evaluation_after_a_timeout_gets_its_full_budget() -> None:
    env = SandboxEnvironment(helpers={"now": time.monotonic}, limits=FAST)
    with pytest.raises(ResourceLimitExceeded):
        env.execute("while True:\n    pass", {})

    data: dict[str, Any] = {}
    env.execute("start = now()\nwhile now() - start < 0.3:\n    pass\ndone = True", data)

    assert data["done"] is True


def test_a_nested_evaluation_shares_the_outer_budget_and_restores_it() -> None:
    inner_env = SandboxEnvironment(limits=Limits(seconds=30))

    def inner() -> Any:
        return inner_env.evaluate("1 + 1", {})

    outer_env = SandboxEnvironment(helpers={"now": time.monotonic, "inner": inner}, limits=FAST)

    started = time.monotonic()
    with pytest.raises(ResourceLimitExceeded) as caught:
        outer_env.execute("start = now()\nwhile now() - start < 5:\n    inner()", {})

    assert time.monotonic() - started < 3.0, "the nested evaluation reset the outer deadline"
    assert "0.5 seconden" in str(caught.value)
    data: dict[str, Any] = {}
    outer_env.execute("start = now()\nwhile now() - start < 0.3:\n    inner()\ndone = True", data)
    assert data["done"] is True


# ------------------------------------------------------------------ bombs not yet stopped

_CHILD = """
import resource, sys, time
limit = 1536 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from engine.scripting import Limits, SandboxEnvironment
env = SandboxEnvironment(limits=Limits(seconds=0.5))
started = time.monotonic()
try:
    env.execute(sys.argv[1], {})
    outcome = "completed"
except BaseException as exc:
    outcome = type(exc).__name__
print(outcome, round(time.monotonic() - started, 2))
"""


def run_in_contained_child(script: str, timeout: float = 8.0) -> tuple[str, float]:
    try:
        result = subprocess.run(
            [sys.executable, "-c", _CHILD, script],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=PROJECT_ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the script was still running after {timeout} s (killed)")
    outcome, elapsed = result.stdout.split()
    return outcome, float(elapsed)


def test_doubling_a_string_with_plus_in_a_loop_is_stopped_by_the_sandbox() -> None:
    outcome, elapsed = run_in_contained_child(
        "text = 'x' * 1000000\nwhile True:\n    text = text + text"
    )

    assert outcome == "ResourceLimitExceeded"
    assert elapsed < 3.0


def test_squaring_a_big_integer_in_a_loop_is_stopped_by_the_sandbox() -> None:
    outcome, elapsed = run_in_contained_child(
        "number = 2 ** 99999\nwhile True:\n    number = number * number"
    )

    assert outcome == "ResourceLimitExceeded"
    assert elapsed < 3.0


def test_min_and_max_compare_several_arguments_as_plain_python_does() -> None:
    env = SandboxEnvironment()
    assert env.evaluate("min(a, b)", {"a": 2.5, "b": 1}) == 1
    assert env.evaluate("max(a, b, 7)", {"a": 2.5, "b": 1}) == 7
    assert env.evaluate("max(x * 2 for x in items)", {"items": [1, 5, 3]}) == 10
    assert env.evaluate("sum((x for x in items), 10)", {"items": [1, 2]}) == 13


@pytest.mark.parametrize(
    "script",
    [
        "a = 'x' * 1000000\ns = ('%s' * 50) % tuple([a] * 50)",
        "s = '%0*d' % (10 ** 9, 1)",
        "s = ('a' * 1000).translate({97: 'b' * 100000})",
        "a = [0] * 1000000\nfor i in range(5):\n    a.extend(a)",
        "s = sum([[0] * 1000000] * 40, [])",
    ],
)
def test_amplifiers_found_in_review_are_stopped(script: str) -> None:
    started = time.monotonic()
    with pytest.raises(SandboxViolation):
        SandboxEnvironment(limits=FAST).execute(script, {})
    assert time.monotonic() - started < 3


def test_a_value_that_cannot_be_saved_is_refused_where_it_is_made() -> None:
    data = {"amount": 1}
    with pytest.raises(SandboxViolation, match="map"):
        SandboxEnvironment(limits=FAST).execute("g = map(str, [1])", data)
    assert data == {"amount": 1}


def test_a_failed_script_leaves_nested_data_exactly_as_it_was() -> None:
    data = {"items": [1, 2], "meta": {"n": 1}}
    with pytest.raises(ZeroDivisionError):
        SandboxEnvironment(limits=FAST).execute("items.append(3)\nmeta['n'] = 2\nx = 1 / 0", data)
    assert data == {"items": [1, 2], "meta": {"n": 1}}


def test_ordinary_formatting_extend_and_sum_still_work() -> None:
    data: dict[str, object] = {"items": [1], "name": "Anna"}
    SandboxEnvironment(limits=FAST).execute(
        "items.extend([2, 3])\ngreeting = 'Dag %s, %d taken' % (name, len(items))\ntotal = sum(items, 10)",
        data,
    )
    assert data == {
        "items": [1, 2, 3],
        "name": "Anna",
        "greeting": "Dag Anna, 3 taken",
        "total": 16,
    }


# ------------------------------------------------------------------ what deploy accepts, runs


def test_print_in_a_script_is_accepted_at_deploy_and_runs() -> None:
    """RestrictedPython turns print() into `_print_`; the sandbox offers it (output dropped)."""
    script = "print('bezig met', amount)\ntotal = amount * 2\nprint(printed)"
    assert check_script(script) is None
    data = {"amount": 21}
    SandboxEnvironment(limits=FAST).execute(script, data)
    assert data == {"amount": 21, "total": 42}


@pytest.mark.parametrize(
    "source", ["leak = open('/etc/passwd').read()", "kind = type(x)", "y = getattr(x, 'real')"]
)
def test_calling_a_builtin_the_sandbox_does_not_offer_is_refused_at_deploy(source: str) -> None:
    message = check_script(source)
    assert message is not None
    assert "bestaat in scripts niet" in message
    assert check_expression(source.split(" = ", 1)[1]) is not None


def test_names_a_script_defines_itself_or_reads_from_data_are_not_refused() -> None:
    assert check_script("def type(value):\n    return 'x'\nkind = type(1)") is None
    assert check_script("label = type + ': ' + input") is None  # data keys, not calls


def test_parsing_python_in_many_threads_at_once_never_fails() -> None:
    """CPython 3.11 shares the AST converter's recursion counter between threads; without
    AST_LOCK, threads that parse while a collection or a thread switch interleaves fail with
    "AST constructor recursion depth mismatch" (seen on a decision cell during 50 concurrent
    decisions). Garbage collections that call Python code, and tiny switch intervals, make
    the interleaving happen on nearly every parse: before the lock every thread here failed."""
    import gc
    import threading

    from engine.definitions.bundle import parse_version_files
    from engine.scripting import make_script_engine, parse_python

    bpmn = PROJECT_ROOT / "bpmn"
    paths = [*(bpmn / "wijkwens").glob("*.bpmn"), *(bpmn / "wijkwens").glob("*.dmn")]
    files = {p.name: p.read_bytes() for p in [*paths, *(bpmn / "shared").glob("*.dmn")]}
    errors: list[str] = []
    engine = make_script_engine(HELPERS)

    def parse_expressions(thread: int) -> None:
        for n in range(30):
            text = f'"2027-{thread:02d}-{n:03d}" if x else ' + "+".join(
                f"[{thread},{n},(1,(2,(3,{k})))]" for k in range(5)
            )
            try:
                engine.environment.evaluate(text, {"x": True})
                engine.validate(f"{text} == {n}")
                parse_python(f"y = [{text}]")
            except Exception as exc:
                errors.append(repr(exc))

    def parse_tables(_: int) -> None:
        try:
            for _ in range(2):
                parse_version_files(files, "wijkwens_process")
        except Exception as exc:
            errors.append(repr(exc))

    def at_depth(depth: int, work: Any, thread: int) -> None:
        # threads at different stack depths start the shared counter at different values
        return work(thread) if depth == 0 else at_depth(depth - 1, work, thread)

    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    collecting = lambda phase, info: None  # noqa: E731 - Python code run by every collection
    sys.setswitchinterval(1e-6)
    gc.set_threshold(5)
    gc.callbacks.append(collecting)
    try:
        threads = [
            threading.Thread(
                target=at_depth, args=(i % 7 * 3, parse_tables if i < 2 else parse_expressions, i)
            )
            for i in range(20)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gc.callbacks.remove(collecting)
        gc.set_threshold(*thresholds)
        sys.setswitchinterval(interval)
    assert errors == []
