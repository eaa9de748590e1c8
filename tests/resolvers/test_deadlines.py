"""Due dates across holidays, office hours, supplements (restart and resume), payments and the
apology letter, with real dates (the rules: docs/deadlines.md)."""

from __future__ import annotations

import pytest

from models import CalendarOverride, Dossier, Procedure
from models.errors import BadInput
from policies import SYSTEM
from resolvers import clock, deadlines
from resolvers.deadlines import ClockRules, PaymentClock, SupplementClock, current_timeliness
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


@pytest.fixture
def province(monkeypatch):
    """Run the clock by a province's rules for one test: `province(supplement=..., payment=...)`."""

    def set_rules(**rules) -> None:
        monkeypatch.setattr(deadlines._State, "rules", ClockRules(**rules))

    return set_rules


def local_day(instant) -> str:
    return clock.local_date(instant).isoformat()


def local_time(instant) -> str:
    return instant.astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


# Commune procedures (birth registration, certified copies) and a district one
UNIT_FOR = {"1.001193": "20335", "2.000908": "20335", "1.001612": "502"}
REASON = "Bổ sung bản sao giấy tờ tùy thân"


async def received(now, when: str, procedure: str = "2.000908", channel: str = "IN_PERSON") -> Dossier:
    now(when)
    unit = UNIT_FOR[procedure]
    return await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code=procedure, unit_code=unit, channel=channel,
        applicant=Applicant(name="Trần Thị Bình")))


async def step(now, when: str, dossier: Dossier, action: A) -> Dossier:
    now(when)
    return await move(actor=SYSTEM, code=dossier.code, action=action, note=REASON)


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


async def test_due_counts_the_new_year_2026_swap(world, now):
    # Công văn 12729/VPCP-KGVX: Fri 2 Jan 2026 off, Sat 10 Jan worked (loaded by migrate).
    # Mon 5 Jan + 5 working days: Tue 6 … Fri 9, Sat 10 — not Mon 12.
    await Procedure.filter(code="1.001612").update(processing_days=5)
    five = await received(now, "2026-01-05 09:00", procedure="1.001612")
    assert local_day(five.due_at) == "2026-01-10"
    # and Wed 31 Dec 2025 + 2: Thu 1 and Fri 2 Jan off → Mon 5, Tue 6
    before = await received(now, "2025-12-31 10:00")
    assert local_day(before.due_at) == "2026-01-06"


async def test_due_follows_a_swap_announced_later(world, now):
    # given the government makes Mon 2 Mar 2026 a day off (an override the package lacks)
    await CalendarOverride.create(day=clock.local_date(at("2026-03-02 00:00")),
                                  is_working_day=False, note="test swap")
    deadlines.forget_calendar()  # written behind the API's back: seen within a second
    dossier = await received(now, "2026-02-27 09:00")  # a Friday, + 2 working days
    assert local_day(dossier.due_at) == "2026-03-04"  # Tue 3, Wed 4


async def test_reception_after_office_hours_counts_from_the_next_working_morning(world, now):
    # Fri 6 Mar 2026 at 17:30: received, for the clock, on Mon 9 Mar at 07:00; + 2 → Wed 11
    late = await received(now, "2026-03-06 17:30")
    assert local_time(late.clock_started_at) == "2026-03-09 07:00"
    assert local_day(late.due_at) == "2026-03-11"
    assert local_time(late.received_at) == "2026-03-06 17:30"  # the reception itself is kept
    # the same day at 16:30, inside office hours: + 2 → Tue 10
    inside = await received(now, "2026-03-06 16:30")
    assert local_time(inside.clock_started_at) == "2026-03-06 16:30"
    assert local_day(inside.due_at) == "2026-03-10"
    # Sat 7 Mar (a desk open on Saturday): the clock starts Mon 9 Mar too
    saturday = await received(now, "2026-03-07 09:00")
    assert local_day(saturday.due_at) == "2026-03-11"


async def test_same_day_procedure_has_a_cut_off(world, now):
    # 1.001193 birth registration: same day; after 15:00, the next working day
    await Procedure.filter(code="1.001193").update(processing_days=0, time_unit="SAME_DAY")
    early = await received(now, "2026-03-06 14:59", procedure="1.001193")
    late = await received(now, "2026-03-06 15:00", procedure="1.001193")
    evening = await received(now, "2026-03-06 18:00", procedure="1.001193")
    assert [local_day(d.due_at) for d in (early, late, evening)] == [
        "2026-03-06", "2026-03-09", "2026-03-09"]
    assert early.time_unit == "SAME_DAY" and early.time_amount == 0


async def test_supplement_restarts_the_time_when_the_complete_dossier_is_back(world, now):
    # Decree 118 Art. 19(5): "Thời hạn giải quyết được tính lại từ đầu sau khi nhận đủ hồ sơ"
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")  # 3 days → Thu 5
    dossier = await step(now, "2026-03-03 10:00", dossier, A.REQUEST_SUPPLEMENT)
    assert dossier.paused_at is not None and dossier.supplement_count == 1
    dossier = await step(now, "2026-03-09 14:00", dossier, A.SUPPLEMENT)
    # the full 3 working days again from Mon 9 Mar 14:00: Tue 10, Wed 11, Thu 12
    assert dossier.paused_at is None
    assert local_time(dossier.clock_started_at) == "2026-03-09 14:00"
    assert local_day(dossier.legal_due_at) == "2026-03-12"
    assert local_day(dossier.due_at) == "2026-03-12"
    assert local_time(dossier.received_at) == "2026-03-02 09:00"  # reception is not moved


async def test_supplement_pause_moves_both_deadlines_when_the_province_resumes(world, now, province):
    province(supplement=SupplementClock.RESUME)
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")  # 3 days → Thu 5
    assert local_day(dossier.due_at) == "2026-03-05"
    dossier = await step(now, "2026-03-03 10:00", dossier, A.REQUEST_SUPPLEMENT)
    # the applicant returns on Mon 9 Mar: Wed 4, Thu 5, Fri 6, Mon 9 = 4 working days paused
    dossier = await step(now, "2026-03-09 14:00", dossier, A.SUPPLEMENT)
    assert dossier.paused_at is None
    assert local_day(dossier.legal_due_at) == "2026-03-11"
    assert local_day(dossier.due_at) == "2026-03-11"


async def test_finish_after_resumed_supplement_is_judged_on_the_moved_deadline(world, now, province):
    province(supplement=SupplementClock.RESUME)
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")
    dossier = await step(now, "2026-03-03 10:00", dossier, A.REQUEST_SUPPLEMENT)
    dossier = await step(now, "2026-03-09 14:00", dossier, A.SUPPLEMENT)
    dossier = await step(now, "2026-03-10 09:00", dossier, A.FINISH)
    assert dossier.timeliness == "EARLY"  # legal deadline moved to Wed 11 Mar
    dossier = await step(now, "2026-03-12 09:00", dossier, A.RETURN_RESULT)
    assert dossier.timeliness == "EARLY"  # returning later does not change the judgement


async def test_ending_while_a_supplement_is_outstanding_does_not_count_the_wait(world, now):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")  # due Thu 5
    dossier = await step(now, "2026-03-04 10:00", dossier, A.REQUEST_SUPPLEMENT)
    dossier = await step(now, "2026-03-20 10:00", dossier, A.WITHDRAW)
    # Wed 4 → Fri 20 Mar is 12 working days not counted: the deadline moves to Mon 23
    assert dossier.timeliness == "EARLY"
    assert local_day(dossier.legal_due_at) == "2026-03-23"


async def test_two_supplement_requests_make_the_dossier_late(world, now):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")
    for day in ("03", "04"):
        dossier = await step(now, f"2026-03-{day} 09:00", dossier, A.REQUEST_SUPPLEMENT)
        dossier = await step(now, f"2026-03-{day} 15:00", dossier, A.SUPPLEMENT)
    dossier = await step(now, "2026-03-04 16:00", dossier, A.FINISH)
    assert dossier.timeliness == "LATE"


async def test_guidance_before_acceptance_starts_no_clock_and_is_not_a_supplement(world, now):
    now("2026-03-02 08:00")
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001612", unit_code="502", channel="POSTAL", accepted=False,
        applicant=Applicant(name="Lê Thị Hoa")))
    assert (dossier.status, dossier.due_at, dossier.received_at) == ("NEW", None, None)
    dossier = await step(now, "2026-03-02 09:00", dossier, A.GUIDE_SUPPLEMENT)
    assert (dossier.status, dossier.national_status_code) == ("SUPPLEMENT_REQUESTED", 5)
    assert (dossier.supplement_count, dossier.paused_at, dossier.due_at) == (0, None, None)
    dossier = await step(now, "2026-03-06 10:00", dossier, A.ACCEPT)  # the papers arrive
    assert local_time(dossier.received_at) == "2026-03-06 10:00"
    assert local_day(dossier.due_at) == "2026-03-11"  # 3 working days from Fri 6 Mar
    # one supplement request after acceptance is still allowed without a late judgement
    dossier = await step(now, "2026-03-09 09:00", dossier, A.REQUEST_SUPPLEMENT)
    dossier = await step(now, "2026-03-09 11:00", dossier, A.SUPPLEMENT)
    dossier = await step(now, "2026-03-10 09:00", dossier, A.FINISH)
    assert dossier.supplement_count == 1 and dossier.timeliness == "EARLY"


async def test_refusal_needs_a_reason(world, now):
    now("2026-03-02 08:00")
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001612", unit_code="502", channel="IN_PERSON", accepted=False,
        applicant=Applicant(name="Lê Thị Hoa")))
    with pytest.raises(BadInput) as refused:
        await move(actor=SYSTEM, code=dossier.code, action=A.REFUSE)
    assert refused.value.field == "note"
    assert (await Dossier.get(id=dossier.id)).status == "NEW"


async def test_payment_runs_the_clock_unless_sector_law_excludes_it(world, now):
    # Decree 118 says nothing: the clock runs while the applicant pays
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")  # due Thu 5
    dossier = await step(now, "2026-03-02 10:00", dossier, A.START_PROCESSING)
    dossier = await step(now, "2026-03-03 10:00", dossier, A.REQUEST_PAYMENT)
    assert dossier.paused_at is None
    dossier = await step(now, "2026-03-09 10:00", dossier, A.CONFIRM_PAYMENT)
    assert local_day(dossier.legal_due_at) == "2026-03-05"
    # land: "không tính thời gian thực hiện nghĩa vụ tài chính" (the procedure says so)
    await Procedure.filter(code="1.001612").update(payment_pauses_clock=True)
    land = await received(now, "2026-03-02 09:00", procedure="1.001612")
    land = await step(now, "2026-03-02 10:00", land, A.START_PROCESSING)
    land = await step(now, "2026-03-03 10:00", land, A.REQUEST_PAYMENT)
    assert land.paused_at is not None
    land = await step(now, "2026-03-09 10:00", land, A.CONFIRM_PAYMENT)
    assert local_day(land.legal_due_at) == "2026-03-11"  # 4 working days later
    assert local_day(land.due_at) == "2026-03-11"


async def test_province_may_stop_the_clock_for_every_payment(world, now, province):
    province(payment=PaymentClock.PAUSE)
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")
    dossier = await step(now, "2026-03-02 10:00", dossier, A.START_PROCESSING)
    dossier = await step(now, "2026-03-03 10:00", dossier, A.REQUEST_PAYMENT)
    assert current_timeliness(dossier, at("2026-03-20 10:00")) == "PENDING"  # judged at the stop
    dossier = await step(now, "2026-03-09 10:00", dossier, A.CONFIRM_PAYMENT)
    assert local_day(dossier.legal_due_at) == "2026-03-11"


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
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")
    assert current_timeliness(dossier, at("2026-03-05 23:00")) == "PENDING"
    assert current_timeliness(dossier, at("2026-03-06 00:01")) == "OVERDUE"


async def test_extension_moves_appointment_once_and_is_judged_on_legal_deadline(world, now):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")  # due Thu 5 Mar
    now("2026-03-04 10:00")  # the day before the appointment, at the latest (Art. 19(6))
    dossier = await extend_dossier(actor=SYSTEM, code=dossier.code,
                                   new_due_at=at("2026-03-10 12:00"), reason="Chờ xác minh")
    assert local_day(dossier.due_at) == "2026-03-10"
    assert local_day(dossier.legal_due_at) == "2026-03-05"
    assert dossier.extension_reason == "Chờ xác minh"
    with pytest.raises(BadInput, match="already extended"):
        await extend_dossier(actor=SYSTEM, code=dossier.code,
                             new_due_at=at("2026-03-12 12:00"), reason="Lần hai")
    assert local_day((await Dossier.get(id=dossier.id)).due_at) == "2026-03-10"
    dossier = await step(now, "2026-03-09 08:00", dossier, A.START_PROCESSING)
    dossier = await step(now, "2026-03-09 09:00", dossier, A.FINISH)
    assert dossier.timeliness == "LATE"  # the apology does not make a late dossier on time


@pytest.mark.parametrize("when", ["2026-03-05 08:00", "2026-03-06 09:00"])
async def test_extension_refused_on_or_after_the_appointment_day(world, now, when):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")  # due Thu 5 Mar
    now(when)
    with pytest.raises(BadInput, match="at the latest the day before the appointment 2026-03-05"):
        await extend_dossier(actor=SYSTEM, code=dossier.code, new_due_at=at("2026-03-10 12:00"),
                             reason="Quá muộn")
    row = await Dossier.get(id=dossier.id)
    assert (row.extended_at, row.version, local_day(row.due_at)) == (None, 1, "2026-03-05")


async def test_extension_refused_while_a_supplement_is_outstanding(world, now):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")
    dossier = await step(now, "2026-03-03 09:00", dossier, A.REQUEST_SUPPLEMENT)
    with pytest.raises(BadInput, match="while a supplement is outstanding"):
        await extend_dossier(actor=SYSTEM, code=dossier.code, new_due_at=at("2026-03-10 12:00"),
                             reason="Chờ bổ sung")
    assert (await Dossier.get(id=dossier.id)).extended_at is None


async def test_extension_refuses_a_non_working_day(world, now):
    dossier = await received(now, "2026-03-02 09:00", procedure="1.001612")
    with pytest.raises(BadInput, match="not a working day"):
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


async def test_online_time_and_fee_follow_the_channel(world, now):
    # 1.004194-like terms: 3 working days in person and 15,000 đ; online 7,000 đ and 2 days
    await Procedure.filter(code="1.001612").update(
        channel_terms={"ONLINE": {"fee": 7000, "amount": 2}})
    in_person = await received(now, "2026-03-02 09:00", procedure="1.001612")
    online = await received(now, "2026-03-02 09:00", procedure="1.001612", channel="ONLINE")
    online = await step(now, "2026-03-02 09:30", online, A.ACCEPT)
    assert (in_person.fee, in_person.time_amount, local_day(in_person.due_at)) == (
        100000, 3, "2026-03-05")
    assert (online.fee, online.time_amount, local_day(online.due_at)) == (7000, 2, "2026-03-04")


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
