"""The demo loader: an idempotent catalogue, and synthetic dossiers that obey the app's rules."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, time, timedelta

from tortoise.connection import get_connection

from demo.seed import load_demo
from models import (
    AdministrativeUnit,
    Agency,
    Channel,
    Dossier,
    DossierCodeCounter,
    DossierEvent,
    DossierStatus,
    Procedure,
    Reorganization,
)
from models.text import fold
from policies import SYSTEM
from resolvers import clock
from resolvers.deadlines import due_after, judge, load_calendar
from resolvers.dossiers import Applicant, Reception, receive_dossier
from resolvers.lifecycle import END_STATES, TRANSITIONS

N = 500
REORGANIZED = date(2025, 7, 1)
CODE = re.compile(r"^(UB\d+)-(\d{6})-(\d{4,})$")


async def _counts() -> tuple[int, ...]:
    return (
        await AdministrativeUnit.all().count(), await Agency.all().count(),
        await Procedure.all().count(), await Dossier.all().count(),
        await DossierEvent.all().count(), await DossierCodeCounter.all().count(),
    )


async def _scalar(sql: str) -> int:
    rows = await get_connection("default").execute_query_dict(sql)
    return int(next(iter(rows[0].values())))


async def test_load_demo_twice_changes_nothing(db) -> None:
    first = await load_demo(dossiers=50)
    counts = await _counts()
    second = await load_demo(dossiers=50)

    assert await _counts() == counts
    assert "47 dossiers generated, 50 in all" in first  # and the three showcase dossiers
    assert "0 dossiers generated, 50 in all" in second
    assert await Reorganization.all().count() == 1
    old = {u.code: u for u in await AdministrativeUnit.filter(valid_from__isnull=True)}
    now = {u.code: u for u in await AdministrativeUnit.filter(valid_to__isnull=True)}
    assert old["49"].path == "/49/" and old["502"].path == "/49/502/"
    assert old["063"].path == "/06/063/" and old["063"].valid_to == REORGANIZED
    assert old["96"].parent_id is None
    assert set(now) >= {"48", "19", "96", "20341", "02014", "32025"} and not {"49", "06", "502"} & set(now)
    assert (now["48"].name, now["48"].kind) == ("Thành phố Đà Nẵng", "CITY")
    assert (now["20341"].name, now["20341"].path) == ("Phường Tam Kỳ", "/48/20341/")
    duong_phong = await AdministrativeUnit.get(name="Xã Dương Phong")
    assert duong_phong.path.startswith("/06/063/")
    tam_ky = await Agency.get(code="UB502")
    assert tam_ky.name == "UBND Thành phố Tam Kỳ" and tam_ky.unit_id == old["502"].id
    birth = await Procedure.get(code="1.001193")
    assert birth.search_text == fold(f"1.001193 {birth.name}")


async def test_top_up_only_adds_the_difference_with_fresh_codes(db) -> None:
    await load_demo(dossiers=40)
    report = await load_demo(dossiers=70)

    assert "30 dossiers generated, 70 in all" in report
    codes = [d.code for d in await Dossier.all()]
    assert len(set(codes)) == len(codes) == 70
    assert await _scalar("SELECT COUNT(*) FROM dossier_events e LEFT JOIN dossiers d "
                         "ON d.id = e.dossier_id WHERE d.id IS NULL") == 0


async def test_generated_dossiers_obey_the_rules(db) -> None:
    await load_demo(dossiers=N)
    # the generated ones: the three showcase dossiers were received through the use case
    dossiers = await Dossier.filter(idempotency_key__isnull=True).order_by("id")
    procedures = {p.id: p for p in await Procedure.all()}
    units = {u.id: u for u in await AdministrativeUnit.all()}
    agencies = {a.id: a for a in await Agency.all()}
    events: dict[int, list[DossierEvent]] = {}
    for event in await DossierEvent.all().order_by("id"):
        events.setdefault(event.dossier_id, []).append(event)
    calendar = await load_calendar()  # the kept calendar: the announced days over the package
    now = clock.now()

    assert len(dossiers) == N - 3  # the rest were generated
    for d in dossiers:
        status = DossierStatus(d.status)
        procedure, unit, received = procedures[d.procedure_id], units[d.unit_id], units[d.received_unit_id]
        handled_by = [int(i) for i in d.unit_history.split(",")]
        assert d.national_status_code == status.national_code
        assert d.unit_path == unit.path and unit.valid_to is None and handled_by[-1] == unit.id
        assert agencies[d.agency_id].unit_id == d.desk_unit_id  # the receiving desk's code
        assert procedure.level == received.level and handled_by[0] == received.id
        # received under the tree in force that day; the 2025 change carried it to today's
        local = clock.local_date(d.submitted_at)
        assert received.in_force_on(local)
        assert (len(handled_by) == 2) == (local < REORGANIZED)
        assert d.search_text == fold(f"{d.code} {d.applicant_name}")
        assert d.fee == procedure.fee
        assert (d.paused_at is not None) == (status is DossierStatus.SUPPLEMENT_REQUESTED)
        history = events[d.id]
        assert d.version == len(history) + len(handled_by) - 1  # the move is a change too
        assert history[0].action == "RECEIVE" and history[0].from_status is None
        assert history[-1].to_status == status and history[-1].at <= now
        for before, after in zip(history, history[1:], strict=False):
            assert after.at >= before.at
            assert after.from_status == before.to_status
            if after.action != "EXTEND":
                assert TRANSITIONS[DossierStatus(before.to_status)][after.action] == after.to_status
        if d.received_at is None:
            assert status in (DossierStatus.NEW, DossierStatus.NOT_ACCEPTED) and d.legal_due_at is None
        else:
            assert d.due_at >= d.received_at and d.legal_due_at >= d.received_at
            local = d.received_at.astimezone(clock.LOCAL_TZ)
            assert calendar.is_working_day(local.date())
            assert time(7, 30) <= local.time() <= time(17, 0)  # office hours, on a working day
            if d.supplement_count == 0:
                assert d.legal_due_at == due_after(d.received_at, procedure.processing_days, calendar)
            if d.extended_at is None:
                assert d.due_at == d.legal_due_at
        if status in END_STATES:
            assert d.ended_at is not None and d.timeliness is not None
            assert d.timeliness == judge(d.ended_at, d.legal_due_at, d.supplement_count)
        else:
            assert d.ended_at is None and d.timeliness is None
        assert (d.finished_at is not None) == (status in (DossierStatus.FINISHED, DossierStatus.RETURNED))
        assert (d.returned_at is not None) == (status is DossierStatus.RETURNED)
        if d.applicant_kind == "CITIZEN":
            assert re.fullmatch(r"0(49|06|96)[0-3]\d{8}", d.applicant_id_number)
        assert d.applicant_phone is None or re.fullmatch(r"0\d{9}", d.applicant_phone)

    # The same rules as single queries over the tables.
    assert await _scalar(
        "SELECT COUNT(*) FROM dossiers WHERE (ended_at IS NULL) <> (timeliness IS NULL)") == 0
    assert await _scalar("SELECT COUNT(*) FROM dossiers WHERE due_at < received_at") == 0
    assert await _scalar(
        "SELECT COUNT(*) FROM dossiers d JOIN procedures p ON p.id = d.procedure_id "
        "JOIN administrative_units r ON r.id = d.received_unit_id "
        "JOIN administrative_units u ON u.id = d.unit_id WHERE p.level <> r.level OR d.unit_path <> u.path"
    ) == 0
    # both sides of 1 July 2025, and desks receiving for other units of the province after it
    before = sum(clock.local_date(d.submitted_at) < REORGANIZED for d in dossiers)
    assert 0.15 < before / N < 0.45
    elsewhere = [d for d in dossiers if d.desk_unit_id != d.received_unit_id]
    assert elsewhere and all(clock.local_date(d.submitted_at) >= REORGANIZED for d in elsewhere)
    assert all(units[d.desk_unit_id].path.split("/")[1] == d.unit_path.split("/")[1] for d in elsewhere)
    assert await _scalar("SELECT COUNT(DISTINCT code) FROM dossiers") == N

    channels = Counter(d.channel for d in dossiers)
    assert 0.45 < channels[Channel.IN_PERSON] / N < 0.65
    assert 0.30 < channels[Channel.ONLINE] / N < 0.50
    assert 0 < channels[Channel.POSTAL] / N < 0.10
    ended = [d for d in dossiers if d.timeliness is not None]
    late = sum(d.timeliness == "LATE" for d in ended)
    assert 0.03 < late / len(ended) < 0.20
    returned = sum(d.status == DossierStatus.RETURNED for d in dossiers)
    assert returned / N > 0.6
    assert sum(d.applicant_kind == "ORGANIZATION" for d in dossiers) > 0


async def test_counters_cover_generated_codes_so_live_reception_gets_a_fresh_one(db) -> None:
    await load_demo(dossiers=N)
    highest: dict[tuple[str, str], int] = {}
    for code in await Dossier.all().values_list("code", flat=True):
        agency_code, day, sequence = CODE.fullmatch(code).groups()  # type: ignore[union-attr]
        highest[agency_code, day] = max(highest.get((agency_code, day), 0), int(sequence))
    agency_codes = {a.id: a.code for a in await Agency.all()}
    counters = {(agency_codes[c.agency_id], f"{c.day:%y%m%d}"): c.last_sequence
                for c in await DossierCodeCounter.all()}
    assert all(counters[key] >= sequence for key, sequence in highest.items())

    # A paper dossier entered at the same desk, the same day as a generated one.
    sample = await Dossier.filter(channel=Channel.IN_PERSON).order_by("-id").first()
    assert sample is not None
    unit = await AdministrativeUnit.get(id=sample.unit_id)
    procedure = await Procedure.get(id=sample.procedure_id)
    reception = Reception(
        procedure_code=procedure.code, unit_code=unit.code, channel=Channel.IN_PERSON,
        applicant=Applicant(name="Trần Thị Bình", id_number="049190001234", phone="0905123456"),
        received_at=sample.received_at + timedelta(minutes=1),
    )
    fresh = await receive_dossier(actor=SYSTEM, reception=reception)

    agency_code, day, _ = CODE.fullmatch(sample.code).groups()  # type: ignore[union-attr]
    assert fresh.code == f"{agency_code}-{day}-{counters[agency_code, day] + 1:04d}"
    assert await Dossier.filter(code=fresh.code).count() == 1


async def test_showcase_codes_are_the_same_on_any_day_and_tracked_anonymously(db, client_for):
    """The README's tracking example works on any machine, any day."""
    from demo.showcase import load_showcase

    await load_demo(dossiers=40)
    codes = await load_showcase()
    assert codes == ["UB20335-240603-0001", "UB20341-240604-0001", "UB02014-240605-0001"]
    assert await load_showcase() == codes  # a second run finds them
    client = await client_for()
    query = "query($c: String!) { trackDossier(code: $c) { code status receivedAt unit { code } } }"
    answer = (await client.post("/graphql", json={"query": query, "variables": {"c": codes[0]}})).json()
    tracked = answer["data"]["trackDossier"]
    assert tracked["code"] == codes[0] and tracked["status"] == "RECEIVED"
    assert tracked["receivedAt"] == "2024-06-03T09:00:00+07:00"


async def test_an_office_sharing_an_ended_ones_code_continues_its_sequences_on_every_day(db) -> None:
    # given the demo, where offices of the units made on 1 July 2025 often keep an ended
    # office's code (a ward kept its code, its agency row is new)
    await load_demo(dossiers=N)
    agencies = await Agency.all()
    by_code: dict[str, list[int]] = {}
    for agency in agencies:
        by_code.setdefault(agency.code, []).append(agency.id)
    shared = {code: ids for code, ids in by_code.items() if len(ids) > 1}
    assert shared, "the demo has no office code held by two agency rows"
    highest: dict[tuple[str, str], int] = {}
    for code in await Dossier.all().values_list("code", flat=True):
        agency_code, day, sequence = CODE.fullmatch(code).groups()  # type: ignore[union-attr]
        highest[agency_code, day] = max(highest.get((agency_code, day), 0), int(sequence))
    counters = {(c.agency_id, f"{c.day:%y%m%d}"): c.last_sequence
                for c in await DossierCodeCounter.all()}
    # then the successor office (the newest row of a code) is past every code its code has
    # had on every day, before the change included
    behind = [(code, day, sequence) for (code, day), sequence in highest.items() if code in shared
              and counters.get((shared[code][-1], day), 0) < sequence]
    assert behind == []
