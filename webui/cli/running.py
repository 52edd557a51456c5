"""`wegwijs demo`, `simulate`, `serve`: set up and run the whole thing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from webui import server
from webui.cli.common import redact, table
from workflows import bootstrap, fund
from workflows import demo as demo_data
from workflows import labels as words
from workflows.reports.labels import process as process_label
from workflows.simulation import simulate_year
from workflows.simulation.leadtimes import YearFigures
from workflows.simulation.staff import DEFAULT_STAFF


@click.command()
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 60))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option(
    "--end",
    metavar="JJJJ-MM-DD",
    help="De dag waarop de gesimuleerde periode eindigt (JJJJ-MM-DD; standaard vandaag): "
    "met dezelfde --seed, --months en --end geeft elke run op een lege database dezelfde "
    "uitkomst.",
)
def simulate(months: int, seed: int, end: str | None) -> None:
    """Simuleer maanden aan initiatieven door de echte procesmotor (virtuele klok)."""
    _run_simulation(bootstrap.settings_from_env(), months, seed, _day(end))


def _day(text: str | None) -> datetime | None:
    """The end of --end as simulate_year takes it: as a run late on that day."""
    if not text:
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise click.BadParameter(
            f"'{text}' is geen datum als JJJJ-MM-DD, zoals 2026-12-31", param_hint="--end"
        ) from None
    return day.replace(hour=23, minute=59, tzinfo=UTC)


def _run_simulation(
    settings: bootstrap.Settings, months: int, seed: int, end: datetime | None = None
) -> None:
    with click.progressbar(length=months * 31, label=f"Simulatie van {months} maanden") as bar:
        state: dict[str, Any] = {"first": None, "days": 0}

        def progress(now: datetime) -> None:
            if state["first"] is None:
                state["first"] = now
            days = (now - state["first"]).days
            if days > state["days"]:
                bar.update(days - state["days"])
                state["days"] = days

        report = simulate_year(
            settings,
            months=months,
            seed=seed,
            progress=progress,
            end=end,
        )
    click.echo(
        f"\nKlaar in {report.wall_seconds:.1f} s: {report.tasks_completed} taken afgerond, "
        f"{report.messages_delivered} berichten, {report.timer_runs} timerrondes."
    )
    if report.cases_before:
        click.echo(
            f"Opmerking: de database had al {report.cases_before} zaken. Hun fondsreserveringen, "
            "wijkbudgetten en zaaknummers tellen mee, dus deze uitkomst is niet te vergelijken "
            "met een run op een lege database (kies die met WEGWIJS_DATABASE_URL)."
        )
    table(
        sorted(
            (process_label(p), n, report.handed_over.get(p, 0)) for p, n in report.started.items()
        ),
        ["proces", "gestart", "waarvan overgenomen van een complex initiatief"],
    )
    click.echo("")
    table(
        sorted(
            (process_label(p), words.word("outcome", o), n) for (p, o), n in report.outcomes.items()
        ),
        ["proces", "uitkomst", "aantal"],
    )
    click.echo("\nWachttijd tot het antwoord (ja: uitvoering; nee: afgerond), in dagen:")

    def days(value: float | None) -> str:
        return "–" if value is None else f"{value:.0f}"

    table(
        [
            (
                process_label(r.process_id),
                r.answered,
                days(r.median_days),
                days(r.p80_days),
                days(r.norm_days),
                f"{r.within_norm / r.answered:.0%}" if r.answered else "–",
                r.signals,
            )
            for r in report.routes
        ],
        ["proces", "beantwoord", "mediaan", "p80", "norm", "binnen norm", "signalen"],
    )
    kinds = [(process_label(r.process_id), k, n) for r in report.routes for k, n in r.signal_kinds]
    if kinds:
        click.echo("\nSignalen per soort (het onderwerp van het bericht; bij een norm de taak):")
        table(kinds, ["proces", "signaal", "aantal"])
    if report.year is not None:
        _year(report.year)
    if report.errored:
        click.echo(
            f"\nLet op: {len(report.errored)} zaak/zaken in fout, bv. zaak {report.errored[0][0]}: "
            f"{report.errored[0][1]}"
        )


def _year(year: YearFigures) -> None:
    """The year against DOMAIN.md §4.1: the fund, the aspects, the gebied budgets."""
    rounds = year.assessment_rounds or 1
    average = year.fund_awarded_cents // (year.fund_applications or 1)
    click.echo(
        f"\nInitiatievenfonds: {year.fund_checks} fondstoetsen, {year.fund_applications} "
        f"formele aanvragen, {fund.euros(year.fund_awarded_cents)} gereserveerd, toegekend of "
        f"betaald, gemiddeld {fund.euros(average)} (DOMAIN §4.1 per jaar: ≈ 25, ≈ 10, "
        "€ 80–85k, gemiddeld ≈ € 8.000)."
    )
    click.echo(
        f"Aspectbeoordelingen per beoordelingsronde: {year.aspects / rounds:.1f}, waarvan "
        f"{year.specialist_aspects / rounds:.1f} door vakspecialisten "
        f"({year.assessment_rounds} rondes; DOMAIN §4.1: ≈ 4,5 per complex initiatief door de "
        "vakafdelingen; organisatiekracht en draagvlak beoordeelt de casist zelf)."
    )
    if year.gebied_budgets:
        table(
            [(code, n, fund.euros(cents)) for code, n, cents in year.gebied_budgets],
            ["wijkbudget", "toegekend", "bedrag"],
        )


@click.command()
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 60))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Alleen opzetten, de webapp niet starten.")
@click.option("--force", is_flag=True, help="Ook op een database met echte gebruikers.")
def demo(months: int, host: str, port: int, no_serve: bool, force: bool) -> None:
    """Zet de demo op (processen, gebruikers, een gesimuleerd jaar) en start de webapp.

    Zonder WEGWIJS_DATABASE_URL gebruikt de demo de standaarddatabase instance/wegwijs.db,
    dezelfde als alle andere opdrachten: `wegwijs processes` toont daarna de demo.
    """
    settings = bootstrap.settings_from_env()
    engine = bootstrap.open_engine(settings, upgrade=True)
    click.echo(f"Demodatabase: {redact(settings.database_url)}")
    demo_data.check_demo_database(engine, force)
    # the people first: the simulated year's work goes to them (and their colleagues)
    logins = demo_data.ensure_demo_users(engine, force=force)
    if engine.list_instances(limit=1):
        click.echo("De demodatabase bevat al zaken; er wordt niets opnieuw gesimuleerd.")
    else:
        _run_simulation(settings, months, seed=1)
    demo_data.give_some_work(engine)
    engine.dispose()
    click.echo("\nDemogebruikers (wachtwoorden gelden tot de volgende 'wegwijs demo'):")
    table(
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
    click.echo(
        f"\nDaarnaast {len(DEFAULT_STAFF)} collega's zonder demowachtwoord; zij deden "
        "een deel van het gesimuleerde werk."
    )
    if settings.database_url == bootstrap.default_database_url():
        click.echo("De opdrachten van wegwijs werken op deze database, bv. 'wegwijs processes'.")
    else:
        click.echo(
            "De opdrachten van wegwijs werken op deze database met dezelfde "
            "WEGWIJS_DATABASE_URL, bv. 'wegwijs processes'."
        )
    if no_serve:
        return
    click.echo(f"\nWegwijs draait op http://{host}:{port}  (stoppen: Ctrl+C)")
    server.serve(settings, host, port)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Start de webapp (met de timers op de achtergrond)."""
    settings = bootstrap.settings_from_env()
    bootstrap.open_engine(settings, upgrade=True).dispose()  # the embedded server migrates
    click.echo(f"Wegwijs draait op http://{host}:{port}  (stoppen: Ctrl+C)")
    server.serve(settings, host, port, threads=threads)


COMMANDS = (simulate, demo, serve)
