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

from sqlalchemy import insert, select, update

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
        for found in conn.execute(
            select(event.c.id, event.c.detail).where(event.c.instance_id == instance_id)
        ).all():
            detail, count = redact(found.detail, wanted, replacement)
            if count:
                conn.execute(update(event).where(event.c.id == found.id).values(detail=detail))
                replaced += count
        for found in conn.execute(
            select(outbox.c.id, outbox.c.payload).where(outbox.c.instance_id == instance_id)
        ).all():
            payload, count = redact(found.payload, wanted, replacement)
            if count:
                conn.execute(update(outbox).where(outbox.c.id == found.id).values(payload=payload))
                replaced += count
        for found in conn.execute(
            select(instance_migration.c.id, instance_migration.c.previous_state).where(
                instance_migration.c.instance_id == instance_id
            )
        ).all():
            previous, count = redact(json.loads(found.previous_state), wanted, replacement)
            if count:
                conn.execute(
                    update(instance_migration)
                    .where(instance_migration.c.id == found.id)
                    .values(previous_state=json.dumps(previous))
                )
                replaced += count
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
