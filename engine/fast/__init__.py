"""The engine's speed-ups, all in this room, each with a plain twin that gives the same results.

| speed-up | plain twin | what it saves |
|---|---|---|
| `statements.PreparedStatements`: statements compiled once, run on the DB-API cursor (psycopg's `RawCursor` with `$1` placeholders on PostgreSQL) | `engine.persistence.execution.PlainStatements` (`Connection.execute`) | about two thirds of each small statement's time on the hot paths |
| `pool.create_statement_reads_engine`: a PostgreSQL pool in autocommit, read-only, with generic plans, for hot reads of one statement | a read transaction on the main pool | four of five round trips of a worklist page |
| `pool.main_pool_options`: the main pool hands out the connection returned last | SQLAlchemy's default (the one returned first) | SQLite reading its pages again after another pooled connection wrote: 3.8× fewer page reads over a simulated year |
| `codec.FastWorkflowCodec`: the library's task JSON written directly and reused while unchanged | `engine.codec.WorkflowCodec` (the library's converters) | most of a save's serialization |

`EngineSettings(fast_paths=False)` (or `WEGWIJS_FAST_PATHS=off`) uses the plain twins;
`make test` runs the engine and fund integration tests that way too (marker `plain`). These
speed-ups touch private parts of SQLAlchemy, psycopg and SpiffWorkflow, so they are used only
with the versions they were written for (`SUPPORTED`, the same as the pins in pyproject.toml);
with any other version the engine logs a warning and takes the plain twins, and
`tests/unit/test_pinned_libraries.py` fails until someone checks the new version.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

log = logging.getLogger("wegwijs.engine")

#: distribution -> the version prefix the speed-ups were written and tested for
SUPPORTED = {"SQLAlchemy": "2.1.", "SpiffWorkflow": "3.2.", "psycopg": "3.3."}


def unsupported_versions() -> list[str]:
    """The libraries installed in a version the speed-ups were not written for."""
    found = []
    for name, prefix in SUPPORTED.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # psycopg is only needed for PostgreSQL
        if installed.split(".")[:2] != prefix.split(".")[:2]:
            found.append(f"{name} {installed} (geschreven voor {prefix}x)")
    return found


def usable(wanted: bool) -> bool:
    """Whether to use the speed-ups: wanted, and the libraries are the supported versions."""
    if not wanted:
        return False
    odd = unsupported_versions()
    if odd:
        log.warning("speed-ups off, untested library versions: %s", "; ".join(odd))
        return False
    return True
