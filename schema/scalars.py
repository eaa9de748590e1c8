"""Scalars as the API's callers write them."""

from __future__ import annotations

import datetime as dt

import dateutil.parser
from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.scalar import ScalarDefinition

from resolvers import clock


def _parse_datetime(text: str) -> dt.datetime:
    """ISO date-times as given; a plain date (2026-11-20) is that local day, whole: as the
    start of a range its first instant, as the end of a range its last (clock.WholeDay)."""
    if len(text) == 10:
        return clock.day_start(dt.date.fromisoformat(text))
    return dateutil.parser.isoparse(text)


DATETIME = ScalarDefinition(
    name="DateTime",
    description="An instant: an ISO 8601 date-time with its offset (without one it is read as "
                "Vietnam's local time), or a plain date for a whole local day in filters.",
    specified_by_url=None,
    serialize=lambda value: value.isoformat(),
    parse_value=wrap_parser(_parse_datetime, "DateTime"),
    parse_literal=None,
    origin=dt.datetime,
)

SCALARS: dict[object, ScalarDefinition] = {dt.datetime: DATETIME}
