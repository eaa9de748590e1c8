"""Scalars as the API's callers write them."""

from __future__ import annotations

import datetime as dt

import dateutil.parser
import orjson
from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.scalar import ScalarDefinition

from resolvers import clock


def _parse_datetime(text: str) -> dt.datetime:
    """ISO date-times as given; a plain date (2026-11-20) is that local day, whole: as the
    start of a range its first instant, as the end of a range its last (clock.WholeDay)."""
    if len(text) == 10:
        return clock.day_start(dt.date.fromisoformat(text))
    return dateutil.parser.isoparse(text)


# Vietnam has kept +07:00 all year since 13 June 1975: a fixed offset gives the same text
# as the zone, several times faster (a page of 50 dossiers has hundreds of instants).
_FIXED_SINCE = dt.datetime(1975, 6, 13, tzinfo=dt.UTC)
_FIXED = dt.timezone(dt.timedelta(hours=7))
_SEVEN_HOURS = dt.timedelta(hours=7)


def _serialize_datetime(value: dt.datetime) -> str:
    """Every instant in Vietnam's time (+07:00), as people there read it: the end of a local
    day is 23:59:59+07:00, not 16:59:59+00:00. The same instant either way.

    The text is `isoformat()`'s, written by orjson: RFC 3339 as isoformat writes it for a
    whole-minute offset (microseconds only when not zero), in 60 % of the time; a page of 50
    dossiers with their events has some 700 instants (issue 15). tests/schema/test_scalars.py
    checks the two agree."""
    if value.tzinfo is dt.UTC and value.year > 1975:
        # The driver's own instants (aware, UTC): shifted by seven hours and written with
        # UTC's suffix swapped, without converting between zones (0.6 against 0.95 µs).
        return orjson.dumps(value + _SEVEN_HOURS)[1:-7].decode() + "+07:00"
    if value.tzinfo is not None and value >= _FIXED_SINCE:
        return orjson.dumps(value.astimezone(_FIXED))[1:-1].decode()
    return value.astimezone(clock.LOCAL_TZ).isoformat()


DATETIME = ScalarDefinition(
    name="DateTime",
    description="An instant, ISO 8601, answered in Vietnam's time (+07:00). In inputs a time "
                "without an offset is read as Vietnam's time, and in filters a plain date "
                "(2026-11-20) is that whole local day.",
    specified_by_url=None,
    serialize=_serialize_datetime,
    parse_value=wrap_parser(_parse_datetime, "DateTime"),
    parse_literal=None,
    origin=dt.datetime,
)

SCALARS: dict[object, ScalarDefinition] = {dt.datetime: DATETIME}
