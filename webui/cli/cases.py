"""`wegwijs start`, `message`, `cancel`, `retry`, `timers`, `instances`, `show`, `fund`: cases."""

from __future__ import annotations

import json

import click

from webui.cli.common import engine, fmt, parse_data, print_json, system, table
from workflows import bootstrap, cases, fund

STATUSES = ["running", "waiting", "completed", "errored", "cancelled"]


@click.command()
@click.argument("process_id")
@click.option("--data", default=None, help="Startgegevens als JSON-object.")
@click.option("--key", "business_key", default=None, help="Zaaknummer (business key).")
@click.option("--user", default=None, help="Wie start (voor de audittrail).")
@click.option("--json", "as_json", is_flag=True)
def start(
    process_id: str, data: str | None, business_key: str | None, user: str | None, as_json: bool
) -> None:
    """Start een nieuwe zaak van PROCESS_ID."""
    summary = cases.start(engine(), system(user), process_id, parse_data(data), business_key)
    if as_json:
        print_json(summary)
        return
    click.echo(f"Zaak {summary.id} gestart ({summary.process_id}), status: {summary.status}")
    if summary.last_error:
        click.echo(f"Fout: {summary.last_error}")


@click.command()
@click.argument("name")
@click.option("--instance", "instance_id", type=int, default=None)
@click.option("--key", "business_key", default=None)
@click.option("--data", default=None, help="Inhoud van het bericht als JSON-object.")
@click.option("--user", default=None)
def message(
    name: str, instance_id: int | None, business_key: str | None, data: str | None, user: str | None
) -> None:
    """Stuur bericht NAME naar een wachtende zaak."""
    summary = cases.send_message(
        engine(), system(user), name, parse_data(data), instance_id, business_key
    )
    click.echo(f"Bericht afgeleverd. Zaak {summary.id}: {summary.status}")


@click.command()
@click.argument("instance_id", type=int)
@click.option("--user", default=None)
@click.option("--reason", default=None)
def cancel(instance_id: int, user: str | None, reason: str | None) -> None:
    """Annuleer zaak INSTANCE_ID."""
    summary = cases.cancel(engine(), system(user), instance_id, reason)
    click.echo(f"Zaak {summary.id}: {summary.status}")


@click.command()
@click.argument("instance_id", type=int)
@click.option("--user", default=None)
def retry(instance_id: int, user: str | None) -> None:
    """Voer een zaak in fout opnieuw uit vanaf de mislukte stap."""
    summary = cases.retry(engine(), system(user), instance_id)
    click.echo(
        f"Zaak {summary.id}: {summary.status}"
        + (f" — {summary.last_error}" if summary.last_error else "")
    )


@click.command()
def timers() -> None:
    """Laat timers aflopen die nu verlopen zijn (de worker doet dit later in een lus)."""
    fired = cases.fire_timers(engine())
    click.echo(f"{fired} zaak/zaken bijgewerkt door timers.")


@click.command()
@click.option("--status", default=None, type=click.Choice(STATUSES))
@click.option("--process", "process_id", default=None)
@click.option("--json", "as_json", is_flag=True)
def instances(status: str | None, process_id: str | None, as_json: bool) -> None:
    """Toon zaken (nieuwste eerst)."""
    items = engine().list_instances(status=status, process_id=process_id)
    if as_json:
        print_json(items)
        return
    table(
        [
            (
                i.id,
                i.process_id,
                i.version,
                i.business_key,
                i.status,
                fmt(i.started_at),
                fmt(i.next_timer_due),
            )
            for i in items
        ],
        ["zaak", "proces", "versie", "zaaknummer", "status", "gestart", "volgende timer"],
    )


@click.command()
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def show(instance_id: int, as_json: bool) -> None:
    """Toon één zaak: status, gegevens, open taken en geschiedenis."""
    detail = engine().get_instance(instance_id)
    if as_json:
        print_json(detail)
        return
    s = detail.summary
    click.echo(f"Zaak {s.id} — {s.process_id} v{s.version} — status: {s.status}")
    if s.business_key:
        click.echo(f"Zaaknummer: {s.business_key}")
    click.echo(
        f"Gestart: {fmt(s.started_at)}   Beëindigd: {fmt(s.ended_at)}   Volgende timer: {fmt(s.next_timer_due)}"
    )
    if s.last_error:
        click.echo(f"Fout: {s.last_error}")
    click.echo("Gegevens: " + json.dumps(detail.data, ensure_ascii=False, default=str))
    if detail.waiting_for:
        click.echo("Wacht op: " + ", ".join(detail.waiting_for))
    click.echo("\nOpen taken:")
    table(
        [(t.id, t.bpmn_id, t.title, t.lane, t.assignee) for t in detail.open_tasks],
        ["taak", "bpmn-id", "titel", "rol", "toegewezen"],
    )
    click.echo("\nGeschiedenis:")
    table(
        [(fmt(e.at), e.type, e.bpmn_id, e.actor) for e in detail.events],
        ["wanneer", "gebeurtenis", "element", "door"],
    )


@click.command("fund")
@click.option("--period", default=None, help="Fondsperiode (standaard: die uit de instellingen).")
@click.option("--json", "as_json", is_flag=True)
def fund_command(period: str | None, as_json: bool) -> None:
    """Toon het initiatievenfonds: plafond, gereserveerd, toegekend, betaald, beschikbaar."""
    settings = bootstrap.settings_from_env()
    total, items = fund.overview(engine(), period or settings.fund_period)
    if as_json:
        print_json({"summary": total, "entries": items})
        return
    click.echo(f"{total.name} ({total.code})")
    for label, cents in (
        ("Plafond", total.ceiling),
        ("Gereserveerd", total.reserved),
        ("Toegekend", total.committed),
        ("Betaald", total.paid),
        ("Beschikbaar", total.available),
    ):
        click.echo(f"  {label:<13} {fund.euros(cents):>16}")
    click.echo(f"  Aanvragen: {total.applications}, afgewezen op het plafond: {total.refused}\n")
    table(
        [
            (
                e.volgnummer,
                e.initiative_key,
                fund.euros(e.requested),
                fund.euros(e.amount),
                e.outcome,
            )
            for e in items
        ],
        ["volgnr", "zaak", "aangevraagd", "gereserveerd/toegekend", "stand"],
    )


COMMANDS = (start, message, cancel, retry, timers, instances, show, fund_command)
