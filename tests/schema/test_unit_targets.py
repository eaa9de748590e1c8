"""A unit's yearly targets: set by its ADMIN or LEADER (or above), validated against the
scorecard's indicators, audited, and answered with the actual value of the year so far."""

from __future__ import annotations

import pytest

from models import AuditEntry, UnitTarget
from resolvers import clock
from tests.graphql import execute
from tests.world import applicant, at, build_world

SET = """mutation($u: String!, $y: Int!, $i: String!, $v: Float!) {
  setUnitTarget(unitCode: $u, year: $y, indicator: $i, value: $v) {
    unit { code } year indicator value actual progress reached setBy } }"""
READ = """query($u: String!, $y: Int!) {
  unitTargets(unitCode: $u, year: $y) { indicator value actual progress reached } }"""
RECEIVE = """mutation($i: ReceiveDossierInput!) { receiveDossier(input: $i) { dossier { code } } }"""
METRICS = """query($u: String!) { metrics(unitCode: $u, from: "2026-01-01", to: "2026-04-01") {
  scorecard { groups { indicators { key ratio } } } } }"""


@pytest.fixture
async def world(db, monkeypatch):
    moment = at("2026-04-01 10:00")
    monkeypatch.setattr(clock, "now", lambda: moment)
    return await build_world()


async def test_a_leader_sets_a_target_and_reads_progress_from_the_metrics(world):
    clerk = world.actor("lan", ("CLERK", "20335"))
    for digitized in (True, True, False, False, False):
        await execute(RECEIVE, clerk, i={"procedureCode": "1.001193", "unitCode": "20335",
                                         "channel": "IN_PERSON", "applicant": applicant(),
                                         "digitizedComponents": digitized})
    leader = world.actor("hung", ("LEADER", "502"))
    result = await execute(SET, leader, u="20335", y=2026, i="components_digitized", v=40)
    assert result.errors == [], result.errors
    assert result.data["setUnitTarget"] == {
        "unit": {"code": "20335"}, "year": 2026, "indicator": "components_digitized", "value": 40.0,
        "actual": 40.0, "progress": 1.0, "reached": True, "setBy": "hung"}
    # The same ratio the scorecard has: one formula.
    card = await execute(METRICS, leader, u="20335")
    ratio = {i["key"]: i["ratio"] for g in card.data["metrics"]["scorecard"]["groups"]
             for i in g["indicators"]}["components_digitized"]
    assert ratio == pytest.approx(0.4)
    await execute(SET, leader, u="20335", y=2026, i="components_digitized", v=80)
    read = await execute(READ, world.actor("tra", ("INSPECTOR", "49")), u="20335", y=2026)
    assert read.data["unitTargets"] == [{"indicator": "components_digitized", "value": 80.0,
                                         "actual": 40.0, "progress": 0.5, "reached": False}]
    entries = await AuditEntry.filter(action="target:set").order_by("id")
    assert [e.changes for e in entries] == [{"value": [None, 40.0]}, {"value": [40.0, 80.0]}]
    assert entries[0].object_id == "20335/2026/components_digitized"


async def test_a_target_with_nothing_judged_yet_has_no_actual(world):
    admin = world.actor("an", ("ADMIN", "49"))
    result = await execute(SET, admin, u="49", y=2027, i="results_electronic", v=35)
    assert result.data["setUnitTarget"]["actual"] is None
    assert result.data["setUnitTarget"]["progress"] is None


async def test_a_clerk_a_specialist_or_another_unit_is_refused_and_nothing_is_written(world):
    for actor in (world.actor("lan", ("CLERK", "20335")),
                  world.actor("thanh", ("SPECIALIST", "502")),
                  world.actor("minh", ("LEADER", "503")),
                  world.actor("tra", ("INSPECTOR", "49"))):
        result = await execute(SET, actor, u="20335", y=2026, i="results_electronic", v=40)
        assert result.codes == ["FORBIDDEN"], actor.username
    assert await UnitTarget.all().count() == 0
    assert await AuditEntry.filter(action="target:set", outcome="ALLOWED").count() == 0
    assert await AuditEntry.filter(outcome="DENIED").count() >= 1


@pytest.mark.parametrize(("values", "field"), [
    ({"u": "20335", "y": 2026, "i": "digitisation", "v": 40}, "indicator"),
    ({"u": "20335", "y": 2026, "i": "results_electronic", "v": 140}, "value"),
    ({"u": "20335", "y": 2026, "i": "results_electronic", "v": -1}, "value"),
    ({"u": "20335", "y": 1999, "i": "results_electronic", "v": 40}, "year"),
    ({"u": "99999", "y": 2026, "i": "results_electronic", "v": 40}, "unitCode"),
])
async def test_bad_input_names_the_field(world, values, field):
    result = await execute(SET, world.actor("an", ("ADMIN", "49")), **values)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert await UnitTarget.all().count() == 0
