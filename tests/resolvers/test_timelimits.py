"""Time-limit arithmetic at the edges: office hours, lunch, the cut-off, pauses in each unit."""

from __future__ import annotations

from datetime import date, time

import pytest
from starlette.config import Config

import config
from models.errors import BadInput
from resolvers.calendar import WorkingCalendar
from resolvers.clock import LOCAL_TZ
from resolvers.deadlines import PaymentClock, SupplementClock
from resolvers.timelimits import (
    OfficeHours,
    TimeLimit,
    TimeUnit,
    appointment,
    clock_start,
    extend_by_pause,
    terms,
    working_minutes_between,
)
from tests.world import at

# The 2026 New Year swap the package lacks, as the kept calendar has it.
CAL = WorkingCalendar({date(2026, 1, 2): False, date(2026, 1, 10): True})
OFFICE = OfficeHours()


def local(instant) -> str:
    return instant.astimezone(LOCAL_TZ).strftime("%a %Y-%m-%d %H:%M")


@pytest.mark.parametrize(("received", "start"), [
    ("2026-03-02 06:30", "Mon 2026-03-02 07:00"),  # before opening: the opening
    ("2026-03-02 09:15", "Mon 2026-03-02 09:15"),  # inside: as it is
    ("2026-03-02 12:00", "Mon 2026-03-02 13:30"),  # lunch: the afternoon's opening
    ("2026-03-02 17:00", "Tue 2026-03-03 07:00"),  # at closing: the next working morning
    ("2026-03-06 17:30", "Mon 2026-03-09 07:00"),  # Friday evening: Monday
    ("2026-01-01 10:00", "Mon 2026-01-05 07:00"),  # New Year, then the swapped Friday
    ("2026-01-09 18:00", "Sat 2026-01-10 07:00"),  # the Saturday worked in lieu
])
def test_clock_start_moves_a_reception_into_office_hours(received, start):
    assert local(clock_start(at(received), CAL, OFFICE)) == start


@pytest.mark.parametrize(("received", "hours", "due"), [
    ("2026-03-02 10:00", 2, "Mon 2026-03-02 14:00"),  # 1h30 before lunch, 30 minutes after
    ("2026-03-02 07:00", 8, "Mon 2026-03-02 17:00"),  # a whole office day is 8 hours
    ("2026-03-06 16:00", 2, "Mon 2026-03-09 08:00"),  # over the weekend
    ("2026-01-09 16:00", 2, "Sat 2026-01-10 08:00"),  # into the worked Saturday
])
def test_working_hours_count_only_office_time(received, hours, due):
    _, found = appointment(at(received), TimeLimit(hours, TimeUnit.WORKING_HOURS), CAL, OFFICE)
    assert local(found) == due


def test_hours_ending_on_a_day_off_end_with_the_next_working_day():
    # Friday 16:00 + 24 hours = Saturday 16:00, a day off: the end of Monday (Civil Code Art. 148(5))
    _, due = appointment(at("2026-03-06 16:00"), TimeLimit(24, TimeUnit.HOURS), CAL, OFFICE)
    assert due.astimezone(LOCAL_TZ).isoformat() == "2026-03-09T23:59:59+07:00"


def test_calendar_days_ending_on_a_day_off_move_to_the_next_working_day():
    # Fri 9 Jan 2026 + 30 days = Sun 8 Feb → Mon 9 Feb; + 38 = Tue 17 Feb (Tết) → Mon 23 Feb
    for amount, due in ((30, "2026-02-09"), (38, "2026-02-23")):
        _, found = appointment(at("2026-01-09 10:00"), TimeLimit(amount, TimeUnit.CALENDAR_DAYS),
                               CAL, OFFICE)
        assert found.astimezone(LOCAL_TZ).date().isoformat() == due


@pytest.mark.parametrize(("unit", "due", "paused", "resumed", "moved"), [
    (TimeUnit.WORKING_DAYS, "2026-03-05 23:59", "2026-03-03 10:00", "2026-03-09 14:00",
     "Wed 2026-03-11 23:59"),  # 4 working days stopped
    (TimeUnit.CALENDAR_DAYS, "2026-03-05 23:59", "2026-03-03 10:00", "2026-03-09 14:00",
     "Wed 2026-03-11 23:59"),  # 6 days stopped
    (TimeUnit.CALENDAR_DAYS, "2026-03-05 23:59", "2026-03-03 10:00", "2026-03-05 14:00",
     "Mon 2026-03-09 23:59"),  # 2 days: Saturday 7, a day off → Monday 9
    (TimeUnit.WORKING_HOURS, "2026-03-03 10:00", "2026-03-02 16:00", "2026-03-03 08:00",
     "Tue 2026-03-03 14:00"),  # 1 h before closing + 1 h after opening = 2 h, over lunch
    (TimeUnit.HOURS, "2026-03-03 10:00", "2026-03-02 16:00", "2026-03-02 20:00",
     "Tue 2026-03-03 14:00"),  # 4 hours elapsed
])
def test_a_pause_moves_the_deadline_in_the_limits_own_unit(unit, due, paused, resumed, moved):
    found = extend_by_pause(at(due), unit, at(paused), at(resumed), CAL, OFFICE)
    assert local(found) == moved


def test_working_minutes_between_skip_lunch_nights_and_days_off():
    assert working_minutes_between(at("2026-03-06 11:00"), at("2026-03-09 08:00"), CAL, OFFICE) == (
        30 + 210 + 60)


@pytest.mark.parametrize(("amount", "unit", "message"), [
    (-1, "WORKING_DAYS", "WORKING_DAYS takes an amount from 0 to 400, not -1"),
    (1, "SAME_DAY", "SAME_DAY takes an amount from 0 to 0, not 1"),
    (10_000, "WORKING_HOURS", "WORKING_HOURS takes an amount from 0 to 2000, not 10000"),
    (3, "WEEKS", "unknown unit 'WEEKS'"),
])
def test_time_limit_refuses_what_the_arithmetic_cannot_count(amount, unit, message):
    with pytest.raises(BadInput, match=message):
        TimeLimit.of(amount, unit)


def test_terms_take_each_channels_differences_over_in_person():
    class Row:
        processing_days, time_unit, fee = 3, "WORKING_DAYS", 15_000
        channel_terms = {"ONLINE": {"fee": 7_000}, "POSTAL": {"amount": 30, "unit": "CALENDAR_DAYS"}}

    assert (terms(Row, "IN_PERSON").fee, terms(Row, "ONLINE").fee, terms(Row, "POSTAL").fee) == (
        15_000, 7_000, 15_000)
    assert terms(Row, "ONLINE").limit == TimeLimit(3, TimeUnit.WORKING_DAYS)
    assert terms(Row, "POSTAL").limit == TimeLimit(30, TimeUnit.CALENDAR_DAYS)
    assert terms(Row, "POSTAL").limit.label == "30 ngày"


def settings(**environ: str) -> config.Settings:
    return config.Settings.from_env(Config(environ=environ))


def test_clock_settings_default_to_the_law():
    rules = settings().clock
    assert rules.office.periods == ((time(7), time(11, 30)), (time(13, 30), time(17)))
    assert rules.office.same_day_cutoff == time(15)
    assert (rules.supplement, rules.payment) == (SupplementClock.RESTART, PaymentClock.PROCEDURE)


def test_clock_settings_read_a_provinces_choices():
    rules = settings(OFFICE_HOURS="07:30-11:30, 13:00-16:30", SAME_DAY_CUTOFF="14:30",
                     SUPPLEMENT_CLOCK="resume", PAYMENT_CLOCK="PAUSE").clock
    assert rules.office.periods == ((time(7, 30), time(11, 30)), (time(13), time(16, 30)))
    assert rules.office.same_day_cutoff == time(14, 30)
    assert (rules.supplement, rules.payment) == (SupplementClock.RESUME, PaymentClock.PAUSE)


@pytest.mark.parametrize(("environ", "named"), [
    ({"OFFICE_HOURS": "13:30-17:00,07:00-11:30"}, "OFFICE_HOURS"),
    ({"OFFICE_HOURS": "7h-11h"}, "OFFICE_HOURS"),
    ({"SAME_DAY_CUTOFF": "3pm"}, "SAME_DAY_CUTOFF"),
    ({"SUPPLEMENT_CLOCK": "pause"}, "SUPPLEMENT_CLOCK must be one of RESTART, RESUME"),
    ({"PAYMENT_CLOCK": "never"}, "PAYMENT_CLOCK must be one of PROCEDURE, PAUSE"),
])
def test_bad_clock_settings_stop_the_process_naming_the_variable(environ, named):
    with pytest.raises(SystemExit, match=named):
        settings(**environ)
