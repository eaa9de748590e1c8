"""Citizens' feedback: complaints and their 15-working-day deadline, ratings, who may
handle what where, the scoped list, the GraphQL fields, and what the metrics make of it."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import strawberry
from strawberry.tools import merge_types

from models import AuditEntry, Dossier, Feedback
from models.errors import BadInput, DomainError, Forbidden, NotFound
from policies import ANONYMOUS, SYSTEM, allows
from resolvers import clock, feedback
from resolvers.dossiers import Applicant, Reception, receive_dossier, transition_dossier
from resolvers.lifecycle import DossierAction as A
from resolvers.metrics import service
from schema.context import Context
from schema.feedback import FeedbackMutation, FeedbackQuery
from tests.world import at, build_world

APPLICANT_ID = "049190005678"
SECRETS: dict[int, str] = {}

# Who may do what with feedback under the default policy (policies/policy.csv), at a unit.
FEEDBACK_POLICY = {
    "ANONYMOUS": {"submit", "rate"},
    "CLERK": {"submit", "rate", "handle", "read"},
    "SPECIALIST": {"submit", "rate"},
    "LEADER": {"submit", "rate", "handle", "read"},
    "INSPECTOR": {"submit", "rate", "read"},
    "ADMIN": {"submit", "rate", "read"},
}


@pytest.fixture
async def world(db):
    return await build_world()


@pytest.fixture
def now(monkeypatch):
    """Move the clock (use cases and metrics read it through resolvers.clock)."""

    def set_now(text: str) -> None:
        instant = at(text)
        monkeypatch.setattr(clock, "now", lambda: instant)

    return set_now


async def ended_dossier(now, when: str, unit: str = "20335") -> Dossier:
    """A birth registration received, processed and finished on the same day."""
    now(when)
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code=unit, channel="IN_PERSON",
        applicant=Applicant(name="Trần Thị Bình", id_number=APPLICANT_ID)))
    for action in (A.START_PROCESSING, A.FINISH):
        dossier = await transition_dossier(actor=SYSTEM, code=dossier.code, action=action)
    return dossier


async def complaint(now, when: str, unit: str = "20335", text: str = "Cán bộ hẹn lại nhiều lần"):
    """A complaint; its secret (shown once to the complainant) is kept in SECRETS."""
    now(when)
    row, secret = await feedback.submit_complaint(actor=ANONYMOUS, unit_code=unit, content=text)
    SECRETS[row.id] = secret
    return row


@pytest.mark.parametrize("role", sorted(FEEDBACK_POLICY))
async def test_default_policy_decides_feedback_by_role(world, role):
    """The seeded policy, as enforced: each role may do exactly its feedback actions, at its
    unit and below, and nothing at a unit outside its grant."""
    actor = ANONYMOUS if role == "ANONYMOUS" else world.actor("x", (role, "502"))
    for act in ("submit", "rate", "handle", "read"):
        expected = act in FEEDBACK_POLICY[role]
        assert allows(actor, "feedback", act, world.units["20335"].path) is expected, (role, act)
        if role != "ANONYMOUS" and act in ("handle", "read"):
            assert not allows(actor, "feedback", act, world.units["20401"].path), (role, act)


async def test_submit_complaint_is_due_15_working_days_later_across_holidays(world, now):
    # Fri 24 Apr 2026: Mon 27 Apr (Hùng Kings, observed), Thu 30 Apr and Fri 1 May are off
    row = await complaint(now, "2026-04-24 09:00")
    assert row.kind == "COMPLAINT"
    assert clock.local_date(row.due_at) == date(2026, 5, 20)
    assert row.due_at.astimezone(clock.LOCAL_TZ).strftime("%H:%M:%S") == "23:59:59"
    assert row.submitted_at == at("2026-04-24 09:00")
    assert row.unit_path == world.units["20335"].path


async def test_submit_complaint_anonymous_is_audited_without_its_text(world, now):
    row = await complaint(now, "2026-03-02 09:00", text="  Thái độ  ")
    assert (await Feedback.get(id=row.id)).content == "Thái độ"
    entry = await AuditEntry.get(action="feedback:submit")
    assert (entry.actor_kind, entry.object_id, entry.unit_path) == (
        "ANONYMOUS", str(row.id), world.units["20335"].path)
    assert entry.changes["content_length"] == [None, 7]
    assert "Thái" not in str(entry.changes)


@pytest.mark.parametrize(("args", "field"), [
    ({"unit_code": "20335", "content": "   "}, "content"),
    ({"unit_code": "20335", "content": "x" * 5001}, "content"),
    ({"unit_code": "99999", "content": "Chậm"}, "unitCode"),
    ({"unit_code": "20335", "content": "Chậm", "dossier_code": "KHONG-CO"}, "dossierCode"),
])
async def test_submit_complaint_refuses_bad_input(world, args, field):
    with pytest.raises(BadInput) as error:
        await feedback.submit_complaint(actor=ANONYMOUS, **args)
    assert error.value.field == field
    assert await Feedback.all().count() == 0


async def test_submit_complaint_refuses_a_dossier_of_another_unit(world, now):
    dossier = await ended_dossier(now, "2026-03-02 09:00", unit="20341")
    with pytest.raises(BadInput) as error:
        await feedback.submit_complaint(actor=ANONYMOUS, unit_code="20335", content="Chậm",
                                        dossier_code=dossier.code)
    assert error.value.field == "dossierCode"
    # the district holds the commune's dossier in its subtree
    row, _ = await feedback.submit_complaint(actor=ANONYMOUS, unit_code="502", content="Chậm",
                                             dossier_code=dossier.code)
    assert row.dossier_id == dossier.id
    assert await Feedback.all().count() == 1


async def test_handle_complaint_by_anonymous_is_not_found(world, now):
    row = await complaint(now, "2026-03-02 09:00")
    with pytest.raises(NotFound):
        await feedback.handle_complaint(actor=ANONYMOUS, feedback_id=row.id, response="Đã xử lý")
    fresh = await Feedback.get(id=row.id)
    assert (fresh.handled_at, fresh.response) == (None, None)
    assert await AuditEntry.filter(action="feedback:handle").count() == 0


async def test_handle_complaint_by_neighbour_commune_clerk_is_not_found(world, now):
    # a complaint outside the caller's reach reads as missing, like a dossier
    row = await complaint(now, "2026-03-02 09:00")
    neighbour = world.actor("hoa", ("CLERK", "20341"))
    with pytest.raises(NotFound) as error:
        await feedback.handle_complaint(actor=neighbour, feedback_id=row.id, response="Đã xử lý")
    assert error.value.message == f"feedback {row.id} not found"
    assert (await Feedback.get(id=row.id)).handled_at is None


async def test_handle_complaint_by_an_inspector_who_reads_it_is_forbidden(world, now):
    row = await complaint(now, "2026-03-02 09:00")
    with pytest.raises(Forbidden):
        await feedback.handle_complaint(actor=world.actor("minh", ("INSPECTOR", "49")),
                                        feedback_id=row.id, response="Đã xử lý")
    assert (await Feedback.get(id=row.id)).handled_at is None


async def test_handle_complaint_once_by_a_leader_above(world, now):
    row = await complaint(now, "2026-03-02 09:00")
    leader = world.actor("tuan", ("LEADER", "502"))
    now("2026-03-05 14:00")
    handled = await feedback.handle_complaint(actor=leader, feedback_id=row.id,
                                              response="Đã chấn chỉnh cán bộ")
    assert (handled.handled_at, handled.response) == (at("2026-03-05 14:00"), "Đã chấn chỉnh cán bộ")
    entry = await AuditEntry.get(action="feedback:handle")
    assert entry.changes["response_length"] == [None, 20]
    clerk = world.actor("lan", ("CLERK", "20335"))
    with pytest.raises(BadInput) as error:
        await feedback.handle_complaint(actor=clerk, feedback_id=row.id, response="Lần hai")
    assert error.value.field == "feedbackId"
    assert (await Feedback.get(id=row.id)).response == "Đã chấn chỉnh cán bộ"


async def test_rate_dossier_needs_an_ended_dossier_and_a_valid_rating(world, now):
    now("2026-03-02 09:00")
    open_dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
        applicant=Applicant(name="Lê Văn Cường", id_number=APPLICANT_ID)))
    with pytest.raises(BadInput) as error:
        await feedback.rate_dossier(actor=ANONYMOUS, dossier_code=open_dossier.code, rating=5,
                                      applicant_id_number=APPLICANT_ID)
    assert (error.value.message, error.value.field) == (feedback.RATING_REFUSED, "applicantIdNumber")
    ended = await ended_dossier(now, "2026-03-02 10:00")
    with pytest.raises(BadInput) as error:
        await feedback.rate_dossier(actor=ANONYMOUS, dossier_code=ended.code, rating=6,
                                      applicant_id_number=APPLICANT_ID)
    assert error.value.field == "rating"
    assert await Feedback.all().count() == 0


async def test_rate_dossier_twice_is_refused(world, now):
    dossier = await ended_dossier(now, "2026-03-02 09:00")
    dossier = await transition_dossier(actor=SYSTEM, code=dossier.code, action=A.RETURN_RESULT)
    row = await feedback.rate_dossier(actor=ANONYMOUS, dossier_code=dossier.code, rating=4,
                                      applicant_id_number=APPLICANT_ID)
    assert (row.kind, row.rating, row.unit_path) == ("RATING", 4, world.units["20335"].path)
    with pytest.raises(BadInput) as error:  # the same answer as a wrong ID number
        await feedback.rate_dossier(actor=ANONYMOUS, dossier_code=dossier.code, rating=1,
                                      applicant_id_number=APPLICANT_ID)
    assert (error.value.message, error.value.field) == (feedback.RATING_REFUSED, "applicantIdNumber")
    assert [f.rating for f in await Feedback.all()] == [4]
    assert await AuditEntry.filter(action="feedback:rate").count() == 1


async def test_satisfaction_only_after_handling_and_only_once(world, now):
    row = await complaint(now, "2026-03-02 09:00")
    with pytest.raises(BadInput) as error:
        await feedback.record_complaint_satisfaction(actor=ANONYMOUS, feedback_id=row.id,
                                                     satisfied=True, secret=SECRETS[row.id])
    assert error.value.field == "feedbackId"
    assert (await Feedback.get(id=row.id)).satisfied is None
    await feedback.handle_complaint(actor=world.actor("lan", ("CLERK", "20335")),
                                    feedback_id=row.id, response="Đã trả lời")
    answered = await feedback.record_complaint_satisfaction(actor=ANONYMOUS, feedback_id=row.id,
                                                            satisfied=False, secret=SECRETS[row.id])
    assert answered.satisfied is False
    with pytest.raises(BadInput):
        await feedback.record_complaint_satisfaction(actor=ANONYMOUS, feedback_id=row.id,
                                                     satisfied=True, secret=SECRETS[row.id])
    assert (await Feedback.get(id=row.id)).satisfied is False
    assert await AuditEntry.filter(action="feedback:satisfaction").count() == 1


async def test_list_feedback_follows_jurisdiction(world, now):
    an_my = await complaint(now, "2026-03-02 09:00", unit="20335")
    an_xuan = await complaint(now, "2026-03-02 10:00", unit="20341")
    minh_an = await complaint(now, "2026-03-02 11:00", unit="20401")
    rated = await ended_dossier(now, "2026-03-03 09:00", unit="20335")
    rating = await feedback.rate_dossier(actor=ANONYMOUS, dossier_code=rated.code, rating=5,
                                      applicant_id_number=APPLICANT_ID)

    async def ids(actor, **filters) -> list[int]:
        return [v.row.id for v in (await feedback.list_feedback(actor=actor, **filters)).items]

    assert await ids(world.actor("lan", ("CLERK", "20335"))) == [rating.id, an_my.id]
    assert await ids(world.actor("tuan", ("LEADER", "502"))) == [rating.id, an_xuan.id, an_my.id]
    assert await ids(world.actor("minh", ("INSPECTOR", "49"))) == [
        rating.id, minh_an.id, an_xuan.id, an_my.id]
    assert await ids(ANONYMOUS) == []
    assert await ids(world.actor("thu", ("SPECIALIST", "49"))) == []
    inspector = world.actor("minh", ("INSPECTOR", "49"))
    assert await ids(inspector, unit_code="503") == [minh_an.id]
    assert await ids(inspector, kind="RATING") == [rating.id]
    assert await ids(inspector, open_only=True) == [minh_an.id, an_xuan.id, an_my.id]
    # a commune clerk asking for the province sees only their own commune
    assert await ids(world.actor("lan", ("CLERK", "20335")), unit_code="49") == [rating.id, an_my.id]
    first = await feedback.list_feedback(actor=inspector, first=3)
    assert first.has_next and await first.total_count() == 4
    rest = await feedback.list_feedback(actor=inspector, first=3, after=first.end_cursor)
    assert ([v.row.id for v in rest.items], rest.has_next) == ([an_my.id], False)


async def test_metrics_count_ratings_and_complaints(world, now):
    for rating, when in ((5, "2026-03-03 09:00"), (4, "2026-03-04 09:00"), (2, "2026-03-05 09:00")):
        dossier = await ended_dossier(now, when)
        await feedback.rate_dossier(actor=ANONYMOUS, dossier_code=dossier.code, rating=rating,
                                      applicant_id_number=APPLICANT_ID)
    clerk = world.actor("lan", ("CLERK", "20335"))
    # three complaints of Mon 2 Mar, all due Mon 23 Mar
    early, late, unanswered = [await complaint(now, f"2026-03-02 0{h}:00") for h in (8, 9)] + [
        await complaint(now, "2026-03-02 10:00", unit="20341")]
    assert {clock.local_date(c.due_at) for c in (early, late, unanswered)} == {date(2026, 3, 23)}
    now("2026-03-10 09:00")
    await feedback.handle_complaint(actor=clerk, feedback_id=early.id, response="Đã xử lý")
    await feedback.record_complaint_satisfaction(actor=ANONYMOUS, feedback_id=early.id,
                                                 satisfied=True, secret=SECRETS[early.id])
    now("2026-03-25 09:00")
    await feedback.handle_complaint(actor=clerk, feedback_id=late.id, response="Đã xử lý muộn")
    await feedback.record_complaint_satisfaction(actor=ANONYMOUS, feedback_id=late.id,
                                                 satisfied=False, secret=SECRETS[late.id])
    leader = world.actor("tuan", ("LEADER", "502"))
    report = await service.compute(actor=leader, unit_code="502", first=date(2026, 3, 1),
                                   last=date(2026, 3, 31))
    totals = report.totals
    assert (totals.ratings, totals.ratings_satisfied) == (3, 2)
    assert totals.satisfaction_rate == pytest.approx(2 / 3)
    assert (totals.complaints_due, totals.complaints_on_time) == (3, 1)
    assert (totals.complaints_answered, totals.complaints_satisfied) == (2, 1)
    per_unit = {code: m for code, _, m in await service.breakdown(report, service.BreakdownBy.UNIT)}
    assert (per_unit["20335"].complaints_due, per_unit["20341"].complaints_due) == (2, 1)
    # a period that ends before the due date judges no complaint, but counts March's ratings
    early_march = await service.compute(actor=leader, unit_code="502", first=date(2026, 3, 1),
                                        last=date(2026, 3, 20))
    assert (early_march.totals.complaints_due, early_march.totals.ratings) == (0, 3)
    assert (early_march.totals.complaints_answered, early_march.totals.complaints_satisfied) == (1, 1)


FEEDBACK_SCHEMA = strawberry.Schema(query=merge_types("Query", (FeedbackQuery,)),
                                    mutation=merge_types("Mutation", (FeedbackMutation,)))
SUBMIT = """
mutation($unit: String!, $content: String!) {
  submitComplaint(unitCode: $unit, content: $content) {
    feedback { id kind content dueAt unit { code } }
  }
}
"""
HANDLE = """
mutation($id: ID!) { handleComplaint(feedbackId: $id, response: "Đã xử lý") { feedback { response } } }
"""
LIST = """
query($filter: FeedbackFilter) {
  feedback(filter: $filter) { totalCount edges { node { kind content rating dossierCode } } }
}
"""


async def run(document: str, actor, **variables):
    result = await FEEDBACK_SCHEMA.execute(document, variable_values=variables,
                                           context_value=Context(actor=actor))
    errors = [e.original_error for e in result.errors or []]
    return result.data, errors


async def test_schema_submit_handle_and_list(world, now):
    now("2026-04-24 09:00")
    data, errors = await run(SUBMIT, ANONYMOUS, unit="20335", content="Chờ lâu")
    assert errors == []
    # the public payload does not echo texts: ids are sequential and anyone may call
    submitted = data["submitComplaint"]["feedback"]
    assert datetime.fromisoformat(submitted.pop("dueAt")) == at("2026-05-20 23:59:59")
    assert submitted | {"id": None} == {"id": None, "kind": "COMPLAINT", "content": None,
                                        "unit": {"code": "20335"}}
    feedback_id = data["submitComplaint"]["feedback"]["id"]
    data, errors = await run(HANDLE, ANONYMOUS, id=feedback_id)
    assert [type(e) for e in errors] == [NotFound]  # out of reach reads as not found
    data, errors = await run(HANDLE, world.actor("lan", ("CLERK", "20335")), id="abc")
    assert [(type(e), e.field) for e in errors] == [(BadInput, "feedbackId")]
    data, errors = await run(HANDLE, world.actor("lan", ("CLERK", "20335")), id=feedback_id)
    assert (data, errors) == ({"handleComplaint": {"feedback": {"response": "Đã xử lý"}}}, [])
    dossier = await ended_dossier(now, "2026-04-24 10:00")
    await feedback.rate_dossier(actor=ANONYMOUS, dossier_code=dossier.code, rating=3,
                                      applicant_id_number=APPLICANT_ID)
    data, errors = await run(LIST, world.actor("tuan", ("LEADER", "502")),
                             filter={"kind": "RATING"})
    assert (data, errors) == ({"feedback": {"totalCount": 1, "edges": [{"node": {
        "kind": "RATING", "content": "", "rating": 3, "dossierCode": dossier.code}}]}}, [])
    data, errors = await run(LIST, world.actor("lan", ("CLERK", "20335")),
                             filter={"unitCode": "nope"})
    assert all(isinstance(e, DomainError) for e in errors) and errors[0].field == "filter.unitCode"


async def test_rating_needs_the_applicants_id_number(world, now):
    dossier = await ended_dossier(now, "2026-03-02 09:00")
    with pytest.raises(BadInput) as error:
        await feedback.rate_dossier(actor=ANONYMOUS, dossier_code=dossier.code, rating=1,
                                    applicant_id_number="049190000000")
    assert error.value.field == "applicantIdNumber"
    assert await Feedback.filter(kind="RATING").count() == 0


async def test_satisfaction_needs_the_complaint_secret(world, now):
    row = await complaint(now, "2026-03-02 09:00")
    await feedback.handle_complaint(actor=world.actor("lan", ("CLERK", "20335")),
                                    feedback_id=row.id, response="Đã trả lời")
    with pytest.raises(BadInput) as error:
        await feedback.record_complaint_satisfaction(actor=ANONYMOUS, feedback_id=row.id,
                                                     satisfied=False, secret="doan-mo")
    assert error.value.field == "secret"
    assert (await Feedback.get(id=row.id)).satisfied is None
