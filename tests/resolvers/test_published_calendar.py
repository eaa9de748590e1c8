"""Every reception date of 2025 and 2026 against an independent count from the published calendar.

The count below knows nothing of the `holidays` package, of resolvers/calendar.py or of
resolvers/timelimits.py: it walks the days with the civil service's days off and worked
Saturdays as the law and the government's notices published them, listed here with their
sources, and the office hours 07:00-11:30, 13:30-17:00 (a reception after 17:00, or on a day
off, counts from 07:00 of the next working day). The application's deadlines come from the
calendar kept in the database (the package plus the days `migrate` loads), as every dossier's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from models import Procedure
from policies import SYSTEM
from resolvers import clock
from resolvers.deadlines import load_calendar
from resolvers.dossiers import Applicant, Reception, receive_dossier, timing
from resolvers.timelimits import TimeLimit, TimeUnit
from tests.graphql import execute
from tests.world import build_world

LABOUR_CODE = "Bộ luật Lao động 2019, Điều 112 khoản 1"
MAKE_UP = "Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù ngày lễ trùng ngày nghỉ hằng tuần)"
TB_6150 = "Thông báo 6150/TB-BLĐTBXH ngày 03/12/2024"
CV_12729 = "Công văn 12729/VPCP-KGVX ngày 25/12/2025"
TB_9441 = "Thông báo 9441/TB-BNV ngày 16/10/2025"
CV_3383 = "Công văn 3383/BNV-CVL ngày 10/4/2026 (no swap around 30/4)"
NQ_28 = "Nghị quyết 28/2026/QH16, Điều 2 (Ngày Văn hóa Việt Nam)"
CV_10065 = "Công văn 10065/VPCP-KGVX ngày 02/10/2026"

# Weekdays off for the civil service, 2025 to 2027 (2027 for deadlines that run into it).
WEEKDAYS_OFF = {
    date(2025, 1, 1): LABOUR_CODE,
    **{date(2025, 1, d): TB_6150 for d in (27, 28, 29, 30, 31)},  # Tết Ất Tỵ
    date(2025, 4, 7): LABOUR_CODE,  # Giỗ Tổ Hùng Vương, 10/3 Ất Tỵ
    date(2025, 4, 30): LABOUR_CODE, date(2025, 5, 1): LABOUR_CODE,
    date(2025, 5, 2): TB_6150,  # swapped for Saturday 26 April
    date(2025, 9, 1): TB_6150, date(2025, 9, 2): LABOUR_CODE,  # Quốc khánh and the day before
    date(2026, 1, 1): LABOUR_CODE,
    date(2026, 1, 2): CV_12729,  # swapped for Saturday 10 January
    **{date(2026, 2, d): TB_9441 for d in (16, 17, 18, 19, 20)},  # Tết Bính Ngọ
    date(2026, 4, 27): MAKE_UP,  # Giỗ Tổ on Sunday 26 April
    date(2026, 4, 30): CV_3383, date(2026, 5, 1): CV_3383,
    date(2026, 8, 31): TB_9441,  # swapped for Saturday 22 August
    date(2026, 9, 1): TB_9441, date(2026, 9, 2): LABOUR_CODE,
    date(2026, 11, 24): NQ_28,
    date(2027, 1, 1): LABOUR_CODE,
    **{date(2027, 2, d): CV_10065 for d in (4, 5, 8, 9, 10)},  # Tết Đinh Mùi with its make-up days
    date(2027, 4, 16): LABOUR_CODE,  # Giỗ Tổ, 10/3 Đinh Mùi
    date(2027, 4, 30): LABOUR_CODE,
    date(2027, 5, 3): MAKE_UP,  # 1 May 2027 is a Saturday
    date(2027, 9, 2): CV_10065, date(2027, 9, 3): CV_10065,
    date(2027, 11, 24): NQ_28,
}
SATURDAYS_WORKED = {date(2025, 4, 26): TB_6150, date(2026, 1, 10): CV_12729,
                    date(2026, 8, 22): TB_9441}
OFFICE = ((time(7), time(11, 30)), (time(13, 30), time(17)))
TZ = clock.LOCAL_TZ


def is_working(day: date) -> bool:
    return day in SATURDAYS_WORKED or (day.weekday() < 5 and day not in WEEKDAYS_OFF)


def next_working(day: date) -> date:
    day += timedelta(days=1)
    while not is_working(day):
        day += timedelta(days=1)
    return day


def start_of_count(received: datetime) -> datetime:
    """Inside office hours on a working day: then; otherwise 07:00 of the next working day."""
    day, moment = received.date(), received.time()
    if is_working(day) and time(7) <= moment < time(17):
        return received
    return datetime.combine(next_working(day), time(7), TZ)


def expected_working_days(received: datetime, n: int) -> date:
    day = start_of_count(received).date()
    for _ in range(n):
        day = next_working(day)
    return day


def expected_calendar_days(received: datetime, n: int) -> date:
    day = start_of_count(received).date() + timedelta(days=n)
    return day if is_working(day) else next_working(day)


def expected_working_hours(received: datetime, hours: int) -> datetime:
    """Walk office time in quarter hours."""
    moment, left = start_of_count(received), hours * 4
    while left:
        inside = is_working(moment.date()) and any(a <= moment.time() < b for a, b in OFFICE)
        moment += timedelta(minutes=15)
        left -= inside
    return moment


def expected_hours(received: datetime, hours: int) -> datetime:
    due = start_of_count(received) + timedelta(hours=hours)
    if is_working(due.date()):
        return due
    return datetime.combine(next_working(due.date()), time(23, 59, 59), TZ)


RECEPTION_DAYS = [date(2025, 1, 1) + timedelta(days=n) for n in range(730)]  # 2025 and 2026
TIMES = (time(9), time(17, 30))


def receptions():
    for day in RECEPTION_DAYS:
        for moment in TIMES:
            yield datetime.combine(day, moment, TZ)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), TZ)


CASES = [
    *((TimeUnit.WORKING_DAYS, n, lambda r, n=n: end_of(expected_working_days(r, n)))
      for n in (1, 3, 5, 10, 15, 30)),
    *((TimeUnit.CALENDAR_DAYS, n, lambda r, n=n: end_of(expected_calendar_days(r, n)))
      for n in (1, 5, 10, 15, 30, 45)),
    *((TimeUnit.WORKING_HOURS, n, lambda r, n=n: expected_working_hours(r, n)) for n in (2, 8, 16, 40)),
    *((TimeUnit.HOURS, n, lambda r, n=n: expected_hours(r, n)) for n in (4, 24, 72)),
]


@pytest.mark.parametrize(("unit", "amount", "expected"), CASES,
                         ids=[f"{u.value}-{n}" for u, n, _ in CASES])
async def test_due_at_matches_the_published_calendar_for_every_reception(db, unit, amount, expected):
    # given the calendar as migrate leaves it, and a time limit
    calendar, limit = await load_calendar(), TimeLimit(amount, unit)
    # when every date of 2025 and 2026 is a reception, at 09:00 and at 17:30
    differences = [(r.isoformat(), found, want) for r in receptions()
                   for found, want in [(timing.start(r, limit, calendar)["due_at"], expected(r))]
                   if found != want]
    # then not one deadline differs from the independent count
    assert differences == [], differences[:5]


def test_the_published_calendar_lists_the_swap_the_package_lacked():
    # the case of the issue: received Monday 5 January 2026 with 5 working days
    assert expected_working_days(datetime(2026, 1, 5, 9, tzinfo=TZ), 5) == date(2026, 1, 10)
    assert expected_working_days(datetime(2026, 1, 9, 17, 30, tzinfo=TZ), 1) == date(2026, 1, 12)


RECEIVE = """mutation R($input: ReceiveDossierInput!) {
  receiveDossier(input: $input) { dossier { dueAt timeLimit { amount unit } } } }"""
# Receptions through the API in the ten days before each announced day off or worked Saturday
# of the two years, whose 5-working-day counts cross it (the whole grid is checked above on the
# same `timing.start` the reception calls; here the path runs end to end).
ANNOUNCED = [d for d in (*WEEKDAYS_OFF, *SATURDAYS_WORKED) if d.year in (2025, 2026)]
API_DAYS = sorted({d - timedelta(days=n) for d in ANNOUNCED for n in range(11)} & set(RECEPTION_DAYS))


async def test_due_at_through_the_api_around_every_announcement(db, monkeypatch):
    world = await build_world()
    monkeypatch.setattr(clock, "now", lambda: datetime(2027, 1, 4, 9, tzinfo=TZ))
    await Procedure.filter(code="1.001612").update(processing_days=5)
    clerk = world.actor("clerk", ("CLERK", "502"))
    differences = []
    for day in API_DAYS:
        for moment in TIMES:
            received = datetime.combine(day, moment, TZ)
            result = await execute(RECEIVE, clerk, input={
                "procedureCode": "1.001612", "unitCode": "502", "channel": "IN_PERSON",
                "applicant": {"name": "Nguyễn Văn An"}, "receivedAt": received.isoformat()})
            assert result.errors == []
            due = datetime.fromisoformat(result.data["receiveDossier"]["dossier"]["dueAt"])
            if due != end_of(expected_working_days(received, 5)):
                differences.append((received.isoformat(), due.astimezone(TZ).isoformat()))
    assert differences == []


async def test_received_dossier_keeps_the_limit_of_its_channel(db):
    await build_world()
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001612", unit_code="502", channel="POSTAL",
        applicant=Applicant(name="Nguyễn Văn An")))
    assert (dossier.time_amount, dossier.time_unit) == (3, "WORKING_DAYS")
