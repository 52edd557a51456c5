"""Small statistics the reports share: percentiles (linear, as PostgreSQL's percentile_cont) and
a summary of durations."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DAY = 86400.0


def percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile of sorted values, interpolated linearly between neighbours
    (PostgreSQL's percentile_cont; Python's statistics.quantiles(method="inclusive"))."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Durations:
    """How long something took, over `count` cases or tasks (seconds; None when there are none)."""

    count: int
    median: float | None
    p80: float | None
    p90: float | None
    mean: float | None

    @classmethod
    def of(cls, values: Iterable[float]) -> Durations:
        ordered = sorted(values)
        mean = sum(ordered) / len(ordered) if ordered else None
        return cls(
            len(ordered),
            percentile(ordered, 0.5),
            percentile(ordered, 0.8),
            percentile(ordered, 0.9),
            mean,
        )

    def days(self, which: str = "median") -> float | None:
        value = getattr(self, which)
        return None if value is None else value / DAY


def share(part: int, whole: int) -> float | None:
    """part / whole as a fraction (None when there is nothing to divide)."""
    return part / whole if whole else None
