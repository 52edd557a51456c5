"""Does a simulated year look like Dordrecht's? The year's figures of DOMAIN.md §4.1 over many
seeds: one seed is one possible year, and ten grants of about € 8.000 each spread its total by
tens of thousands of euros, so the targets (≈ 25 fund checks, ≈ 10 grants, € 80–85k awarded,
≈ 4.5 aspects per round by the vakspecialisten) are judged on the mean of the seeds.

Each seed runs `simulate_year` (what `wegwijs simulate` runs) on a new SQLite database, all
ending on the same day. Prints a line per seed and the mean and range of each figure.

Usage: python bench/simulation_calibration.py [--seeds 16] [--months 12] [--end 2026-12-07]
       [--write docs/simulation.md]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from doc_block import replace_block  # noqa: E402 - bench/ is on the path when run as a script

from workflows import bootstrap  # noqa: E402
from workflows.simulation import simulate_year  # noqa: E402

MARK_BEGIN = "<!-- simulation_calibration:begin -->"
MARK_END = "<!-- simulation_calibration:end -->"
#: (label, what DOMAIN.md §4.1 expects)
FIGURES = {
    "checks": ("fund checks", "≈ 25"),
    "grants": ("formal applications", "≈ 10"),
    "euros": ("awarded (€)", "80.000–85.000"),
    "per_round": ("aspects per round by vakspecialisten", "≈ 4,5"),
    "errored": ("errored cases", "0"),
}


def one_year(seed: int, months: int, end: datetime) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="wegwijs-calibration-") as folder:
        settings = bootstrap.Settings(database_url=f"sqlite:///{Path(folder) / 'year.db'}")
        report = simulate_year(settings, months=months, seed=seed, end=end)
    year = report.year
    assert year is not None
    return {
        "checks": year.fund_checks,
        "grants": year.fund_applications,
        "euros": year.fund_awarded_cents / 100,
        "per_round": year.specialist_aspects / year.assessment_rounds
        if year.assessment_rounds
        else 0.0,
        "errored": len(report.errored),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=16)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--end", default="2026-12-07", help="the last day (JJJJ-MM-DD)")
    parser.add_argument("--write", default=None)
    args = parser.parse_args()
    end = datetime.strptime(args.end, "%Y-%m-%d").replace(hour=23, minute=59, tzinfo=UTC)

    rows: list[dict[str, float]] = []
    for seed in range(1, args.seeds + 1):
        began = time.perf_counter()
        rows.append(one_year(seed, args.months, end))
        figures = ", ".join(f"{k} {v:,.1f}" for k, v in rows[-1].items())
        print(f"seed {seed}: {figures} ({time.perf_counter() - began:.0f} s)", flush=True)
    summary = {
        key: (
            statistics.mean(r[key] for r in rows),
            min(r[key] for r in rows),
            max(r[key] for r in rows),
        )
        for key in FIGURES
    }
    for key, (mean, low, high) in summary.items():
        print(
            f"{FIGURES[key][0]}: mean {mean:,.1f} (seeds {low:,.1f}–{high:,.1f}); DOMAIN §4.1: {FIGURES[key][1]}"
        )
    if args.write:
        write_markdown(Path(args.write), args, summary)
    return 0 if summary["errored"][2] == 0 else 1


def _nl(value: float, decimals: int = 1) -> str:
    """A number in Dutch notation: 81.934,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def write_markdown(
    path: Path, args: argparse.Namespace, summary: dict[str, tuple[float, float, float]]
) -> None:
    lines = [
        MARK_BEGIN,
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
        f"`bench/simulation_calibration.py --seeds {args.seeds} --end {args.end}`: "
        f"{args.seeds} simulated years of {args.months} months (seeds 1–{args.seeds}), each on "
        "a new SQLite database.",
        "",
        "| figure | mean of the seeds | lowest – highest seed | DOMAIN.md §4.1 |",
        "|---|---|---|---|",
    ]
    for key, (mean, low, high) in summary.items():
        decimals = 0 if key == "euros" else 1
        lines.append(
            f"| {FIGURES[key][0]} | {_nl(mean, decimals)} | {_nl(low, decimals)} – "
            f"{_nl(high, decimals)} | {FIGURES[key][1]} |"
        )
    lines.append(MARK_END)
    replace_block(path, MARK_BEGIN, MARK_END, "\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
