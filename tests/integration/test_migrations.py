"""An existing database is upgraded in place: the candidate-group migrations (engine 0003, workflows
w0004) keep every open task and user, and can be rolled back and applied again.

Runs on a fresh SQLite file and a fresh PostgreSQL database (not the suite's migrated one).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from engine.persistence.database import MIGRATIONS_DIR, alembic_config, normalise_url
from tests.conftest import scratch_postgres
from workflows.bootstrap import MIGRATIONS

BEFORE = ("0002_open_task_order", "w0003_login_attempt")  # the release before candidate groups
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{os.path.join(str(tmp_path), 'old.db')}"
        return
    with scratch_postgres("wegwijs_migrate") as url:
        yield url


def _alembic(url: str, action: str, *targets: str) -> None:
    config = alembic_config(url)
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations",
        os.pathsep.join(str(p) for p in (MIGRATIONS_DIR / "versions", *MIGRATIONS)),
    )
    db = create_engine(normalise_url(url))
    try:
        for target in targets:
            with db.begin() as connection:
                config.attributes["connection"] = connection
                getattr(command, action)(config, target)
    finally:
        db.dispose()


def _seed_old_release(url: str) -> None:
    """One user with a role and one open aspect task, as the release before wrote them."""
    db = create_engine(normalise_url(url))
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO app_user (username, display_name, password_hash, active, created_at) "
                "VALUES ('victor', 'Victor', 'x', true, :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            text("INSERT INTO user_role (user_id, role) SELECT id, 'vakspecialist' FROM app_user")
        )
        conn.execute(
            text(
                "INSERT INTO process_version (process_id, name, version, content_hash, files, "
                "deployed_at) VALUES ('p', 'P', 1, 'h', '{}', :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO process_instance (process_version_id, process_id, status, state, "
                "serializer_version, lock_version, started_at, updated_at) "
                "SELECT id, 'p', 'running', '{}', '1', 0, :now, :now FROM process_version"
            ),
            {"now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO human_task (task_id, instance_id, process_id, bpmn_id, title, lane, "
                "state, created_at, properties) SELECT 'old-task', id, 'p', 'assess_aspect', "
                "'Aspect beoordelen', 'vakspecialist', 'open', :now, '{}' FROM process_instance"
            ),
            {"now": NOW},
        )
    db.dispose()


def _shape(url: str) -> tuple[set[str], set[str], list[tuple[str, str, object]]]:
    db = create_engine(normalise_url(url))
    try:
        found = inspect(db)
        columns = {c["name"] for c in found.get_columns("human_task")}
        tables = set(found.get_table_names())
        with db.connect() as conn:
            group = "candidate_group" if "candidate_group" in columns else "NULL"
            rows = conn.execute(
                text(f"SELECT task_id, state, {group} FROM human_task ORDER BY task_id")  # noqa: S608 - a column name chosen above
            ).all()
        return columns, tables, [tuple(r) for r in rows]
    finally:
        db.dispose()


def test_candidate_groups_upgrade_an_existing_database_in_place_and_roll_back(
    empty_url: str,
) -> None:
    _alembic(empty_url, "upgrade", *BEFORE)
    _seed_old_release(empty_url)
    columns, tables, rows = _shape(empty_url)
    assert "candidate_group" not in columns
    assert "user_team" not in tables

    _alembic(empty_url, "upgrade", "heads")
    columns, tables, rows = _shape(empty_url)
    assert "candidate_group" in columns
    assert "user_team" in tables
    assert rows == [("old-task", "open", None)]  # kept; no team: the whole lane sees it, as before
    db = create_engine(normalise_url(empty_url))
    index = {i["name"]: i["column_names"] for i in inspect(db).get_indexes("human_task")}
    db.dispose()
    assert index["ix_human_task_open_lane"] == ["lane", "candidate_group", "created_at", "id"]

    _alembic(empty_url, "downgrade", BEFORE[1], BEFORE[0])  # the domain's branch first
    columns, tables, rows = _shape(empty_url)
    assert "candidate_group" not in columns
    assert "user_team" not in tables
    assert rows == [("old-task", "open", None)]

    _alembic(empty_url, "upgrade", "heads")
    assert _shape(empty_url)[2] == [("old-task", "open", None)]
