"""What people do with a task: open it, claim, release, reassign, keep a draft, complete.

Every one of these is the one path for both the web app and the command line, so both check
the same things: the task's lane is one of the user's roles (its team too, when it has one),
it is still open, it is theirs or nobody's, and the form is filled in as its schema says.
A teamleider may release and reassign the tasks of the lanes they hold.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select

from engine import (
    ConflictError,
    Engine,
    EngineError,
    HumanTask,
    InstanceStateError,
    NotFoundError,
    OpenTask,
    TaskNotAllowedError,
    as_utc,
)
from engine.readmodel import human_task, process_instance
from workflows import forms, initiative_page, instructions, labels, people
from workflows.accounts import User, get_user, list_users
from workflows.instructions import BudgetView
from workflows.roles import ROLES, TEAM_LEAD, acting_lanes, may_act
from workflows.tables import app_user, initiative, task_draft
from workflows.worklist import WorkItem, item_of

#: a draft is what one person typed into one form
MAX_DRAFT_BYTES = 64 * 1024
_NO_FORM: dict[str, Any] = {"type": "object", "properties": {}}


def check_lane(user: User, task: HumanTask) -> None:
    """The user may act on this task: its lane is theirs, and its team too when it has one."""
    mine = task.assignee == user.username
    if may_act(user.roles, user.teams, task.lane, task.group, assigned=mine):
        return
    if task.lane is None:
        raise TaskNotAllowedError(f"U mag taak '{task.title}' niet uitvoeren.")
    if task.lane not in acting_lanes(user.roles):
        raise TaskNotAllowedError(
            f"Taak '{task.title}' hoort bij de rol '{ROLES.get(task.lane, task.lane)}'; "
            "die rol heeft u niet."
        )
    raise TaskNotAllowedError(
        f"Taak '{task.title}' is voor team {labels.word('team', task.group)}; daar bent u geen "
        "lid van. "
        "Een teamleider kan de taak aan u toewijzen als dat nodig is."
    )


def _check_still_mine(task: HumanTask, user: User) -> None:
    """Open, and mine or nobody's (a task someone else holds is theirs to finish)."""
    if task.state != "open":
        raise ConflictError(
            f"Taak '{task.title}' is intussen al afgerond of vervallen; uw invoer is niet verwerkt."
        )
    if task.assignee not in (None, user.username):
        raise ConflictError(
            f"Taak '{task.title}' is intussen toegewezen aan {_name(task.assignee)}; uw invoer "
            "is niet verwerkt. Vraag de teamleider als u haar toch wilt doen."
        )


def _name(username: str | None) -> str:
    return username or "niemand"


def case_problem(status: str) -> str | None:
    """Why tasks of a case with this status cannot be completed now, in Dutch (or None)."""
    if status == "errored":
        return (
            "Deze zaak staat in fout; afronden kan pas als de beheerder haar heeft hersteld. "
            "Sla uw invoer zo lang op als concept."
        )
    if status in ("completed", "cancelled"):
        return "Deze zaak is al afgesloten; deze taak hoeft niet meer te worden gedaan."
    return None


# ---------------------------------------------------------------- claim, release, reassign


def claim(engine: Engine, user: User, task_id: str) -> HumanTask:
    """Use case: take a task of one's team."""
    return engine.claim_task(task_id, user.username, check=lambda t: check_lane(user, t))


class _AlreadyFree(Exception):  # noqa: N818 - control flow inside one use case, never escapes
    pass


def release(engine: Engine, user: User, task_id: str) -> HumanTask | None:
    """Use case: put one's task back in the team queue (a team lead may release any).
    None when it was in the queue already (nothing to record)."""

    def check(task: HumanTask) -> None:
        check_lane(user, task)
        if task.state == "open" and task.assignee is None:
            raise _AlreadyFree
        if task.assignee != user.username and TEAM_LEAD not in user.roles:
            raise TaskNotAllowedError(
                f"Taak '{task.title}' is van {_name(task.assignee)}; alleen die persoon of "
                "een teamleider kan haar terugleggen."
            )

    try:
        return engine.release_task(task_id, user.username, check=check)
    except _AlreadyFree:
        return None


def reassign(engine: Engine, user: User, task_id: str, to_username: str) -> HumanTask:
    """Use case: a team lead gives an open task to a colleague who holds its role."""
    if TEAM_LEAD not in user.roles:
        raise TaskNotAllowedError("Alleen een teamleider kan taken aan een ander toewijzen.")
    target = get_user(engine, to_username)
    if target is None:
        raise NotFoundError(f"Gebruiker '{to_username}' bestaat niet of is niet actief.")

    def check(task: HumanTask) -> None:
        check_lane(user, task)
        if task.lane and task.lane not in acting_lanes(target.roles):
            raise TaskNotAllowedError(
                f"{target.display_name} heeft de rol '{ROLES.get(task.lane, task.lane)}' niet en "
                f"kan taak '{task.title}' dus niet uitvoeren."
            )

    return engine.reassign_task(task_id, target.username, user.username, check=check)


def assignable_users(engine: Engine, lane: str | None, group: str | None = None) -> list[User]:
    """The active users who may be given a task of this lane: the task's team first."""
    found = [u for u in list_users(engine) if u.active and may_act(u.roles, u.teams, lane, None)]
    return sorted(found, key=lambda u: (group is not None and group not in u.teams, u.display_name))


def colleague_choices(
    engine: Engine, lane: str | None, group: str | None = None
) -> list[tuple[str, str]]:
    """(user name, "Name — teams: …") of whom a task of this lane can be given to."""
    return [
        (
            u.username,
            u.display_name
            + (
                " — teams: " + ", ".join(sorted(labels.word("team", t) for t in u.teams))
                if u.teams
                else ""
            ),
        )
        for u in assignable_users(engine, lane, group)
    ]


# ---------------------------------------------------------------- the task page


@dataclass(frozen=True)
class TaskPage:
    """Everything the task page shows."""

    item: WorkItem
    key_data: tuple[tuple[str, str], ...]
    description: str
    fields: tuple[forms.FieldSpec, ...]
    values: Mapping[str, Any]
    errors: Mapping[str, str]
    draft_saved_at: datetime | None
    mine: bool
    can_reassign: bool
    on_behalf_of: str | None = None  # the lane's label when filled in for someone without account
    case_problem: str | None = None  # why it cannot be completed now (e.g. the case is in error)
    #: who holds it, by name (None: nobody yet)
    holder: str | None = None
    #: shown without a form: why this user may not fill it in (another's task, another role)
    read_only: str | None = None
    #: the user may put it back in the team queue (theirs, or a team lead of its lane)
    can_release: bool = False
    #: what the diagram tells whoever does it, with the case data filled in
    instructions: str = ""
    #: the ledger a decision here spends from (task property `budget`), as it stands now
    budget: BudgetView | None = None


def _task_row(conn: Any, task_id: str) -> Any:
    row = conn.execute(
        select(
            human_task.c.task_id,
            human_task.c.instance_id,
            human_task.c.process_id,
            human_task.c.bpmn_id,
            human_task.c.title,
            human_task.c.lane,
            human_task.c.assignee,
            human_task.c.created_at,
            human_task.c.claimed_at,
            human_task.c.completed_at,
            human_task.c.completed_by,
            human_task.c.due_at,
            human_task.c.properties,
            human_task.c.candidate_group,
            human_task.c.state,
            process_instance.c.business_key,
            process_instance.c.status.label("case_status"),
            initiative.c.zaaknummer,
            initiative.c.title.label("initiative_title"),
            app_user.c.display_name.label("assignee_name"),
        )
        .join(process_instance, process_instance.c.id == human_task.c.instance_id)
        .outerjoin(app_user, app_user.c.username == human_task.c.assignee)
        .outerjoin(initiative, initiative.c.instance_id == human_task.c.instance_id)
        .where(human_task.c.task_id == task_id)
    ).first()
    if row is None:
        raise NotFoundError("Deze taak bestaat niet.")
    return row


def _as_human_task(row: Any) -> HumanTask:
    return HumanTask(
        id=row.task_id,
        instance_id=int(row.instance_id),
        process_id=row.process_id,
        business_key=row.business_key,
        bpmn_id=row.bpmn_id,
        title=row.title,
        lane=row.lane,
        state=row.state,
        assignee=row.assignee,
        created_at=as_utc(row.created_at),
        claimed_at=as_utc(row.claimed_at) if row.claimed_at else None,
        completed_at=as_utc(row.completed_at) if row.completed_at else None,
        completed_by=row.completed_by,
        due_at=as_utc(row.due_at) if row.due_at else None,
        properties=dict(row.properties or {}),
        group=row.candidate_group,
    )


def open_task(engine: Engine, user: User, task_id: str) -> TaskPage:
    """Use case: the task page, with a saved draft or else the task's current values.

    Someone who may read the case but not do this task (another role, a manager, a colleague
    holding it) sees it read-only, with the reason.
    """
    with engine.reading() as conn:
        row = _task_row(conn, task_id)
        draft = conn.execute(select(task_draft).where(task_draft.c.task_id == task_id)).first()
    task = _as_human_task(row)
    if row.state != "open":
        raise ConflictError(
            f"Taak '{row.title}' is niet meer open"
            f"{' (afgerond)' if row.state == 'completed' else ''}; er is niets meer te doen."
        )
    read_only = None
    try:
        check_lane(user, task)
    except TaskNotAllowedError as refused:
        read_only = str(refused)
    mine = row.assignee == user.username
    holder = people.contact(engine, row.assignee).name if row.assignee else None
    if read_only is None and row.assignee and not mine:
        read_only = (
            f"Deze taak is van {holder}. U kunt haar bekijken; afronden kan alleen wie haar heeft."
        )
    schema = with_limits(
        people.with_people(engine, engine.task_form(task_id) or _NO_FORM), task.properties
    )
    specs = tuple(forms.fields(schema))
    seen = engine.task_data(task_id)  # this task's own data, not a sibling's newer answers
    if draft is not None and read_only is None:
        values: Mapping[str, Any] = dict(draft.data)
    else:
        values = {s.name: _as_form_value(seen.get(s.name)) for s in specs if s.name in seen}
    lead = TEAM_LEAD in user.roles and (task.lane or "") in user.roles
    return TaskPage(
        key_data=initiative_page.key_data(seen),
        item=item_of(row, engine.now()),
        description=str(schema.get("description") or ""),
        fields=specs,
        values=values,
        errors={},
        draft_saved_at=as_utc(draft.saved_at) if draft is not None else None,
        mine=mine,
        can_reassign=lead,
        on_behalf_of=ROLES.get(row.lane) if row.lane and row.lane not in user.roles else None,
        case_problem=case_problem(row.case_status),
        holder=holder,
        read_only=read_only,
        can_release=bool(row.assignee) and (mine or lead),
        instructions=instructions.render(task.properties.get(instructions.PROPERTY), seen),
        budget=instructions.budget_of(engine, task.properties, seen),
    )


#: a task property that bounds a form field by a value the case had when the task opened,
#: "field=path" into the task's context values, e.g. "granted_amount=application.amount": a
#: subsidy cannot be granted above what the fund reserved for the application
MAX_FROM = "max_from"


def with_limits(schema: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """The form's schema with the maximum its task's `max_from` property sets (if lower)."""
    spec = str(properties.get(MAX_FROM) or "")
    field, _, path = spec.partition("=")
    value: Any = properties.get("context_values") or {}
    for key in path.split(".") if path else ():
        value = value.get(key) if isinstance(value, Mapping) else None
    fields = schema.get("properties") or {}
    if field not in fields or isinstance(value, bool) or not isinstance(value, int | float):
        return dict(schema)
    bounded = copy.deepcopy(dict(schema))
    own = bounded["properties"][field]
    own["maximum"] = min(own.get("maximum", value), value)
    return bounded


def _as_form_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)).replace(".", ",")
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return value


def as_typed(raw: forms.RawForm) -> dict[str, Any]:
    """What was typed, as the form shows it again (one string per field, lists for multi-selects)."""
    return {
        k: (v if isinstance(v, str) else v[0] if len(v) == 1 else list(v))
        for k, v in raw.items()
        if k != "csrf_token"
    }


# ---------------------------------------------------------------- drafts and completion


def save_draft(engine: Engine, user: User, task_id: str, raw: forms.RawForm) -> None:
    """Use case: keep what was typed so far, unchecked, for later (claiming a free task)."""
    data = as_typed(raw)
    size = len(json.dumps(data))
    if size > MAX_DRAFT_BYTES:
        raise EngineError(
            f"Het concept is te groot om op te slaan ({size // 1024} kB; maximaal "
            f"{MAX_DRAFT_BYTES // 1024} kB). Kort de tekst in of rond de taak af."
        )
    with engine.transaction() as uow:
        conn = uow.connection
        task = _as_human_task(_task_row(conn, task_id))
        check_lane(user, task)
        _check_still_mine(task, user)
        if task.assignee is None:  # a draft is someone's work in progress: take the task
            engine.claim_task(task_id, user.username, uow=uow)
        conn.execute(delete(task_draft).where(task_draft.c.task_id == task_id))
        conn.execute(
            insert(task_draft).values(
                task_id=task_id, data=data, saved_by=user.username, saved_at=engine.now()
            )
        )


@dataclass(frozen=True)
class Submission:
    """The outcome of submitting a task form: done, the page again with the errors, or refused
    (the task changed meanwhile) with what was typed."""

    done: bool
    page: TaskPage | None = None
    instance_id: int | None = None
    refused: str | None = None
    kept: tuple[tuple[str, str], ...] = ()
    #: the form's errors by field (also on `page` when there is one)
    errors: Mapping[str, str] = dataclasses.field(default_factory=dict)


class _FormNotValid(Exception):  # noqa: N818 - control flow inside one use case, never escapes
    def __init__(self, result: forms.FormResult) -> None:
        super().__init__("form not valid")
        self.result = result


def complete(
    engine: Engine,
    user: User,
    task_id: str,
    raw: forms.RawForm | None = None,
    data: Mapping[str, Any] | None = None,
) -> Submission:
    """Use case: check who may, the task's state and the form, and complete the task — in one
    write transaction that reads the task once (a free task is claimed by the same statement).

    `raw`: an HTML form (text per field, converted as the schema says); `data`: typed JSON
    values (the command line). Wrong input gives the errors (and the page again, for a form);
    a task that changed meanwhile gives the reason plus what was typed, so nothing is lost.
    """

    def check(task: OpenTask) -> Mapping[str, Any]:
        check_lane(user, task.task)
        _check_still_mine(task.task, user)
        problem = case_problem(task.case_status)
        if problem:
            raise InstanceStateError(problem)
        schema = with_limits(
            people.with_people(engine, task.form or _NO_FORM), task.task.properties
        )
        result = forms.clean(schema, raw) if raw is not None else forms.validate(schema, data or {})
        if result.errors:
            raise _FormNotValid(result)
        return people.enrich(engine, schema, result.data)

    try:
        summary = engine.complete_task(task_id, actor=user.username, check=check, claim=True)
    except _FormNotValid as invalid:
        errors = {e.field: e.message for e in invalid.result.errors}
        if raw is None:
            return Submission(done=False, errors=errors)
        page = dataclasses.replace(
            open_task(engine, user, task_id), values=as_typed(raw), errors=errors
        )
        return Submission(done=False, page=page, errors=errors)
    except (ConflictError, InstanceStateError) as exc:
        return Submission(done=False, refused=str(exc), kept=_kept(engine, task_id, raw, data))
    return Submission(done=True, instance_id=summary.id)


def _kept(
    engine: Engine, task_id: str, raw: forms.RawForm | None, data: Mapping[str, Any] | None
) -> tuple[tuple[str, str], ...]:
    """What was typed, as (field title, text), to show back when a submission was refused."""
    try:
        schema = engine.task_form(task_id) or _NO_FORM
    except NotFoundError:
        schema = _NO_FORM
    specs = {spec.name: spec for spec in forms.fields(schema)}
    titles = {name: spec.title for name, spec in specs.items()}
    typed = as_typed(raw) if raw is not None else dict(data or {})

    def shown(spec: forms.FieldSpec, value: Any) -> str:
        """A chosen option by its label, yes/no in words: what the form showed, never a code."""
        labels = {option.value: option.label for option in spec.options}
        if isinstance(value, bool) or value in ("true", "false"):
            return "ja" if value in (True, "true") else "nee"
        return labels.get(str(value), str(value))

    return tuple(
        (
            titles[name],
            ", ".join(shown(specs[name], v) for v in value)
            if isinstance(value, list)
            else shown(specs[name], value),
        )
        for name, value in typed.items()
        if name in titles and value not in ("", [], None)
    )
