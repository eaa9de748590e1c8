"""The current time, in one place so tests can move it (e.g. to Tết 2026)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# Deadlines are counted on the local calendar of Vietnam (UTC+7, no DST).
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def local_date(instant: datetime):  # -> date
    """The calendar day in Vietnam on which `instant` falls."""
    return instant.astimezone(LOCAL_TZ).date()


def stored(values: dict) -> dict:  # dict[str, Any] -> dict[str, Any]
    """Datetimes converted to UTC before a bulk `QuerySet.update()`: tortoise converts on
    create() but writes an update's values with their own offset, and SQLite compares the
    stored text, so "23:59:59+07:00" would sort after "18:00:00+00:00" of the same day."""
    return {k: v.astimezone(UTC) if isinstance(v, datetime) else v for k, v in values.items()}
