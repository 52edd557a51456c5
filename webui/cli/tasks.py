"""`wegwijs tasks`, `task`, `complete`, `claim`, `release`, `reassign`: a person's tasks.

These act as a person (`--user` names an account) and go through the same use cases as the
web pages, so they check the same: the role, the team, whose the task is, and the form.
"""

from __future__ import annotations

import sys

import click

from webui.cli.common import (
    data_lines,
    engine,
    fmt,
    json_option,
    limit_option,
    more,
    parse_data,
    person,
    print_json,
    status_word,
    table,
)
from workflows import people
from workflows import tasks as task_actions
from workflows.reports import labels

#: a task's state in words
TASK_STATES = {"open": "open", "completed": "afgerond", "cancelled": "vervallen"}


@click.command("tasks")
@click.option("--lane", "lanes", multiple=True, help="Alleen taken van deze rol(len).")
@click.option("--instance", "instance_id", type=int, default=None, help="Alleen van deze zaak.")
@click.option("--assignee", default=None, help="Alleen taken van deze gebruiker.")
@limit_option("taken")
@json_option
def tasks_command(
    lanes: tuple[str, ...], instance_id: int | None, assignee: str | None, limit: int, as_json: bool
) -> None:
    """Toon open gebruikerstaken (oudste eerst)."""
    eng = engine()
    items = eng.list_tasks(
        lanes=lanes or None, instance_id=instance_id, assignee=assignee, limit=limit
    )
    if as_json:
        print_json(items)
        return
    known = people.names(eng, [t.assignee or "" for t in items])
    table(
        [
            (
                t.id,
                t.instance_id,
                t.title,
                labels.team(t.group) if t.group else labels.lane(t.lane),
                people.label(t.assignee, known) if t.assignee else "",
                fmt(t.created_at),
            )
            for t in items
        ],
        ["taak", "zaak", "titel", "rol of team", "toegewezen aan", "klaargezet"],
    )
    if len(items) == limit:
        everything = eng.list_tasks(
            lanes=lanes or None, instance_id=instance_id, assignee=assignee, limit=1_000_000
        )
        more(len(items), len(everything), ("taak", "taken"))


@click.command()
@click.argument("task_id")
@json_option
def task(task_id: str, as_json: bool) -> None:
    """Toon taak TAAK met de gegevens waarmee haar formulier begint."""
    eng = engine()
    found = eng.get_task(task_id)
    data = eng.task_data(task_id) if found.state == "open" else {}
    if as_json:
        print_json({"task": found, "data": data})
        return
    known = people.names(eng, [found.assignee or ""])
    click.echo(f"Taak {found.id}")
    click.echo(f"  {found.title} ({found.bpmn_id}), zaak {found.instance_id}")
    click.echo(f"  Rol:            {labels.lane(found.lane)}")
    if found.group:
        click.echo(f"  Team:           {labels.team(found.group)}")
    click.echo(
        f"  Toegewezen aan: {people.label(found.assignee, known) if found.assignee else '-'}"
    )
    click.echo(f"  Status:         {TASK_STATES.get(found.state, found.state)}")
    click.echo(f"  Klaargezet:     {fmt(found.created_at)}")
    if found.due_at:
        click.echo(f"  Uiterlijk:      {fmt(found.due_at)}")
    if found.state == "open":
        click.echo("\nGegevens waarmee het formulier begint:")
        data_lines(data)


@click.command()
@click.argument("task_id")
@click.option("--data", default=None, help="Formuliergegevens als JSON-object.")
@click.option("--user", required=True, help="Wie de taak afrondt (een gebruiker met account).")
@json_option
def complete(task_id: str, data: str | None, user: str, as_json: bool) -> None:
    """Rond taak TAAK af (met dezelfde controles als op de website)."""
    eng = engine()
    result = task_actions.complete(eng, person(eng, user), task_id, data=parse_data(data))
    if result.refused:
        click.echo(f"Fout: {result.refused}", err=True)
        sys.exit(1)
    if not result.done:
        click.echo("Het formulier is niet goed ingevuld:", err=True)
        for field, message in result.errors.items():
            click.echo(f"  - {field or 'formulier'}: {message}", err=True)
        sys.exit(1)
    assert result.instance_id is not None  # noqa: S101 - done means a case moved on
    summary = eng.get_instance(result.instance_id).summary
    if as_json:
        print_json(summary)
        return
    click.echo(f"Taak afgerond. Zaak {summary.id}: {status_word(summary.status)}")
    if summary.last_error:
        click.echo(f"Fout: {summary.last_error}")


@click.command()
@click.argument("task_id")
@click.option("--user", required=True, help="Wie de taak oppakt.")
def claim(task_id: str, user: str) -> None:
    """Pak taak TAAK op."""
    eng = engine()
    who = person(eng, user)
    found = task_actions.claim(eng, who, task_id)
    click.echo(f"Taak '{found.title}' is nu van {who.display_name}.")


@click.command()
@click.argument("task_id")
@click.option("--user", required=True, help="Wie de taak teruglegt.")
def release(task_id: str, user: str) -> None:
    """Leg taak TAAK terug in de teambak."""
    eng = engine()
    task_actions.release(eng, person(eng, user), task_id)
    click.echo("Taak teruggelegd in de teambak.")


@click.command()
@click.argument("task_id")
@click.argument("to")
@click.option("--user", required=True, help="Wie toewijst (een teamleider).")
def reassign(task_id: str, to: str, user: str) -> None:
    """Wijs taak TAAK toe aan gebruiker NAAR."""
    eng = engine()
    found = task_actions.reassign(eng, person(eng, user), task_id, to)
    known = people.names(eng, [to])
    click.echo(f"Taak '{found.title}' toegewezen aan {people.label(to, known)}.")


COMMANDS = (tasks_command, task, complete, claim, release, reassign)
