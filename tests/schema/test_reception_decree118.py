"""Reception under Decree 118/2025/NĐ-CP: any public service centre of the province receives
for any unit of it; the competent unit processes; the receiving desk returns the result."""

from __future__ import annotations

import pytest

from models import AuditEntry, Dossier
from tests.graphql import execute
from tests.units.helpers import official
from tests.world import applicant, build_world

RECEIVE = """
mutation Receive($input: ReceiveDossierInput!) {
  receiveDossier(input: $input) {
    dossier { code status unit { code } desk { code } receivedUnit { code } applicant { idNumber } }
  }
}
"""
MOVE = """
mutation Move($code: String!, $action: DossierAction!) {
  transitionDossier(code: $code, action: $action) { dossier { status version } }
}
"""
ONE = "query One($code: String!) { dossier(code: $code) { code } }"
TRACK = "query Track($code: String!) { trackDossier(code: $code) { status } }"
AT_DESK = """
query AtDesk($desk: String!) {
  dossiers(filter: {deskCode: $desk}) { totalCount edges { node { code applicant { idNumber } } } }
}
"""


def birth_registration(**overrides) -> dict:
    """A commune-level procedure for ward 20335 (An Mỹ)."""
    return {"procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
            "applicant": applicant()} | overrides


@pytest.fixture
async def people(db):
    await build_world()
    return {
        "desk": await official("thu", "CLERK", "20401"),  # Minh An ward, in Hội An
        "specialist": await official("son", "SPECIALIST", "20335"),
        "leader": await official("hai", "LEADER", "20335"),
        "elsewhere": await official("khac", "CLERK", "490"),  # another province
    }


async def test_receive_for_another_commune_of_the_province_records_the_desk(people):
    result = await execute(RECEIVE, people["desk"], input=birth_registration())

    assert result.errors == []
    dossier = result.data["receiveDossier"]["dossier"]
    assert (dossier["unit"], dossier["desk"], dossier["receivedUnit"]) == (
        {"code": "20335"}, {"code": "20401"}, {"code": "20335"})
    assert dossier["code"].startswith("UB20401-")  # the receiving desk's code (Art. 28(2)(a))
    assert dossier["applicant"]["idNumber"] == "*********234"  # not the desk's to read
    entry = await AuditEntry.get(action="dossier:receive")
    assert entry.changes["desk"] == [None, "20401"] and entry.unit_path == "/49/502/20335/"


async def test_desk_receives_the_handling_unit_processes_the_desk_returns(people):
    received = await execute(RECEIVE, people["desk"], input=birth_registration())
    code = received.data["receiveDossier"]["dossier"]["code"]

    started = await execute(MOVE, people["specialist"], code=code, action="START_PROCESSING")
    finished = await execute(MOVE, people["leader"], code=code, action="FINISH")
    returned = await execute(MOVE, people["desk"], code=code, action="RETURN_RESULT")

    assert [r.errors for r in (started, finished, returned)] == [[], [], []]
    assert returned.data["transitionDossier"]["dossier"]["status"] == "RETURNED"
    entry = await AuditEntry.get(action="dossier:RETURN_RESULT")
    assert entry.actor_username == "thu"


async def test_desk_cannot_process_what_it_received_for_another_unit(people):
    received = await execute(RECEIVE, people["desk"], input=birth_registration())
    code = received.data["receiveDossier"]["dossier"]["code"]

    result = await execute(MOVE, people["desk"], code=code, action="WITHDRAW")

    assert result.codes == ["FORBIDDEN"]
    assert (await Dossier.get(code=code)).status == "RECEIVED"


async def test_desk_reads_the_public_status_and_its_own_receptions_only(people):
    received = await execute(RECEIVE, people["desk"], input=birth_registration())
    code = received.data["receiveDossier"]["dossier"]["code"]

    full = await execute(ONE, people["desk"], code=code)
    tracked = await execute(TRACK, people["desk"], code=code)
    listed = await execute(AT_DESK, people["desk"], desk="20401")
    handling = await execute(AT_DESK, people["specialist"], desk="20401")

    assert full.data["dossier"] is None
    assert tracked.data["trackDossier"] == {"status": "RECEIVED"}
    assert listed.data["dossiers"]["totalCount"] == 1
    assert listed.data["dossiers"]["edges"][0]["node"]["applicant"]["idNumber"] == "*********234"
    assert handling.data["dossiers"]["totalCount"] == 1  # its own dossier, received elsewhere


async def test_receive_for_a_unit_of_another_province_is_refused(people):
    result = await execute(RECEIVE, people["elsewhere"], input=birth_registration())

    assert result.codes == ["FORBIDDEN"]
    assert result.errors[0]["message"].startswith("desk 490 receives only for units of its own province")
    assert await Dossier.all().count() == 0
    refusal = await AuditEntry.get(outcome="DENIED")
    assert refusal.action == "dossier:receive"


async def test_receive_procedure_of_another_level_than_the_handling_unit_is_refused(people):
    result = await execute(RECEIVE, people["desk"], input=birth_registration(procedureCode="1.004227"))

    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == "procedureCode"
    assert await Dossier.all().count() == 0


async def test_receive_at_the_province_centre_for_a_commune(people):
    province_clerk = await official("tinh", "CLERK", "49")

    result = await execute(RECEIVE, province_clerk, input=birth_registration(deskCode="49"))

    assert result.data["receiveDossier"]["dossier"]["desk"] == {"code": "49"}
    assert result.data["receiveDossier"]["dossier"]["applicant"]["idNumber"] == "049090001234"
