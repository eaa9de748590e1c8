"""DateTime answers as isoformat() would, in Vietnam's time (schema/scalars.py)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from schema.scalars import _serialize_datetime

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_instants_read_as_isoformat_in_vietnam_time():
    rng = random.Random(15)
    start = dt.datetime(1960, 1, 1, tzinfo=dt.UTC)
    for _ in range(20_000):
        instant = start + dt.timedelta(seconds=rng.randrange(0, 5 * 10**9),
                                       microseconds=rng.choice([0, 1, 120_000, rng.randrange(10**6)]))
        for value in (instant, instant.astimezone(VIETNAM), instant.astimezone(
                dt.timezone(dt.timedelta(hours=-5)))):
            assert _serialize_datetime(value) == instant.astimezone(VIETNAM).isoformat()


def test_the_end_of_a_local_day_reads_as_that_day():
    end = dt.datetime(2026, 11, 20, 23, 59, 59, 999_999, tzinfo=VIETNAM).astimezone(dt.UTC)
    assert _serialize_datetime(end) == "2026-11-20T23:59:59.999999+07:00"
    assert _serialize_datetime(dt.datetime(2026, 1, 1, 17, tzinfo=dt.UTC)) == "2026-01-02T00:00:00+07:00"
