"""Moving a waiting case to a newer version of its process: a pre-check per case that refuses
with reasons where the change is unsafe, the move itself (SpiffWorkflow's `diff_workflow` and
`migrate_workflow`), and undoing it while the case has not moved on.

The pre-check refuses when
- the case is not running or waiting, or the target is not a newer version of its process;
- an element the case stands at, or has passed, no longer exists in the new version (its
  history would point at nothing);
- a new element lies *before* where the case stands: the library only re-plans what is ready
  or waiting, so the case would silently skip it (shared/SPIFFWORKFLOW.md §4);
- the moved case cannot be saved and loaded again on the new version (a dry run proves it).

Only READY tasks are re-planned: waiting timers and messages keep what they were waiting for
(a timer keeps its moment), so a move never restarts a deadline. Open user tasks keep their
ids, assignee and start; their title, properties and due date follow the new version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import insert, select, update

from engine import diffs, failures, saving, spiff
from engine.clock import as_utc
from engine.errors import DefinitionError, InstanceStateError, NotFoundError, Problem
from engine.instances import Loaded, lock_and_load
from engine.persistence import statements as sql
from engine.persistence.tables import (
    human_task,
    instance_migration,
    process_instance,
    process_version,
)
from engine.runtime import ACTIVE, Runtime
from engine.settings import TaskDueInput
from engine.types import MigrationCheck, MigrationRecord, VersionDiff
from engine.unit_of_work import UnitOfWork

_HERE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_PASSED = TaskState.COMPLETED | TaskState.ERROR


# ------------------------------------------------------------------ version diffs


def _version_row(conn: Any, version_id: int) -> Any:
    found = conn.execute(select(process_version).where(process_version.c.id == version_id)).first()
    if found is None:
        raise NotFoundError(f"Versie {version_id} bestaat niet.")
    return found


def diff_versions(rt: Runtime, from_version_id: int, to_version_id: int) -> VersionDiff:
    """What changed between two deployed versions of one process."""
    with rt.database.reading() as conn:
        old, new = _version_row(conn, from_version_id), _version_row(conn, to_version_id)
        old_specs = rt.version_specs(conn, old.id)
        new_specs = rt.version_specs(conn, new.id)
    return diffs.diff_specs(
        rt.codec._registry,
        (old_specs.spec, old_specs.subprocess_specs),
        (new_specs.spec, new_specs.subprocess_specs),
        old.process_id,
        old.version,
        new.version,
    )


def diff_files(
    rt: Runtime, from_version_id: int, files: dict[str, bytes], process_id: str
) -> VersionDiff:
    """What a set of files (a draft) would change in a deployed version of the process."""
    from engine.definitions import parse_version_files

    with rt.database.reading() as conn:
        old = _version_row(conn, from_version_id)
        old_specs = rt.version_specs(conn, old.id)
    try:
        spec, subprocess_specs, _ = parse_version_files(files, process_id)
    except DefinitionError:
        raise
    except Exception as exc:  # the draft does not parse: its check says why
        raise DefinitionError(
            [
                Problem(
                    "(concept)", f"het concept kan niet worden vergeleken: {failures.describe(exc)}"
                )
            ]
        ) from exc
    return diffs.diff_specs(
        rt.codec._registry,
        (old_specs.spec, old_specs.subprocess_specs),
        (spec, {k: v for k, v in subprocess_specs.items() if v is not None}),
        process_id,
        old.version,
        None,
    )


# ------------------------------------------------------------------ the plan for one case


def _before_position(new_spec: Any, added: Iterable[Any], here: set[str]) -> list[Any]:
    """Added specs that lie before where the case stands: reachable from the start without
    passing the current position, and leading to it."""
    start = new_spec.start

    def reach(origin: Any, blocked: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = [origin]
        while todo:
            spec = todo.pop()
            if spec.name in seen:
                continue
            seen.add(spec.name)
            if spec.name in blocked and spec is not origin:
                continue
            todo.extend(spec.outputs)
        return seen

    from_start = reach(start, here)
    found = []
    for spec in added:
        if spec.name in from_start and reach(spec, set()) & here:
            found.append(spec)
    return found


def _plan(rt: Runtime, conn: Any, row: Any, target: Any) -> tuple[list[str], list[str], Any]:
    """(reasons to refuse, changes in words, the moved workflow or None): a dry run on a copy."""
    reasons: list[str] = []
    changes: list[str] = [f"de zaak gaat van versie {row.version} naar versie {target.version}"]
    if row.status not in ACTIVE:
        reasons.append(f"de zaak is {row.status}; alleen lopende of wachtende zaken gaan over")
    if target.process_id != row.process_id:
        reasons.append("de nieuwe versie hoort bij een ander proces")
    if target.version <= row.version:
        reasons.append(f"versie {target.version} is niet nieuwer dan versie {row.version}")
    if reasons:
        return reasons, changes, None
    state = conn.execute(sql.SELECT_STATE, {"b_id": row.instance_id}).scalar_one()
    workflow = rt.codec.loads(
        state, row.serializer_version, rt.version_specs(conn, row.process_version_id)
    )
    new_specs = rt.version_specs(conn, target.id)
    spec, subprocess_specs = new_specs.for_workflow()
    registry = rt.codec._registry
    top, sub_diffs = diff_workflow(registry, workflow, spec, subprocess_specs)
    pairs = [(top, workflow, spec)]
    for key, sub_diff in sub_diffs.items():
        sub = workflow.subprocesses[key]
        if sub_diff is None:
            if not sub.is_completed():
                reasons.append(f"het lopende subproces '{sub.spec.name}' bestaat niet meer")
            continue
        pairs.append((sub_diff, sub, subprocess_specs[sub.spec.name]))
    for diff, flow, new_spec in pairs:
        for task in diff.removed:
            if task.state & (_HERE | _PASSED) and diffs._visible(task.task_spec):
                where = "staat nu bij" if task.state & _HERE else "heeft al doorlopen"
                reasons.append(
                    f"de zaak {where} {spiff.element_label(task)}, dat in versie "
                    f"{target.version} niet meer bestaat"
                )
        here = {t.task_spec.name for t in flow.get_tasks(state=_HERE, skip_subprocesses=True)}
        added = SpecDiff(registry, flow.spec, new_spec).added
        for spec_before in _before_position(new_spec, added, here):
            if diffs._visible(spec_before):
                reasons.append(
                    f"'{diffs._label(spec_before)}' is nieuw en ligt vóór waar de zaak staat; "
                    "de zaak zou die stap overslaan"
                )
        for task in diff.changed:
            if not task.state & _HERE or not diffs._visible(task.task_spec):
                continue
            words = diffs._words(
                registry.convert(task.task_spec),
                registry.convert(diff.alignment[task]),
                SpecDiff(registry, flow.spec, new_spec).comparisons.get(task.task_spec, ()),
            )
            if task.state & TaskState.WAITING:
                words.append(
                    "wacht verder met de oude instelling (de wachttijd begint niet opnieuw)"
                )
            if words:
                changes.append(f"{spiff.element_label(task)}: " + "; ".join(words))
    if reasons:
        return reasons, changes, None
    try:
        for diff, flow, new_spec in pairs:
            migrate_workflow(diff, flow, new_spec, reset_mask=TaskState.READY)
        workflow.subprocess_specs = subprocess_specs
        text = rt.codec.dumps(workflow)
        moved = rt.codec.loads(text, rt.codec.version, new_specs)
        moved.script_engine = rt.script_engine
        spiff.scan(moved)
    except Exception as exc:
        reasons.append(
            f"de zaak kan niet op versie {target.version} worden gezet: {failures.describe(exc)}"
        )
        return reasons, changes, None
    return [], changes, moved


def _instance_row(rt: Runtime, u: Any, instance_id: int) -> Any:
    found = u.all(sql.INSTANCE_BY_ID, {"b_id": instance_id})
    if not found:
        raise NotFoundError(f"Zaak {instance_id} bestaat niet.")
    return found[0]


def _target(conn: Any, row: Any, to_version_id: int | None) -> Any:
    if to_version_id is not None:
        return _version_row(conn, to_version_id)
    latest = conn.execute(sql.LATEST_VERSION, {"b_process_id": row.process_id}).first()
    return _version_row(conn, latest.id)


def check(rt: Runtime, instance_id: int, to_version_id: int | None) -> MigrationCheck:
    """The pre-check for one case (nothing changes); target None: the newest version."""
    with rt.database.reading() as conn:
        from engine.unit_of_work import Reads

        row = _instance_row(rt, Reads(conn, rt.database.statements), instance_id)
        target = _target(conn, row, to_version_id)
        reasons, changes, _ = _plan(rt, conn, row, target)
    return MigrationCheck(
        instance_id=instance_id,
        business_key=row.business_key,
        status=row.status,
        from_version=int(row.version),
        to_version=int(target.version),
        allowed=not reasons,
        reasons=tuple(reasons),
        changes=tuple(changes),
    )


# ------------------------------------------------------------------ move and undo


def _snapshot(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        {
            "task_id": r.task_id,
            "title": r.title,
            "lane": r.lane,
            "properties": r.properties,
            "created_at": as_utc(r.created_at).isoformat(),
            "due_at": as_utc(r.due_at).isoformat() if r.due_at else None,
        }
        for r in rows
    ]


def _as_row(row: Any, **changed: Any) -> Any:
    values = row._asdict() if hasattr(row, "_asdict") else dict(row._mapping)
    return SimpleNamespace(**{**values, **changed})


def migrate(
    rt: Runtime,
    instance_id: int,
    to_version_id: int | None,
    actor: str | None,
    uow: UnitOfWork | None,
) -> MigrationRecord:
    """Move one case to a newer version after its pre-check; refused (InstanceStateError) with
    the pre-check's reasons."""
    with rt.database.within(uow) as u:
        loaded = lock_and_load(rt, u, instance_id)
        rt.workflows.evict(instance_id)  # the moved workflow replaces the cached one
        row = loaded.row
        target = _target(u.connection, row, to_version_id)
        reasons, changes, moved = _plan(rt, u.connection, row, target)
        if reasons or moved is None:
            raise InstanceStateError(
                f"Zaak {instance_id} kan niet naar versie {target.version}: " + "; ".join(reasons)
            )
        previous_state = u.connection.execute(sql.SELECT_STATE, {"b_id": instance_id}).scalar_one()
        open_rows = u.all(sql.OPEN_TASKS_OF_INSTANCE, {"b_id": instance_id})
        now = rt.now()
        new_row = _as_row(row, process_version_id=target.id, version=target.version)
        moved_loaded = Loaded(new_row, moved, open_tasks={r.task_id: r.bpmn_id for r in open_rows})
        detail = {
            "from_version": int(row.version),
            "to_version": int(target.version),
            "changes": changes,
        }
        moved_loaded.add_event("instance_migrated", now, actor, detail=detail)
        saving.save(rt, u, moved_loaded, actor, now)
        u.connection.execute(
            update(process_instance)
            .where(process_instance.c.id == instance_id)
            .values(process_version_id=target.id)
        )
        _follow_new_version(rt, u, moved, open_rows)
        key = u.connection.execute(
            insert(instance_migration).values(
                instance_id=instance_id,
                from_version_id=row.process_version_id,
                to_version_id=target.id,
                migrated_at=now,
                migrated_by=actor,
                lock_version=row.lock_version + 1,
                previous_state=previous_state,
                previous_serializer_version=row.serializer_version,
                previous_tasks=_snapshot(open_rows),
                changes=changes,
            )
        ).inserted_primary_key
    return MigrationRecord(
        id=int(key[0]) if key else 0,
        instance_id=instance_id,
        from_version=int(row.version),
        to_version=int(target.version),
        at=now,
        actor=actor,
        changes=tuple(changes),
        undone_at=None,
        undoable=True,
    )


def _follow_new_version(rt: Runtime, u: UnitOfWork, workflow: Any, open_rows: list[Any]) -> None:
    """Open user tasks that stayed open take the new version's title, properties and due date."""
    created = {r.task_id: as_utc(r.created_at) for r in open_rows}
    ready, _ = spiff.scan(workflow)
    for task in ready:
        if task.id not in created:
            continue
        due = None
        if rt.settings.task_due is not None:
            due = rt.settings.task_due(
                TaskDueInput(
                    task.process_id,
                    task.bpmn_id,
                    task.lane,
                    dict(task.properties),
                    created[task.id],
                )
            )
        u.connection.execute(
            update(human_task)
            .where(human_task.c.task_id == task.id, human_task.c.state == "open")
            .values(title=task.title, properties=task.properties, lane=task.lane, due_at=due)
        )


def _latest(conn: Any, instance_id: int) -> Any:
    return conn.execute(
        select(instance_migration)
        .where(instance_migration.c.instance_id == instance_id)
        .order_by(instance_migration.c.id.desc())
        .limit(1)
    ).first()


def undo(
    rt: Runtime, instance_id: int, actor: str | None, uow: UnitOfWork | None
) -> MigrationRecord:
    """Put a case back on the version it came from, while it has not moved on since."""
    with rt.database.within(uow) as u:
        loaded = lock_and_load(rt, u, instance_id)
        rt.workflows.evict(instance_id)
        row = loaded.row
        last = _latest(u.connection, instance_id)
        if last is None or last.undone_at is not None:
            raise InstanceStateError(
                f"Zaak {instance_id} is niet omgezet; er is niets terug te zetten."
            )
        if row.lock_version != last.lock_version:
            raise InstanceStateError(
                f"Zaak {instance_id} is na de omzetting verder gegaan; terugzetten kan niet meer."
            )
        now = rt.now()
        before = {t["task_id"]: t for t in last.previous_tasks}
        for open_row in u.all(sql.OPEN_TASKS_OF_INSTANCE, {"b_id": instance_id}):
            if open_row.task_id not in before:
                u.run(sql.CANCEL_HUMAN_TASKS, {"b_task_ids": [open_row.task_id], "b_now": now})
        for task_id, saved in before.items():
            u.connection.execute(
                update(human_task)
                .where(human_task.c.task_id == task_id)
                .values(
                    state="open",
                    completed_at=None,
                    title=saved["title"],
                    lane=saved["lane"],
                    properties=saved["properties"],
                    due_at=datetime.fromisoformat(saved["due_at"]) if saved["due_at"] else None,
                )
            )
        old = _version_row(u.connection, last.from_version_id)
        workflow = rt.codec.loads(
            last.previous_state,
            last.previous_serializer_version,
            rt.version_specs(u.connection, old.id),
        )
        workflow.script_engine = rt.script_engine
        back = Loaded(_as_row(row, process_version_id=old.id, version=old.version), workflow)
        back.add_event(
            "migration_undone",
            now,
            actor,
            detail={"from_version": int(row.version), "to_version": int(old.version)},
        )
        saving.save(rt, u, back, actor, now)
        u.connection.execute(
            update(process_instance)
            .where(process_instance.c.id == instance_id)
            .values(process_version_id=old.id)
        )
        u.connection.execute(
            update(instance_migration)
            .where(instance_migration.c.id == last.id)
            .values(undone_at=now, undone_by=actor)
        )
    return MigrationRecord(
        id=int(last.id),
        instance_id=instance_id,
        from_version=int(old.version),
        to_version=int(row.version),
        at=as_utc(last.migrated_at),
        actor=last.migrated_by,
        changes=tuple(last.changes),
        undone_at=now,
        undoable=False,
    )


def history(rt: Runtime, instance_id: int) -> list[MigrationRecord]:
    """The moves of one case, newest first (only the newest can be undone, while it holds)."""
    with rt.database.reading() as conn:
        lock = conn.execute(
            select(process_instance.c.lock_version).where(process_instance.c.id == instance_id)
        ).scalar()
        found = conn.execute(
            select(instance_migration)
            .where(instance_migration.c.instance_id == instance_id)
            .order_by(instance_migration.c.id.desc())
        ).all()
        versions = {
            r.id: r.version
            for r in conn.execute(
                select(process_version.c.id, process_version.c.version).where(
                    process_version.c.id.in_(
                        {m.from_version_id for m in found} | {m.to_version_id for m in found}
                    )
                )
            )
        }
    return [
        MigrationRecord(
            id=int(m.id),
            instance_id=instance_id,
            from_version=int(versions.get(m.from_version_id, 0)),
            to_version=int(versions.get(m.to_version_id, 0)),
            at=as_utc(m.migrated_at),
            actor=m.migrated_by,
            changes=tuple(json.loads(m.changes) if isinstance(m.changes, str) else m.changes),
            undone_at=as_utc(m.undone_at) if m.undone_at else None,
            undoable=index == 0 and m.undone_at is None and m.lock_version == lock,
        )
        for index, m in enumerate(found)
    ]
