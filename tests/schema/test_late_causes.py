"""Why a late dossier was late: set (and corrected) through GraphQL by those allowed, only on
late or overdue dossiers, audited old → new, and counted by cause for a unit and period."""

from __future__ import annotations

from datetime import date

import pytest

from models import AuditEntry, Dossier
from resolvers import clock
from tests.graphql import execute
from tests.world import applicant, at, build_world

RECEIVE = """mutation($i: ReceiveDossierInput!) { receiveDossier(input: $i) { dossier { code } } }"""
MOVE = """mutation($c: String!, $a: DossierAction!) {
  transitionDossier(code: $c, action: $a) { dossier { status timeliness } } }"""
SET = """mutation($c: String!, $cause: LateCause!, $note: String!) {
  setLateCause(code: $c, cause: $cause, note: $note) {
    dossier { code lateCause { cause note setBy setAt } } } }"""
COUNT = """query($u: String!, $f: Date!, $t: Date!) {
  lateDossiers(unitCode: $u, from: $f, to: $t) { subjective objective unstated total }
  metrics(unitCode: $u, from: $f, to: $t) { resolvedLate } }"""


@pytest.fixture
async def world(db):
    return await build_world()


def move_clock(monkeypatch, text: str) -> None:
    moment = at(text)
    monkeypatch.setattr(clock, "now", lambda: moment)


async def dossier(world, monkeypatch, *, received: str, finished: str | None) -> str:
    """A birth registration (1 working day) at An Mỹ, finished at `finished` (or left open)."""
    move_clock(monkeypatch, received)
    clerk = world.actor("lan", ("CLERK", "20335"))
    result = await execute(RECEIVE, clerk, i={"procedureCode": "1.001193", "unitCode": "20335",
                                              "channel": "IN_PERSON", "applicant": applicant()})
    assert result.errors == [], result.errors
    code = result.data["receiveDossier"]["dossier"]["code"]
    await execute(MOVE, world.actor("thanh", ("SPECIALIST", "20335")), c=code, a="START_PROCESSING")
    if finished:
        move_clock(monkeypatch, finished)
        done = await execute(MOVE, world.actor("hung", ("LEADER", "20335")), c=code, a="FINISH")
        assert done.errors == [], done.errors
    return code


async def test_a_leader_records_and_corrects_the_cause_of_a_late_dossier(world, monkeypatch):
    code = await dossier(world, monkeypatch, received="2026-03-02 09:00", finished="2026-03-10 10:00")
    leader = world.actor("hung", ("LEADER", "20335"))
    first = await execute(SET, leader, c=code, cause="SUBJECTIVE", note="Công chức nghỉ ốm")
    assert first.errors == [], first.errors
    assert first.data["setLateCause"]["dossier"]["lateCause"]["cause"] == "SUBJECTIVE"
    assert first.data["setLateCause"]["dossier"]["lateCause"]["setBy"] == "hung"
    second = await execute(SET, leader, c=code, cause="OBJECTIVE", note="Chờ ý kiến cơ quan phối hợp")
    assert second.data["setLateCause"]["dossier"]["lateCause"]["cause"] == "OBJECTIVE"
    entries = await AuditEntry.filter(action="dossier:late_cause", object_id=code).order_by("id")
    assert [e.changes["late_cause"] for e in entries] == [[None, "SUBJECTIVE"],
                                                          ["SUBJECTIVE", "OBJECTIVE"]]
    assert entries[1].changes["late_cause_note"] == ["Công chức nghỉ ốm",
                                                      "Chờ ý kiến cơ quan phối hợp"]
    again = await execute(SET, leader, c=code, cause="OBJECTIVE", note="Chờ ý kiến cơ quan phối hợp")
    assert again.errors == []
    assert await AuditEntry.filter(action="dossier:late_cause").count() == 2  # nothing changed


async def test_an_overdue_open_dossier_takes_a_cause(world, monkeypatch):
    code = await dossier(world, monkeypatch, received="2026-03-02 09:00", finished=None)
    move_clock(monkeypatch, "2026-03-12 09:00")
    result = await execute(SET, world.actor("thanh", ("SPECIALIST", "20335")), c=code,
                           cause="OBJECTIVE", note="Mất điện diện rộng")
    assert result.errors == [], result.errors
    assert (await Dossier.get(code=code)).late_cause == "OBJECTIVE"


async def test_a_clerk_or_another_unit_is_refused_and_nothing_changes(world, monkeypatch):
    code = await dossier(world, monkeypatch, received="2026-03-02 09:00", finished="2026-03-10 10:00")
    clerk = await execute(SET, world.actor("lan", ("CLERK", "20335")), c=code, cause="SUBJECTIVE",
                          note="x")
    assert clerk.codes == ["FORBIDDEN"]
    elsewhere = await execute(SET, world.actor("minh", ("LEADER", "20401")), c=code,
                              cause="SUBJECTIVE", note="x")
    assert elsewhere.codes == ["NOT_FOUND"]
    row = await Dossier.get(code=code)
    assert (row.late_cause, row.late_cause_note) == (None, None)
    assert await AuditEntry.filter(action="dossier:late_cause", outcome="ALLOWED").count() == 0


async def test_bad_input_names_the_field(world, monkeypatch):
    late = await dossier(world, monkeypatch, received="2026-03-02 09:00", finished="2026-03-10 10:00")
    on_time = await dossier(world, monkeypatch, received="2026-03-16 09:00",
                            finished="2026-03-16 15:00")
    leader = world.actor("hung", ("LEADER", "20335"))
    empty = await execute(SET, leader, c=late, cause="SUBJECTIVE", note="   ")
    long = await execute(SET, leader, c=late, cause="SUBJECTIVE", note="x" * 1001)
    not_late = await execute(SET, leader, c=on_time, cause="SUBJECTIVE", note="Không trễ")
    assert [r.errors[0]["extensions"]["field"] for r in (empty, long, not_late)] == \
        ["note", "note", "code"]
    assert {c for r in (empty, long, not_late) for c in r.codes} == {"BAD_USER_INPUT"}
    assert await Dossier.filter(late_cause__isnull=False).count() == 0


async def test_late_dossiers_are_counted_by_cause_like_metrics_counts_them(world, monkeypatch):
    codes = [await dossier(world, monkeypatch, received=f"2026-03-0{d} 09:00",
                           finished="2026-03-13 10:00") for d in (2, 3, 4, 5)]
    await dossier(world, monkeypatch, received="2026-03-16 09:00", finished="2026-03-16 15:00")
    leader = world.actor("hung", ("LEADER", "20335"))
    await execute(SET, leader, c=codes[0], cause="SUBJECTIVE", note="a")
    await execute(SET, leader, c=codes[1], cause="OBJECTIVE", note="b")
    await execute(SET, leader, c=codes[2], cause="OBJECTIVE", note="c")
    result = await execute(COUNT, world.actor("an", ("ADMIN", "49")), u="502",
                           f=str(date(2026, 3, 1)), t=str(date(2026, 3, 31)))
    assert result.errors == [], result.errors
    assert result.data["lateDossiers"] == {"subjective": 1, "objective": 2, "unstated": 1, "total": 4}
    assert result.data["metrics"]["resolvedLate"] == 4
    denied = await execute(COUNT, world.actor("lan2", ("SPECIALIST", "20335")), u="20335",
                           f="2026-03-01", t="2026-03-31")
    assert denied.codes and set(denied.codes) == {"FORBIDDEN"}
    other_city = await execute(COUNT, world.actor("minh", ("LEADER", "503")), u="502",
                               f="2026-03-01", t="2026-03-31")
    assert set(other_city.codes) == {"FORBIDDEN"}
    bad = await execute(COUNT, leader, u="20335", f="2026-03-31", t="2026-03-01")
    assert bad.errors[0]["extensions"]["field"] == "to"
