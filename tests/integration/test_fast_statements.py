"""The hot path's prepared statements store and read exactly what Connection.execute does,
inside the caller's transaction and savepoints, with SQLAlchemy's errors (SQLite + PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import bindparam, func, insert, literal_column, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import DBAPIError, IntegrityError

from engine import Engine
from engine.errors import NotFoundError
from engine.fast.statements import PreparedRead, PreparedWrite, savepoint
from engine.persistence.tables import event, human_task
from tests.conftest import FIXTURES

AT = datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=UTC)
DETAIL = {"title": "Beoordeling ‘groen’ 🌳", "data": {"amount": 1234.5, "list": [1, None]}}


def _event_row(kind: str) -> dict[str, object]:
    return {
        "instance_id": None,
        "type": kind,
        "at": AT,
        "actor": "anne",
        "task_id": None,
        "bpmn_id": "intake",
        "detail": DETAIL,
    }


def test_a_prepared_write_stores_the_same_values_as_connection_execute(engine: Engine) -> None:
    prepared = PreparedWrite(insert(event), engine.db.dialect)
    with engine.transaction() as u:
        u.connection.execute(insert(event), [_event_row("through_sqlalchemy")])
        assert prepared.execute_many(u.connection, [_event_row("prepared")] * 2) == 2
    with engine.db.connect() as conn:
        # what the driver holds: the same datetime text (SQLite) and the same JSON
        stored = conn.exec_driver_sql(
            "SELECT type, at, actor, bpmn_id, detail FROM event ORDER BY id"
        ).all()
    assert [row[0] for row in stored] == ["through_sqlalchemy", "prepared", "prepared"]
    assert stored[1][1:] == stored[2][1:] == stored[0][1:]
    assert engine.events()[0].at == AT


def test_a_prepared_read_gives_the_rows_connection_execute_gives(engine: Engine) -> None:
    with engine.transaction() as u:
        u.connection.execute(insert(event), [_event_row("a"), _event_row("b"), _event_row("a")])
    query = select(event.c.id, event.c.type, event.c.at, event.c.detail).where(
        event.c.type == bindparam("kind")
    )
    with engine.reading() as conn:
        expected = conn.execute(query, {"kind": "a"}).all()
        got = PreparedRead(query, engine.db.dialect).all(conn, {"kind": "a"})
    assert len(got) == 2
    assert [tuple(row) for row in got] == [tuple(row) for row in expected]
    assert got[0].type == "a"  # rows have named fields
    assert got[0].detail == DETAIL


def test_a_prepared_statement_keeps_percent_signs_and_repeated_parameters(engine: Engine) -> None:
    """On PostgreSQL prepared statements use `$1` placeholders (psycopg's RawCursor): a "%" in
    the text stays one "%", and a parameter used twice is sent once."""
    with engine.transaction() as u:
        u.connection.execute(insert(event), [_event_row("50%"), _event_row("b")])
    query = (
        select(literal_column("'100%'").label("whole"), event.c.type)
        .where((event.c.type == bindparam("kind")) | (event.c.actor == bindparam("kind")))
        .order_by(event.c.id)
    )
    read = PreparedRead(query, engine.db.dialect)
    with engine.reading() as conn:
        assert [tuple(r) for r in read.all(conn, {"kind": "50%"})] == [("100%", "50%")]
        assert [tuple(r) for r in read.all(conn, {"kind": "anne"})] == [
            ("100%", "50%"),
            ("100%", "b"),
        ]


def _a_task_and_two_writes(engine: Engine) -> tuple[Any, PreparedWrite, PreparedWrite]:
    """A case of the tiny process with its one open task, a prepared rename of a task and a
    prepared insert of a whole task row."""
    engine.deploy_paths([str(FIXTURES / "tiny")])
    engine.start("tiny_process", {})
    (task,) = engine.list_tasks()
    rename = PreparedWrite(
        update(human_task).where(human_task.c.task_id == bindparam("b_task_id")),
        engine.db.dialect,
    )
    return task, rename, PreparedWrite(insert(human_task), engine.db.dialect)


def test_prepared_statements_count_rows_join_savepoints_and_raise_sqlalchemy_errors(
    engine: Engine,
) -> None:
    task, rename, duplicate = _a_task_and_two_writes(engine)
    with engine.transaction() as u:
        conn = u.connection
        assert rename.execute(conn, {"b_task_id": "no-such-task", "title": "x"}) == 0
        assert rename.execute(conn, {"b_task_id": task.id, "title": "Nieuwe naam"}) == 1
        row = conn.execute(select(human_task).where(human_task.c.task_id == task.id)).one()
        values = {key: value for key, value in row._mapping.items() if key != "id"}
        with pytest.raises(IntegrityError), conn.begin_nested():
            duplicate.execute(conn, values)  # the same task_id again: unique
        savepoint = conn.begin_nested()
        rename.execute(conn, {"b_task_id": task.id, "title": "Teruggedraaid"})
        savepoint.rollback()
    assert engine.get_task(task.id).title == "Nieuwe naam"  # committed; the savepoint undone


def test_a_savepoint_undoes_only_its_own_block_and_the_transaction_goes_on(
    engine: Engine,
) -> None:
    task, rename, duplicate = _a_task_and_two_writes(engine)

    def rename_then(conn: Any, title: str, then: Callable[[], None]) -> None:
        with savepoint(conn):  # always the same name, also when nested
            rename.execute(conn, {"b_task_id": task.id, "title": title})
            then()

    def fail() -> None:
        raise RuntimeError("operator failed")

    with engine.transaction() as u:
        conn = u.connection
        row = conn.execute(select(human_task).where(human_task.c.task_id == task.id)).one()
        values = {key: value for key, value in row._mapping.items() if key != "id"}

        def nested_failure() -> None:
            with pytest.raises(IntegrityError):  # PostgreSQL aborts until rolled back to
                rename_then(conn, "Binnen", lambda: duplicate.execute(conn, values))

        rename_then(conn, "Buiten", nested_failure)
        # only the inner block was undone, and the transaction still works
        title = select(human_task.c.title).where(human_task.c.task_id == task.id)
        assert conn.execute(title).scalar_one() == "Buiten"
        with pytest.raises(RuntimeError, match="operator failed"):
            rename_then(conn, "Teruggedraaid", fail)
    assert engine.get_task(task.id).title == "Buiten"  # committed; the failed blocks undone


def test_a_statement_with_a_list_expanded_at_run_time_is_refused(engine: Engine) -> None:
    prepared = PreparedWrite(
        update(human_task).where(human_task.c.task_id.in_(bindparam("ids", expanding=True))),
        engine.db.dialect,
    )
    with engine.transaction() as u, pytest.raises(ValueError, match="expanded at run time"):
        prepared.execute(u.connection, {"ids": ["a"], "title": "x"})


def test_a_missing_parameter_is_named(engine: Engine) -> None:
    rename = PreparedWrite(
        update(human_task).where(human_task.c.task_id == bindparam("b_task_id")),
        engine.db.dialect,
    )
    with engine.transaction() as u, pytest.raises(ValueError, match="parameters b_task_id"):
        rename.execute(u.connection, {"title": "x"})


def test_a_prepared_read_binds_the_values_its_statement_holds(engine: Engine) -> None:
    """A JSON path, a literal LIMIT and a counted subquery without a name, as the worklist's
    reads have them: the statement's own values are bound, and the rows equal execute's."""
    rows = [dict(_event_row(kind), detail={"data": {"n": n}}) for n, kind in enumerate("abab")]
    with engine.transaction() as u:
        u.connection.execute(insert(event), rows)
    first_two = select(event.c.id).where(event.c.type == bindparam("kind")).limit(2).subquery()
    query = select(
        event.c.type,
        event.c.detail["data"].label("data"),
        select(func.count()).select_from(first_two).scalar_subquery(),
    ).where(event.c.type == bindparam("kind"))
    with engine.reading() as conn:
        expected = conn.execute(query, {"kind": "b"}).all()
        got = PreparedRead(query, engine.db.dialect).all(conn, {"kind": "b"})
    assert [tuple(row) for row in got] == [tuple(row) for row in expected]
    assert [(row.type, row.data, row[2]) for row in got] == [("b", {"n": 1}, 2), ("b", {"n": 3}, 2)]


def test_cursor_listeners_see_prepared_statements(engine: Engine) -> None:
    """Tracing and logging hooks on the engine see the prepared path like any other."""
    seen: list[tuple[str, str]] = []

    def before(_conn: object, _cursor: object, sql: str, *_rest: object) -> None:
        seen.append(("before", sql))

    def after(_conn: object, _cursor: object, sql: str, *_rest: object) -> None:
        seen.append(("after", sql))

    query = select(event.c.id).where(event.c.type == bindparam("kind"))
    read = PreparedRead(query, engine.db.dialect)
    write = PreparedWrite(insert(event), engine.db.dialect)
    sa_event.listen(engine.db, "before_cursor_execute", before)
    sa_event.listen(engine.db, "after_cursor_execute", after)
    try:
        with engine.transaction() as u:
            write.execute_many(u.connection, [_event_row("a")])
            assert len(read.all(u.connection, {"kind": "a"})) == 1
        with engine.statement_reads() as reads:  # on PostgreSQL a pool of its own
            assert len(read.all(reads.connection, {"kind": "a"})) == 1
    finally:
        sa_event.remove(engine.db, "before_cursor_execute", before)
        sa_event.remove(engine.db, "after_cursor_execute", after)
    prepared = [(when, sql) for when, sql in seen if "event" in sql]
    assert [when for when, _ in prepared] == ["before", "after"] * 3
    assert prepared[0][1].startswith("INSERT INTO event")
    assert prepared[2][1].startswith("SELECT event.id")
    assert prepared[4][1] == prepared[2][1]


def test_statement_reads_run_outside_a_transaction_read_only_with_generic_plans(
    engine: Engine,
) -> None:
    """The hot reads' connections begin nothing (one round trip per statement on PostgreSQL),
    see what was committed, cannot write, and plan once; an ordinary reading is untouched."""
    with engine.transaction() as u:
        u.connection.execute(insert(event), [_event_row("a")])
    query = select(event.c.type).where(event.c.type == bindparam("kind"))
    read = PreparedRead(query, engine.db.dialect)
    postgres = engine.db.dialect.name == "postgresql"
    with engine.statement_reads() as reads:
        conn = reads.connection
        assert [row.type for row in read.all(conn, {"kind": "a"})] == ["a"]
        driver = conn.connection.driver_connection
        if postgres:
            assert driver.info.transaction_status == driver.info.transaction_status.IDLE
            inside = _plan_cache_mode(conn)
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar_one() == "on"
        else:
            assert driver.in_transaction is False
    with engine.reading() as conn:
        after = _plan_cache_mode(conn)
    if postgres:
        assert (inside, after) == ("force_generic_plan", "auto")
        write = PreparedWrite(insert(event), engine.db.dialect)
        with engine.statement_reads() as reads, pytest.raises(DBAPIError, match="read-only"):
            write.execute_many(reads.connection, [_event_row("b")])
    assert len(engine.events()) == 1


def _plan_cache_mode(conn: Any) -> str | None:
    if conn.dialect.name != "postgresql":
        return None
    return str(conn.exec_driver_sql("SHOW plan_cache_mode").scalar_one())


def test_the_engine_reads_tasks_through_each_filter_alone_and_combined(engine: Engine) -> None:
    """list_tasks, get_task and next_timer_due run as prepared reads (one per filter shape);
    with a list of lanes it runs through SQLAlchemy: both give the same tasks."""
    engine.deploy_paths([str(FIXTURES / "tiny")])
    a, b = engine.start("tiny_process", {}), engine.start("tiny_process", {})
    (ta,) = engine.list_tasks(instance_id=a.id)
    (tb,) = engine.list_tasks(instance_id=b.id)
    engine.claim_task(tb.id, "anne")
    assert [t.id for t in engine.list_tasks()] == [ta.id, tb.id]
    assert [t.id for t in engine.list_tasks(limit=1)] == [ta.id]
    assert [t.id for t in engine.list_tasks(assignee="anne")] == [tb.id]
    assert engine.list_tasks(assignee="anne", instance_id=a.id) == []
    assert engine.list_tasks(state="completed") == []
    assert {t.id for t in engine.list_tasks(state=None)} == {ta.id, tb.id}
    assert engine.list_tasks(lanes=[ta.lane or ""]) == engine.list_tasks()
    assert engine.list_tasks(lanes=["no such lane"]) == []
    got = engine.get_task(tb.id)
    assert (got.assignee, got.instance_id, got.business_key) == ("anne", b.id, b.business_key)
    with pytest.raises(NotFoundError):
        engine.get_task("no-such-task")
    due = engine.next_timer_due()
    assert due is None or due.tzinfo is not None


def test_a_prepared_statement_writes_sqlites_datetime_text_as_sqlalchemy_does() -> None:
    """The fast path's own DATETIME binding (isoformat) gives SQLAlchemy's text for every
    kind of value: aware in any zone (its wall-clock time), naive, whole seconds, the first
    and last years, a date; None stays None; a wrong type is refused the same way."""
    import random
    from datetime import date, timedelta, timezone

    from sqlalchemy.dialects import sqlite
    from sqlalchemy.types import DateTime

    from engine.fast.statements import _bind_processor

    dialect = sqlite.dialect()
    for impl in (DateTime(timezone=True).dialect_impl(dialect), sqlite.DATETIME()):
        plain = impl.bind_processor(dialect)
        fast = _bind_processor(impl, dialect)
        assert fast is not plain  # the fast one is in use for the default storage format
        rng = random.Random(5)
        values: list[object] = [
            None,
            date(2026, 12, 7),
            datetime(1, 1, 1),
            datetime(9999, 12, 31, 23, 59, 59, 999999),
            datetime(999, 3, 4, 5, 6, 7),
            AT,
            AT.replace(microsecond=0),
            AT.astimezone(timezone(timedelta(hours=-5, minutes=-30))),
        ]
        values += [
            datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(-1e9, 1e9))
            for _ in range(500)
        ]
        for value in values:
            assert fast(value) == plain(value), value
        with pytest.raises(TypeError):
            plain("2026-12-07")
        with pytest.raises(TypeError):
            fast("2026-12-07")
    # another storage format keeps SQLAlchemy's own processor
    other = sqlite.DATETIME(truncate_microseconds=True)
    assert _bind_processor(other, dialect)(AT) == "2026-11-28 09:30:15"


@pytest.mark.parametrize("fast_paths", [True, False])
def test_the_main_pool_hands_out_the_connection_returned_last_with_fast_paths(
    database_url: str, fast_paths: bool
) -> None:
    """With two connections in the pool (a read while another is open), the next transaction
    takes the one returned last: on SQLite its page cache is still valid. The plain twin keeps
    SQLAlchemy's default (the one returned first)."""
    from engine import EngineSettings

    engine = Engine(EngineSettings(database_url=database_url, fast_paths=fast_paths))
    try:
        with engine.reading() as outer, engine.reading() as inner:
            first = outer.connection.driver_connection
            second = inner.connection.driver_connection
        assert first is not second  # inner went back first, then outer
        with engine.transaction() as u:
            taken = u.connection.connection.driver_connection
        assert taken is (first if fast_paths else second)
    finally:
        engine.dispose()


def test_an_in_memory_sqlite_database_keeps_its_own_pool() -> None:
    from engine.fast.pool import main_pool_options

    assert main_pool_options("sqlite://") == {}
    assert main_pool_options("sqlite:///:memory:") == {}
    assert main_pool_options("sqlite:///var/wegwijs.db") == {"pool_use_lifo": True}
    assert main_pool_options("postgresql://u@h/db") == {"pool_use_lifo": True}
