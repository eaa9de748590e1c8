"""The desk's real moves through the GraphQL API, with their audit entries and the metrics they
feed: refusal at reception, guidance before acceptance, the supplement and payment clock rules,
and the apology letter's limits (Decree 118/2025/NĐ-CP Art. 17, 19, 24; docs/deadlines.md)."""

from __future__ import annotations

from datetime import datetime

import pytest

from models import AuditEntry, Dossier, DossierEvent, Procedure
from resolvers import clock
from tests.graphql import execute
from tests.world import applicant, at, build_world

RECEIVE = """mutation Receive($input: ReceiveDossierInput!) {
  receiveDossier(input: $input) { dossier { code status nationalStatusCode receivedAt dueAt
    clockStartedAt allowedActions timeLimit { amount unit label } fee } } }"""
MOVE = """mutation Move($code: String!, $action: DossierAction!, $note: String) {
  transitionDossier(code: $code, action: $action, note: $note) { dossier {
    status nationalStatusCode receivedAt dueAt legalDueAt clockStartedAt pausedAt timeliness
    supplementCount allowedActions events { action note } } } }"""
EXTEND = """mutation Extend($code: String!, $due: DateTime!) {
  extendDossier(code: $code, newDueAt: $due, reason: "Cần xác minh thêm") { dossier { dueAt } } }"""
METRICS = """query M($u: String, $f: Date!, $t: Date!) { metrics(unitCode: $u, from: $f, to: $t) {
  received resolved resolvedEarly resolvedOnTime resolvedLate inProgress overdue } }"""
MARCH = {"f": "2026-03-01", "t": "2026-03-31"}


@pytest.fixture
async def world(db):
    return await build_world()


@pytest.fixture
def frozen(monkeypatch):
    def move(text: str) -> None:
        instant = at(text)
        monkeypatch.setattr(clock, "now", lambda: instant)

    return move


def people(world):
    return {"clerk": world.actor("lan", ("CLERK", "502")),
            "specialist": world.actor("thanh", ("SPECIALIST", "502")),
            "leader": world.actor("hung", ("LEADER", "502")),
            "inspector": world.actor("minh", ("INSPECTOR", "49"))}


async def receive(world, frozen, when: str, channel: str = "IN_PERSON", **extra) -> dict:
    frozen(when)
    result = await execute(RECEIVE, people(world)["clerk"], input={
        "procedureCode": "1.001612", "unitCode": "502", "channel": channel,
        "applicant": applicant(), **extra})
    assert result.errors == []
    return result.data["receiveDossier"]["dossier"]


async def move(world, frozen, when: str, code: str, action: str, who: str = "clerk",
               note: str | None = None) -> dict:
    frozen(when)
    result = await execute(MOVE, people(world)[who], code=code, action=action, note=note)
    assert result.errors == [], result.errors
    return result.data["transitionDossier"]["dossier"]


async def trail(code: str) -> list[tuple[str, str, str]]:
    entries = await AuditEntry.filter(object_id=code).order_by("id")
    return [(e.actor_username, e.action, e.outcome.value) for e in entries]


async def metrics(world, unit: str = "502") -> dict:
    result = await execute(METRICS, people(world)["inspector"], u=unit, **MARCH)
    assert result.errors == []
    return result.data["metrics"]


def local(text: str | None) -> str | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(
        clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


async def test_refuse_a_paper_dossier_at_reception(world, frozen):
    # given a paper dossier registered for the desk to check: no clock
    dossier = await receive(world, frozen, "2026-03-02 09:00", accepted=False)
    assert (dossier["status"], dossier["nationalStatusCode"], dossier["dueAt"]) == ("NEW", 1, None)
    assert dossier["allowedActions"] == ["ACCEPT", "REFUSE", "GUIDE_SUPPLEMENT", "WITHDRAW"]
    # when the clerk refuses it with the reason on the Phiếu từ chối
    refused = await move(world, frozen, "2026-03-02 09:10", dossier["code"], "REFUSE",
                         note="Không thuộc thẩm quyền giải quyết của UBND thành phố")
    # then it is status 3, its reason is in its history, and the trail has both moves
    assert (refused["status"], refused["nationalStatusCode"]) == ("NOT_ACCEPTED", 3)
    assert refused["events"][-1] == {"action": "REFUSE",
                                     "note": "Không thuộc thẩm quyền giải quyết của UBND thành phố"}
    assert await trail(dossier["code"]) == [("lan", "dossier:receive", "ALLOWED"),
                                            ("lan", "dossier:REFUSE", "ALLOWED")]
    entry = await AuditEntry.get(action="dossier:REFUSE")
    assert entry.changes["status"] == ["NEW", "NOT_ACCEPTED"]
    # and a dossier never received is not counted as received nor as resolved
    counts = await metrics(world)
    assert (counts["received"], counts["resolved"], counts["inProgress"]) == (0, 0, 0)


async def test_refusal_without_a_reason_changes_nothing(world, frozen):
    dossier = await receive(world, frozen, "2026-03-02 09:00", channel="POSTAL", accepted=False)
    frozen("2026-03-02 09:10")
    result = await execute(MOVE, people(world)["clerk"], code=dossier["code"], action="REFUSE")
    assert result.codes == ["BAD_USER_INPUT"] and result.errors[0]["extensions"]["field"] == "note"
    row = await Dossier.get(code=dossier["code"])
    assert (row.status, row.version) == ("NEW", 1)
    assert await DossierEvent.filter(dossier_id=row.id).count() == 1
    assert await trail(dossier["code"]) == [("lan", "dossier:receive", "ALLOWED")]


async def test_guidance_before_acceptance_then_accept_starts_the_clock(world, frozen):
    dossier = await receive(world, frozen, "2026-03-02 09:00", channel="POSTAL", accepted=False)
    guided = await move(world, frozen, "2026-03-02 09:30", dossier["code"], "GUIDE_SUPPLEMENT",
                        note="Thiếu bản sao hợp đồng thuê địa điểm")
    assert (guided["status"], guided["nationalStatusCode"], guided["supplementCount"]) == (
        "SUPPLEMENT_REQUESTED", 5, 0)
    assert (guided["dueAt"], guided["pausedAt"]) == (None, None)
    assert guided["allowedActions"] == ["ACCEPT", "SUPPLEMENT", "REFUSE", "WITHDRAW"]
    back = await move(world, frozen, "2026-03-05 16:00", dossier["code"], "SUPPLEMENT")
    assert back["status"] == "NEW"
    # accepted Thursday after closing: the clock starts Friday 07:00; 3 working days → Wed 11
    accepted = await move(world, frozen, "2026-03-05 17:20", dossier["code"], "ACCEPT")
    assert local(accepted["receivedAt"]) == "2026-03-05 17:20"
    assert local(accepted["clockStartedAt"]) == "2026-03-06 07:00"
    assert local(accepted["dueAt"])[:10] == "2026-03-11"
    await move(world, frozen, "2026-03-06 08:00", dossier["code"], "START_PROCESSING", "specialist")
    finished = await move(world, frozen, "2026-03-10 10:00", dossier["code"], "FINISH", "leader")
    assert (finished["timeliness"], finished["supplementCount"]) == ("EARLY", 0)
    assert await trail(dossier["code"]) == [
        ("lan", "dossier:receive", "ALLOWED"), ("lan", "dossier:GUIDE_SUPPLEMENT", "ALLOWED"),
        ("lan", "dossier:SUPPLEMENT", "ALLOWED"), ("lan", "dossier:ACCEPT", "ALLOWED"),
        ("thanh", "dossier:START_PROCESSING", "ALLOWED"), ("hung", "dossier:FINISH", "ALLOWED")]
    accept = await AuditEntry.get(action="dossier:ACCEPT")
    assert accept.changes["clock_started_at"][0] is None and accept.changes["status"] == [
        "NEW", "RECEIVED"]
    counts = await metrics(world)
    assert (counts["received"], counts["resolved"], counts["resolvedEarly"]) == (1, 1, 1)


async def test_guidance_is_the_desks_not_the_specialists(world, frozen):
    dossier = await receive(world, frozen, "2026-03-02 09:00", accepted=False)
    result = await execute(MOVE, people(world)["specialist"], code=dossier["code"],
                           action="GUIDE_SUPPLEMENT", note="Thiếu giấy tờ")
    assert result.codes == ["FORBIDDEN"]
    assert (await Dossier.get(code=dossier["code"])).status == "NEW"
    assert await trail(dossier["code"]) == [("lan", "dossier:receive", "ALLOWED"),
                                            ("thanh", "dossier:GUIDE_SUPPLEMENT", "DENIED")]


async def test_supplement_restarts_the_clock_and_feeds_the_metrics(world, frozen):
    dossier = await receive(world, frozen, "2026-03-02 09:00")  # due Thu 5 Mar
    await move(world, frozen, "2026-03-02 10:00", dossier["code"], "START_PROCESSING", "specialist")
    asked = await move(world, frozen, "2026-03-03 10:00", dossier["code"], "REQUEST_SUPPLEMENT",
                       "specialist", note="Bổ sung giấy chứng nhận quyền sử dụng địa điểm")
    assert local(asked["pausedAt"]) == "2026-03-03 10:00" and asked["supplementCount"] == 1
    frozen("2026-03-20 10:00")  # long after the first deadline: not overdue while waiting
    counts = await metrics(world)
    assert (counts["inProgress"], counts["overdue"]) == (1, 0)
    back = await move(world, frozen, "2026-03-16 14:00", dossier["code"], "SUPPLEMENT")
    assert local(back["clockStartedAt"]) == "2026-03-16 14:00"
    assert local(back["legalDueAt"])[:10] == local(back["dueAt"])[:10] == "2026-03-19"
    entry = await AuditEntry.get(action="dossier:SUPPLEMENT")
    assert entry.changes["legal_due_at"][1].startswith("2026-03-19T16:59:59")  # stored in UTC
    assert entry.changes["paused_at"][1] is None
    finished = await move(world, frozen, "2026-03-19 15:00", dossier["code"], "FINISH", "leader")
    assert finished["timeliness"] == "ON_TIME"
    counts = await metrics(world)
    assert (counts["resolved"], counts["resolvedOnTime"], counts["overdue"]) == (1, 1, 0)


async def test_land_payment_stops_the_clock_and_feeds_the_metrics(world, frozen):
    await Procedure.filter(code="1.001612").update(payment_pauses_clock=True)
    dossier = await receive(world, frozen, "2026-03-02 09:00")  # due Thu 5 Mar
    await move(world, frozen, "2026-03-02 10:00", dossier["code"], "START_PROCESSING", "specialist")
    asked = await move(world, frozen, "2026-03-03 10:00", dossier["code"], "REQUEST_PAYMENT",
                       "specialist")
    assert local(asked["pausedAt"]) == "2026-03-03 10:00"
    frozen("2026-03-10 10:00")
    assert (await metrics(world))["overdue"] == 0  # judged where the clock stopped
    paid = await move(world, frozen, "2026-03-09 10:00", dossier["code"], "CONFIRM_PAYMENT")
    assert paid["pausedAt"] is None and local(paid["legalDueAt"])[:10] == "2026-03-11"
    assert (await AuditEntry.get(action="dossier:CONFIRM_PAYMENT")).changes["paused_at"][1] is None
    frozen("2026-03-12 08:00")
    assert (await metrics(world))["overdue"] == 1


async def test_apology_is_refused_once_the_appointment_day_has_come(world, frozen):
    dossier = await receive(world, frozen, "2026-03-02 09:00")  # due Thu 5 Mar
    frozen("2026-03-05 08:00")
    result = await execute(EXTEND, people(world)["leader"], code=dossier["code"],
                           due="2026-03-10T12:00:00+07:00")
    assert result.codes == ["BAD_USER_INPUT"]
    assert "at the latest the day before the appointment 2026-03-05" in result.errors[0]["message"]
    row = await Dossier.get(code=dossier["code"])
    assert (row.extended_at, row.version) == (None, 1)
    failed = await AuditEntry.filter(action="mutation:extendDossier").first()
    assert failed is not None and failed.outcome.value == "ERROR"


async def test_apology_is_refused_while_a_supplement_is_outstanding(world, frozen):
    dossier = await receive(world, frozen, "2026-03-02 09:00")
    await move(world, frozen, "2026-03-03 09:00", dossier["code"], "REQUEST_SUPPLEMENT",
               note="Bổ sung bản vẽ")
    result = await execute(EXTEND, people(world)["leader"], code=dossier["code"],
                           due="2026-03-10T12:00:00+07:00")
    assert result.codes == ["BAD_USER_INPUT"]
    assert "while a supplement is outstanding" in result.errors[0]["message"]
    assert (await Dossier.get(code=dossier["code"])).extended_at is None


async def test_apology_the_day_before_moves_the_appointment_and_is_audited(world, frozen):
    dossier = await receive(world, frozen, "2026-03-02 09:00")  # due Thu 5 Mar
    frozen("2026-03-04 16:00")
    result = await execute(EXTEND, people(world)["leader"], code=dossier["code"],
                           due="2026-03-10T12:00:00+07:00")
    assert result.errors == []
    assert local(result.data["extendDossier"]["dossier"]["dueAt"])[:10] == "2026-03-10"
    assert (await trail(dossier["code"]))[-1] == ("hung", "dossier:EXTEND", "ALLOWED")


async def test_online_dossier_cannot_be_accepted_at_submission(world, frozen):
    frozen("2026-03-02 09:00")
    result = await execute(RECEIVE, people(world)["clerk"], input={
        "procedureCode": "1.001612", "unitCode": "502", "channel": "ONLINE",
        "applicant": applicant(), "accepted": True})
    assert result.codes == ["BAD_USER_INPUT"] and result.errors[0]["extensions"]["field"] == "accepted"
    assert await Dossier.all().count() == 0


async def test_reception_reports_the_channels_limit_and_fee(world, frozen):
    await Procedure.filter(code="1.001612").update(
        channel_terms={"ONLINE": {"fee": 50000}, "POSTAL": {"amount": 5}})
    postal = await receive(world, frozen, "2026-03-02 09:00", channel="POSTAL")
    assert postal["timeLimit"] == {"amount": 5, "unit": "WORKING_DAYS", "label": "05 ngày làm việc"}
    assert (postal["fee"], local(postal["dueAt"])[:10]) == (100000, "2026-03-09")
    online = await receive(world, frozen, "2026-03-02 09:00", channel="ONLINE")
    assert (online["fee"], online["timeLimit"]["amount"]) == (50000, 3)
