"""Working-day arithmetic for Vietnamese administrative deadlines."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import date
from functools import cache, lru_cache

import holidays

__all__ = ["WorkingCalendar", "calendar_for", "default_calendar"]

# Holiday data is only requested for this country; the library also knows some of the
# government's swapped working Saturdays for it (``weekend_workdays``), not all: the
# administrator's overrides (the `calendar_overrides` table) fill the gaps either way.
_COUNTRY = "VN"


class WorkingCalendar:
    """Vietnamese working days: weekends, public holidays and government swaps excluded.

    An override wins over the package both ways: False takes away a day the package counts as
    working (a swap it lacks, such as Friday 2 January 2026), True gives back a day it takes
    off (a worked Saturday, or a holiday it assumes that the law did not make).
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        """Create a calendar; `overrides` (True = working, False = day off) win over the package."""
        # Grouped by year so that loading one year only touches its own overrides.
        self._overrides: dict[int, dict[int, bool]] = {}
        for day, working in (overrides or {}).items():
            self._overrides.setdefault(day.year, {})[day.toordinal()] = bool(working)
        # Per year: sorted ordinals of working days (for bisect) and the same as a set
        # (for O(1) membership). Both are built once, on first use of that year.
        self._sorted: dict[int, list[int]] = {}
        self._members: dict[int, frozenset[int]] = {}

    def _year(self, year: int) -> list[int]:
        """Sorted ordinals of the working days of `year`, loaded lazily and cached."""
        days = self._sorted.get(year)
        if days is None:
            days = self._load(year)
            self._sorted[year] = days
            self._members[year] = frozenset(days)
        return days

    def _load(self, year: int) -> list[int]:
        """Compute the working days of `year` from the holidays package plus overrides."""
        # One holidays object per year, built once: its is_working_day() already
        # combines weekends, observed holidays, substituted days off and the
        # Saturdays the government turned into working days (also across years).
        calendar = holidays.country_holidays(_COUNTRY, years=year)
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        overrides = self._overrides.get(year, {})
        return [
            ordinal
            for ordinal in range(first, last + 1)
            if overrides.get(
                ordinal, calendar.is_working_day(date.fromordinal(ordinal))
            )
        ]

    def is_working_day(self, day: date) -> bool:
        """Whether `day` counts towards a deadline."""
        if day.year not in self._members:
            self._year(day.year)
        return day.toordinal() in self._members[day.year]

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (not counted itself); 0 gives `start`."""
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        if days == 0:
            return start
        year = start.year
        working = self._year(year)
        # Working days of the start year strictly after `start`.
        position = bisect_right(working, start.toordinal())
        remaining = days
        # Jump over whole years by list length instead of walking day by day, so
        # long spans cost one bisect plus one step per year crossed.
        while remaining > len(working) - position:
            remaining -= len(working) - position
            year += 1
            working = self._year(year)
            position = 0
        return date.fromordinal(working[position + remaining - 1])

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days d with start < d <= end (0 if end <= start)."""
        if end <= start:
            return 0
        first = start.toordinal()
        last = end.toordinal()
        total = 0
        # Each year's list only holds its own dates, so counting (first, last]
        # per year and summing is exact.
        for year in range(start.year, end.year + 1):
            working = self._year(year)
            total += bisect_right(working, last) - bisect_right(working, first)
        return total


@lru_cache(maxsize=8)
def calendar_for(overrides: frozenset[tuple[date, bool]]) -> WorkingCalendar:
    """One calendar per set of overrides, so its per-year cache survives between requests
    until an administrator changes a day (a new set, a new calendar)."""
    return WorkingCalendar(dict(overrides)) if overrides else default_calendar()


@cache
def default_calendar() -> WorkingCalendar:
    """The shared calendar without overrides, so its per-year cache is reused."""
    return WorkingCalendar()
