"""Due dates across holidays, supplement pauses and the apology letter, with real dates."""

from __future__ import annotations

import pytest

from models import CalendarOverride, Dossier
from policies import SYSTEM
from resolvers import clock
from resolvers.dossiers import Applicant, Reception, extend_dossier, receive_dossier
from resolvers.dossiers import transition_dossier as move
from resolvers.lifecycle import DossierAction as A
from tests.world import at, build_world


@pytest.fixture
async def world(db):
    return await build_world()


@pytest.fixture
def now(monkeypatch):
    def set_now(text: str) -> None:
        instant = at(text)
        monkeypatch.setattr(clock, "now", lambda: instant)

    return set_now


def local_day(instant) -> str:
    return clock.local_date(instant).isoformat()


UNIT_FOR = {"2.000908": "20335", "1.001612": "502"}  # a commune and a district procedure


async def received(now, when: str, procedure: str = "2.000908") -> Dossier:
    now(when)
    unit = UNIT_FOR[procedure]
    return await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code=procedure, unit_code=unit, channel="IN_PERSON",
        applicant=Applicant(name="Trần Thị Bình")))


async def step(now, when: str, dossier: Dossier, action: A) -> Dossier:
    now(when)
    return await move(actor=SYSTEM, code=dossier.code, action=action)


async def test_due_skips_tet_2026(world, now):
    # Fri 13 Feb 2026 + 2 working days: 16–20 Feb is Tết, so Mon 23 and Tue 24 Feb
    dossier = await received(now, "2026-02-13 10:00")
    assert local_day(dossier.due_at) == "2026-02-24"
    assert dossier.due_at == dossier.legal_due_at


async def test_due_skips_national_day_2026_and_counts_the_swapped_saturday(world, now):
    # Fri 21 Aug 2026 + 2: Sat 22 Aug is a working day (swapped for Mon 31 Aug) → Mon 24 Aug
    dossier = await received(now, "2026-08-21 08:00")
    assert local_day(dossier.due_at) == "2026-08-24"
    # Fri 28 Aug + 2: Sat 29, Sun 30, Mon 31 (swap), Tue 1 and Wed 2 Sep off → Thu 3, Fri 4
    later = await received(now, "2026-08-28 08:00")
    assert local_day(later.due_at) == "2026-09-04"


async def test_due_follows_a_swap_announced_later(world, now):
    # given the government makes Mon 2 Mar 2026 a day off (an override the package lacks)
    await CalendarOverride.create(day=clock.local_date(at("2026-03-02 00:00")),
                                  is_working_day=False, note="test swap")
    dossier = await received(now, "2026-02-27 09:00")  # a Friday, + 2 working days
    assert local_day(dossier.due_at) == "2026-03-04"  # Tue 3, Wed 4


async def test_supplement_pause_moves_both_deadlines(world, now):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")  # 3 days → Thu 5
    assert local_day(dossier.due_at) == "2026-03-05"
    dossier = await step(now, "2026-03-03 10:00", dossier, A.REQUEST_SUPPLEMENT)
    assert dossier.paused_at is not None
    # the applicant returns on Mon 9 Mar: Wed 4, Thu 5, Fri 6, Mon 9 = 4 working days paused
    dossier = await step(now, "2026-03-09 14:00", dossier, A.SUPPLEMENT)
    assert dossier.paused_at is None
    assert local_day(dossier.legal_due_at) == "2026-03-11"
    assert local_day(dossier.due_at) == "2026-03-11"


async def test_finish_during_pause_extended_deadline_is_on_time(world, now):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")
    dossier = await step(now, "2026-03-03 10:00", dossier, A.REQUEST_SUPPLEMENT)
    dossier = await step(now, "2026-03-09 14:00", dossier, A.SUPPLEMENT)
    dossier = await step(now, "2026-03-10 09:00", dossier, A.FINISH)
    assert dossier.timeliness == "EARLY"  # legal deadline moved to Wed 11 Mar
    dossier = await step(now, "2026-03-12 09:00", dossier, A.RETURN_RESULT)
    assert dossier.timeliness == "EARLY"  # returning later does not change the judgement


async def test_two_supplement_requests_make_the_dossier_late(world, now):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")
    for day in ("03", "04"):
        dossier = await step(now, f"2026-03-{day} 09:00", dossier, A.REQUEST_SUPPLEMENT)
        dossier = await step(now, f"2026-03-{day} 15:00", dossier, A.SUPPLEMENT)
    dossier = await step(now, "2026-03-04 16:00", dossier, A.FINISH)
    assert dossier.timeliness == "LATE"


@pytest.mark.parametrize(("finished", "expected"), [
    ("2026-03-04 08:00", "EARLY"), ("2026-03-05 16:59", "ON_TIME"),
    ("2026-03-05 23:30", "ON_TIME"), ("2026-03-06 08:00", "LATE"),
])
async def test_timeliness_compares_end_with_appointment_day(world, now, finished, expected):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")  # due Thu 5 Mar
    dossier = await step(now, "2026-03-02 10:00", dossier, A.START_PROCESSING)
    dossier = await step(now, finished, dossier, A.FINISH)
    assert dossier.timeliness == expected


async def test_open_dossier_becomes_overdue_after_its_day(world, now):
    from resolvers.deadlines import current_timeliness

    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")
    assert current_timeliness(dossier, at("2026-03-05 23:00")) == "PENDING"
    assert current_timeliness(dossier, at("2026-03-06 00:01")) == "OVERDUE"


async def test_extension_moves_appointment_once_and_is_judged_on_legal_deadline(world, now):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")  # due Thu 5 Mar
    now("2026-03-05 10:00")
    dossier = await extend_dossier(actor=SYSTEM, code=dossier.code,
                                   new_due_at=at("2026-03-10 12:00"), reason="Chờ xác minh")
    assert local_day(dossier.due_at) == "2026-03-10"
    assert local_day(dossier.legal_due_at) == "2026-03-05"
    assert dossier.extension_reason == "Chờ xác minh"
    with pytest.raises(Exception, match="already extended"):
        await extend_dossier(actor=SYSTEM, code=dossier.code,
                             new_due_at=at("2026-03-12 12:00"), reason="Lần hai")
    assert local_day((await Dossier.get(id=dossier.id)).due_at) == "2026-03-10"
    dossier = await step(now, "2026-03-09 08:00", dossier, A.START_PROCESSING)
    dossier = await step(now, "2026-03-09 09:00", dossier, A.FINISH)
    assert dossier.timeliness == "LATE"  # the apology does not make a late dossier on time


async def test_extension_refuses_a_non_working_day(world, now):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")
    with pytest.raises(Exception, match="not a working day"):
        await extend_dossier(actor=SYSTEM, code=dossier.code,
                             new_due_at=at("2026-03-07 12:00"), reason="Thứ bảy")
    assert (await Dossier.get(id=dossier.id)).extended_at is None


async def test_accepting_an_online_dossier_starts_the_clock_then(world, now):
    now("2026-02-12 20:00")
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="2.000908", unit_code="20335", channel="ONLINE",
        applicant=Applicant(name="Lê Văn Cường")))
    assert dossier.due_at is None
    dossier = await step(now, "2026-02-13 08:00", dossier, A.ACCEPT)
    assert local_day(dossier.received_at) == "2026-02-13"
    assert local_day(dossier.due_at) == "2026-02-24"


async def test_overdue_is_found_just_after_local_midnight(world, now):
    """The deadline of an accepted online dossier is written by an UPDATE; SQLite compares
    stored text, so it must be stored in UTC like everything else."""
    from resolvers.dossiers import DossierFilter, list_dossiers
    from resolvers.metrics import service

    now("2026-03-02 08:00")
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001612", unit_code="502", channel="ONLINE",
        applicant=Applicant(name="Hồ Văn Tâm")))
    dossier = await step(now, "2026-03-02 09:00", dossier, A.ACCEPT)  # due Thu 5 Mar
    now("2026-03-06 01:00")  # 18:00 UTC on the 5th: past the deadline, same UTC date
    page = await list_dossiers(actor=SYSTEM, flt=DossierFilter(overdue=True))
    assert [d.row.code for d in page.items] == [dossier.code]
    report = await service.compute(actor=SYSTEM, unit_code="502", first=clock.local_date(
        at("2026-03-01 00:00")), last=clock.local_date(at("2026-03-31 00:00")))
    assert report.totals.overdue == 1
