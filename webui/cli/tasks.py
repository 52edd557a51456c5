"""`wegwijs tasks`, `task`, `complete`, `claim`, `release`, `reassign`: a person's tasks.

These act as a person (`--user` names an account) and go through the same use cases as the
web pages, so they check the same: the role, the team, whose the task is, and the form.
"""

from __future__ import annotations

import json
import sys

import click

from webui.cli.common import engine, fmt, parse_data, person, print_json, table
from workflows import tasks as task_actions


@click.command("tasks")
@click.option("--lane", "lanes", multiple=True, help="Alleen taken van deze rol(len).")
@click.option("--instance", "instance_id", type=int, default=None)
@click.option("--assignee", default=None)
@click.option("--json", "as_json", is_flag=True)
def tasks_command(
    lanes: tuple[str, ...], instance_id: int | None, assignee: str | None, as_json: bool
) -> None:
    """Toon open gebruikerstaken."""
    items = engine().list_tasks(lanes=lanes or None, instance_id=instance_id, assignee=assignee)
    if as_json:
        print_json(items)
        return
    table(
        [
            (t.id, t.instance_id, t.bpmn_id, t.title, t.lane, t.assignee, fmt(t.created_at))
            for t in items
        ],
        ["taak", "zaak", "bpmn-id", "titel", "rol", "toegewezen", "aangemaakt"],
    )


@click.command()
@click.argument("task_id")
@click.option("--json", "as_json", is_flag=True)
def task(task_id: str, as_json: bool) -> None:
    """Toon taak TASK_ID met de gegevens waarmee haar formulier begint."""
    eng = engine()
    found = eng.get_task(task_id)
    data = eng.task_data(task_id) if found.state == "open" else {}
    if as_json:
        print_json({"task": found, "data": data})
        return
    click.echo(f"Taak {found.id} — {found.title} ({found.bpmn_id}) — zaak {found.instance_id}")
    click.echo(
        f"Rol: {found.lane or '-'}   Toegewezen: {found.assignee or '-'}   Status: {found.state}"
    )
    click.echo("Gegevens: " + json.dumps(data, ensure_ascii=False, default=str, indent=2))


@click.command()
@click.argument("task_id")
@click.option("--data", default=None, help="Formuliergegevens als JSON-object.")
@click.option("--user", required=True, help="Wie de taak afrondt (een gebruiker met account).")
@click.option("--json", "as_json", is_flag=True)
def complete(task_id: str, data: str | None, user: str, as_json: bool) -> None:
    """Rond taak TASK_ID af (met dezelfde controles als op de website)."""
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
    click.echo(f"Taak afgerond. Zaak {summary.id}: {summary.status}")
    if summary.last_error:
        click.echo(f"Fout: {summary.last_error}")


@click.command()
@click.argument("task_id")
@click.option("--user", required=True, help="Wie de taak oppakt.")
def claim(task_id: str, user: str) -> None:
    """Pak taak TASK_ID op."""
    eng = engine()
    found = task_actions.claim(eng, person(eng, user), task_id)
    click.echo(f"Taak '{found.title}' is nu van {user}.")


@click.command()
@click.argument("task_id")
@click.option("--user", required=True, help="Wie de taak teruglegt.")
def release(task_id: str, user: str) -> None:
    """Leg taak TASK_ID terug in de teambak."""
    eng = engine()
    task_actions.release(eng, person(eng, user), task_id)
    click.echo("Taak teruggelegd in de teambak.")


@click.command()
@click.argument("task_id")
@click.argument("to")
@click.option("--user", required=True, help="Wie toewijst (een teamleider).")
def reassign(task_id: str, to: str, user: str) -> None:
    """Wijs taak TASK_ID toe aan gebruiker TO."""
    eng = engine()
    found = task_actions.reassign(eng, person(eng, user), task_id, to)
    click.echo(f"Taak '{found.title}' toegewezen aan {to}.")


COMMANDS = (tasks_command, task, complete, claim, release, reassign)
