"""Months and periods the reports count in: calendar months in Dordrecht's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Amsterdam")
MONTH_NAMES = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_of(moment: datetime) -> str:
    """The month (YYYY-MM) a moment falls in, in Dordrecht."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZONE).strftime("%Y-%m")


def month_label(month: str) -> str:
    """'2026-03' → 'mrt 2026' (Dutch, short enough for a chart axis)."""
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"


def add_months(month: str, count: int) -> str:
    year, number = (int(p) for p in month.split("-"))
    index = year * 12 + number - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_month(text: str) -> str | None:
    """A YYYY-MM month as typed (None when it is not one)."""
    found = _MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        return None
    return f"{found.group(1)}-{found.group(2)}"


@dataclass(frozen=True)
class Period:
    """A run of whole months, first and last included (YYYY-MM)."""

    first: str
    last: str

    def __post_init__(self) -> None:
        if self.last < self.first:  # typed the wrong way round: read it the right way
            first, last = self.last, self.first
            object.__setattr__(self, "first", first)
            object.__setattr__(self, "last", last)

    @property
    def months(self) -> list[str]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = add_months(month, 1)
        return out

    @property
    def label(self) -> str:
        if self.first == self.last:
            return month_label(self.first)
        return f"{month_label(self.first)} – {month_label(self.last)}"

    def before(self) -> Period:
        """The period of the same length just before this one."""
        length = len(self.months)
        return Period(add_months(self.first, -length), add_months(self.first, -1))

    def year_before(self) -> Period:
        return Period(add_months(self.first, -12), add_months(self.last, -12))

    @property
    def start(self) -> datetime:
        """The first moment of the period (UTC)."""
        year, number = (int(p) for p in self.first.split("-"))
        return datetime(year, number, 1, tzinfo=ZONE).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period (UTC)."""
        year, number = (int(p) for p in add_months(self.last, 1).split("-"))
        return datetime(year, number, 1, tzinfo=ZONE).astimezone(UTC)


def last_months(today: date | datetime, count: int = 12) -> Period:
    """The `count` months up to and including the month of `today`."""
    month = month_of(today) if isinstance(today, datetime) else today.strftime("%Y-%m")
    return Period(add_months(month, -(count - 1)), month)
