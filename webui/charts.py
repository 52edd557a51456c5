"""Server-rendered SVG charts: the geometry (Python) for the templates' macros
(templates/dashboard/_charts.html). Pure presentation: numbers in, boxes and ticks out; the
same numbers are always shown beside the chart as a table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LABEL_WIDTH = 230  # px for the row labels of horizontal charts
ROW = 26
WIDTH = 720


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    css: str
    title: str


@dataclass(frozen=True)
class Row:
    y: float
    label: str
    segments: list[Segment]
    marks: list[tuple[float, str]]  # (x, title): a tick, e.g. p80/p90
    text: str  # the value written after the bar
    text_x: float


@dataclass(frozen=True)
class HChart:
    width: int
    height: int
    rows: list[Row]
    ticks: list[tuple[float, str]]
    axis_y: float


def nice_max(value: float) -> float:
    """A round upper bound for an axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def horizontal(
    rows: Sequence[tuple[str, Sequence[tuple[float, str, str]], Sequence[tuple[float, str]], str]],
    maximum: float | None = None,
    unit: str = "",
) -> HChart:
    """Rows of (label, segments [(value, css class, title)], marks [(value, title)], text)."""
    top = maximum or nice_max(
        max(
            [sum(v for v, _c, _t in segs) for _l, segs, _m, _x in rows]
            + [v for _l, _s, marks, _x in rows for v, _t in marks]
            + [0.0]
        )
    )
    plot = WIDTH - LABEL_WIDTH - 70
    scale = plot / top if top else 0.0
    out: list[Row] = []
    for i, (label, segs, marks, text) in enumerate(rows):
        x = float(LABEL_WIDTH)
        shapes = []
        for value, css, title in segs:
            width = max(value * scale, 0.0)
            shapes.append(Segment(x, width, css, title))
            x += width
        out.append(
            Row(
                y=10 + i * ROW,
                label=label if len(label) <= 34 else label[:33] + "…",
                segments=shapes,
                marks=[(LABEL_WIDTH + v * scale, t) for v, t in marks],
                text=text,
                text_x=max(x, max((LABEL_WIDTH + v * scale for v, _t in marks), default=x)) + 6,
            )
        )
    axis_y = 10 + len(rows) * ROW + 2
    ticks = [(LABEL_WIDTH + plot * f, f"{_num(top * f)}{unit}") for f in (0, 0.25, 0.5, 0.75, 1)]
    return HChart(WIDTH, int(axis_y + 22), out, ticks, axis_y)


@dataclass(frozen=True)
class Column:
    x: float
    width: float
    height: float
    y: float
    css: str
    title: str


@dataclass(frozen=True)
class VChart:
    width: int
    height: int
    base: float
    columns: list[Column]
    labels: list[tuple[float, str]]
    ticks: list[tuple[float, str]]
    left: float  # where the plot starts: room for the widest tick label


def columns(
    groups: Sequence[tuple[str, Sequence[tuple[float, str, str]]]], height: int = 220
) -> VChart:
    """Grouped columns: per group (label, [(value, css class, title)])."""
    top = nice_max(max([v for _l, vals in groups for v, _c, _t in vals] + [0.0]))
    tick_values = [top * f for f in (0, 0.5, 1)]
    # the tick labels are right-aligned 6 px before the plot, at ≈ 7 px per character (12 px)
    left, base = max(40.0, 14.0 + 7 * max(len(_num(v)) for v in tick_values)), float(height - 30)
    plot_h = base - 10
    per_group = (WIDTH - left - 10) / max(len(groups), 1)
    per_bar = min(18.0, per_group * 0.8 / max(max((len(v) for _l, v in groups), default=1), 1))
    out: list[Column] = []
    names: list[tuple[float, str]] = []
    for i, (label, vals) in enumerate(groups):
        start = left + i * per_group + (per_group - per_bar * len(vals)) / 2
        for j, (value, css, title) in enumerate(vals):
            h = plot_h * value / top if top else 0.0
            out.append(Column(start + j * per_bar, per_bar - 2, h, base - h, css, title))
        names.append((left + i * per_group + per_group / 2, label))
    ticks = [(base - plot_h * v / top, _num(v)) for v in tick_values]
    return VChart(WIDTH, height, base, out, names, ticks, left)


def _num(value: float) -> str:
    """A tick value the Dutch way: 120.000, 2,5 (a thousands point, a decimal comma)."""
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")
