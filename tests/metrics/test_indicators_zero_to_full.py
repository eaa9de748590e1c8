"""Every scorecard indicator driven from 0 to its maximum through GraphQL alone: receptions,
transitions with their facts, portal synchronisation, feedback and publication facts.

A period where everything went wrong (March–May 2026) scores 0 on every indicator; after the
publication facts are put right, a period where everything went well (June 2026) scores full
points on every one. The keys come from the scorecard itself, so a new indicator without a
way to reach it through the API fails here."""

from __future__ import annotations

from datetime import date

import pytest

from policies import ANONYMOUS, Actor, ActorKind, Grant
from resolvers import clock
from resolvers.metrics.scorecard import indicator_keys
from tests.graphql import execute
from tests.world import applicant, at, build_world

RECEIVE = """mutation($i: ReceiveDossierInput!) { receiveDossier(input: $i) { dossier { code } } }"""
MOVE = """mutation($c: String!, $a: DossierAction!, $e: Boolean) {
  transitionDossier(code: $c, action: $a, resultElectronic: $e) { dossier { status timeliness } } }"""
SYNC = """mutation($c: String!) { recordPortalSync(code: $c) { dossier { code } } }"""
PUBLISH = """mutation($c: String!, $i: ProcedurePublicationInput!) {
  updateProcedurePublication(code: $c, input: $i) { code } }"""
COMPLAIN = """mutation { submitComplaint(unitCode: "20335", content: "Chờ lâu") {
  feedback { id } secret } }"""
HANDLE = """mutation($id: ID!) { handleComplaint(feedbackId: $id, response: "Đã xử lý") {
  feedback { id } } }"""
SATISFIED = """mutation($id: ID!, $s: Boolean!, $secret: String!) {
  recordComplaintSatisfaction(feedbackId: $id, satisfied: $s, secret: $secret) { feedback { id } } }"""
RATE = """mutation($c: String!, $s: Satisfaction!) {
  rateDossier(dossierCode: $c, satisfaction: $s, applicantIdNumber: "049090001234") {
    feedback { id } } }"""
SCORES = """query($f: Date!, $t: Date!) { metrics(unitCode: "20335", from: $f, to: $t) {
  scorecard { groups { indicators { key score maxScore } } } } }"""
COMMUNE_PROCEDURES = ("1.001193", "2.000908")  # the procedures that apply at Phường An Mỹ


@pytest.fixture
async def world(db):
    return await build_world()


class Office:
    """The people of Phường An Mỹ and its partners, acting at moments the test sets."""

    def __init__(self, world, monkeypatch) -> None:
        self.monkeypatch = monkeypatch
        self.clerk = world.actor("lan", ("CLERK", "20335"))
        self.specialist = world.actor("thanh", ("SPECIALIST", "20335"))
        self.leader = world.actor("hung", ("LEADER", "20335"))
        self.admin = world.actor("an", ("ADMIN", "49"))
        self.root = Actor(kind=ActorKind.USER, username="root",
                          grants=(Grant(role="ADMIN", unit_code="/", unit_path="/"),))
        self.gateway = Actor(kind=ActorKind.PARTNER, username="vnpay",
                             scopes=frozenset({"payment:confirm", "dossier:read"}),
                             partner_unit_path=world.units["49"].path)

    async def at(self, moment: str, document: str, actor: Actor, **variables):
        instant = at(moment)
        self.monkeypatch.setattr(clock, "now", lambda: instant)
        result = await execute(document, actor, **variables)
        assert result.errors == [], result.errors
        return result.data

    async def publish(self, moment: str, **facts) -> None:
        for code in COMMUNE_PROCEDURES:
            # 1.001193 has no fee: nothing to pay online.
            given = {k: v for k, v in facts.items() if code != "1.001193" or k != "payableOnline"}
            await self.at(moment, PUBLISH, self.root, c=code, i=given)

    async def scores(self, moment: str, first: str, last: str) -> dict[str, tuple[float, float]]:
        data = await self.at(moment, SCORES, self.admin, f=first, t=last)
        return {i["key"]: (i["score"], i["maxScore"])
                for g in data["metrics"]["scorecard"]["groups"] for i in g["indicators"]}

    async def complaint(self, submitted: str, handled: str, satisfied: bool) -> None:
        made = (await self.at(submitted, COMPLAIN, ANONYMOUS))["submitComplaint"]
        await self.at(handled, HANDLE, self.leader, id=made["feedback"]["id"])
        await self.at(handled, SATISFIED, ANONYMOUS, id=made["feedback"]["id"], s=satisfied,
                      secret=made["secret"])


async def test_every_indicator_moves_from_zero_to_its_maximum(world, monkeypatch):
    office = Office(world, monkeypatch)
    # Everything wrong: the catalogue published late, incomplete, offline, not payable online;
    # a paper dossier with a fee, nothing digitised, finished late with a paper result, never
    # synchronised, rated 1; a complaint answered after its due day, to the citizen's displeasure.
    await office.publish("2026-02-01 08:00", publishedOnTime=False, updatedOnTime=False,
                         contentComplete=False, onlineLevel="NONE", payableOnline=False)
    bad = (await office.at("2026-03-02 09:00", RECEIVE, office.clerk, i={
        "procedureCode": "2.000908", "unitCode": "20335", "channel": "IN_PERSON",
        "applicant": applicant()}))["receiveDossier"]["dossier"]["code"]
    await office.at("2026-03-02 10:00", MOVE, office.specialist, c=bad, a="START_PROCESSING")
    finished = await office.at("2026-03-20 10:00", MOVE, office.leader, c=bad, a="FINISH", e=False)
    assert finished["transitionDossier"]["dossier"]["timeliness"] == "LATE"
    await office.at("2026-03-21 10:00", RATE, ANONYMOUS, c=bad, s="NOT_SATISFIED")
    await office.complaint("2026-03-02 08:00", "2026-04-20 09:00", satisfied=False)

    zero = await office.scores("2026-05-31 12:00", "2026-03-01", "2026-05-31")
    assert set(zero) == set(indicator_keys(date(2026, 5, 31)))
    assert {k: s for k, (s, _) in zero.items() if s != 0} == {}

    # Everything right: the catalogue put right; an online dossier, digitised, with electronic
    # certified copies and re-used data, paid through the gateway, finished early with an
    # electronic result, synchronised, rated 5; a complaint answered the next day, to satisfaction.
    await office.publish("2026-06-01 07:00", publishedOnTime=True, updatedOnTime=True,
                         contentComplete=True, onlineLevel="FULL", payableOnline=True)
    good = (await office.at("2026-06-01 08:00", RECEIVE, office.clerk, i={
        "procedureCode": "2.000908", "unitCode": "20335", "channel": "ONLINE",
        "applicant": applicant(), "digitizedComponents": True, "electronicCertifiedCopies": True,
        "reusedData": True}))["receiveDossier"]["dossier"]["code"]
    await office.at("2026-06-01 08:30", MOVE, office.clerk, c=good, a="ACCEPT")
    await office.at("2026-06-01 09:00", MOVE, office.specialist, c=good, a="START_PROCESSING")
    await office.at("2026-06-01 09:30", MOVE, office.specialist, c=good, a="REQUEST_PAYMENT")
    await office.at("2026-06-01 10:00", MOVE, office.gateway, c=good, a="CONFIRM_PAYMENT")
    done = await office.at("2026-06-02 10:00", MOVE, office.leader, c=good, a="FINISH", e=True)
    assert done["transitionDossier"]["dossier"]["timeliness"] in ("EARLY", "ON_TIME")
    await office.at("2026-06-02 11:00", SYNC, office.admin, c=good)
    await office.at("2026-06-03 10:00", RATE, ANONYMOUS, c=good, s="VERY_SATISFIED")
    await office.complaint("2026-06-01 08:00", "2026-06-02 09:00", satisfied=True)

    full = await office.scores("2026-06-30 12:00", "2026-06-01", "2026-06-30")
    assert {k: (s, m) for k, (s, m) in full.items() if s != m} == {}
    assert sum(m for _, m in full.values()) == 100
