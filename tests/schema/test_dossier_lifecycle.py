"""The dossier lifecycle through the GraphQL API: every path, and every refusal."""

from __future__ import annotations

import pytest

from models import AuditEntry, Dossier, DossierEvent
from resolvers import clock
from tests.graphql import execute
from tests.world import applicant, at, build_world

RECEIVE = """
mutation Receive($input: ReceiveDossierInput!) {
  receiveDossier(input: $input) {
    dossier { code status nationalStatusCode channel receivedAt dueAt timeliness version
              procedure { code } unit { code } applicant { name idNumber phone } }
  }
}
"""
TRANSITION = """
mutation Move($code: String!, $action: DossierAction!, $note: String, $version: Int) {
  transitionDossier(code: $code, action: $action, note: $note, expectedVersion: $version) {
    dossier { code status nationalStatusCode dueAt legalDueAt finishedAt returnedAt
              timeliness version supplementCount
              events { action fromStatus toStatus actor { username } note } }
  }
}
"""


@pytest.fixture
async def world(db):
    return await build_world()


@pytest.fixture
def frozen(monkeypatch):
    """Move the clock: `frozen("2026-02-13 09:00")` sets now to that local time."""

    def move(text: str) -> None:
        instant = at(text)
        monkeypatch.setattr(clock, "now", lambda: instant)

    return move


async def receive(world, channel="IN_PERSON", unit="20335", procedure="1.001193", **extra):
    clerk = world.actor("clerk", ("CLERK", unit))
    result = await execute(RECEIVE, clerk, input={
        "procedureCode": procedure, "unitCode": unit, "channel": channel,
        "applicant": applicant(), **extra})
    assert result.errors == []
    return result.data["receiveDossier"]["dossier"]


async def move(world, code, action, *, who=("clerk", "CLERK"), unit="20335", **variables):
    actor = world.actor(who[0], (who[1], unit))
    return await execute(TRANSITION, actor, code=code, action=action, **variables)


ROLE_FOR = {
    "ACCEPT": "CLERK", "REFUSE": "CLERK", "GUIDE_SUPPLEMENT": "CLERK", "START_PROCESSING": "SPECIALIST",
    "REQUEST_SUPPLEMENT": "CLERK", "SUPPLEMENT": "CLERK", "REQUEST_PAYMENT": "SPECIALIST",
    "CONFIRM_PAYMENT": "CLERK", "FINISH": "LEADER", "STOP": "LEADER", "WITHDRAW": "CLERK",
    "RETURN_RESULT": "CLERK",
}

# The written reason the applicant is given (Decree 118 Art. 17(1)(c), 19(5)).
REASONS = {"REFUSE": "Hồ sơ không thuộc thẩm quyền", "GUIDE_SUPPLEMENT": "Thiếu giấy chứng sinh",
           "REQUEST_SUPPLEMENT": "Bổ sung bản sao giấy tờ tùy thân"}

PATHS = [
    ("ONLINE", ["ACCEPT", "START_PROCESSING", "FINISH", "RETURN_RESULT"], "RETURNED"),
    ("ONLINE", ["REFUSE"], "NOT_ACCEPTED"),
    ("ONLINE", ["WITHDRAW"], "WITHDRAWN"),
    ("ONLINE", ["GUIDE_SUPPLEMENT", "SUPPLEMENT", "ACCEPT", "START_PROCESSING", "FINISH"], "FINISHED"),
    ("ONLINE", ["GUIDE_SUPPLEMENT", "REFUSE"], "NOT_ACCEPTED"),
    # Paper dossiers registered for checking at the desk (`accepted: false`).
    ("IN_PERSON_CHECK", ["REFUSE"], "NOT_ACCEPTED"),
    ("IN_PERSON_CHECK", ["GUIDE_SUPPLEMENT", "ACCEPT", "START_PROCESSING", "FINISH"], "FINISHED"),
    ("IN_PERSON_CHECK", ["GUIDE_SUPPLEMENT", "WITHDRAW"], "WITHDRAWN"),
    ("POSTAL_CHECK", ["REFUSE"], "NOT_ACCEPTED"),
    ("POSTAL_CHECK", ["ACCEPT", "REQUEST_SUPPLEMENT", "SUPPLEMENT", "FINISH"], "FINISHED"),
    ("IN_PERSON", ["START_PROCESSING", "REQUEST_SUPPLEMENT", "SUPPLEMENT", "REQUEST_PAYMENT",
                   "CONFIRM_PAYMENT", "FINISH", "RETURN_RESULT"], "RETURNED"),
    ("IN_PERSON", ["REQUEST_SUPPLEMENT", "SUPPLEMENT", "FINISH"], "FINISHED"),
    ("POSTAL", ["START_PROCESSING", "STOP"], "STOPPED"),
    ("IN_PERSON", ["REQUEST_SUPPLEMENT", "STOP"], "STOPPED"),
    ("IN_PERSON", ["START_PROCESSING", "REQUEST_PAYMENT", "WITHDRAW"], "WITHDRAWN"),
    ("IN_PERSON", ["START_PROCESSING", "REQUEST_SUPPLEMENT", "WITHDRAW"], "WITHDRAWN"),
    ("IN_PERSON", ["STOP"], "STOPPED"),
    ("IN_PERSON", ["START_PROCESSING", "REQUEST_PAYMENT", "STOP"], "STOPPED"),
]


@pytest.mark.parametrize(("channel", "actions", "final"), PATHS)
async def test_transition_every_path_reaches_its_end(world, channel, actions, final):
    # given a dossier received through the channel (or registered for checking at the desk)
    checked = channel.endswith("_CHECK")
    extra = {"accepted": False} if checked else {}
    dossier = await receive(world, channel=channel.removesuffix("_CHECK"), **extra)
    expected_start = "NEW" if channel == "ONLINE" or checked else "RECEIVED"
    assert dossier["status"] == expected_start
    # when each action is applied by the role that holds it, with a reason where one is due
    for action in actions:
        result = await move(world, dossier["code"], action, who=(ROLE_FOR[action].lower(),
                                                                  ROLE_FOR[action]),
                            note=REASONS.get(action))
        assert result.errors == [], (action, result.errors)
    # then the dossier ends where the path says, with one event per step
    final_dossier = result.data["transitionDossier"]["dossier"]
    assert final_dossier["status"] == final
    assert final_dossier["version"] == 1 + len(actions)
    assert [e["action"] for e in final_dossier["events"]] == ["RECEIVE", *actions]
    assert final_dossier["timeliness"] in {"EARLY", "ON_TIME"}


async def test_receive_in_person_starts_the_clock(world, frozen):
    frozen("2026-03-02 09:00")  # a Monday
    dossier = await receive(world, procedure="2.000908")  # 2 working days
    assert dossier["status"] == "RECEIVED"
    assert dossier["nationalStatusCode"] == 2
    assert dossier["dueAt"] == "2026-03-04T23:59:59+07:00"  # the end of Wed 4 Mar, in local time
    assert dossier["code"] == "UB20335-260302-0001"
    assert dossier["applicant"]["idNumber"] == "049090001234"  # the clerk may read PII


async def test_receive_online_waits_for_acceptance(world):
    dossier = await receive(world, channel="ONLINE")
    assert (dossier["status"], dossier["nationalStatusCode"]) == ("NEW", 1)
    assert dossier["dueAt"] is None and dossier["receivedAt"] is None


async def test_transition_illegal_step_is_refused_naming_status_and_allowed(world):
    dossier = await receive(world)
    result = await move(world, dossier["code"], "RETURN_RESULT")
    assert result.codes == ["BAD_USER_INPUT"]
    error = result.errors[0]
    assert error["message"] == (
        "cannot RETURN_RESULT a dossier in status RECEIVED; allowed: "
        "START_PROCESSING, REQUEST_SUPPLEMENT, WITHDRAW, STOP")
    assert error["extensions"]["status"] == "RECEIVED"
    row = await Dossier.get(code=dossier["code"])
    assert (row.status, row.version) == ("RECEIVED", 1)
    assert await DossierEvent.filter(dossier_id=row.id).count() == 1


async def test_transition_from_final_status_is_refused(world):
    dossier = await receive(world)
    await move(world, dossier["code"], "WITHDRAW")
    result = await move(world, dossier["code"], "START_PROCESSING", who=("s", "SPECIALIST"))
    assert result.codes == ["BAD_USER_INPUT"]
    assert "allowed: none (final status)" in result.errors[0]["message"]


async def test_transition_stale_version_is_a_conflict(world):
    dossier = await receive(world)
    result = await move(world, dossier["code"], "START_PROCESSING", who=("s", "SPECIALIST"),
                        version=7)
    assert result.codes == ["CONFLICT"]
    assert (await Dossier.get(code=dossier["code"])).status == "RECEIVED"


async def test_transition_by_role_without_the_action_is_forbidden(world):
    dossier = await receive(world)
    result = await move(world, dossier["code"], "FINISH", who=("clerk", "CLERK"))
    assert result.codes == ["FORBIDDEN"]
    row = await Dossier.get(code=dossier["code"])
    assert row.status == "RECEIVED" and row.version == 1
    refusals = await AuditEntry.filter(action="dossier:FINISH")
    assert [(e.outcome, e.object_id, e.changes) for e in refusals] == [
        ("DENIED", dossier["code"], None)]  # the refusal is recorded; no change is


async def test_transition_outside_jurisdiction_reads_as_not_found(world):
    dossier = await receive(world)
    result = await move(world, dossier["code"], "WITHDRAW", unit="20341")  # neighbouring ward
    assert result.codes == ["NOT_FOUND"]
    assert (await Dossier.get(code=dossier["code"])).status == "RECEIVED"


async def test_transition_writes_event_and_audit_with_changes(world):
    dossier = await receive(world)
    result = await move(world, dossier["code"], "START_PROCESSING", who=("thu", "SPECIALIST"),
                        note="Giao chuyên viên thụ lý")
    event = result.data["transitionDossier"]["dossier"]["events"][-1]
    assert event == {"action": "START_PROCESSING", "fromStatus": "RECEIVED",
                     "toStatus": "IN_PROCESSING", "actor": {"username": "thu"},
                     "note": "Giao chuyên viên thụ lý"}
    entry = await AuditEntry.get(action="dossier:START_PROCESSING")
    assert entry.actor_username == "thu" and entry.object_id == dossier["code"]
    assert entry.changes["status"] == ["RECEIVED", "IN_PROCESSING"]
    assert entry.changes["version"] == [1, 2]
