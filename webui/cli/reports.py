"""`wegwijs report …` (the dashboard's figures, the exports, an audit trail, the fund) and
`wegwijs reports rebuild|check` (the rollups recomputed from the events)."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

import click

from webui.cli.common import engine, fmt, print_json, table
from workflows.reports import audit, dashboard, exports, fundview, rollups
from workflows.reports.periods import Period, last_months, parse_month
from workflows.reports.stats import DAY, Durations

BY = ("phase", "month", "norm", "task", "team")


def _days(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / DAY:.1f}"


def _period(first: str | None, last: str | None, eng: Any) -> Period:
    default = last_months(eng.now(), 12)

    def month(text: str | None, fallback: str, name: str) -> str:
        if not text:
            return fallback
        found = parse_month(text)
        if found is None:
            raise click.BadParameter("geef een maand als JJJJ-MM, zoals 2026-03", param_hint=name)
        return found

    return Period(month(first, default.first, "--from"), month(last, default.last, "--to"))


def _filters(function: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--from",
                "first",
                default=None,
                help="Eerste maand (JJJJ-MM); standaard 12 maanden terug.",
            ),
            click.option(
                "--to", "last", default=None, help="Laatste maand (JJJJ-MM); standaard deze maand."
            ),
            click.option("--process", "process_id", default="", help="Alleen dit proces (id)."),
            click.option(
                "--version", type=int, default=None, help="Alleen deze versie van --process."
            ),
            click.option(
                "--category", default="", help="COMPLEX, WIJKWENS, EENVOUDIG_GROEN of OVERIG."
            ),
            click.option("--gebied", default=""),
            click.option("--wijk", default=""),
            click.option("--team", default="", help="Een aspectteam of rol."),
        ]
    ):
        function = option(function)
    return function


def _filter(
    eng: Any, first: str | None, last: str | None, compare: bool = True, **kw: Any
) -> dashboard.Filter:
    period = _period(first, last, eng)
    return dashboard.Filter(period=period, compare=period.before() if compare else None, **kw)


def _stats_row(label: str, d: Durations) -> list[Any]:
    return [label, d.count, _days(d.median), _days(d.p80), _days(d.p90)]


def _rows(d: dashboard.Dashboard, by: str) -> tuple[list[str], list[list[Any]]]:
    cur = d.current
    if by == "month":
        return ["maand", "gestart", "afgerond", "gestopt"], [
            [m.month, m.started, m.completed, m.cancelled] for m in d.months
        ]
    if by == "norm":
        return ["taak", "bpmn_id", "norm", "afgerond", "binnen_norm", "aandeel"], [
            [
                n.title,
                n.bpmn_id,
                n.norm,
                n.count,
                n.within,
                "-" if n.share is None else f"{n.share:.3f}",
            ]
            for n in cur.norms
        ]
    if by == "task":
        return ["taak", "bpmn_id", "afgerond", "wachten_mediaan_dagen", "werken_mediaan_dagen"], [
            [s.title, s.bpmn_id, s.count, _days(s.waiting.median), _days(s.working.median)]
            for s in cur.split
        ]
    if by == "team":
        return ["team", "periode", "taken", "mediaan_dagen", "vorige_periode_mediaan_dagen"], [
            [
                c.label,
                d.filter.period.label,
                c.first.count,
                _days(c.first.median),
                _days(c.second.median),
            ]
            for c in d.comparisons
            if c.kind == "team"
        ]
    head = ["fase", "keer", "mediaan_dagen", "p80_dagen", "p90_dagen"]
    rows = [
        _stats_row("doorlooptijd (bruto)", cur.lead),
        _stats_row("doorlooptijd (netto)", cur.lead_net),
    ]
    rows += [_stats_row(p.label, p.net) for p in cur.phases]
    return head, rows


@click.group("report")
def report() -> None:
    """Cijfers voor managers: doorlooptijden, normen, exports, audittrail, fonds."""


@report.command("leadtimes")
@_filters
@click.option("--by", type=click.Choice(BY), default="phase", help="Welke tabel (tekst en --csv).")
@click.option("--json", "as_json", is_flag=True, help="Alle cijfers van het dashboard als JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="De gekozen tabel als CSV.")
def leadtimes(
    first: str | None, last: str | None, by: str, as_json: bool, as_csv: bool, **kw: Any
) -> None:
    """Doorlooptijden (mediaan, 80%, 90%), binnen de norm, wachten en werken."""
    eng = engine()
    wanted = _filter(eng, first, last, **kw)
    found = dashboard.dashboard(eng, wanted)
    if as_json:
        print_json(found)
        return
    head, rows = _rows(found, by)
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(head)
        writer.writerows(rows)
        return
    cur = found.current
    click.echo(f"Periode {wanted.period.label}: {found.started} gestart, {cur.completed} afgerond")
    click.echo(
        f"Binnen de norm (netto): {'-' if cur.within_share is None else f'{cur.within_share:.0%}'}"
        f" van {cur.with_norm} taken met een norm"
    )
    table(rows, head)


@report.command("export")
@click.argument("kind", type=click.Choice(["cases", "tasks", "xes", "ocel"]))
@click.option("--from", "first", default=None, help="Zaken gestart vanaf deze maand (JJJJ-MM).")
@click.option("--to", "last", default=None)
@click.option("--process", "process_id", default="")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Bestand (standaard: het scherm).",
)
def export(
    kind: str, first: str | None, last: str | None, process_id: str, output: str | None
) -> None:
    """Exporteer zaken of taken (CSV), een eventlog (XES) of een OCEL 2.0-log (JSON)."""
    eng = engine()
    period = _period(first, last, eng) if (first or last) else None
    scope = exports.Scope(period=period, process_id=process_id)
    if kind == "cases":
        chunks: Any = [exports.cases_csv(eng, scope)]
    elif kind == "tasks":
        chunks = [exports.tasks_csv(eng, scope)]
    elif kind == "ocel":
        chunks = [json.dumps(exports.ocel(eng, scope), ensure_ascii=False)]
    else:
        chunks = exports.xes(eng, scope)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        click.echo(f"Geschreven naar {output}.", err=True)
        return
    for chunk in chunks:
        click.echo(chunk, nl=False)


@report.command("audit")
@click.argument("instance_id", type=int)
@click.option("--csv", "as_csv", is_flag=True)
def audit_command(instance_id: int, as_csv: bool) -> None:
    """De audittrail van zaak ZAAK: elke gebeurtenis met wie en wanneer."""
    found = audit.trail(engine(), instance_id)
    if as_csv:
        click.echo(audit.trail_csv(found), nl=False)
        return
    table(
        [
            [line.number, fmt(line.at), line.what, line.step, line.actor, line.detail]
            for line in found.lines
        ],
        ["#", "tijdstip", "gebeurtenis", "stap", "door", "toelichting"],
    )


@report.command("fund")
@click.option("--from", "first", default=None)
@click.option("--to", "last", default=None)
@click.option("--period", "code", default="initiatievenfonds", help="De fondsperiode (code).")
@click.option("--json", "as_json", is_flag=True)
def fund_report(first: str | None, last: str | None, code: str, as_json: bool) -> None:
    """Het fonds per maand en per gebied, en wanneer het op is."""
    eng = engine()
    found = fundview.overview(eng, code, _period(first, last, eng))
    if as_json:
        print_json(found)
        return
    fc = found.forecast
    click.echo(f"Beschikbaar: € {found.available / 100:,.2f}".replace(",", " "))
    if fc.expected:
        click.echo(
            f"Op rond {fmt(fc.expected)[:10]} (80%: {fmt(fc.earliest)[:10]} tot "
            f"{fmt(fc.latest)[:10] if fc.latest else 'niet te overzien'}), "
            f"bij € {fc.burn_per_month / 100:,.0f} per maand over {fc.basis} maanden"
        )
    table(
        [
            [
                m.month,
                m.applications,
                *(m.amounts[k] / 100 for k in fundview.KINDS),
                m.available_end / 100,
            ]
            for m in found.months
        ],
        ["maand", "aanvragen", *fundview.KINDS, "beschikbaar"],
    )


@click.group("reports")
def reports() -> None:
    """Onderhoud van de cijfers achter het dashboard."""


@reports.command("rebuild")
def rebuild() -> None:
    """Bereken de cijfers opnieuw uit de gebeurtenissen (events)."""
    counts = rollups.rebuild(engine())
    click.echo(", ".join(f"{name}: {n}" for name, n in counts.items()))


@reports.command("check")
def check() -> None:
    """Vergelijk de bijgehouden cijfers met een herberekening; exit 1 bij verschil."""
    found = rollups.differences(engine())
    for name, (kept, computed, differing) in found.items():
        click.echo(f"{name}: {kept} bijgehouden, {computed} herberekend, {differing} verschillend")
    if any(d for _k, _c, d in found.values()):
        click.echo("De cijfers wijken af; 'wegwijs reports rebuild' herstelt ze.", err=True)
        sys.exit(1)


COMMANDS = (report, reports)
