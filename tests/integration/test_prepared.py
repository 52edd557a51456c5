"""The hot path's prepared statements store and read exactly what Connection.execute does,
inside the caller's transaction and savepoints, with SQLAlchemy's errors (SQLite + PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine import Engine
from engine.persistence.prepared import PreparedRead, PreparedWrite
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


def test_prepared_statements_count_rows_join_savepoints_and_raise_sqlalchemy_errors(
    engine: Engine,
) -> None:
    engine.deploy_paths([str(FIXTURES / "tiny")])
    engine.start("tiny_process", {})
    (task,) = engine.list_tasks()
    rename = PreparedWrite(
        update(human_task).where(human_task.c.task_id == bindparam("b_task_id")),
        engine.db.dialect,
    )
    duplicate = PreparedWrite(insert(human_task), engine.db.dialect)
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
