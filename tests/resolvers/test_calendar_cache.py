"""The working calendar is read once and kept (resolvers/deadlines.py): a change announced by
any process, a gap in the notification stream, or a second's age makes the next computation
read it again; a read inside a transaction is not kept."""

from __future__ import annotations

from datetime import date

import pytest
from tortoise.transactions import in_transaction

from models import CalendarOverride, notify
from resolvers import deadlines
from tests.hub import heard
from tests.sqlcount import count_queries

DAY = date(2026, 3, 2)  # a Monday the package counts as working


@pytest.fixture
async def cached(db):
    assert (await deadlines.load_calendar()).is_working_day(DAY)
    with count_queries() as statements:
        await deadlines.load_calendar()
    assert statements == []  # kept: the second computation reads nothing
    # a day off written behind the API's back (as SQL by hand or another process would)
    await CalendarOverride.create(day=DAY, is_working_day=False, note="bão")
    assert (await deadlines.load_calendar()).is_working_day(DAY)  # not seen yet


@pytest.mark.parametrize("kind", [deadlines.CALENDAR_CHANGED, notify.GAP])
async def test_a_change_announced_by_another_process_or_a_gap_is_read_at_once(cached, kind):
    await heard(kind)
    assert not (await deadlines.load_calendar()).is_working_day(DAY)


async def test_other_announcements_keep_the_calendar(cached):
    await heard("dossier", {"code": "x"})
    assert (await deadlines.load_calendar()).is_working_day(DAY)


async def test_a_change_behind_the_apis_back_is_seen_within_the_recheck(cached, monkeypatch):
    later = deadlines.time_monotonic() + deadlines.RECHECK_SECONDS
    monkeypatch.setattr(deadlines, "time_monotonic", lambda: later)
    assert not (await deadlines.load_calendar()).is_working_day(DAY)


async def test_a_read_inside_a_transaction_is_not_kept(db):
    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack):
        async with in_transaction():
            await CalendarOverride.create(day=DAY, is_working_day=False, note="chưa chắc")
            assert not (await deadlines.load_calendar()).is_working_day(DAY)
            raise RolledBack
    assert (await deadlines.load_calendar()).is_working_day(DAY)  # the rolled-back day is gone
