"""Lead-time norms parse as a process owner writes them and give due dates on the real Dutch
calendar: weekends, municipal holidays, DST and time waiting on the initiator.

Expected dates are worked out by hand from the 2026/2027 calendar (King's Day Mon 27 April 2026,
Ascension Thu 14 May 2026, Christmas Fri 25 / Sat 26 December 2026, New Year Fri 1 January 2027,
DST on 29 March and 25 October 2026), never copied from the function's own output.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflows.norms import (
    DEFAULT_CALENDAR,
    Norm,
    NormError,
    NormKind,
    WorkingCalendar,
    due_at,
    is_working_day,
    parse_norm,
    remaining,
    working_days_between,
)

AMS = ZoneInfo("Europe/Amsterdam")


def local(y: int, m: int, d: int, h: int = 10, mi: int = 0, s: int = 0) -> datetime:
    """A Dordrecht wall-clock moment, as the aware UTC datetime the module takes and returns."""
    return datetime(y, m, d, h, mi, s, tzinfo=AMS).astimezone(UTC)


def closing(y: int, m: int, d: int) -> datetime:
    return local(y, m, d, 17)


def working(n: int) -> Norm:
    return Norm(NormKind.WORKING_DAYS, working_days=n)


# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 werkdagen", working(10)),
        ("10 wd", working(10)),
        ("10wd", working(10)),
        ("1 werkdag", working(1)),
        ("  10   WERKDAGEN ", working(10)),
        ("3 working days", working(3)),
        ("zelfde werkdag", working(0)),
        ("Dezelfde Werkdag", working(0)),
        ("same working day", working(0)),
        ("5 dagen", Norm(NormKind.CALENDAR, days=5)),
        ("1 dag", Norm(NormKind.CALENDAR, days=1)),
        ("6 weken", Norm(NormKind.CALENDAR, days=42)),
        ("8 weken", Norm(NormKind.CALENDAR, days=56)),
        ("1 week", Norm(NormKind.CALENDAR, days=7)),
        ("3 maanden", Norm(NormKind.CALENDAR, months=3)),
        ("P14D", Norm(NormKind.CALENDAR, days=14)),
        ("p14d", Norm(NormKind.CALENDAR, days=14)),
        ("P6W", Norm(NormKind.CALENDAR, days=42)),
        ("P2M", Norm(NormKind.CALENDAR, months=2)),
        ("P1Y", Norm(NormKind.CALENDAR, months=12)),
        ("PT4H", Norm(NormKind.CALENDAR, seconds=4 * 3600)),
        ("P1DT2H30M", Norm(NormKind.CALENDAR, days=1, seconds=2 * 3600 + 30 * 60)),
    ],
)
def test_every_written_form_of_a_norm_parses_to_its_meaning(text: str, expected: Norm) -> None:
    norm = parse_norm(text)
    assert norm == expected
    assert norm.text == text


def test_differently_written_equal_norms_compare_equal() -> None:
    assert parse_norm("6 weken") == parse_norm("P6W") == parse_norm("P42D")
    assert parse_norm("10 wd") == parse_norm("10 werkdagen")
    assert parse_norm("10 werkdagen") != parse_norm("P14D")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "tien werkdagen",
        "10",
        "werkdagen",
        "1,5 dag",
        "10 uur",
        "P",
        "PT",
        "P1.5D",
        "P2H",
    ],
)
def test_unreadable_norm_is_refused_in_dutch_naming_the_text_and_valid_forms(text: str) -> None:
    with pytest.raises(NormError) as caught:
        parse_norm(text)
    message = str(caught.value)
    if text.strip():
        assert repr(text) in message
    assert "Geldige vormen zijn bijvoorbeeld" in message
    assert "'10 werkdagen'" in message
    assert "'P14D'" in message


@pytest.mark.parametrize("text", ["0 werkdagen", "0 dagen", "P0D", "PT0S"])
def test_a_norm_of_zero_is_refused(text: str) -> None:
    with pytest.raises(NormError, match=r"minstens 1|duur van nul"):
        parse_norm(text)


def test_zero_working_days_points_the_process_owner_to_zelfde_werkdag() -> None:
    with pytest.raises(NormError, match="schrijf 'zelfde werkdag'"):
        parse_norm("0 wd")


def test_norm_error_is_a_value_error() -> None:
    assert issubclass(NormError, ValueError)


def test_an_inconsistent_norm_cannot_be_constructed() -> None:
    with pytest.raises(NormError):
        Norm(NormKind.WORKING_DAYS, working_days=2, days=3)
    with pytest.raises(NormError):
        Norm(NormKind.CALENDAR)
    with pytest.raises(NormError):
        Norm(NormKind.CALENDAR, days=-1)


# ----------------------------------------------------------------------------- working calendar


@pytest.mark.parametrize(
    ("day", "works"),
    [
        (date(2026, 4, 24), True),  # Friday before King's Day
        (date(2026, 4, 25), False),  # Saturday
        (date(2026, 4, 26), False),  # Sunday
        (date(2026, 4, 27), False),  # King's Day, Monday
        (date(2026, 5, 14), False),  # Ascension Day
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 5, 25), False),  # Whit Monday
        (date(2026, 12, 25), False),  # Christmas, Friday
        (date(2026, 12, 28), True),  # Monday after Christmas: an ordinary working day
        (date(2026, 12, 31), True),  # Old Year's Day is not a holiday
        (date(2027, 1, 1), False),  # New Year, Friday
        (date(2026, 4, 3), True),  # Good Friday: town halls are open
        (date(2026, 5, 5), True),  # Liberation Day outside a lustrum year
        (date(2025, 5, 5), False),  # Liberation Day 2025 (lustrum), a Monday
    ],
)
def test_default_calendar_knows_weekends_and_municipal_holidays(day: date, works: bool) -> None:
    assert is_working_day(day) is works


def test_calendar_can_close_on_good_friday_and_every_liberation_day_and_extra_days() -> None:
    strict = WorkingCalendar(
        open_on=frozenset(),
        liberation_day_every_year=True,
        closed_days=frozenset({date(2026, 12, 28)}),
    )
    assert not is_working_day(date(2026, 4, 3), strict)
    assert not is_working_day(date(2026, 5, 5), strict)
    assert not is_working_day(date(2026, 12, 28), strict)
    assert is_working_day(date(2026, 12, 29), strict)
    assert is_working_day(date(2026, 4, 3), DEFAULT_CALENDAR)


def test_a_misspelt_holiday_name_in_the_calendar_is_refused() -> None:
    with pytest.raises(NormError, match="Goede Vrijdag"):
        WorkingCalendar(open_on=frozenset({"Goede Vrijdag"}))


def test_is_working_day_refuses_a_datetime_which_would_never_match_a_holiday() -> None:
    with pytest.raises(TypeError, match="date"):
        is_working_day(datetime(2026, 4, 27, 10, tzinfo=UTC))


def test_a_whole_year_2026_has_255_working_days() -> None:
    # 2026 starts on a Thursday: 52 weeks + 1 weekday = 261 weekdays, minus the six closed
    # holidays on weekdays (New Year Thu, Easter Mon, King's Day Mon, Ascension Thu, Whit Mon,
    # Christmas Fri; Boxing Day is a Saturday and Good Friday stays open).
    assert working_days_between(local(2025, 12, 31), local(2026, 12, 31)) == 261 - 6


# ----------------------------------------------------------------------------- working-day due dates


def test_one_working_day_from_monday_is_due_at_closing_time_on_tuesday() -> None:
    assert due_at(local(2026, 6, 1, 10), parse_norm("1 werkdag")) == closing(2026, 6, 2)


def test_same_working_day_is_due_at_closing_time_that_day() -> None:
    assert due_at(local(2026, 6, 1, 9), parse_norm("zelfde werkdag")) == closing(2026, 6, 1)


def test_due_moment_is_returned_in_utc() -> None:
    due = due_at(local(2026, 6, 1, 10), parse_norm("1 wd"))
    assert due.tzinfo is UTC
    assert due == datetime(2026, 6, 2, 15, 0, tzinfo=UTC)  # 17:00 CEST


def test_ten_working_days_spanning_two_weekends() -> None:
    # Mon 1 June 2026: Tue 2 .. Fri 5 are 1-4, Mon 8 .. Fri 12 are 5-9, Mon 15 is the 10th.
    assert due_at(local(2026, 6, 1), parse_norm("10 werkdagen")) == closing(2026, 6, 15)


def test_ten_working_days_spanning_kings_day_take_one_day_longer() -> None:
    # Mon 20 April 2026: 21-24 are 1-4, Mon 27 is King's Day, 28-30 are 5-7, Fri 1 May is 8,
    # Mon 4 is 9, Tue 5 May (no lustrum, so a working day) is the 10th.
    assert due_at(local(2026, 4, 20), parse_norm("10 wd")) == closing(2026, 5, 5)


def test_ten_working_days_spanning_christmas_and_new_year() -> None:
    # Wed 23 Dec 2026: Thu 24 is 1, Fri 25/Sat 26 Christmas, Mon 28 - Thu 31 are 2-5,
    # Fri 1 Jan 2027 New Year, Mon 4 - Fri 8 Jan are 6-10.
    due = due_at(local(2026, 12, 23), parse_norm("10 werkdagen"))
    assert due == closing(2027, 1, 8)
    assert due == datetime(2027, 1, 8, 16, 0, tzinfo=UTC)  # 17:00 CET in winter


def test_a_start_on_saturday_counts_from_monday() -> None:
    saturday = local(2026, 6, 6, 11)
    assert due_at(saturday, parse_norm("1 werkdag")) == closing(2026, 6, 9)
    assert due_at(saturday, parse_norm("zelfde werkdag")) == closing(2026, 6, 8)


def test_a_start_on_a_holiday_counts_from_the_next_working_day() -> None:
    assert due_at(local(2026, 4, 27, 9), parse_norm("1 wd")) == closing(2026, 4, 29)
    # Ascension Thursday: counted from Friday 15 May, so due Monday 18 May.
    assert due_at(local(2026, 5, 14, 9), parse_norm("1 wd")) == closing(2026, 5, 18)


def test_a_start_after_closing_time_counts_from_the_next_working_day() -> None:
    norm = parse_norm("1 wd")
    assert due_at(local(2026, 6, 1, 17, 0), norm) == closing(2026, 6, 2)
    assert due_at(local(2026, 6, 1, 17, 0, 1), norm) == closing(2026, 6, 3)
    assert due_at(local(2026, 6, 5, 18), parse_norm("zelfde werkdag")) == closing(2026, 6, 8)


def test_working_day_due_after_the_spring_dst_switch_is_still_closing_time_local() -> None:
    due = due_at(local(2026, 3, 27, 10), parse_norm("1 werkdag"))
    assert due == datetime(2026, 3, 30, 15, 0, tzinfo=UTC)  # Mon 30 March, 17:00 CEST


def test_closing_time_is_configurable() -> None:
    early = WorkingCalendar(closing_time=time(16, 30))
    assert due_at(local(2026, 6, 1), parse_norm("1 wd"), calendar=early) == local(
        2026, 6, 2, 16, 30
    )


# ----------------------------------------------------------------------------- calendar due dates


def test_calendar_days_ignore_weekends_and_holidays() -> None:
    assert due_at(local(2026, 4, 24, 10), parse_norm("5 dagen")) == local(2026, 4, 29, 10)


def test_six_weeks_across_spring_dst_keep_the_local_wall_clock_time() -> None:
    due = due_at(local(2026, 3, 16, 10), parse_norm("6 weken"))
    assert due == local(2026, 4, 27, 10)
    assert due == datetime(2026, 4, 27, 8, 0, tzinfo=UTC)  # start was 09:00 UTC


def test_two_weeks_across_autumn_dst_keep_the_local_wall_clock_time() -> None:
    due = due_at(local(2026, 10, 19, 10), parse_norm("P2W"))
    assert due == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # start was 08:00 UTC


def test_one_day_across_the_dst_night_is_23_hours_but_hours_are_elapsed_time() -> None:
    saturday = local(2026, 3, 28, 10)
    assert due_at(saturday, parse_norm("P1D")) - saturday == timedelta(hours=23)
    night = local(2026, 3, 29, 0, 30)
    due = due_at(night, parse_norm("PT4H"))
    assert due - night == timedelta(hours=4)
    assert due.astimezone(AMS).hour == 5  # the clock jumped from 02:00 to 03:00


def test_a_month_from_31_january_clamps_to_the_end_of_february() -> None:
    assert due_at(local(2026, 1, 31), parse_norm("1 maand")) == local(2026, 2, 28)
    assert due_at(local(2028, 1, 31), parse_norm("P1M")) == local(2028, 2, 29)  # leap year
    assert due_at(local(2026, 3, 31), parse_norm("P1M")) == local(2026, 4, 30)


def test_months_count_from_the_start_not_month_by_month() -> None:
    assert due_at(local(2026, 1, 31), parse_norm("2 maanden")) == local(2026, 3, 31)
    assert due_at(local(2028, 2, 29), parse_norm("P1Y")) == local(2029, 2, 28)


# ----------------------------------------------------------------------------- pauses


def test_waiting_on_the_initiator_extends_a_working_day_norm_by_the_paused_working_days() -> None:
    start, norm = local(2026, 6, 1), parse_norm("10 wd")
    hersteltermijn = (local(2026, 6, 3, 10), local(2026, 6, 5, 12))  # Wed -> Fri: 2 working days
    assert due_at(start, norm) == closing(2026, 6, 15)
    assert due_at(start, norm, [hersteltermijn]) == closing(2026, 6, 17)


def test_paused_working_days_do_not_include_a_holiday_in_the_pause() -> None:
    # Base due Tue 5 May (see above); pause Fri 24 -> Tue 28 April spans King's Day: 1 working day.
    pause = (local(2026, 4, 24), local(2026, 4, 28))
    assert due_at(local(2026, 4, 20), parse_norm("10 wd"), [pause]) == closing(2026, 5, 6)


def test_a_pause_within_one_working_day_does_not_move_a_working_day_due_date() -> None:
    pause = (local(2026, 6, 3, 9), local(2026, 6, 3, 16))
    assert due_at(local(2026, 6, 1), parse_norm("10 wd"), [pause]) == closing(2026, 6, 15)


def test_overlapping_pauses_are_not_counted_twice() -> None:
    pauses = [
        (local(2026, 6, 3, 10), local(2026, 6, 5, 12)),
        (local(2026, 6, 4, 9), local(2026, 6, 5, 10)),
    ]
    assert due_at(local(2026, 6, 1), parse_norm("10 wd"), pauses) == closing(2026, 6, 17)


def test_a_pause_begun_after_the_due_date_does_not_make_the_task_on_time_again() -> None:
    late_pause = (local(2026, 6, 16), local(2026, 6, 30))
    assert due_at(local(2026, 6, 1), parse_norm("10 wd"), [late_pause]) == closing(2026, 6, 15)
    assert due_at(local(2026, 6, 1), parse_norm("P14D"), [late_pause]) == local(2026, 6, 15)


def test_waiting_on_the_initiator_extends_a_calendar_norm_by_the_paused_duration() -> None:
    # 8 weeks from Mon 2 March 2026 is Mon 27 April; a 14-day hersteltermijn makes it Mon 11 May.
    start, norm = local(2026, 3, 2), parse_norm("8 weken")
    pause = (local(2026, 3, 9), local(2026, 3, 23))
    assert due_at(start, norm) == local(2026, 4, 27)
    assert due_at(start, norm, [pause]) == local(2026, 5, 11)


def test_only_the_part_of_a_pause_after_the_start_counts() -> None:
    start = local(2026, 6, 1)
    pause = (start - timedelta(days=5), start + timedelta(days=1))
    assert due_at(start, parse_norm("P7D"), [pause]) == local(2026, 6, 9)


def test_a_later_pause_counts_when_an_earlier_pause_kept_the_clock_running() -> None:
    # Base due Tue 10:00. The first pause moves it to Thu 10:00, so the Wednesday-evening pause,
    # which starts after the original due moment, still counts.
    start = local(2026, 6, 1)
    pauses = [
        (local(2026, 6, 3, 15), local(2026, 6, 3, 18)),
        (local(2026, 6, 1, 12), local(2026, 6, 3, 12)),
    ]
    assert due_at(start, parse_norm("1 dag"), pauses) == local(2026, 6, 4, 13)


def test_a_pause_that_ends_before_it_begins_is_refused() -> None:
    with pytest.raises(NormError, match="pauze"):
        due_at(local(2026, 6, 1), parse_norm("1 wd"), [(local(2026, 6, 3), local(2026, 6, 2))])


# ----------------------------------------------------------------------------- working_days_between


@pytest.mark.parametrize(
    ("a", "b", "days"),
    [
        (local(2026, 6, 1, 9), local(2026, 6, 2, 10), 1),
        (local(2026, 6, 1, 9), local(2026, 6, 1, 16), 0),
        (local(2026, 6, 5, 10), local(2026, 6, 8, 10), 1),  # over a weekend
        (local(2026, 4, 24, 10), local(2026, 4, 28, 10), 1),  # over King's Day
        (local(2026, 6, 6, 10), local(2026, 6, 7, 10), 0),  # Saturday and Sunday both mean Monday
        (local(2026, 12, 24, 10), local(2027, 1, 4, 10), 5),  # 28, 29, 30, 31 Dec, 4 Jan
    ],
)
def test_working_days_between_counts_and_swapping_flips_the_sign(
    a: datetime, b: datetime, days: int
) -> None:
    assert working_days_between(a, b) == days
    assert working_days_between(b, a) == -days
    assert working_days_between(a, a) == 0


@pytest.mark.parametrize("n", [0, 1, 3])
def test_within_norm_by_working_days_between_agrees_with_the_due_date(n: int) -> None:
    # Every end moment hour by hour over two weeks from a Friday afternoon before Ascension.
    start = local(2026, 5, 8, 14)
    due = due_at(start, working(n))
    for hours in range(0, 14 * 24):
        for minute in (0, 30):
            end = start + timedelta(hours=hours, minutes=minute)
            assert (end <= due) == (working_days_between(start, end) <= n), end


# ----------------------------------------------------------------------------- remaining


def test_remaining_is_overdue_only_strictly_after_the_due_moment() -> None:
    due = closing(2026, 6, 2)  # Tuesday 17:00
    assert remaining(due, due) == "near_due"
    assert remaining(due + timedelta(seconds=1), due) == "overdue"


def test_remaining_is_near_due_from_one_working_day_before() -> None:
    due = closing(2026, 6, 2)  # Tuesday 17:00
    assert remaining(local(2026, 6, 1, 9), due) == "near_due"  # Monday: one working day left
    assert remaining(local(2026, 5, 29, 16), due) == "on_track"  # Friday: two left (Mon, Tue)
    assert remaining(local(2026, 5, 29, 17, 30), due) == "near_due"  # after closing: counts as Mon
    assert remaining(local(2026, 5, 30, 12), due) == "near_due"  # Saturday counts as Monday


def test_remaining_skips_holidays_when_judging_near_due() -> None:
    due = closing(2026, 4, 28)  # Tuesday after King's Day
    assert remaining(local(2026, 4, 24, 10), due) == "near_due"  # Fri -> (Mon off) -> Tue


# ----------------------------------------------------------------------------- refused input


def test_timezone_naive_moments_are_refused_with_a_clear_message() -> None:
    naive = datetime(2026, 6, 1, 10)
    aware = local(2026, 6, 1)
    with pytest.raises(NormError, match="geen tijdzone"):
        due_at(naive, parse_norm("1 wd"))
    with pytest.raises(NormError, match="geen tijdzone"):
        due_at(aware, parse_norm("1 wd"), [(naive, naive)])
    with pytest.raises(NormError, match="geen tijdzone"):
        working_days_between(aware, naive)
    with pytest.raises(NormError, match="geen tijdzone"):
        remaining(naive, aware)


def _working_days_one_by_one(a: date, b: date, calendar: WorkingCalendar) -> int:
    """The plain count: step from a to b a day at a time (what the week formula must equal)."""
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        count += is_working_day(day, calendar)
    return count


@pytest.mark.parametrize(
    "calendar",
    [
        DEFAULT_CALENDAR,
        WorkingCalendar(
            open_on=frozenset(),
            liberation_day_every_year=True,
            closed_days=frozenset({date(2026, 12, 28), date(2026, 12, 29), date(2027, 6, 5)}),
        ),
    ],
)
def test_working_days_counted_by_weeks_equal_counting_day_by_day(
    calendar: WorkingCalendar,
) -> None:
    """working_days_between counts whole weeks and subtracts the holidays in between (its cost
    does not grow with how long ago the norm was passed); every span of up to three years, from
    every weekday of a fortnight, gives what counting a day at a time gives."""
    from workflows.norms import _working_days_after

    spans = [0, 1, 2, 4, 5, 6, 7, 8, 13, 14, 30, 59, 120, 364, 365, 366, 400, 731, 1100]
    for start in (date(2025, 12, 22) + timedelta(days=i) for i in range(14)):
        for span in spans:
            end = start + timedelta(days=span)
            assert _working_days_after(start, end, calendar) == _working_days_one_by_one(
                start, end, calendar
            ), (start, end)
    assert working_days_between(local(2025, 12, 31), local(2026, 12, 31), calendar=calendar) == (
        _working_days_one_by_one(date(2025, 12, 31), date(2026, 12, 31), calendar)
    )
