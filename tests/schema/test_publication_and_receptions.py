"""Publication facts, delegated procedures and postal-staff receptions through GraphQL, and
the reception figures that count them."""

from __future__ import annotations

import pytest

from models import AuditEntry, Dossier, Procedure, ProcedureDelegation
from resolvers import clock
from tests.graphql import execute
from tests.world import applicant, at, build_world

PUBLISH = """mutation($c: String!, $i: ProcedurePublicationInput!) {
  updateProcedurePublication(code: $c, input: $i) {
    code onlineLevel publication { publishedOnTime updatedOnTime contentComplete payableOnline } } }"""
DELEGATE = """mutation($u: String!, $p: String!, $d: Boolean!, $by: String, $doc: String) {
  setProcedureDelegation(unitCode: $u, procedureCode: $p, delegated: $d, delegatedBy: $by,
                         document: $doc) { unitCode procedureCode delegatedBy document } }"""
RECEIVE = """mutation($i: ReceiveDossierInput!) {
  receiveDossier(input: $i) { dossier { code receivedByPostalStaff } } }"""
FIGURES = """query($u: String!) { receptionFigures(unitCode: $u, from: "2026-03-01", to: "2026-03-31") {
  received byPostalStaff delegatedProcedures receivedForDelegated } }"""


@pytest.fixture
async def world(db, monkeypatch):
    moment = at("2026-03-10 10:00")
    monkeypatch.setattr(clock, "now", lambda: moment)
    return await build_world()


def root_admin(world):
    from policies import Actor, ActorKind, Grant
    return Actor(kind=ActorKind.USER, username="root",
                 grants=(Grant(role="ADMIN", unit_code="/", unit_path="/"),))


async def test_a_system_administrator_changes_publication_facts_audited(world):
    result = await execute(PUBLISH, root_admin(world), c="2.000908",
                           i={"publishedOnTime": False, "onlineLevel": "FULL", "payableOnline": True})
    assert result.errors == [], result.errors
    assert result.data["updateProcedurePublication"] == {
        "code": "2.000908", "onlineLevel": "FULL",
        "publication": {"publishedOnTime": False, "updatedOnTime": True, "contentComplete": True,
                        "payableOnline": True}}
    entry = await AuditEntry.get(action="procedure:publish", object_id="2.000908")
    assert entry.changes == {"published_on_time": [True, False], "online_level": ["PARTIAL", "FULL"],
                             "payable_online": [False, True]}


async def test_a_province_admin_cannot_change_the_national_catalogue(world):
    result = await execute(PUBLISH, world.actor("an", ("ADMIN", "49")), c="2.000908",
                           i={"publishedOnTime": False})
    assert result.codes == ["FORBIDDEN"]
    assert (await Procedure.get(code="2.000908")).published_on_time is True
    assert await AuditEntry.filter(action="procedure:publish", outcome="ALLOWED").count() == 0


@pytest.mark.parametrize(("code", "facts", "field"), [
    ("2.000908", {}, "input"),
    ("1.001193", {"payableOnline": True}, "input.payableOnline"),  # no fee
    ("9.999999", {"contentComplete": False}, "code"),
])
async def test_bad_publication_input_names_the_field(world, code, facts, field):
    result = await execute(PUBLISH, root_admin(world), c=code, i=facts)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert await AuditEntry.filter(action="procedure:publish", outcome="ALLOWED").count() == 0


async def test_delegation_is_set_and_removed_by_the_units_admin_and_counted(world):
    admin = world.actor("an", ("ADMIN", "49"))
    made = await execute(DELEGATE, admin, u="502", p="1.001612", d=True, by="UBND tỉnh Quảng Nam",
                         doc="Quyết định 59/QĐ-UBND")
    assert made.errors == [], made.errors
    assert made.data["setProcedureDelegation"]["delegatedBy"] == "UBND tỉnh Quảng Nam"
    clerk = world.actor("lan", ("CLERK", "502"))
    for postal in (True, False):
        await execute(RECEIVE, clerk, i={"procedureCode": "1.001612", "unitCode": "502",
                                         "channel": "IN_PERSON", "applicant": applicant(),
                                         "receivedByPostalStaff": postal})
    figures = await execute(FIGURES, admin, u="49")
    assert figures.data["receptionFigures"] == {"received": 2, "byPostalStaff": 1,
                                                "delegatedProcedures": 1, "receivedForDelegated": 2}
    removed = await execute(DELEGATE, admin, u="502", p="1.001612", d=False)
    assert removed.errors == [] and removed.data["setProcedureDelegation"] is None
    entries = await AuditEntry.filter(action="procedure:delegate").order_by("id")
    assert [e.changes["delegated_by"] for e in entries] == [[None, "UBND tỉnh Quảng Nam"],
                                                            ["UBND tỉnh Quảng Nam", None]]
    after = await execute(FIGURES, admin, u="49")
    assert after.data["receptionFigures"]["receivedForDelegated"] == 0


async def test_delegation_is_refused_outside_the_admins_units_and_checked(world):
    refused = await execute(DELEGATE, world.actor("minh", ("ADMIN", "503")), u="502", p="1.001612",
                            d=True, by="UBND tỉnh")
    leader = await execute(DELEGATE, world.actor("hung", ("LEADER", "502")), u="502", p="1.001612",
                           d=True, by="UBND tỉnh")
    assert refused.codes == ["FORBIDDEN"] and leader.codes == ["FORBIDDEN"]
    admin = world.actor("an", ("ADMIN", "49"))
    no_by = await execute(DELEGATE, admin, u="502", p="1.001612", d=True)
    wrong_level = await execute(DELEGATE, admin, u="502", p="1.001193", d=True, by="UBND tỉnh")
    assert no_by.errors[0]["extensions"]["field"] == "delegatedBy"
    assert wrong_level.errors[0]["extensions"]["field"] == "procedureCode"
    assert await ProcedureDelegation.all().count() == 0


async def test_postal_staff_receptions_are_recorded_audited_and_not_online(world):
    clerk = world.actor("lan", ("CLERK", "20335"))
    made = await execute(RECEIVE, clerk, i={"procedureCode": "1.001193", "unitCode": "20335",
                                            "channel": "IN_PERSON", "applicant": applicant(),
                                            "receivedByPostalStaff": True})
    code = made.data["receiveDossier"]["dossier"]["code"]
    assert made.data["receiveDossier"]["dossier"]["receivedByPostalStaff"] is True
    entry = await AuditEntry.get(action="dossier:receive", object_id=code)
    assert entry.changes["received_by_postal_staff"] == [None, True]
    online = await execute(RECEIVE, clerk, i={"procedureCode": "1.001193", "unitCode": "20335",
                                              "channel": "ONLINE", "applicant": applicant(),
                                              "receivedByPostalStaff": True})
    assert online.errors[0]["extensions"]["field"] == "receivedByPostalStaff"
    specialist = await execute(RECEIVE, world.actor("thanh", ("SPECIALIST", "20335")), i={
        "procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
        "applicant": applicant(), "receivedByPostalStaff": True})
    assert specialist.codes == ["FORBIDDEN"]
    assert await Dossier.all().count() == 1
    denied = await execute(FIGURES, clerk, u="49")
    assert denied.codes == ["FORBIDDEN"]
    mine = await execute(FIGURES, clerk, u="20335")
    assert mine.data["receptionFigures"]["byPostalStaff"] == 1
