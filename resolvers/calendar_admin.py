"""The working calendar an administrator keeps: days set over the `holidays` package.

A change counts from the next computation on: deadlines already set stay as they are (the
applicant holds a receipt with that date); README "Deadlines" says what it does to open
dossiers. Every change is audited with the old and new values; refusals are recorded above.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from audit import record
from models import CalendarOverride
from models.errors import BadInput, Conflict, NotFound
from policies import ROOT, Actor, authorize
from resolvers import clock, validation
from resolvers.deadlines import announce_calendar_change

# Years the holidays package and the counting can be trusted for; beyond is a typing mistake.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class CalendarDay:
    day: date
    working: bool
    reason: str
    source: str | None
    set_by: str
    set_at: datetime | None


def _view(row: CalendarOverride) -> CalendarDay:
    return CalendarDay(day=row.day, working=row.is_working_day, reason=row.note,
                       source=row.source or None, set_by=row.set_by, set_at=row.set_at)


def _check(day: date, field: str = "date") -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadInput(f"{field} must lie between {FIRST_YEAR} and {LAST_YEAR}", field=field)


async def list_overrides(*, actor: Actor, first: date | None = None,
                         last: date | None = None) -> list[CalendarDay]:
    """The days set over the package, in date order, optionally within [first, last]."""
    authorize(actor, "calendar", "read")
    query = CalendarOverride.all()
    if first is not None:
        _check(first, "from")
        query = query.filter(day__gte=first)
    if last is not None:
        _check(last, "to")
        query = query.filter(day__lte=last)
    if first is not None and last is not None and first > last:
        raise BadInput("from must not be after to", field="from")
    return [_view(r) for r in await query.order_by("day")]


def _values(row: CalendarOverride | None) -> dict[str, object]:
    if row is None:
        return {"working": None, "reason": None, "source": None}
    return {"working": row.is_working_day, "reason": row.note, "source": row.source or None}


async def set_calendar_day(*, actor: Actor, day: date, working: bool, reason: str,
                           source: str | None = None) -> CalendarDay:
    """Make `day` a working day or a day off, whatever the package says; audited."""
    authorize(actor, "calendar", "set", ROOT)  # one national calendar: set at the root only
    _check(day)
    reason_text = validation.text(reason, field="reason", max_length=255) or ""
    source_text = validation.text(source, field="source", max_length=255, required=False) or ""
    values = {"is_working_day": working, "note": reason_text, "source": source_text,
              "set_by": actor.name, "set_at": clock.now()}
    try:
        async with in_transaction():
            row = await _write(actor, day, values)
    except IntegrityError:  # two administrators created the same day at once
        raise Conflict(f"{day.isoformat()} was just set by someone else; reload and retry",
                       field="date") from None
    return _view(row)


async def _write(actor: Actor, day: date, values: dict[str, Any]) -> CalendarOverride:
    """Create or update the day's row and record the change (in the caller's transaction)."""
    row = await CalendarOverride.filter(day=day).select_for_update().first()
    before = _values(row)
    if row is None:
        row = await CalendarOverride.create(day=day, **values)
    else:
        await CalendarOverride.filter(day=day).update(**clock.stored(values))
        row = await CalendarOverride.get(day=day)
    after = _values(row)
    await announce_calendar_change()
    await record(actor=actor, action="calendar:set", object_type="CalendarDay",
                 object_id=day.isoformat(),
                 changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return row


async def clear_calendar_day(*, actor: Actor, day: date) -> bool:
    """Give `day` back to the package's calendar; audited. NOT_FOUND when nothing was set."""
    authorize(actor, "calendar", "clear", ROOT)
    _check(day)
    async with in_transaction():
        row = await CalendarOverride.filter(day=day).select_for_update().first()
        if row is None:
            raise NotFound(f"no calendar override on {day.isoformat()}", field="date")
        await CalendarOverride.filter(day=day).delete()
        await announce_calendar_change()
        await record(actor=actor, action="calendar:clear", object_type="CalendarDay",
                     object_id=day.isoformat(),
                     changes={k: [v, None] for k, v in _values(row).items() if v is not None})
    return True


__all__ = ["CalendarDay", "clear_calendar_day", "list_overrides", "set_calendar_day"]
