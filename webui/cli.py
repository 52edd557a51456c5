"""The `wegwijs` command line: database, deployments, instances and tasks.

Errors print one clear line and exit non-zero; no traceback unless WEGWIJS_DEBUG=1.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

from webui import server
from workflows import accounts, bootstrap, fund, simulation, worklist
from workflows import demo as demo_data
from workflows.errors import DefinitionError, EngineError

log = logging.getLogger("wegwijs.cli")


def _engine() -> Any:
    return bootstrap.open_engine(bootstrap.settings_from_env())


def _to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _to_jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _print_json(value: Any) -> None:
    click.echo(json.dumps(_to_jsonable(value), indent=2, ensure_ascii=False))


def _parse_data(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"geen geldige JSON: {exc.msg} (positie {exc.pos})", param_hint="--data"
        ) from exc
    if not isinstance(data, dict):
        raise click.BadParameter(
            "verwacht een JSON-object, zoals '{\"bedrag\": 100}'", param_hint="--data"
        )
    return data


def _fmt(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    if not rows:
        click.echo("(geen)")
        return
    cells = [
        [str(c) for c in headers],
        *[[("-" if c is None else str(c)) for c in r] for r in rows],
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for i, row in enumerate(cells):
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            click.echo("  ".join("-" * w for w in widths))


@click.group()
def cli() -> None:
    """Wegwijs: initiatieven van inwoners als BPMN-processen."""


@cli.group()
def db() -> None:
    """Database beheren."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Maak of migreer het databaseschema (veilig om te herhalen)."""
    settings = bootstrap.settings_from_env()
    bootstrap.open_engine(settings).dispose()
    click.echo(f"Database bijgewerkt: {_redact(settings.database_url)}")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Controleer BPMN/DMN/formulierbestanden zonder te deployen."""
    engine = bootstrap.open_engine(bootstrap.settings_from_env(), upgrade=False)
    found = engine.validate_paths(paths)
    click.echo("In orde. Uitvoerbare processen:")
    for process_id, name in sorted(found.items()):
        click.echo(f"  {process_id}  ({name})")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--user", default=None, help="Wie deployt (voor de audittrail).")
def deploy(paths: tuple[str, ...], user: str | None) -> None:
    """Deploy procesbestanden als nieuwe versie (ongewijzigde inhoud: geen nieuwe versie)."""
    result = _engine().deploy_paths(paths, actor=user or os.environ.get("USER"))
    for version in result.created:
        click.echo(f"Nieuw: {version.process_id} versie {version.version}")
    for version in result.unchanged:
        click.echo(f"Ongewijzigd: {version.process_id} blijft versie {version.version}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
def processes(as_json: bool) -> None:
    """Toon de gedeployde processen (nieuwste versie, lopende zaken)."""
    items = _engine().list_processes()
    if as_json:
        _print_json(items)
        return
    _table(
        [
            (p.process_id, p.version, p.running_instances, _fmt(p.deployed_at), p.name)
            for p in items
        ],
        ["proces", "versie", "lopend", "gedeployed", "naam"],
    )


@cli.command()
@click.argument("process_id")
@click.option("--data", default=None, help="Startgegevens als JSON-object.")
@click.option("--key", "business_key", default=None, help="Zaaknummer (business key).")
@click.option("--user", default=None, help="Wie start.")
@click.option("--json", "as_json", is_flag=True)
def start(
    process_id: str, data: str | None, business_key: str | None, user: str | None, as_json: bool
) -> None:
    """Start een nieuwe zaak van PROCESS_ID."""
    summary = _engine().start(process_id, _parse_data(data), business_key=business_key, actor=user)
    if as_json:
        _print_json(summary)
        return
    click.echo(f"Zaak {summary.id} gestart ({summary.process_id}), status: {summary.status}")
    if summary.last_error:
        click.echo(f"Fout: {summary.last_error}")


@cli.command()
@click.option("--lane", "lanes", multiple=True, help="Alleen taken van deze rol(len).")
@click.option("--instance", "instance_id", type=int, default=None)
@click.option("--assignee", default=None)
@click.option("--json", "as_json", is_flag=True)
def tasks(
    lanes: tuple[str, ...], instance_id: int | None, assignee: str | None, as_json: bool
) -> None:
    """Toon open gebruikerstaken."""
    items = _engine().list_tasks(lanes=lanes or None, instance_id=instance_id, assignee=assignee)
    if as_json:
        _print_json(items)
        return
    _table(
        [
            (t.id, t.instance_id, t.bpmn_id, t.title, t.lane, t.assignee, _fmt(t.created_at))
            for t in items
        ],
        ["taak", "zaak", "bpmn-id", "titel", "rol", "toegewezen", "aangemaakt"],
    )


@cli.command()
@click.argument("task_id")
@click.option("--json", "as_json", is_flag=True)
def task(task_id: str, as_json: bool) -> None:
    """Toon taak TASK_ID met de gegevens waarmee haar formulier begint."""
    engine = _engine()
    found = engine.get_task(task_id)
    data = engine.task_data(task_id) if found.state == "open" else {}
    if as_json:
        _print_json({"task": found, "data": data})
        return
    click.echo(f"Taak {found.id} — {found.title} ({found.bpmn_id}) — zaak {found.instance_id}")
    click.echo(
        f"Rol: {found.lane or '-'}   Toegewezen: {found.assignee or '-'}   Status: {found.state}"
    )
    click.echo("Gegevens: " + json.dumps(data, ensure_ascii=False, default=str, indent=2))


@cli.command()
@click.argument("task_id")
@click.option("--data", default=None, help="Formuliergegevens als JSON-object.")
@click.option("--user", required=True, help="Wie de taak afrondt.")
@click.option(
    "--roles", default=None, help="Rollen van de gebruiker, komma-gescheiden (controleert de lane)."
)
@click.option("--json", "as_json", is_flag=True)
def complete(task_id: str, data: str | None, user: str, roles: str | None, as_json: bool) -> None:
    """Rond taak TASK_ID af."""
    lanes = [r.strip() for r in roles.split(",") if r.strip()] if roles else None
    summary = _engine().complete_task(task_id, _parse_data(data), actor=user, lanes=lanes)
    if as_json:
        _print_json(summary)
        return
    click.echo(f"Taak afgerond. Zaak {summary.id}: {summary.status}")
    if summary.last_error:
        click.echo(f"Fout: {summary.last_error}")


@cli.command()
@click.argument("name")
@click.option("--instance", "instance_id", type=int, default=None)
@click.option("--key", "business_key", default=None)
@click.option("--data", default=None, help="Inhoud van het bericht als JSON-object.")
@click.option("--user", default=None)
def message(
    name: str, instance_id: int | None, business_key: str | None, data: str | None, user: str | None
) -> None:
    """Stuur bericht NAME naar een wachtende zaak."""
    summary = _engine().send_message(
        name, _parse_data(data), instance_id=instance_id, business_key=business_key, actor=user
    )
    click.echo(f"Bericht afgeleverd. Zaak {summary.id}: {summary.status}")


@cli.command()
@click.argument("instance_id", type=int)
@click.option("--user", default=None)
@click.option("--reason", default=None)
def cancel(instance_id: int, user: str | None, reason: str | None) -> None:
    """Annuleer zaak INSTANCE_ID."""
    summary = _engine().cancel(instance_id, actor=user, reason=reason)
    click.echo(f"Zaak {summary.id}: {summary.status}")


@cli.command()
@click.argument("instance_id", type=int)
@click.option("--user", default=None)
def retry(instance_id: int, user: str | None) -> None:
    """Voer een zaak in fout opnieuw uit vanaf de mislukte stap."""
    summary = _engine().retry(instance_id, actor=user)
    click.echo(
        f"Zaak {summary.id}: {summary.status}"
        + (f" — {summary.last_error}" if summary.last_error else "")
    )


@cli.command()
def timers() -> None:
    """Laat timers aflopen die nu verlopen zijn (de worker doet dit later in een lus)."""
    fired = _engine().fire_due_timers()
    click.echo(f"{fired} zaak/zaken bijgewerkt door timers.")


@cli.command()
@click.option(
    "--status",
    default=None,
    type=click.Choice(["running", "waiting", "completed", "errored", "cancelled"]),
)
@click.option("--process", "process_id", default=None)
@click.option("--json", "as_json", is_flag=True)
def instances(status: str | None, process_id: str | None, as_json: bool) -> None:
    """Toon zaken (nieuwste eerst)."""
    items = _engine().list_instances(status=status, process_id=process_id)
    if as_json:
        _print_json(items)
        return
    _table(
        [
            (
                i.id,
                i.process_id,
                i.version,
                i.business_key,
                i.status,
                _fmt(i.started_at),
                _fmt(i.next_timer_due),
            )
            for i in items
        ],
        ["zaak", "proces", "versie", "zaaknummer", "status", "gestart", "volgende timer"],
    )


@cli.command()
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def show(instance_id: int, as_json: bool) -> None:
    """Toon één zaak: status, gegevens, open taken en geschiedenis."""
    detail = _engine().get_instance(instance_id)
    if as_json:
        _print_json(detail)
        return
    s = detail.summary
    click.echo(f"Zaak {s.id} — {s.process_id} v{s.version} — status: {s.status}")
    if s.business_key:
        click.echo(f"Zaaknummer: {s.business_key}")
    click.echo(
        f"Gestart: {_fmt(s.started_at)}   Beëindigd: {_fmt(s.ended_at)}   Volgende timer: {_fmt(s.next_timer_due)}"
    )
    if s.last_error:
        click.echo(f"Fout: {s.last_error}")
    click.echo("Gegevens: " + json.dumps(detail.data, ensure_ascii=False, default=str))
    if detail.waiting_for:
        click.echo("Wacht op: " + ", ".join(detail.waiting_for))
    click.echo("\nOpen taken:")
    _table(
        [(t.id, t.bpmn_id, t.title, t.lane, t.assignee) for t in detail.open_tasks],
        ["taak", "bpmn-id", "titel", "rol", "toegewezen"],
    )
    click.echo("\nGeschiedenis:")
    _table(
        [(_fmt(e.at), e.type, e.bpmn_id, e.actor) for e in detail.events],
        ["wanneer", "gebeurtenis", "element", "door"],
    )


@cli.command("fund")
@click.option("--period", default=None, help="Fondsperiode (standaard: die uit de instellingen).")
@click.option("--json", "as_json", is_flag=True)
def fund_command(period: str | None, as_json: bool) -> None:
    """Toon het initiatievenfonds: plafond, gereserveerd, toegekend, betaald, beschikbaar."""
    settings = bootstrap.settings_from_env()
    total, items = fund.overview(bootstrap.open_engine(settings), period or settings.fund_period)
    if as_json:
        _print_json({"summary": total, "entries": items})
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
    _table(
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


@cli.command()
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 60))
@click.option("--seed", default=1, show_default=True, type=int)
def simulate(months: int, seed: int) -> None:
    """Simuleer maanden aan initiatieven door de echte procesmotor (virtuele klok)."""
    _run_simulation(bootstrap.settings_from_env(), months, seed)


def _run_simulation(settings: bootstrap.Settings, months: int, seed: int) -> None:
    with click.progressbar(length=months * 31, label=f"Simulatie van {months} maanden") as bar:
        state: dict[str, Any] = {"first": None, "days": 0}

        def progress(now: datetime) -> None:
            if state["first"] is None:
                state["first"] = now
            days = (now - state["first"]).days
            if days > state["days"]:
                bar.update(days - state["days"])
                state["days"] = days

        report = simulation.simulate_year(settings, months=months, seed=seed, progress=progress)
    click.echo(
        f"\nKlaar in {report.wall_seconds:.1f} s: {report.tasks_completed} taken afgerond, "
        f"{report.messages_delivered} berichten, {report.timer_runs} timerrondes."
    )
    _table(sorted((p, n) for p, n in report.started.items()), ["proces", "gestart"])
    click.echo("")
    _table(
        sorted((p, o, n) for (p, o), n in report.outcomes.items()), ["proces", "uitkomst", "aantal"]
    )
    if report.errored:
        click.echo(
            f"\nLet op: {len(report.errored)} zaak/zaken in fout, bv. zaak {report.errored[0][0]}: "
            f"{report.errored[0][1]}"
        )


@cli.command()
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 60))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Alleen opzetten, de webapp niet starten.")
@click.option("--force", is_flag=True, help="Ook op een database met echte gebruikers.")
def demo(months: int, host: str, port: int, no_serve: bool, force: bool) -> None:
    """Zet de demo op (processen, gebruikers, een gesimuleerd jaar) en start de webapp.

    Zonder WEGWIJS_DATABASE_URL gebruikt de demo haar eigen database, instance/demo.db.
    """
    settings = bootstrap.settings_from_env(default_file=demo_data.DEMO_DB_FILE)
    engine = bootstrap.open_engine(settings)
    click.echo(f"Demodatabase: {_redact(settings.database_url)}")
    demo_data.check_demo_database(engine, force)
    if engine.list_instances(limit=1):
        click.echo("De demodatabase bevat al zaken; er wordt niets opnieuw gesimuleerd.")
    else:
        _run_simulation(settings, months, seed=1)
    logins = demo_data.ensure_demo_users(engine, force=force)
    engine.dispose()
    click.echo("\nDemogebruikers (wachtwoorden gelden tot de volgende 'wegwijs demo'):")
    _table(
        [
            (
                d.username,
                d.password,
                ", ".join(d.roles) + (f" (teams: {', '.join(d.teams)})" if d.teams else ""),
            )
            for d in logins
        ],
        ["gebruiker", "wachtwoord", "rollen"],
    )
    if no_serve:
        return
    click.echo(f"\nWegwijs draait op http://{host}:{port}  (stoppen: Ctrl+C)")
    server.serve(settings, host, port)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Start de webapp (met de timers op de achtergrond)."""
    settings = bootstrap.settings_from_env()
    click.echo(f"Wegwijs draait op http://{host}:{port}  (stoppen: Ctrl+C)")
    server.serve(settings, host, port, threads=threads)


@cli.group()
def users() -> None:
    """Gebruikers en rollen beheren."""


@users.command("add")
@click.argument("username")
@click.option("--roles", required=True, help="Rollen, komma-gescheiden, bv. casist,vakspecialist.")
@click.option(
    "--password", default=None, help="Wachtwoord (zonder: er wordt er een gemaakt en getoond)."
)
@click.option("--name", "display_name", default=None, help="Volledige naam.")
@click.option("--email", default=None)
@click.option(
    "--teams",
    default="",
    help="Teams, komma-gescheiden, bv. BELEID,STADSBEHEER: taken voor een team (zoals de "
    "beoordeling van een aspect) gaan naar de leden ervan.",
)
def users_add(
    username: str,
    roles: str,
    password: str | None,
    display_name: str | None,
    email: str | None,
    teams: str,
) -> None:
    """Maak een gebruiker aan met rollen (en teams)."""
    generated = password is None
    secret = password or accounts.generate_password()
    engine = _engine()
    user = accounts.add_user(
        engine, username, roles.split(","), secret, display_name, email, teams.split(",")
    )
    click.echo(f"Gebruiker {user.username} aangemaakt met rollen: {', '.join(sorted(user.roles))}.")
    if user.teams:
        click.echo(f"Teams: {', '.join(sorted(user.teams))}.")
        _warn_unknown_teams(engine, user.teams)
    if generated:
        click.echo(f"Wachtwoord: {secret}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
def users_list(as_json: bool) -> None:
    """Toon alle gebruikers en hun rollen."""
    found = accounts.list_users(_engine())
    if as_json:
        _print_json(
            [
                {
                    "username": u.username,
                    "name": u.display_name,
                    "roles": sorted(u.roles),
                    "teams": sorted(u.teams),
                    "active": u.active,
                }
                for u in found
            ]
        )
        return
    _table(
        [
            (
                u.username,
                u.display_name,
                ", ".join(sorted(u.roles)),
                ", ".join(sorted(u.teams)) or "–",
                "ja" if u.active else "nee",
            )
            for u in found
        ],
        ["gebruiker", "naam", "rollen", "teams", "actief"],
    )


@users.command("set-roles")
@click.argument("username")
@click.argument("roles")
def users_set_roles(username: str, roles: str) -> None:
    """Vervang de rollen van een gebruiker (komma-gescheiden)."""
    user = accounts.set_roles(_engine(), username, roles.split(","))
    click.echo(f"Rollen van {user.username}: {', '.join(sorted(user.roles))}.")


@users.command("set-teams")
@click.argument("username")
@click.argument("teams", default="")
def users_set_teams(username: str, teams: str) -> None:
    """Vervang de teams van een gebruiker (komma-gescheiden; leeg: geen team)."""
    engine = _engine()
    user = accounts.set_teams(engine, username, teams.split(","))
    shown = ", ".join(sorted(user.teams)) or "geen (alleen taken zonder team)"
    click.echo(f"Teams van {user.username}: {shown}.")
    _warn_unknown_teams(engine, user.teams)


def _warn_unknown_teams(engine: Any, teams: frozenset[str]) -> None:
    """A team no task has been for yet is probably mistyped: say so (it is still saved)."""
    known = worklist.known_teams(engine)
    unknown = sorted(teams - known)
    if known and unknown:
        click.echo(
            f"Let op: voor {', '.join(unknown)} is nog nooit een taak geweest; klopt de naam? "
            f"Bekende teams: {', '.join(sorted(known))}.",
            err=True,
        )


@users.command("set-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_set_password(username: str, password: str) -> None:
    """Geef een gebruiker een nieuw wachtwoord (heft ook een blokkade op)."""
    user = accounts.set_password(_engine(), username, password)
    click.echo(f"Wachtwoord van {user.username} gewijzigd.")


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point with clear errors instead of tracebacks."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="wegwijs",
            standalone_mode=False,
        )
    except click.exceptions.Abort:
        click.echo("Afgebroken.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except DefinitionError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    except EngineError as exc:
        click.echo(f"Fout: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("WEGWIJS_DEBUG"):
            raise
        click.echo(f"Onverwachte fout ({exc.__class__.__name__}): {_first_line(exc)}", err=True)
        click.echo("Zet WEGWIJS_DEBUG=1 voor details.", err=True)
        sys.exit(2)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else ""
