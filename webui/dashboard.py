"""The managers' dashboard: lead times against the norms, where cases wait (the heatmap), the
fund, the audit trail per case and the exports. Only `manager` and `beheerder` see it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_babel import gettext as _

from webui import charts, inputs
from webui.auth import engine, requires
from workflows import fund
from workflows.reports import audit, dashboard, decisions, exports, fundview, heatmap, labels
from workflows.reports.periods import (
    ZONE,
    Period,
    add_months,
    last_months,
    month_of,
    parse_month,
)
from workflows.reports.stats import DAY

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

#: who sees the dashboards and exports
MANAGERS = frozenset({"manager", "beheerder"})
#: who reads and publishes the wijkwensen's quarterly besluitenlijst
DECISION_READERS = MANAGERS | {"wijkwenssecretariaat", "gebiedsmanager", "regiegroep"}
_FUND = "initiatievenfonds"
COMPARE = ("vorige", "jaar", "geen")


def _arg(name: str, limit: int = 100) -> str:
    return inputs.text(request.args.get(name, "")).strip()[:limit]


def _period() -> tuple[Period, Period | None, str]:
    now = engine().now()
    default = last_months(now, 12)
    first = parse_month(_arg("van")) or default.first
    last = parse_month(_arg("tot")) or (default.last if not _arg("van") else month_of(now))
    if last < first:
        first, last = last, first
    period = Period(first, min(last, add_months(first, 119)))  # at most ten years at once
    compare = _arg("vergelijk") if _arg("vergelijk") in COMPARE else "vorige"
    other = {"vorige": period.before(), "jaar": period.year_before(), "geen": None}[compare]
    return period, other, compare


def _filter() -> tuple[dashboard.Filter, str]:
    period, other, compare = _period()
    version = _arg("versie")
    return (
        dashboard.Filter(
            period=period,
            compare=other,
            process_id=_arg("proces", 200),
            version=int(version) if version.isdigit() and _arg("proces") else None,
            category=_arg("categorie"),
            gebied=_arg("gebied"),
            wijk=_arg("wijk"),
            team=_arg("team", 200),
        ),
        compare,
    )


def _query() -> dict[str, str]:
    names = ("van", "tot", "vergelijk", "proces", "versie", "categorie", "gebied", "wijk", "team")
    return {n: _arg(n, 200) for n in names if _arg(n, 200)}


@bp.app_template_filter("days")
def days(seconds: float | None) -> str:
    """Seconds as days, the Dutch way: '12,3'."""
    if seconds is None:
        return "–"
    return f"{seconds / DAY:.1f}".replace(".", ",")


@bp.app_template_filter("percent")
def percent(fraction: float | None) -> str:
    return "–" if fraction is None else f"{fraction * 100:.0f}%"


@bp.app_template_filter("euros")
def euros(cents: int | float | None) -> str:
    return "–" if cents is None else fund.euros(round(cents))


@bp.get("")
@requires(MANAGERS)
def index() -> str:
    """Show lead times, norms, waiting and workload for a period and filter."""
    wanted, compare = _filter()
    figures = dashboard.dashboard(engine(), wanted)
    return render_template(
        "dashboard/index.html",
        d=figures,
        f=wanted,
        compare=compare,
        choices=dashboard.choices(engine()),
        query=_query(),
        charts=_charts(figures),
        labels=labels,
    )


def _charts(d: dashboard.Dashboard) -> dict[str, Any]:
    cur = d.current
    months = charts.columns(
        [
            (
                m.label.split(" ")[0] if i % (1 if len(d.months) <= 12 else 3) == 0 else "",
                [
                    (
                        m.started,
                        "c-started",
                        _("%(month)s: %(n)s gestart", month=m.label, n=m.started),
                    ),
                    (
                        m.completed,
                        "c-completed",
                        _("%(month)s: %(n)s afgerond", month=m.label, n=m.completed),
                    ),
                ],
            )
            for i, m in enumerate(d.months)
        ]
    )
    phases = charts.horizontal(
        [
            (
                p.label,
                [
                    (
                        p.net.days() or 0.0,
                        "c-net",
                        _("mediaan netto %(d)s dagen", d=days(p.net.median)),
                    )
                ],
                [(p.net.days("p80") or 0.0, "p80"), (p.net.days("p90") or 0.0, "p90")],
                f"{days(p.net.median)} d",
            )
            for p in cur.phases
        ],
        unit=" d",
    )
    norm_rows = charts.horizontal(
        [
            (
                f"{n.title} ({n.norm})",
                [((n.share or 0.0) * 100, "c-within", f"{n.within} / {n.count}")],
                [],
                percent(n.share),
            )
            for n in cur.norms
        ],
        maximum=100.0,
        unit="%",
    )
    split = charts.horizontal(
        [
            (
                s.title,
                [
                    (
                        s.waiting.days() or 0.0,
                        "c-waiting",
                        _("wachten %(d)s dagen", d=days(s.waiting.median)),
                    ),
                    (
                        s.working.days() or 0.0,
                        "c-working",
                        _("werken %(d)s dagen", d=days(s.working.median)),
                    ),
                ],
                [],
                f"{days(s.waiting.median)} + {days(s.working.median)} d",
            )
            for s in cur.split
        ],
        unit=" d",
    )
    compared = charts.horizontal(
        [
            (
                f"{c.label}",
                [
                    (
                        c.first.days() or 0.0,
                        "c-first",
                        _("deze periode %(d)s dagen", d=days(c.first.median)),
                    )
                ],
                [
                    (
                        c.second.days() or 0.0,
                        _("vorige periode %(d)s dagen", d=days(c.second.median)),
                    )
                ],
                f"{days(c.first.median)} / {days(c.second.median)} d",
            )
            for c in d.comparisons
        ],
        unit=" d",
    )
    return {
        "months": months,
        "phases": phases,
        "norms": norm_rows,
        "split": split,
        "compare": compared,
    }


@bp.get("/heatmap")
@requires(MANAGERS)
def heatmap_page() -> str:
    """Show a process diagram coloured by where cases spend their time, and who is where."""
    period, _other, _compare = _period()
    process_id = _arg("proces", 200) or "complex_initiative_process"
    version = _arg("versie")
    found = heatmap.heatmap(
        engine(), process_id, int(version) if version.isdigit() else None, period
    )
    element = _arg("element", 200)
    known = {e.bpmn_id: e for e in found.elements}
    cases = (
        heatmap.cases_at(engine(), process_id, found.version, element) if element in known else None
    )
    return render_template(
        "dashboard/heatmap.html",
        h=found,
        element=known.get(element),
        cases=cases,
        choices=dashboard.choices(engine()),
        query={k: v for k, v in _query().items() if k in ("van", "tot")},
        levels=heatmap.LEVELS,
        now=engine().now(),
    )


@bp.get("/heatmap/<id:version_id>/diagram.bpmn")
@requires(MANAGERS)
def heatmap_diagram(version_id: int) -> Response:
    """Send the BPMN of a process version (for the heatmap's viewer)."""
    return Response(heatmap.diagram(engine(), version_id), mimetype="application/xml")


@bp.get("/fonds")
@requires(MANAGERS)
def fund_page() -> str:
    """Show the fund: totals, per month, per gebied and when it runs out."""
    period, _other, _compare = _period()
    found = fundview.overview(engine(), _FUND, period)
    bars = charts.columns(
        [
            (
                m.label.split(" ")[0],
                [
                    (
                        m.available_end / 100,
                        "c-available",
                        _("%(month)s: beschikbaar %(a)s", month=m.label, a=euros(m.available_end)),
                    )
                ],
            )
            for m in found.months
        ]
    )
    return render_template(
        "dashboard/fund.html",
        o=found,
        kinds=fundview.KINDS,
        kind_labels=labels.FUND_KINDS,
        chart=bars,
        period=period,
        query={k: v for k, v in _query().items() if k in ("van", "tot")},
    )


def _this_quarter() -> decisions.Quarter:
    return decisions.quarter_of(engine().now().astimezone(ZONE).date())


def _decision_list() -> tuple[decisions.DecisionList, str | None]:
    """The besluitenlijst the query asks for (`gebied`, `kwartaal`); a wrong value gets a
    message and the default (Centrum, this quarter) instead."""
    error = None
    quarter = _this_quarter()
    if _arg("kwartaal"):
        try:
            quarter = decisions.parse_quarter(_arg("kwartaal"))
        except decisions.QuarterError as exc:
            error = str(exc)
    gebied = _arg("gebied") or decisions.GEBIEDEN[0]
    if gebied not in decisions.GEBIEDEN:
        error = _("Kies een gebied: %(g)s.", g=", ".join(decisions.GEBIEDEN))
        gebied = decisions.GEBIEDEN[0]
    return decisions.decision_list(engine(), gebied, quarter), error


@bp.get("/besluitenlijst")
@requires(DECISION_READERS)
def decision_list_page() -> tuple[str, int]:
    """Show the wijkwensen decided in one gebied in one quarter (the published besluitenlijst)."""
    found, error = _decision_list()
    this = _this_quarter()
    page = render_template(
        "dashboard/decisions.html",
        d=found,
        gebieden=decisions.GEBIEDEN,
        quarters=decisions.quarters_up_to(this, 8, found.quarter),
        error=error,
    )
    return page, 400 if error else 200


@bp.get("/besluitenlijst.csv")
@requires(DECISION_READERS)
def decision_list_csv() -> Response:
    """Send the besluitenlijst as CSV, for publication."""
    found, error = _decision_list()
    if error:
        abort(400, error)
    name = f"besluitenlijst-wijkwensen-{found.gebied}-{found.quarter.code}.csv"
    return _download(decisions.decision_list_csv(found), name, "text/csv")


@bp.get("/zaken/<id:instance_id>/audit")
@requires(MANAGERS)
def audit_page(instance_id: int) -> str:
    """Show every event of one case, in order, with who and when (read-only)."""
    return render_template("dashboard/audit.html", t=audit.trail(engine(), instance_id))


@bp.get("/zaken/<id:instance_id>/audit.csv")
@requires(MANAGERS)
def audit_csv(instance_id: int) -> Response:
    """Send one case's audit trail as CSV."""
    found = audit.trail(engine(), instance_id)
    return _download(audit.trail_csv(found), f"audit-{found.zaaknummer}.csv", "text/csv")


@bp.get("/exports")
@requires(MANAGERS)
def exports_page() -> str:
    """Offer the exports (cases, tasks, XES, OCEL 2.0) for a period."""
    period, _other, _compare = _period()
    return render_template(
        "dashboard/exports.html",
        period=period,
        query={k: v for k, v in _query().items() if k in ("van", "tot", "proces")},
        choices=dashboard.choices(engine()),
    )


def _scope() -> exports.Scope:
    period, _other, _compare = _period()
    return exports.Scope(
        period=None if _arg("alles") else period,
        process_id=_arg("proces", 200),
        category=_arg("categorie"),
        gebied=_arg("gebied"),
        wijk=_arg("wijk"),
    )


_EXPORTS = {
    "zaken.csv": ("text/csv", "wegwijs-zaken.csv"),
    "taken.csv": ("text/csv", "wegwijs-taken.csv"),
    "eventlog.xes": ("application/xml", "wegwijs-eventlog.xes"),
    "ocel.json": ("application/json", "wegwijs-ocel2.json"),
}


@bp.get("/export/<name>")
@requires(MANAGERS)
def export(name: str) -> Response:
    """Send one export as a download."""
    if name not in _EXPORTS:
        abort(404)
    mimetype, filename = _EXPORTS[name]
    scope = _scope()
    if name == "zaken.csv":
        return _download(exports.cases_csv(engine(), scope), filename, mimetype)
    if name == "taken.csv":
        return _download(exports.tasks_csv(engine(), scope), filename, mimetype)
    if name == "ocel.json":
        import json

        return _download(
            json.dumps(exports.ocel(engine(), scope), ensure_ascii=False), filename, mimetype
        )
    app_engine = engine()

    def stream() -> Iterator[str]:
        yield from exports.xes(app_engine, scope)

    response = Response(stream_with_context(stream()), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _download(body: str, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    safe = "".join(c for c in filename if c.isalnum() or c in "-_.") or "export"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
