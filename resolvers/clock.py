"""The current time, in one place so tests can move it (e.g. to Tết 2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

# Deadlines are counted on the local calendar of Vietnam (UTC+7, no DST).
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def local_date(instant: datetime) -> date:
    """The calendar day in Vietnam on which `instant` falls."""
    return instant.astimezone(LOCAL_TZ).date()


def stored(values: dict) -> dict:  # dict[str, Any] -> dict[str, Any]
    """Datetimes converted to UTC before a bulk `QuerySet.update()`: tortoise converts on
    create() but writes an update's values with their own offset, and SQLite compares the
    stored text, so "23:59:59+07:00" would sort after "18:00:00+00:00" of the same day."""
    return {k: v.astimezone(UTC) if isinstance(v, datetime) else v for k, v in values.items()}


class WholeDay(datetime):
    """The start of a local day given as a plain date (2026-11-20): as a range's upper
    bound it means "to the end of that day"."""


def day_start(day: date) -> WholeDay:
    """Local midnight at the start of `day`, as an aware instant."""
    return WholeDay(day.year, day.month, day.day, tzinfo=LOCAL_TZ)


def instant(value: datetime | date) -> datetime:
    """A UTC instant from what a caller wrote: a plain date is the local day's start, a time
    without an offset is local time (Vietnam), an offset is kept. UTC because SQLite compares
    stored times as text, so a filter value must be in the offset the column is stored in."""
    if isinstance(value, WholeDay) or not isinstance(value, datetime):
        value = day_start(value if not isinstance(value, datetime) else value.date())
    elif value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    utc = value.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second,
                    utc.microsecond, tzinfo=UTC)  # a plain datetime, never WholeDay


def range_end(value: datetime | date) -> datetime:
    """The exclusive end of a range, in UTC: a plain date includes that whole local day."""
    if isinstance(value, WholeDay) or not isinstance(value, datetime):
        day = value.date() if isinstance(value, datetime) else value
        return instant(day + timedelta(days=1))
    return instant(value)


def parse_instant(text: str, *, field: str) -> datetime | date:
    """A date (YYYY-MM-DD) or an ISO date-time from a query string, or BAD_USER_INPUT."""
    from models.errors import BadInput

    try:
        if len(text) == 10:
            return day_start(date.fromisoformat(text))
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{field} must be a date (YYYY-MM-DD) or an ISO date-time", field=field) \
            from None
