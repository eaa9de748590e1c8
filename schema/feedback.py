"""Citizens' feedback: complaints and their answers, ratings of dossiers, the scoped list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

import strawberry

from resolvers import feedback as use_cases
from resolvers.feedback import FeedbackKind, Satisfaction
from schema.catalogue import AdministrativeUnit
from schema.context import Info
from schema.pagination import CountedConnection

FeedbackKindEnum = strawberry.enum(FeedbackKind, name="FeedbackKind")
SatisfactionEnum = strawberry.enum(
    Satisfaction, name="Satisfaction",
    description="An applicant's verdict on how a dossier was handled, on the national portal's "
                "three levels (rất hài lòng / hài lòng / không hài lòng).")


@strawberry.type(description="A complaint or a rating; the texts are shown to officials who may read "
                             "feedback at its unit, since anyone may call the public mutations.")
class Feedback:
    id: strawberry.ID
    kind: FeedbackKind
    dossier_code: Optional[str]
    submitted_at: datetime
    due_at: Optional[datetime]
    handled_at: Optional[datetime]
    content: Optional[str]
    response: Optional[str]
    satisfied: Optional[bool]
    rating: Optional[int] = strawberry.field(
        description="The 1–5 rating an old client gave (null when given as `satisfaction`).",
        deprecation_reason="Use `satisfaction` (three levels, as the 766 scorecard counts).")
    satisfaction: Optional[Satisfaction] = strawberry.field(
        description="A rating's level (ratings stored as 1–5 map 5 → VERY_SATISFIED, "
                    "4 → SATISFIED, 1–3 → NOT_SATISFIED).")
    _unit_id: strawberry.Private[int]

    @classmethod
    def of(cls, view: use_cases.FeedbackView) -> Feedback:
        row = view.row
        return cls(
            id=strawberry.ID(str(row.id)), kind=row.kind, submitted_at=row.submitted_at,
            dossier_code=view.dossier_code, due_at=row.due_at, handled_at=row.handled_at,
            content=view.content, response=view.response, satisfied=row.satisfied,
            rating=row.rating, satisfaction=row.satisfaction, _unit_id=row.unit_id,
        )

    @classmethod
    async def one(cls, row: use_cases.FeedbackRow, info: Info) -> Feedback:
        return cls.of((await use_cases.present(info.context.actor, [row]))[0])

    @strawberry.field
    async def unit(self, info: Info) -> AdministrativeUnit:
        row = await info.context.loaders.unit.load(self._unit_id)
        assert row is not None  # a foreign key
        return AdministrativeUnit.from_row(row)


@strawberry.input
class FeedbackFilter:
    unit_code: Optional[str] = None
    kind: Optional[FeedbackKind] = None
    open_only: bool = strawberry.field(default=False,
                                       description="Only complaints still waiting for an answer.")


@strawberry.type
class FeedbackConnection(CountedConnection[Feedback]):
    pass


@strawberry.type
class FeedbackQuery:
    @strawberry.field(description="Complaints and ratings in your jurisdiction, newest first.")
    async def feedback(
        self, info: Info, filter: Optional[FeedbackFilter] = None,
        first: Optional[int] = None, after: Optional[str] = None,
    ) -> FeedbackConnection:
        flt = filter or FeedbackFilter()
        page = await use_cases.list_feedback(
            actor=info.context.actor, unit_code=flt.unit_code, kind=flt.kind,
            open_only=flt.open_only, first=first, after=after,
        )
        return FeedbackConnection.of(page, Feedback.of)


@strawberry.type
class FeedbackPayload:
    feedback: Feedback


@strawberry.type
class ComplaintPayload:
    feedback: Feedback
    secret: str = strawberry.field(
        description="Shown once: the complainant needs it to record satisfaction with the answer.")


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(description="A complaint about a unit or one of its dossiers (anyone).")
    async def submit_complaint(
        self, info: Info, unit_code: str, content: str, dossier_code: Optional[str] = None,
    ) -> ComplaintPayload:
        row, secret = await use_cases.submit_complaint(
            actor=info.context.actor, unit_code=unit_code, content=content,
            dossier_code=dossier_code)
        return ComplaintPayload(feedback=await Feedback.one(row, info), secret=secret)

    @strawberry.mutation(description="Rate a finished or returned dossier, once: `satisfaction` "
                                     "on three levels (or an old client's 1–5 `rating`); the "
                                     "applicant's ID number proves it is theirs.")
    async def rate_dossier(
        self, info: Info, dossier_code: str, applicant_id_number: str,
        rating: Annotated[Optional[int], strawberry.argument(
            description="1–5 (old clients): 5 → VERY_SATISFIED, 4 → SATISFIED, 1–3 → "
                        "NOT_SATISFIED.",
            deprecation_reason="Use `satisfaction`.")] = None,
        satisfaction: Annotated[Optional[Satisfaction], strawberry.argument(
            description="Rất hài lòng / hài lòng / không hài lòng.")] = None,
    ) -> FeedbackPayload:
        row = await use_cases.rate_dossier(actor=info.context.actor, dossier_code=dossier_code,
                                           rating=rating, satisfaction=satisfaction,
                                           applicant_id_number=applicant_id_number,
                                           proofs=info.context.proofs)
        return FeedbackPayload(feedback=await Feedback.one(row, info))

    @strawberry.mutation(description="An official's answer to a complaint, once.")
    async def handle_complaint(
        self, info: Info, feedback_id: strawberry.ID, response: str,
    ) -> FeedbackPayload:
        row = await use_cases.handle_complaint(
            actor=info.context.actor, feedback_id=use_cases.parse_id(feedback_id), response=response)
        return FeedbackPayload(feedback=await Feedback.one(row, info))

    @strawberry.mutation(description="The citizen's verdict on an answered complaint, once.")
    async def record_complaint_satisfaction(
        self, info: Info, feedback_id: strawberry.ID, satisfied: bool, secret: str,
    ) -> FeedbackPayload:
        row = await use_cases.record_complaint_satisfaction(
            actor=info.context.actor, feedback_id=use_cases.parse_id(feedback_id),
            satisfied=satisfied, secret=secret, proofs=info.context.proofs)
        return FeedbackPayload(feedback=await Feedback.one(row, info))


__all__ = ["FeedbackMutation", "FeedbackQuery"]
