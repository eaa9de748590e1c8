"""What the clock does when a dossier moves: starts, stops, restarts or resumes (the rules and
their legal basis: resolvers/deadlines.py, docs/deadlines.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from models import Dossier, Procedure
from models.procedures import TimeUnit
from resolvers import deadlines
from resolvers.calendar import WorkingCalendar
from resolvers.timelimits import TimeLimit, appointment, extend_by_pause, terms


def limit_of(dossier: Dossier, procedure: Procedure) -> TimeLimit:
    """The dossier's time limit, fixed at reception (older rows: the procedure's, by channel)."""
    if dossier.time_amount is not None and dossier.time_unit is not None:
        return TimeLimit(dossier.time_amount, TimeUnit(dossier.time_unit))
    return terms(procedure, dossier.channel).limit


def start(at: datetime, limit: TimeLimit, cal: WorkingCalendar) -> dict[str, Any]:
    """Received in full at `at`: the clock starts (at the next office hours) with the full time."""
    started, due = appointment(at, limit, cal, deadlines.rules().office)
    return {"clock_started_at": started, "legal_due_at": due, "due_at": due}


def resume(dossier: Dossier, at: datetime, limit: TimeLimit, cal: WorkingCalendar) -> dict[str, Any]:
    """End a stop of the clock: both deadlines move later by the stop, in the limit's unit."""
    if dossier.paused_at is None:
        return {}
    changes: dict[str, Any] = {"paused_at": None}
    if dossier.legal_due_at is not None:
        office = deadlines.rules().office
        for name in ("legal_due_at", "due_at"):
            # due_at is set together with legal_due_at (acceptance), so it is not None here.
            due = cast(datetime, getattr(dossier, name))
            changes[name] = extend_by_pause(due, limit.unit, dossier.paused_at, at, cal, office)
    return changes


def after_supplement(dossier: Dossier, at: datetime, limit: TimeLimit,
                     cal: WorkingCalendar) -> dict[str, Any]:
    """The complete dossier is back: the full time again from now (Decree 118 Art. 19(5):
    "Thời hạn giải quyết được tính lại từ đầu sau khi nhận đủ hồ sơ"), or, where the province
    resumes instead, the time that was left. A restart issues a new appointment too."""
    if deadlines.rules().supplement is deadlines.SupplementClock.RESUME:
        return resume(dossier, at, limit, cal)
    return {"paused_at": None, **start(at, limit, cal)}


def payment_stops_clock(procedure: Procedure) -> bool:
    """Decree 118 is silent (Art. 24), so the clock runs, except where sector law excludes
    the time to pay (land registration) or the province pauses it always."""
    return (deadlines.rules().payment is deadlines.PaymentClock.PAUSE
            or bool(procedure.payment_pauses_clock))
