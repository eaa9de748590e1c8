"""Time limits as the law counts them, from the moment the clock starts.

The legal basis of every rule is in docs/deadlines.md; in short:

- The clock starts when the dossier is received in full (Decree 118/2025/NĐ-CP Art. 17(3)). A
  reception outside office hours (before the opening of a working day: at its opening; after
  its closing, or on a day that is not a working day: at the opening of the next working day)
  counts from the office hours it falls into, as the provincial systems do.
- Days: the day the clock starts is not counted (Civil Code 2015 Art. 147(2)); a limit in
  days ends at the end of its last day (Art. 148(1)). Working days skip weekends and days off;
  calendar days ("ngày") count every day, and a last day that is not a working day moves to
  the next working day (Art. 148(5)).
- Hours run from the moment (Art. 147(1)); working hours count only office hours.
- Same day: received before the cut-off (15:00), due that working day; later, the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from models.errors import BadInput
from models.procedures import TimeUnit
from resolvers.calendar import WorkingCalendar
from resolvers.clock import LOCAL_TZ, local_date

MAX_AMOUNT = {TimeUnit.WORKING_DAYS: 400, TimeUnit.CALENDAR_DAYS: 730, TimeUnit.WORKING_HOURS: 2000,
              TimeUnit.HOURS: 2000, TimeUnit.SAME_DAY: 0}
LABELS = {TimeUnit.WORKING_DAYS: "ngày làm việc", TimeUnit.CALENDAR_DAYS: "ngày",
          TimeUnit.WORKING_HOURS: "giờ làm việc", TimeUnit.HOURS: "giờ"}


@dataclass(frozen=True)
class OfficeHours:
    """Office hours of a working day (local time) and the same-day cut-off."""

    periods: tuple[tuple[time, time], ...] = ((time(7), time(11, 30)), (time(13, 30), time(17)))
    same_day_cutoff: time = time(15)

    def __post_init__(self) -> None:
        ends = [t for period in self.periods for t in period]
        if not self.periods or ends != sorted(set(ends)):
            raise ValueError("office hours must be ordered, non-overlapping periods start-end")

    @property
    def opening(self) -> time:
        return self.periods[0][0]

    @property
    def closing(self) -> time:
        return self.periods[-1][1]

    @classmethod
    def parse(cls, periods: str, cutoff: str) -> OfficeHours:
        """From "07:00-11:30,13:30-17:00" and "15:00"; ValueError naming what is wrong."""
        try:
            parsed = tuple((time.fromisoformat(a.strip()), time.fromisoformat(b.strip()))
                           for a, b in (p.split("-") for p in periods.split(",") if p.strip()))
            return cls(parsed, time.fromisoformat(cutoff.strip()))
        except ValueError as problem:
            raise ValueError(f"{problem} (e.g. 07:00-11:30,13:30-17:00 and 15:00)") from None


@dataclass(frozen=True)
class TimeLimit:
    """A procedure's time limit: an amount in a unit (SAME_DAY has no amount: 0)."""

    amount: int
    unit: TimeUnit

    @property
    def label(self) -> str:
        """As the catalogue writes it: "05 ngày làm việc", "Trong ngày"."""
        if self.unit is TimeUnit.SAME_DAY:
            return "Trong ngày (nhận sau giờ chốt: ngày làm việc tiếp theo)"
        return f"{self.amount:02d} {LABELS[self.unit]}"

    @property
    def days(self) -> int:
        """In whole days, rounded up (API.md's processingDays: working or calendar days)."""
        if self.unit is TimeUnit.WORKING_HOURS:
            return -(-self.amount // 8)
        if self.unit is TimeUnit.HOURS:
            return -(-self.amount // 24)
        return self.amount

    @classmethod
    def of(cls, amount: Any, unit: Any, *, field: str = "processingTime") -> TimeLimit:
        """A checked limit, or BAD_USER_INPUT naming `field`."""
        try:
            unit = TimeUnit(unit)
        except ValueError:
            raise BadInput(f"{field}: unknown unit {unit!r}", field=field) from None
        # 0 is allowed in every unit (the day, or the moment, the clock starts): a catalogue
        # row of 0 working days keeps working; the upper bounds keep the counting finite.
        if isinstance(amount, bool) or not isinstance(amount, int) \
                or not 0 <= amount <= MAX_AMOUNT[unit]:
            raise BadInput(f"{field}: {unit.value} takes an amount from 0 to "
                           f"{MAX_AMOUNT[unit]}, not {amount!r}", field=field)
        return cls(amount, unit)


@dataclass(frozen=True)
class Terms:
    """What a procedure asks of one channel: its time limit and fee (đồng)."""

    limit: TimeLimit
    fee: int


def terms(procedure: Any, channel: str) -> Terms:
    """The procedure's terms for `channel`: in person unless `channel_terms` says otherwise."""
    own = (procedure.channel_terms or {}).get(str(channel), {})
    limit = TimeLimit.of(own.get("amount", procedure.processing_days),
                         own.get("unit", getattr(procedure.time_unit, "value", procedure.time_unit)))
    return Terms(limit, int(own.get("fee", procedure.fee)))


def end_of_day(day: date) -> datetime:
    """The last instant of a local day (Civil Code Art. 148(6): a day ends at 24:00)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=LOCAL_TZ)


def clock_start(received_at: datetime, cal: WorkingCalendar, hours: OfficeHours) -> datetime:
    """The moment the clock starts for a dossier received at `received_at`."""
    local = received_at.astimezone(LOCAL_TZ)
    day, moment = local.date(), local.timetz().replace(tzinfo=None)
    if cal.is_working_day(day) and moment < hours.closing:
        for start, end in hours.periods:
            if moment < end:  # within this period, or before it (the opening, after lunch)
                return local if moment >= start else _at(day, start)
    return _at(cal.add_working_days(day, 1), hours.opening)


def _next_working_day_from(day: date, cal: WorkingCalendar) -> date:
    """`day` itself if it is a working day, else the next one (Civil Code Art. 148(5))."""
    return day if cal.is_working_day(day) else cal.add_working_days(day, 1)


def _office_periods(start: datetime, cal: WorkingCalendar, hours: OfficeHours
                    ) -> Iterator[tuple[datetime, datetime]]:
    """Office-hour intervals from `start` on, day after working day, the first one clipped."""
    day = local_date(start)
    while True:
        if cal.is_working_day(day):
            for a, b in hours.periods:
                begin, end = max(_at(day, a), start), _at(day, b)
                if begin < end:
                    yield begin, end
        day += timedelta(days=1)


def add_working_hours(start: datetime, minutes: int, cal: WorkingCalendar, hours: OfficeHours) -> datetime:
    """The instant `minutes` of office time after `start`."""
    if minutes <= 0:
        return start
    for begin, end in _office_periods(start, cal, hours):
        available = int((end - begin).total_seconds() // 60)
        if minutes <= available:
            return begin + timedelta(minutes=minutes)
        minutes -= available
    raise AssertionError("unreachable: office periods never end")  # pragma: no cover


def working_minutes_between(first: datetime, last: datetime, cal: WorkingCalendar,
                            hours: OfficeHours) -> int:
    """Minutes of office time in [first, last)."""
    total = 0
    for begin, end in _office_periods(first, cal, hours):
        if begin >= last:
            break
        total += int((min(end, last) - begin).total_seconds() // 60)
    return total


def _elapsed_due(instant: datetime, cal: WorkingCalendar) -> datetime:
    """An hour limit ending on a day off ends at the end of the next working day (Art. 148(5))."""
    day = local_date(instant)
    return instant if cal.is_working_day(day) else end_of_day(_next_working_day_from(day, cal))


def appointment(received_at: datetime, limit: TimeLimit, cal: WorkingCalendar,
                hours: OfficeHours) -> tuple[datetime, datetime]:
    """(clock start, legal deadline) for a dossier received in full at `received_at`."""
    start = clock_start(received_at, cal, hours)
    day = local_date(start)
    if limit.unit is TimeUnit.WORKING_DAYS:
        return start, end_of_day(cal.add_working_days(day, limit.amount))
    if limit.unit is TimeUnit.CALENDAR_DAYS:
        return start, end_of_day(_next_working_day_from(day + timedelta(days=limit.amount), cal))
    if limit.unit is TimeUnit.WORKING_HOURS:
        return start, add_working_hours(start, limit.amount * 60, cal, hours)
    if limit.unit is TimeUnit.HOURS:
        return start, _elapsed_due(start + timedelta(hours=limit.amount), cal)
    # SAME_DAY: received on a working day before the cut-off, that day; a reception moved to
    # the next opening (after hours, a day off) is before the cut-off of that day.
    local = received_at.astimezone(LOCAL_TZ)
    late = local.date() == day and local.timetz().replace(tzinfo=None) >= hours.same_day_cutoff
    return start, end_of_day(cal.add_working_days(day, 1) if late else day)


def extend_by_pause(due: datetime, unit: TimeUnit, paused_at: datetime, resumed_at: datetime,
                    cal: WorkingCalendar, hours: OfficeHours) -> datetime:
    """A deadline moved later by a pause of the clock, measured in the limit's own unit."""
    if unit in (TimeUnit.WORKING_DAYS, TimeUnit.SAME_DAY):
        days = cal.working_days_between(local_date(paused_at), local_date(resumed_at))
        return end_of_day(cal.add_working_days(local_date(due), days)) if days > 0 else due
    if unit is TimeUnit.CALENDAR_DAYS:
        days = (local_date(resumed_at) - local_date(paused_at)).days
        return end_of_day(_next_working_day_from(local_date(due) + timedelta(days=days), cal)) \
            if days > 0 else due
    if unit is TimeUnit.WORKING_HOURS:
        return add_working_hours(due, working_minutes_between(paused_at, resumed_at, cal, hours),
                                 cal, hours)
    return _elapsed_due(due + max(resumed_at - paused_at, timedelta(0)), cal)


__all__ = ["OfficeHours", "Terms", "TimeLimit", "TimeUnit", "add_working_hours", "appointment",
           "clock_start", "end_of_day", "extend_by_pause", "terms", "working_minutes_between"]
