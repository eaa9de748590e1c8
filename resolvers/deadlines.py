"""Appointment dates and timeliness, counted in Vietnamese working days.

Decisions (see README): a deadline is the *end* of its local working day
(23:59:59 Asia/Ho_Chi_Minh), so "finished on or before the appointment date" is
one comparison of instants in Python and in SQL. Day 1 is the first working day
after reception. A supplement pause moves both the legal deadline and the
appointment by the working days it lasted. An apology letter (extension) moves only
the appointment: timeliness is judged against the legal deadline, so an extended
dossier that ends after it is LATE, as the scorecard counts it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from models.dossiers import CalendarOverride, Dossier, DossierStatus, Timeliness
from resolvers.calendar import WorkingCalendar, default_calendar
from resolvers.clock import LOCAL_TZ, local_date


def end_of_day(day: date) -> datetime:
    """The last instant of a local day, as an aware datetime."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ)


async def load_calendar() -> WorkingCalendar:
    """The working calendar with the swaps announced after the package release."""
    overrides = {row.day: row.is_working_day for row in await CalendarOverride.all()}
    return WorkingCalendar(overrides) if overrides else default_calendar()


def due_after(received_at: datetime, days: int, calendar: WorkingCalendar) -> datetime:
    """The appointment for a dossier received at `received_at` with `days` working days."""
    return end_of_day(calendar.add_working_days(local_date(received_at), days))


def shift(deadline: datetime, working_days: int, calendar: WorkingCalendar) -> datetime:
    """A deadline moved later by a number of working days."""
    if working_days <= 0:
        return deadline
    return end_of_day(calendar.add_working_days(local_date(deadline), working_days))


def pause_length(paused_at: datetime, resumed_at: datetime, calendar: WorkingCalendar) -> int:
    """Working days the applicant spent supplementing (not counted against the agency)."""
    return calendar.working_days_between(local_date(paused_at), local_date(resumed_at))


def judge(ended_at: datetime, legal_due_at: datetime | None, supplements: int) -> Timeliness:
    """Early, on time or late, by the scorecard's rules."""
    if legal_due_at is None:  # refused or withdrawn before it was ever received
        return Timeliness.ON_TIME
    if supplements > 1 or ended_at > legal_due_at:
        return Timeliness.LATE
    if local_date(ended_at) < local_date(legal_due_at):
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def current_timeliness(dossier: Dossier, now: datetime) -> Timeliness:
    """Stored judgement for ended dossiers; PENDING or OVERDUE for open ones."""
    if dossier.timeliness is not None:
        return Timeliness(dossier.timeliness)
    if dossier.status == DossierStatus.NEW or dossier.legal_due_at is None:
        return Timeliness.PENDING
    # While a supplement is outstanding the clock is stopped at the pause.
    reference = dossier.paused_at or now
    return Timeliness.OVERDUE if reference > dossier.legal_due_at else Timeliness.PENDING


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def next_local_day(day: date) -> datetime:
    return start_of_local_day(day + timedelta(days=1))
