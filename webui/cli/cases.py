"""`wegwijs start`, `message`, `cancel`, `retry`, `timers`, `instances`, `show`, `fund`: cases."""

from __future__ import annotations

import click

from webui.cli.common import (
    data_lines,
    engine,
    engine_status,
    fmt,
    json_option,
    limit_option,
    more,
    parse_data,
    print_json,
    status_choice,
    status_word,
    system,
    table,
)
from workflows import bootstrap, cases, fund, people
from workflows.reports import labels


@click.command()
@click.argument("process_id")
@click.option("--data", default=None, help="Startgegevens als JSON-object.")
@click.option("--key", "business_key", default=None, help="Zaaknummer (business key).")
@click.option("--user", default=None, help="Wie start (voor de audittrail).")
@json_option
def start(
    process_id: str, data: str | None, business_key: str | None, user: str | None, as_json: bool
) -> None:
    """Start een nieuwe zaak van PROCES."""
    summary = cases.start(engine(), system(user), process_id, parse_data(data), business_key)
    if as_json:
        print_json(summary)
        return
    click.echo(
        f"Zaak {summary.id} gestart ({summary.process_id} versie {summary.version}), "
        f"status: {status_word(summary.status)}"
    )
    if summary.last_error:
        click.echo(f"Fout: {summary.last_error}")


@click.command()
@click.argument("name")
@click.option("--instance", "instance_id", type=int, default=None, help="Het nummer van de zaak.")
@click.option("--key", "business_key", default=None, help="Of: het zaaknummer.")
@click.option("--data", default=None, help="Inhoud van het bericht als JSON-object.")
@click.option("--user", default=None, help="Wie het bericht stuurt (voor de audittrail).")
def message(
    name: str, instance_id: int | None, business_key: str | None, data: str | None, user: str | None
) -> None:
    """Stuur bericht NAAM naar een wachtende zaak."""
    summary = cases.send_message(
        engine(), system(user), name, parse_data(data), instance_id, business_key
    )
    click.echo(f"Bericht afgeleverd. Zaak {summary.id}: {status_word(summary.status)}")


@click.command()
@click.argument("instance_id", type=int)
@click.option("--user", default=None, help="Wie stopt (voor de audittrail).")
@click.option("--reason", default=None, help="Waarom (komt in de geschiedenis).")
def cancel(instance_id: int, user: str | None, reason: str | None) -> None:
    """Stop zaak ZAAK (het nummer uit 'wegwijs instances')."""
    summary = cases.cancel(engine(), system(user), instance_id, reason)
    click.echo(f"Zaak {summary.id}: {status_word(summary.status)}")


@click.command()
@click.argument("instance_id", type=int)
@click.option("--user", default=None, help="Wie het opnieuw probeert (voor de audittrail).")
def retry(instance_id: int, user: str | None) -> None:
    """Voer een zaak in fout opnieuw uit vanaf de mislukte stap."""
    summary = cases.retry(engine(), system(user), instance_id)
    click.echo(
        f"Zaak {summary.id}: {status_word(summary.status)}"
        + (f" — {summary.last_error}" if summary.last_error else "")
    )


@click.command()
def timers() -> None:
    """Laat timers aflopen die nu verlopen zijn ('wegwijs serve' doet dit doorlopend)."""
    fired = cases.fire_timers(engine())
    click.echo(f"{fired} zaak/zaken bijgewerkt door timers.")


@click.command()
@click.option("--status", default=None, type=status_choice(), help="Alleen zaken met deze status.")
@click.option("--process", "process_id", default=None, help="Alleen zaken van dit proces (id).")
@limit_option("zaken")
@json_option
def instances(status: str | None, process_id: str | None, limit: int, as_json: bool) -> None:
    """Toon zaken (nieuwste eerst)."""
    eng, wanted = engine(), engine_status(status)
    items = eng.list_instances(status=wanted, process_id=process_id, limit=limit)
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
                status_word(i.status),
                fmt(i.started_at),
                fmt(i.next_timer_due),
            )
            for i in items
        ],
        ["zaak", "proces", "versie", "zaaknummer", "status", "gestart", "volgende timer"],
    )
    if len(items) == limit:
        more(
            len(items), eng.count_instances(status=wanted, process_id=process_id), ("zaak", "zaken")
        )


@click.command()
@click.argument("instance_id", type=int)
@json_option
def show(instance_id: int, as_json: bool) -> None:
    """Toon één zaak: status, gegevens, open taken en geschiedenis."""
    eng = engine()
    detail = eng.get_instance(instance_id)
    if as_json:
        print_json(detail)
        return
    s = detail.summary
    click.echo(
        f"Zaak {s.id} — {labels.process(s.process_id)} ({s.process_id} versie {s.version}) — "
        f"{status_word(s.status)}"
    )
    if s.business_key:
        click.echo(f"Zaaknummer:      {s.business_key}")
    click.echo(f"Gestart:         {fmt(s.started_at)}")
    if s.ended_at:
        click.echo(f"Beëindigd:       {fmt(s.ended_at)}")
    if s.next_timer_due:
        click.echo(f"Volgende timer:  {fmt(s.next_timer_due)}")
    if s.last_error:
        click.echo(f"Fout:            {s.last_error}")
    if detail.waiting_for:
        click.echo("Wacht op:        " + ", ".join(str(w) for w in detail.waiting_for))
    click.echo("\nGegevens:")
    data_lines(detail.data)
    known = people.names(
        eng, [t.assignee or "" for t in detail.open_tasks] + [e.actor or "" for e in detail.events]
    )
    click.echo("\nOpen taken:")
    table(
        [
            (
                t.id,
                t.title,
                labels.lane(t.lane),
                people.label(t.assignee, known) if t.assignee else "",
            )
            for t in detail.open_tasks
        ],
        ["taak", "titel", "rol", "toegewezen aan"],
    )
    click.echo("\nGeschiedenis:")
    table(
        [
            (fmt(e.at), labels.event(e.type), e.bpmn_id, people.label(e.actor, known))
            for e in detail.events
        ],
        ["wanneer", "gebeurtenis", "element", "door"],
    )


@click.command("fund")
@click.option("--period", default=None, help="Fondsperiode (standaard: die uit de instellingen).")
@json_option
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
                e.outcome_label,
            )
            for e in items
        ],
        ["volgnr", "zaak", "aangevraagd", "gereserveerd/toegekend", "stand"],
    )


COMMANDS = (start, message, cancel, retry, timers, instances, show, fund_command)
