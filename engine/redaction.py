"""Anonymising a finished case: the values of named data keys replaced wherever the engine keeps
them (the workflow's stored state, the events' details, the outbox's messages, the states kept
for undoing a migration), so that the case keeps its shape — the same tasks, events, dates and
amounts — without the personal data.

Only a case that has ended may be anonymised: a running one still needs its data. The stored
texts are walked as JSON (the serializer writes plain JSON), so a value is replaced under its key
at any depth: in the workflow's data, in each task's data, in a subprocess's data alike.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Column, Connection, Table, insert, select, update

from engine.errors import InstanceStateError, NotFoundError
from engine.persistence.tables import event, instance_migration, outbox, process_instance
from engine.runtime import ACTIVE, Runtime
from engine.unit_of_work import UnitOfWork


def redact(value: Any, keys: Collection[str], replacement: str) -> tuple[Any, int]:
    """`value` with every (non-empty) value under one of `keys` replaced, at any depth; and how
    many were replaced. A value already equal to the replacement counts as nothing to do."""
    if isinstance(value, dict):
        count = 0
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if key in keys and item not in (None, "", replacement):
                out[key] = replacement
                count += 1
            else:
                out[key], found = redact(item, keys, replacement)
                count += found
        return out, count
    if isinstance(value, list):
        count = 0
        items = []
        for item in value:
            changed, found = redact(item, keys, replacement)
            items.append(changed)
            count += found
        return items, count
    return value, 0


def _redact_rows(
    conn: Connection,
    table: Table,
    column: Column[Any],
    as_text: bool,
    instance_id: int,
    keys: Collection[str],
    replacement: str,
) -> int:
    """Redact one JSON column (or JSON stored as text) in every row of a case; how many
    values were replaced."""
    replaced = 0
    for found in conn.execute(
        select(table.c.id, column).where(table.c.instance_id == instance_id)
    ).all():
        value = found[1]
        changed, count = redact(json.loads(value) if as_text else value, keys, replacement)
        if count:
            stored = json.dumps(changed) if as_text else changed
            conn.execute(update(table).where(table.c.id == found.id).values({column: stored}))
            replaced += count
    return replaced


def anonymise(
    rt: Runtime,
    instance_id: int,
    keys: Collection[str],
    replacement: str,
    actor: str | None,
    uow: UnitOfWork | None,
) -> int:
    """Replace the values of `keys` in everything the engine keeps of one ended case; record it
    as an event `instance_anonymised` (with the keys, never the values). Returns how many values
    were replaced."""
    wanted = frozenset(keys)
    with rt.database.within(uow) as u:
        conn = u.connection
        row = conn.execute(
            select(
                process_instance.c.status,
                process_instance.c.state,
                process_instance.c.lock_version,
            )
            .where(process_instance.c.id == instance_id)
            .with_for_update()
        ).first()
        if row is None:
            raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
        if row.status in ACTIVE:
            raise InstanceStateError(
                f"Zaak {instance_id} loopt nog; alleen van een afgesloten zaak worden "
                "persoonsgegevens verwijderd."
            )
        state, replaced = redact(json.loads(row.state), wanted, replacement)
        if replaced:
            conn.execute(
                update(process_instance)
                .where(process_instance.c.id == instance_id)
                .values(state=json.dumps(state), lock_version=row.lock_version + 1)
            )
        for table, column, as_text in (
            (event, event.c.detail, False),
            (outbox, outbox.c.payload, False),
            (instance_migration, instance_migration.c.previous_state, True),
        ):
            replaced += _redact_rows(conn, table, column, as_text, instance_id, wanted, replacement)
        conn.execute(
            insert(event).values(
                instance_id=instance_id,
                type="instance_anonymised",
                at=rt.now(),
                actor=actor,
                detail={"keys": sorted(wanted), "replaced": replaced},
            )
        )
    rt.workflows.evict(instance_id)
    return replaced
