"""The scorecard's inputs are reachable through GraphQL: digitisation facts on reception, the
electronic result on FINISH, and synchronisation to the national portal."""

from __future__ import annotations

import pytest

from models import AuditEntry, Dossier
from tests.graphql import execute
from tests.world import applicant, build_world

RECEIVE = """mutation($i: ReceiveDossierInput!) { receiveDossier(input: $i) { dossier { code } } }"""
MOVE = """mutation($c: String!, $a: DossierAction!, $e: Boolean) {
  transitionDossier(code: $c, action: $a, resultElectronic: $e) {
    dossier { status resultElectronic } } }"""
SYNC = """mutation($c: String!) {
  recordPortalSync(code: $c) { dossier { code syncedToPortalAt version } } }"""


@pytest.fixture
async def world(db):
    return await build_world()


async def received(world, **facts) -> str:
    clerk = world.actor("lan", ("CLERK", "20335"))
    result = await execute(RECEIVE, clerk, i={"procedureCode": "1.001193", "unitCode": "20335",
                                              "channel": "IN_PERSON", "applicant": applicant(), **facts})
    assert result.errors == [], result.errors
    return result.data["receiveDossier"]["dossier"]["code"]


async def test_reception_records_the_digitisation_facts(world):
    plain = await received(world)
    digital = await received(world, digitizedComponents=True, electronicCertifiedCopies=True,
                             reusedData=True)
    rows = {d.code: d for d in await Dossier.all()}
    assert (rows[plain].components_digitized, rows[plain].certified_copies_electronic,
            rows[plain].reused_digitized_data) == (False, False, False)
    assert (rows[digital].components_digitized, rows[digital].certified_copies_electronic,
            rows[digital].reused_digitized_data) == (True, True, True)
    entry = await AuditEntry.get(action="dossier:receive", object_id=digital)
    assert entry.changes["reused_digitized_data"] == [None, True]


async def test_finish_records_an_electronic_result_and_other_actions_refuse_it(world):
    code = await received(world)
    specialist = world.actor("thanh", ("SPECIALIST", "20335"))
    leader = world.actor("hung", ("LEADER", "20335"))
    refused = await execute(MOVE, specialist, c=code, a="START_PROCESSING", e=True)
    assert refused.codes == ["BAD_USER_INPUT"] and refused.errors[0]["extensions"]["field"] == \
        "resultElectronic"
    assert (await Dossier.get(code=code)).status == "RECEIVED"
    await execute(MOVE, specialist, c=code, a="START_PROCESSING")
    finished = await execute(MOVE, leader, c=code, a="FINISH", e=True)
    assert finished.data["transitionDossier"]["dossier"] == {"status": "FINISHED",
                                                             "resultElectronic": True}


async def test_portal_sync_is_recorded_once_by_those_allowed(world):
    code = await received(world)
    clerk = world.actor("lan", ("CLERK", "20335"))
    denied = await execute(SYNC, clerk, c=code)
    assert denied.codes == ["FORBIDDEN"]
    assert (await Dossier.get(code=code)).synced_to_portal_at is None
    admin = world.actor("an", ("ADMIN", "49"))
    first = await execute(SYNC, admin, c=code)
    again = await execute(SYNC, admin, c=code)
    assert first.errors == [] and first.data["recordPortalSync"]["dossier"]["syncedToPortalAt"]
    assert again.data == first.data  # a repeat changes nothing
    assert await AuditEntry.filter(action="dossier:PORTAL_SYNC", outcome="ALLOWED").count() == 1
