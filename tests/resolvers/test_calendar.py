"""Tests for resolvers.calendar: Vietnamese working-day arithmetic.

Expected dates were worked out by hand from the official calendar and checked
against ``holidays.country_holidays("VN", years=...)`` (package 0.109):
2026 days off on weekdays: 1 Jan, 16-20 Feb (Tết), 27 Apr (Hùng Kings, observed),
30 Apr, 1 May, 31 Aug (swapped with Sat 22 Aug), 1-2 Sep, 24 Nov; 1 Jan 2027 is a Friday.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolvers.calendar import WorkingCalendar, default_calendar

# No example database: the test run must not leave files in the project.
_SETTINGS = settings(max_examples=300, database=None, deadline=None)
_DATES_2025_2027 = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@pytest.fixture
def calendar() -> WorkingCalendar:
    """A fresh calendar without overrides, so caches from other tests cannot leak in."""
    return WorkingCalendar()


def test_add_working_days_plain_week(calendar: WorkingCalendar) -> None:
    # given Mon 2 Mar 2026, a week without holidays
    start = date(2026, 3, 2)
    # when five working days are added
    result = calendar.add_working_days(start, 5)
    # then Tue-Fri count and the weekend is skipped: next Monday
    assert result == date(2026, 3, 9)


def test_add_working_days_across_tet_2026(calendar: WorkingCalendar) -> None:
    # given a dossier received Fri 13 Feb 2026, just before Tết (16-20 Feb off)
    start = date(2026, 2, 13)
    # when three working days are added
    result = calendar.add_working_days(start, 3)
    # then the Tết week and both weekends are skipped: Mon 23, Tue 24, Wed 25
    assert result == date(2026, 2, 25)


def test_add_working_days_across_reunification_and_labour_day_2026(
    calendar: WorkingCalendar,
) -> None:
    # given Wed 29 Apr 2026, before Thu 30 Apr and Fri 1 May
    start = date(2026, 4, 29)
    # when one working day is added
    result = calendar.add_working_days(start, 1)
    # then the two holidays and the weekend are skipped
    assert result == date(2026, 5, 4)


def test_add_working_days_across_hung_kings_observed_2026(
    calendar: WorkingCalendar,
) -> None:
    # given Fri 24 Apr 2026; Hùng Kings falls on Sun 26 Apr and is observed Mon 27 Apr
    start = date(2026, 4, 24)
    # when one and three working days are added
    one = calendar.add_working_days(start, 1)
    three = calendar.add_working_days(start, 3)
    # then Mon 27 is skipped (Tue 28), and 30 Apr-3 May too (Tue 28, Wed 29, Mon 4 May)
    assert calendar.is_working_day(date(2026, 4, 27)) is False
    assert one == date(2026, 4, 28)
    assert three == date(2026, 5, 4)


def test_is_working_day_national_day_swap_2026(calendar: WorkingCalendar) -> None:
    # given the 2026 swap: Sat 22 Aug works, Mon 31 Aug is off, then 1-2 Sep National Day
    # when each day is checked
    # then only the swapped Saturday counts among these weekend/holiday dates
    assert calendar.is_working_day(date(2026, 8, 22)) is True
    assert calendar.is_working_day(date(2026, 8, 29)) is False
    assert calendar.is_working_day(date(2026, 8, 31)) is False
    assert calendar.is_working_day(date(2026, 9, 1)) is False
    assert calendar.is_working_day(date(2026, 9, 2)) is False
    assert calendar.is_working_day(date(2026, 9, 3)) is True


def test_add_working_days_across_national_day_with_swap_2026(
    calendar: WorkingCalendar,
) -> None:
    # given Fri 21 Aug 2026, the day before the working Saturday
    start = date(2026, 8, 21)
    # when one, six and seven working days are added
    one = calendar.add_working_days(start, 1)
    six = calendar.add_working_days(start, 6)
    seven = calendar.add_working_days(start, 7)
    # then Sat 22 counts; Sat 22, Mon 24-Fri 28 make six; 29 Aug-2 Sep are skipped
    assert one == date(2026, 8, 22)
    assert six == date(2026, 8, 28)
    assert seven == date(2026, 9, 3)
    assert calendar.working_days_between(start, seven) == 7


def test_add_working_days_across_new_year_2026_2027(calendar: WorkingCalendar) -> None:
    # given a dossier received Mon 28 Dec 2026 with a 10 working-day deadline
    start = date(2026, 12, 28)
    # when ten working days are added
    result = calendar.add_working_days(start, 10)
    # then 29-31 Dec (3), Fri 1 Jan off, 4-8 Jan (5), 11-12 Jan (2): Tue 12 Jan 2027
    assert result == date(2027, 1, 12)
    assert calendar.working_days_between(start, result) == 10


def test_add_working_days_long_span_whole_year_2026(calendar: WorkingCalendar) -> None:
    # given 2026 has 261 weekdays, 13 weekday holidays and 1 working Saturday = 249
    start = date(2025, 12, 31)
    # when counting the year and adding 249 / 250 working days
    # then the count matches, the 249th is Thu 31 Dec 2026 and the 250th Mon 4 Jan 2027
    assert calendar.working_days_between(start, date(2026, 12, 31)) == 249
    assert calendar.add_working_days(start, 249) == date(2026, 12, 31)
    assert calendar.add_working_days(start, 250) == date(2027, 1, 4)


def test_is_working_day_cross_year_swap_2018_2019(calendar: WorkingCalendar) -> None:
    # given the swap Mon 31 Dec 2018 off for Sat 5 Jan 2019 working (declared in 2018 data)
    # when only 2019 is loaded first, then 2018
    # then the Saturday of 2019 still counts and the Monday of 2018 does not
    assert calendar.is_working_day(date(2019, 1, 5)) is True
    assert calendar.is_working_day(date(2018, 12, 31)) is False
    assert calendar.add_working_days(date(2018, 12, 28), 1) == date(2019, 1, 2)
    assert calendar.working_days_between(date(2019, 1, 4), date(2019, 1, 7)) == 2


def test_add_working_days_with_overrides() -> None:
    # given Wed 4 Mar 2026 declared off and Sat 7 Mar 2026 declared working
    calendar = WorkingCalendar({date(2026, 3, 4): False, date(2026, 3, 7): True})
    # when four working days are added to Mon 2 Mar
    result = calendar.add_working_days(date(2026, 3, 2), 4)
    # then Tue 3, Thu 5, Fri 6, Sat 7 count (the default calendar would give Fri 6)
    assert result == date(2026, 3, 7)
    assert default_calendar().add_working_days(date(2026, 3, 2), 4) == date(2026, 3, 6)
    assert calendar.is_working_day(date(2026, 3, 4)) is False
    assert calendar.is_working_day(date(2026, 3, 7)) is True


def test_add_working_days_override_wins_over_package_holiday() -> None:
    # given Mon 16 Feb 2026 (Tết eve in the package) declared a working day
    calendar = WorkingCalendar({date(2026, 2, 16): True})
    # when one working day is added to Fri 13 Feb
    result = calendar.add_working_days(date(2026, 2, 13), 1)
    # then the override wins and the Monday counts
    assert result == date(2026, 2, 16)


def test_working_days_between_across_tet_2026(calendar: WorkingCalendar) -> None:
    # given dates around Tết 2026 (16-20 Feb off)
    # when counting working days in (start, end]
    # then only days after Tết count, and the start day itself never counts
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 25)) == 3
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 22)) == 0
    assert calendar.working_days_between(date(2026, 2, 12), date(2026, 2, 13)) == 1
    assert calendar.working_days_between(date(2026, 2, 14), date(2026, 2, 23)) == 1


def test_working_days_between_end_not_after_start(calendar: WorkingCalendar) -> None:
    # given an end equal to or before the start
    day = date(2026, 2, 25)
    # when counting
    # then there is nothing in (start, end]
    assert calendar.working_days_between(day, day) == 0
    assert calendar.working_days_between(day, date(2026, 2, 13)) == 0


def test_add_working_days_zero_returns_start(calendar: WorkingCalendar) -> None:
    # given a start on a holiday (Tết, Tue 17 Feb 2026)
    start = date(2026, 2, 17)
    # when zero working days are added
    # then the start is returned unchanged
    assert calendar.add_working_days(start, 0) == start


def test_add_working_days_negative_raises(calendar: WorkingCalendar) -> None:
    # given a negative number of days
    # when adding
    # then it is rejected
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 3, 2), -1)


def test_default_calendar_is_cached() -> None:
    # given / when the default calendar is requested twice
    # then the same instance (and so the same per-year cache) is reused
    assert default_calendar() is default_calendar()


@_SETTINGS
@given(start=_DATES_2025_2027, days=st.integers(min_value=0, max_value=40))
def test_add_working_days_round_trips_with_working_days_between(
    start: date, days: int
) -> None:
    # given any start in 2025-2027 and 0..40 working days
    calendar = default_calendar()
    # when the deadline is computed
    deadline = calendar.add_working_days(start, days)
    # then counting back gives the same number, and a non-zero deadline is a working day
    assert calendar.working_days_between(start, deadline) == days
    assert days == 0 or calendar.is_working_day(deadline)


_ORACLE = holidays.country_holidays("VN", years=range(2024, 2030))


@_SETTINGS
@given(start=_DATES_2025_2027, days=st.integers(min_value=1, max_value=300))
def test_add_working_days_matches_holidays_package(start: date, days: int) -> None:
    # given any start in 2025-2027 and up to 300 working days
    # when the deadline is computed
    deadline = default_calendar().add_working_days(start, days)
    # then it agrees with the package's own (slow) day-by-day walk
    assert deadline == _ORACLE.get_nth_working_day(start, days)


def test_is_working_day_matches_holidays_package_every_day(
    calendar: WorkingCalendar,
) -> None:
    # given every day of 2025-2027
    day = date(2025, 1, 1)
    # when checked by the calendar and by the package
    # then both agree on every single day
    while day <= date(2027, 12, 31):
        assert calendar.is_working_day(day) == _ORACLE.is_working_day(day), day
        day += timedelta(days=1)
