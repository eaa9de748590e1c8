"""The clock rules a province runs, the working calendar it keeps, and how a dossier is judged.

Decisions (README "Deadlines", docs/deadlines.md): an appointment in days is the *end* of its
local day (23:59:59 Asia/Ho_Chi_Minh), one in hours the instant; either way "finished on or
before the appointment" is one comparison of instants in Python and in SQL. A supplement
restarts the count once the complete dossier is back (Decree 118/2025/NĐ-CP Art. 19(5)), or,
where a province keeps the older practice, pauses and resumes it. A payment request stops the
clock only where sector law excludes the payment time (land), unless the province pauses it
always. An apology letter (extension) moves only the appointment: timeliness is judged against
the legal deadline, so an extended dossier that ends after it is LATE, as the scorecard counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from time import monotonic as time_monotonic

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from models import notify
from models.dossiers import CalendarOverride, Dossier, DossierStatus, Timeliness
from resolvers.calendar import WorkingCalendar, calendar_for
from resolvers.clock import LOCAL_TZ, local_date
from resolvers.timelimits import OfficeHours, end_of_day


class SupplementClock(StrEnum):
    """What the clock does when the complete dossier comes back after a supplement request."""

    RESTART = "RESTART"  # the full time again, from then (Decree 118 Art. 19(5)): the default
    RESUME = "RESUME"  # the time left when it stopped (the older practice, DOMAIN.md)


class PaymentClock(StrEnum):
    """Whether waiting for the applicant to pay stops the clock."""

    PROCEDURE = "PROCEDURE"  # only where sector law excludes it (Procedure.payment_pauses_clock)
    PAUSE = "PAUSE"  # always, as some provincial systems do


@dataclass(frozen=True)
class ClockRules:
    """The clock's configuration (README "Configuration"); the law's defaults."""

    office: OfficeHours = field(default_factory=OfficeHours)
    supplement: SupplementClock = SupplementClock.RESTART
    payment: PaymentClock = PaymentClock.PROCEDURE


class _State:
    rules = ClockRules()


def configure(rules: ClockRules) -> None:
    """Set this process's clock rules (app.py and cli.py, from the settings)."""
    _State.rules = rules


def rules() -> ClockRules:
    return _State.rules


class _Overrides:
    """The administrator's overrides as last read, and when. Every reception and every step
    that ends a dossier counts days (issue 15: reading them was 4 % of a write path's CPU);
    they change a few times a year."""

    days: frozenset[tuple[date, bool]] | None = None
    read_at = 0.0
    generation = 0  # moves with every change announced, so a read overtaken by one is not kept


# How long this process trusts what it read without asking again: a change made through the
# API reaches every process at its commit (the `calendar` notification), one written behind
# the API's back (SQL by hand, a migration run by another process) within this time.
RECHECK_SECONDS = 1.0


async def load_calendar() -> WorkingCalendar:
    """The working calendar with the administrator's overrides as they stand now."""
    days = _Overrides.days
    if days is None or time_monotonic() - _Overrides.read_at >= RECHECK_SECONDS:
        generation, conn = _Overrides.generation, connections.get("default")
        rows = await CalendarOverride.all().values_list("day", "is_working_day")
        days = frozenset((day, bool(working)) for day, working in rows)
        # Not kept when read inside a transaction (it may hold its own uncommitted change)
        # or when a change was announced while reading.
        if generation == _Overrides.generation and not isinstance(conn, TransactionalDBClient):
            _Overrides.days, _Overrides.read_at = days, time_monotonic()
    return calendar_for(days)


def forget_calendar() -> None:
    """Read the overrides again at the next computation (a change was announced)."""
    _Overrides.days = None
    _Overrides.generation += 1


async def announce_calendar_change() -> None:
    """Call in the transaction that changed the overrides: at its commit every process
    (this one at once, the others through NOTIFY) reads them again."""
    await notify.publish(CALENDAR_CHANGED)


async def _announced(event: notify.Event) -> None:
    forget_calendar()  # its own change, another process's, or a gap in the stream


CALENDAR_CHANGED = "calendar"
notify.hub.on(CALENDAR_CHANGED, _announced)


def due_after(received_at: datetime, days: int, calendar: WorkingCalendar) -> datetime:
    """The end of the `days`-th working day after the local day of `received_at` (complaints,
    the demo generator; dossiers go through timelimits.appointment)."""
    return end_of_day(calendar.add_working_days(local_date(received_at), days))


def judge(ended_at: datetime, legal_due_at: datetime | None, supplements: int) -> Timeliness:
    """Early, on time or late, by the scorecard's rules (DOMAIN.md, Decision 766): late after
    the legal deadline or after more than one supplement request (Decree 118 Art. 11(2)(c)
    allows one); early when it ended on a day before the deadline's day."""
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
    # While the clock is stopped (a supplement, a payment that stops it) it is judged at the stop.
    reference = dossier.paused_at or now
    return Timeliness.OVERDUE if reference > dossier.legal_due_at else Timeliness.PENDING


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def next_local_day(day: date) -> datetime:
    return start_of_local_day(day + timedelta(days=1))


__all__ = ["ClockRules", "PaymentClock", "SupplementClock", "configure", "current_timeliness",
           "due_after", "end_of_day", "judge", "load_calendar", "rules"]
