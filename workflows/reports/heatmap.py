"""The diagram as a heatmap: per user task of a process version, the median time its
completions took in a period and the cases there now; and the list of those cases."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import func, select

from engine import Engine, NotFoundError, as_utc
from engine.readmodel import TASK_IS_OPEN, human_task, process_instance, process_version
from workflows import people
from workflows.reports import labels
from workflows.reports.periods import Period
from workflows.reports.stats import DAY, Durations
from workflows.tables import initiative, report_task

#: colour classes by median days: below 1, 1–5, 5–10, 10–20, 20 and more
LEVELS: tuple[float, ...] = (1.0, 5.0, 10.0, 20.0)
_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class Element:
    bpmn_id: str
    name: str
    durations: Durations
    open_cases: int

    @property
    def level(self) -> int | None:
        """0–4 by median days (None: no completions in the period)."""
        if self.durations.median is None:
            return None
        days = self.durations.median / DAY
        return sum(1 for bound in LEVELS if days >= bound)


@dataclass(frozen=True)
class Heatmap:
    process_id: str
    process_label: str
    version: int | None  # None: all versions, drawn on the newest
    diagram_version_id: int
    versions: list[int]
    period: Period
    elements: list[Element]


@dataclass(frozen=True)
class CaseThere:
    instance_id: int
    zaaknummer: str
    title: str
    task_title: str
    since: datetime
    holder: str | None
    due_at: datetime | None


def heatmap(engine: Engine, process_id: str, version: int | None, period: Period) -> Heatmap:
    """Use case: the figures per element of one process (one version, or all versions)."""
    with engine.reading() as conn:
        versions = {
            int(v): int(i)
            for i, v in conn.execute(
                select(process_version.c.id, process_version.c.version).where(
                    process_version.c.process_id == process_id
                )
            )
        }
        if not versions or (version is not None and version not in versions):
            raise NotFoundError("Dit proces of deze versie bestaat niet.")
        drawn = versions[version if version is not None else max(versions)]
        files = conn.execute(
            select(process_version.c.files).where(process_version.c.id == drawn)
        ).scalar_one()
        scope = [report_task.c.process_id == process_id]
        if version is not None:
            scope.append(report_task.c.process_version_id == versions[version])
        spent: dict[str, list[float]] = defaultdict(list)
        titles: dict[str, str] = {}
        for bpmn_id, title, waiting, working in conn.execute(
            select(
                report_task.c.bpmn_id,
                report_task.c.title,
                report_task.c.waiting_seconds,
                report_task.c.working_seconds,
            ).where(
                *scope,
                report_task.c.state == "completed",
                report_task.c.closed_month >= period.first,
                report_task.c.closed_month <= period.last,
            )
        ):
            spent[bpmn_id].append(waiting + working)
            titles.setdefault(bpmn_id, title)
        # (a task's own process_id is that of its subprocess: the case's process is the instance's)
        there = (
            select(human_task.c.bpmn_id, func.count(func.distinct(human_task.c.instance_id)))
            .join(process_instance, process_instance.c.id == human_task.c.instance_id)
            .where(TASK_IS_OPEN, process_instance.c.process_id == process_id)
        )
        if version is not None:
            there = there.where(process_instance.c.process_version_id == versions[version])
        open_now: dict[str, int] = {
            str(b): int(n) for b, n in conn.execute(there.group_by(human_task.c.bpmn_id))
        }
    names = user_task_names(_main_file(files, process_id))
    elements = [
        Element(
            bpmn_id,
            name or titles.get(bpmn_id) or labels.tidy(bpmn_id),
            Durations.of(spent.get(bpmn_id, ())),
            int(open_now.get(bpmn_id, 0)),
        )
        for bpmn_id, name in names.items()
    ]
    return Heatmap(
        process_id=process_id,
        process_label=labels.process(process_id),
        version=version,
        diagram_version_id=drawn,
        versions=sorted(versions),
        period=period,
        elements=elements,
    )


def diagram(engine: Engine, version_id: int) -> str:
    """The BPMN file (text) of a version, for the heatmap's viewer."""
    with engine.reading() as conn:
        row = conn.execute(
            select(process_version.c.process_id, process_version.c.files).where(
                process_version.c.id == version_id
            )
        ).first()
    if row is None:
        raise NotFoundError("Deze procesversie bestaat niet.")
    return _main_file(row.files, row.process_id)


def cases_at(
    engine: Engine, process_id: str, version: int | None, bpmn_id: str, limit: int = 500
) -> list[CaseThere]:
    """Use case: the cases at one element now (its open tasks), longest there first."""
    query = (
        select(
            human_task.c.instance_id,
            human_task.c.title,
            human_task.c.created_at,
            human_task.c.assignee,
            human_task.c.due_at,
            initiative.c.zaaknummer,
            initiative.c.title.label("case_title"),
        )
        .join(process_instance, process_instance.c.id == human_task.c.instance_id)
        .outerjoin(initiative, initiative.c.instance_id == human_task.c.instance_id)
        .where(
            TASK_IS_OPEN,
            process_instance.c.process_id == process_id,
            human_task.c.bpmn_id == bpmn_id,
        )
        .order_by(human_task.c.created_at)
        .limit(limit)
    )
    if version is not None:
        query = query.join(
            process_version, process_version.c.id == process_instance.c.process_version_id
        ).where(process_version.c.version == version)
    with engine.reading() as conn:
        rows = conn.execute(query).all()
    seen: set[int] = set()
    first_task = []
    for r in rows:  # a case at a multi-instance task (one per aspect) is listed once
        if int(r.instance_id) not in seen:
            seen.add(int(r.instance_id))
            first_task.append(r)
    known = people.names(engine, [r.assignee or "" for r in first_task])
    return [
        CaseThere(
            instance_id=int(r.instance_id),
            zaaknummer=r.zaaknummer or f"zaak {r.instance_id}",
            title=r.case_title or "",
            task_title=r.title,
            since=as_utc(r.created_at),
            holder=people.label(r.assignee, known) if r.assignee else None,
            due_at=None if r.due_at is None else as_utc(r.due_at),
        )
        for r in first_task
    ]


def _main_file(files: dict[str, str], process_id: str) -> str:
    """The BPMN file of a version that defines its process."""
    bpmn = {name: text for name, text in files.items() if name.endswith(".bpmn")}
    for text in bpmn.values():
        if f'id="{process_id}"' in text:
            return text
    if bpmn:
        return next(iter(bpmn.values()))
    raise NotFoundError("Deze procesversie heeft geen BPMN-bestand.")


def user_task_names(xml: str) -> dict[str, str]:
    """The user tasks of a diagram, in document order: id → name (parsed without entities or
    network; the files passed the deploy checks)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(xml.encode("utf-8"), parser)
    return {
        str(el.get("id")): " ".join((el.get("name") or "").split())
        for el in root.iter(f"{{{_BPMN}}}userTask")
    }
