"""Lead-time norms: parse what a process owner writes in the modeler and turn it into due dates.

A norm is declared on a user task or subprocess as an extension property, either in working days
("10 werkdagen", "10 wd", "zelfde werkdag") or as calendar time ("5 dagen", "6 weken",
"3 maanden", ISO-8601 "P14D", "P6W", "P2M", "PT4H"). This module is pure logic: no database, no
Flask, no SpiffWorkflow. All moments going in and out are timezone-aware; results are in UTC and
the arithmetic is done in municipal local time (Europe/Amsterdam), so it is correct across DST.

Conventions (the "why" of each is in the docstring of the function that applies it):

- Working days are Monday-Friday minus the closed holidays of a `WorkingCalendar`
  (default `DEFAULT_CALENDAR`, see there for which Dutch holidays count).
- A working-day norm is due at closing time (17:00 local) of the N-th working day after the day
  the task started; "zelfde werkdag" (N = 0) is due at 17:00 on the start day itself.
- A moment later than closing time, or on a non-working day, belongs to the next working day
  (like post that arrives after the office closed).
- Calendar norms keep the local wall-clock time for days, weeks and months (months clamp to the
  end of a shorter month); hours, minutes and seconds are elapsed time.
- Time waiting on the initiator (Awb hersteltermijn / opschorting) does not count: working-day
  norms are extended by the paused working days, calendar norms by the paused duration.
"""

from __future__ import annotations

import calendar as _gregorian
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from holidays import country_holidays

__all__ = [
    "DEFAULT_CALENDAR",
    "DEFAULT_TZ",
    "NEAR_DUE_WORKING_DAYS",
    "Norm",
    "NormError",
    "NormKind",
    "Urgency",
    "WorkingCalendar",
    "due_at",
    "is_working_day",
    "parse_norm",
    "remaining",
    "working_days_between",
]

DEFAULT_TZ = "Europe/Amsterdam"

#: A task is "near_due" when its due moment falls on the current working day or the next one.
NEAR_DUE_WORKING_DAYS = 1

Urgency = Literal["overdue", "near_due", "on_track"]

_EXAMPLES = (
    "'10 werkdagen', '1 werkdag', '10 wd', 'zelfde werkdag', '5 dagen', '6 weken', "
    "'3 maanden' of een ISO-8601-duur zoals 'P14D', 'P6W', 'P2M' of 'PT4H'"
)


class NormError(ValueError):
    """A lead-time norm text, or a moment given to the norm arithmetic, cannot be used."""


class NormKind(StrEnum):
    """Whether a norm counts working days or calendar time."""

    WORKING_DAYS = "working_days"
    CALENDAR = "calendar"


@dataclass(frozen=True)
class Norm:
    """One parsed lead-time norm; `text` is what was written, kept for messages only.

    For `WORKING_DAYS` only `working_days` is used (0 means "zelfde werkdag"). For `CALENDAR`
    the nominal part is `months` + `days` (weeks are stored as 7 days, years as 12 months) and
    `seconds` is elapsed time.
    """

    kind: NormKind
    working_days: int = 0
    months: int = 0
    days: int = 0
    seconds: int = 0
    text: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        amounts = (self.working_days, self.months, self.days, self.seconds)
        if any(a < 0 for a in amounts):
            raise NormError(f"Een doorlooptijdnorm kan niet negatief zijn: {self!r}.")
        if self.kind is NormKind.WORKING_DAYS and (self.months or self.days or self.seconds):
            raise NormError(f"Een werkdagennorm telt alleen werkdagen: {self!r}.")
        if self.kind is NormKind.CALENDAR and (
            self.working_days or not (self.months or self.days or self.seconds)
        ):
            raise NormError(f"Een kalendernorm moet een positieve duur hebben: {self!r}.")


# ----------------------------------------------------------------------------- parsing

_SAME_DAY = re.compile(r"(de)?zelfde werkdag|same working day")
_COUNTED = re.compile(r"(?P<n>\d+) ?(?P<unit>[a-z][a-z ]*)")
_UNITS: dict[str, tuple[str, int]] = {
    "werkdag": ("working_days", 1),
    "werkdagen": ("working_days", 1),
    "wd": ("working_days", 1),
    "working day": ("working_days", 1),
    "working days": ("working_days", 1),
    "dag": ("days", 1),
    "dagen": ("days", 1),
    "kalenderdag": ("days", 1),
    "kalenderdagen": ("days", 1),
    "week": ("days", 7),
    "weken": ("days", 7),
    "maand": ("months", 1),
    "maanden": ("months", 1),
}
_ISO = re.compile(
    r"P(?!$)(?:(?P<Y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<H>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<S>\d+)S)?)?"
)


def parse_norm(text: str) -> Norm:
    """Parse a norm as a Dutch process owner writes it in a modeler property.

    Case and surrounding/double whitespace do not matter. Amounts are whole numbers of at least
    one; fractions ("1,5 dag", "P1.5D") are refused because a due date must be unambiguous.
    """
    cleaned = " ".join(str(text).split()).lower()
    if not cleaned:
        raise NormError(
            f"De doorlooptijdnorm is leeg. Geldige vormen zijn bijvoorbeeld {_EXAMPLES}."
        )
    if _SAME_DAY.fullmatch(cleaned):
        return Norm(NormKind.WORKING_DAYS, working_days=0, text=text)
    if cleaned.startswith("p"):
        return _parse_iso(text, cleaned.upper())
    counted = _COUNTED.fullmatch(cleaned)
    unit = _UNITS.get(counted["unit"]) if counted else None
    if not counted or not unit:
        raise NormError(
            f"Doorlooptijdnorm {text!r} wordt niet begrepen. Geldige vormen zijn bijvoorbeeld {_EXAMPLES}."
        )
    amount = int(counted["n"])
    if amount < 1:
        raise NormError(
            f"Doorlooptijdnorm {text!r} moet minstens 1 zijn; schrijf 'zelfde werkdag' voor een "
            f"taak die dezelfde werkdag af moet. Geldige vormen zijn bijvoorbeeld {_EXAMPLES}."
        )
    field_name, factor = unit
    if field_name == "working_days":
        return Norm(NormKind.WORKING_DAYS, working_days=amount, text=text)
    if field_name == "months":
        return Norm(NormKind.CALENDAR, months=amount, text=text)
    return Norm(NormKind.CALENDAR, days=amount * factor, text=text)


def _parse_iso(text: str, upper: str) -> Norm:
    match = _ISO.fullmatch(upper)
    if not match:
        raise NormError(
            f"Doorlooptijdnorm {text!r} is geen geldige ISO-8601-duur (alleen hele getallen). "
            f"Geldige vormen zijn bijvoorbeeld {_EXAMPLES}."
        )
    part = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    months = part["Y"] * 12 + part["mo"]
    days = part["W"] * 7 + part["D"]
    seconds = part["H"] * 3600 + part["mi"] * 60 + part["S"]
    if not (months or days or seconds):
        raise NormError(
            f"Doorlooptijdnorm {text!r} is een duur van nul; een norm moet een positieve duur hebben. "
            f"Geldige vormen zijn bijvoorbeeld {_EXAMPLES}."
        )
    return Norm(NormKind.CALENDAR, months=months, days=days, seconds=seconds, text=text)


# ----------------------------------------------------------------------------- working calendar


@lru_cache(maxsize=1)
def _library_holiday_names() -> frozenset[str]:
    # 2025-2030 contains two lustrum years, so Liberation Day is among the names.
    names: set[str] = set()
    for name in country_holidays("NL", years=range(2025, 2031), language="en_US").values():
        names.update(n.strip() for n in str(name).split(";"))
    return frozenset(names)


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days the municipality works: weekdays minus the closed public holidays.

    Holidays come from the maintained `holidays.Netherlands` calendar (English names, as
    `language="en_US"` gives them). `open_on` names library holidays on which the municipality
    is nevertheless open. The default is `{"Good Friday"}`: Dutch town halls are generally open on
    Goede Vrijdag (to be confirmed by Dordrecht; it *is* a holiday for statutory terms under the
    Algemene termijnenwet, which this calendar does not model). What the default calendar closes
    on is therefore: New Year's Day, Easter Monday, King's Day (26 April when 27 April is a
    Sunday), Ascension Day, Whit Monday, Christmas Day and Boxing Day, plus Liberation Day (5 May)
    in lustrum years only (2025, 2030, ...), which is what the library returns and the usual
    government practice. Set `liberation_day_every_year` for an employer that closes every 5 May, and
    `closed_days` for local closures (e.g. a collective day off between Christmas and New Year).
    Easter Sunday and Whit Sunday are Sundays anyway.

    Closed days are computed once per calendar and year and cached.
    """

    open_on: frozenset[str] = frozenset({"Good Friday"})
    liberation_day_every_year: bool = False
    closed_days: frozenset[date] = frozenset()
    closing_time: time = time(17, 0)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.open_on) - _library_holiday_names())
        if unknown:
            raise NormError(
                f"Onbekende feestdag(en) {unknown} in de werkdagenkalender; bekend zijn "
                f"{sorted(_library_holiday_names())}."
            )
        if self.closing_time.tzinfo is not None:
            raise NormError(
                "De sluitingstijd van de werkdagenkalender is een lokale tijd zonder tijdzone."
            )


DEFAULT_CALENDAR = WorkingCalendar()


@lru_cache(maxsize=512)
def _closed_holidays(cal: WorkingCalendar, year: int) -> frozenset[date]:
    closed: set[date] = set()
    for day, names in country_holidays("NL", years=year, language="en_US").items():
        if any(n.strip() not in cal.open_on for n in str(names).split(";")):
            closed.add(day)
    if cal.liberation_day_every_year:
        closed.add(date(year, 5, 5))
    closed.update(d for d in cal.closed_days if d.year == year)
    return frozenset(closed)


def is_working_day(d: date, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> bool:
    """Say whether `d` is a working day: Monday-Friday and not a closed holiday."""
    if isinstance(d, datetime):
        # A datetime never equals a date in a set lookup, so it would silently count as open.
        raise TypeError("is_working_day expects a date, not a datetime; pass moment.date().")
    return d.weekday() < 5 and d not in _closed_holidays(calendar, d.year)


def _next_working_day(d: date, calendar: WorkingCalendar) -> date:
    d += timedelta(days=1)
    while not is_working_day(d, calendar):
        d += timedelta(days=1)
    return d


def _add_working_days(d: date, n: int, calendar: WorkingCalendar) -> date:
    for _ in range(n):
        d = _next_working_day(d, calendar)
    return d


# ----------------------------------------------------------------------------- moments


def _aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NormError(
            f"{name} = {moment.isoformat()} heeft geen tijdzone; geef een tijdzone-bewust moment "
            f"(UTC), bijvoorbeeld datetime(..., tzinfo=UTC)."
        )
    return moment


def _working_day_of(local: datetime, calendar: WorkingCalendar) -> date:
    """The working day a local moment belongs to: after closing time or on a day off, the next."""
    d = local.date()
    if is_working_day(d, calendar) and local.time() <= calendar.closing_time:
        return d
    return _next_working_day(d, calendar)


def _closing(d: date, zone: ZoneInfo, calendar: WorkingCalendar) -> datetime:
    return datetime.combine(d, calendar.closing_time, tzinfo=zone).astimezone(UTC)


def _add_months(local: datetime, months: int) -> datetime:
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, _gregorian.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def _merged(
    pauses: Iterable[tuple[datetime, datetime]], start: datetime
) -> list[tuple[datetime, datetime]]:
    """Pauses sorted, clipped to after `start` and merged, so overlaps never count twice."""
    merged: list[tuple[datetime, datetime]] = []
    for raw_from, raw_until in sorted(
        (_aware(a, "pause start"), _aware(b, "pause end")) for a, b in pauses
    ):
        if raw_until < raw_from:
            raise NormError(
                f"Een pauze eindigt ({raw_until.isoformat()}) vóór haar begin ({raw_from.isoformat()})."
            )
        begin = max(raw_from, start)
        if raw_until <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], raw_until))
        else:
            merged.append((begin, raw_until))
    return merged


def due_at(
    start: datetime,
    norm: Norm,
    pauses: Sequence[tuple[datetime, datetime]] = (),
    tz: str = DEFAULT_TZ,
    *,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> datetime:
    """Compute the moment (UTC) a task started at `start` is due under `norm`.

    Working-day norms: due at closing time (17:00 local) of the N-th working day after the
    working day the start belongs to. A task created on Monday 10:00 with "1 werkdag" is due on
    Tuesday 17:00; one created on a Saturday, a holiday or after 17:00 counts from the next
    working day. Closing time rather than midnight because the worklist and the initiator both
    read "due Tuesday" as "during Tuesday's office hours".

    Calendar norms: days/weeks/months are added to the local wall-clock time (so "6 weken" from
    Monday 10:00 is Monday 10:00 six weeks later, also across a DST change); a month that is too
    short clamps to its last day (31 January + 1 maand = 28 February). Hours/minutes/seconds are
    elapsed time. A wall-clock time that does not exist (DST spring gap) lands one hour later.

    Pauses are periods waiting on the initiator (give an ongoing pause as (since, now)). They are
    merged and only count while the clock was still running, i.e. from before the due moment as
    extended by the earlier pauses; a pause begun after the task was already overdue does not
    make it on time again. Working-day norms are extended by the working days a pause spans
    (`working_days_between(pause_start, pause_end)`); calendar norms by the paused duration.
    """
    start = _aware(start, "start")
    zone = ZoneInfo(tz)
    local = start.astimezone(zone)
    if norm.kind is NormKind.WORKING_DAYS:
        day = _add_working_days(_working_day_of(local, calendar), norm.working_days, calendar)
        due = _closing(day, zone, calendar)
        for pause_from, pause_until in _merged(pauses, start):
            if pause_from >= due:
                break
            extra = working_days_between(pause_from, pause_until, tz, calendar=calendar)
            due = _closing(
                _add_working_days(due.astimezone(zone).date(), extra, calendar), zone, calendar
            )
        return due
    wall = _add_months(local.replace(tzinfo=None), norm.months) + timedelta(days=norm.days)
    due = wall.replace(tzinfo=zone).astimezone(UTC) + timedelta(seconds=norm.seconds)
    for pause_from, pause_until in _merged(pauses, start):
        if pause_from >= due:
            break
        due += pause_until - pause_from
    return due


def working_days_between(
    a: datetime,
    b: datetime,
    tz: str = DEFAULT_TZ,
    *,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> int:
    """Count how many working days later `b` falls than `a` (negative when `b` is earlier).

    Each moment first belongs to a working day (after closing time or on a day off: the next
    one), then the working days after `a`'s day up to and including `b`'s day are counted. So
    Monday 09:00 to Tuesday 10:00 is 1, a moment to itself is 0, swapping the arguments flips
    the sign, and `end <= due_at(start, N werkdagen)` exactly when
    `working_days_between(start, end) <= N` (without pauses): the report's "% within norm" and
    the worklist's due date never disagree.
    """
    a, b = _aware(a, "a"), _aware(b, "b")
    if b < a:
        return -working_days_between(b, a, tz, calendar=calendar)
    zone = ZoneInfo(tz)
    day = _working_day_of(a.astimezone(zone), calendar)
    last = _working_day_of(b.astimezone(zone), calendar)
    return _working_days_after(day, last, calendar)


def _working_days_after(day: date, last: date, calendar: WorkingCalendar) -> int:
    """The working days in (day, last], counted by whole weeks and the holidays in between (so
    a case a year overdue costs no more than one due tomorrow)."""
    if last <= day:
        return 0
    weeks, rest = divmod((last - day).days, 7)
    weekdays = 5 * weeks + sum(
        1 for i in range(1, rest + 1) if (day + timedelta(days=7 * weeks + i)).weekday() < 5
    )
    closed = sum(
        1
        for year in range(day.year, last.year + 1)
        for holiday in _closed_holidays(calendar, year)
        if day < holiday <= last and holiday.weekday() < 5
    )
    return weekdays - closed


def remaining(
    now: datetime,
    due: datetime,
    tz: str = DEFAULT_TZ,
    *,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> Urgency:
    """Classify a due moment for the worklist: overdue, near_due or on_track.

    Overdue strictly after the due moment (finishing exactly at it is on time). Near due when at
    most `NEAR_DUE_WORKING_DAYS` (1) working day is left, counted as in `working_days_between`:
    the due moment lies on the current working day or the next one. Otherwise on track.
    """
    now, due = _aware(now, "now"), _aware(due, "due")
    if now > due:
        return "overdue"
    if working_days_between(now, due, tz, calendar=calendar) <= NEAR_DUE_WORKING_DAYS:
        return "near_due"
    return "on_track"


#: more than a week ahead is more than one working day away, without counting them
_SURELY_ON_TRACK = timedelta(days=7)


def urgency(task_due: datetime | None, now: datetime) -> str | None:
    """'overdue', 'near_due' or None for a task's due moment."""
    if task_due is None:
        return None
    if now > task_due:
        return "overdue"  # as remaining() says, without its working-day calendar
    if task_due - now > _SURELY_ON_TRACK:
        return None  # more than a week ahead is more than one working day, without counting
    found = remaining(now, task_due)
    return None if found == "on_track" else found
