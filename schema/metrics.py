"""`metrics`: a unit's numbers for a period, their breakdowns and the 766 scorecard."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Optional

import strawberry

from resolvers.metrics import service
from resolvers.metrics.measures import CHANNELS, Measures
from resolvers.metrics.methods import GradeKey
from resolvers.metrics.scorecard import Scorecard as ScorecardResult
from schema.catalogue import AdministrativeUnit
from schema.context import Info
from schema.loaders import selected_below

BreakdownByEnum = strawberry.enum(service.BreakdownBy, name="BreakdownBy")


@strawberry.type
class ChannelCount:
    channel: str
    count: int


@strawberry.type(description="The measures; rates are fractions from 0 to 1, null when undefined.")
class MeasureSet:
    received: int
    received_by_channel: list[ChannelCount]
    resolved: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    on_time_rate: Optional[float]
    in_progress: Optional[int] = strawberry.field(description="Open now (null for past slices).")
    overdue: Optional[int] = strawberry.field(description="Open and past the deadline now.")
    online_rate: Optional[float]
    online_payment_rate: Optional[float]
    digitization_rate: Optional[float]
    average_processing_days: Optional[float]
    satisfaction_rate: Optional[float]

    @staticmethod
    def values(m: Measures) -> dict:
        return dict(
            received=m.received,
            received_by_channel=[ChannelCount(channel=c, count=n) for c, n in m.by_channel.items()],
            resolved=m.resolved, resolved_early=m.resolved_early,
            resolved_on_time=m.resolved_on_time, resolved_late=m.resolved_late,
            on_time_rate=m.on_time_rate, in_progress=m.in_progress if m.live else None,
            overdue=m.overdue if m.live else None, online_rate=m.online_rate,
            online_payment_rate=m.online_payment_rate, digitization_rate=m.digitization_rate,
            average_processing_days=m.average_processing_days,
            satisfaction_rate=m.satisfaction_rate if m.live else None,
        )

    @classmethod
    def of(cls, m: Measures) -> MeasureSet:
        return cls(**cls.values(m))


@strawberry.type
class BreakdownRow:
    key: str
    label: str
    metrics: MeasureSet


ScorecardGradeEnum = strawberry.enum(
    GradeKey, name="ScorecardGrade",
    description="The method's classification: Xuất sắc, Tốt, Khá, Trung bình, Yếu.")


@strawberry.type(description="One indicator of the method: points for numerator / denominator.")
class IndicatorScore:
    key: str = strawberry.field(description="Stable English key, e.g. dossiers_resolved_on_time.")
    label: str = strawberry.field(description="The official Vietnamese name.")
    score: float
    max_score: float
    ratio: Optional[float] = strawberry.field(description="numerator / denominator; null when "
                                                          "there is nothing to judge.")
    numerator: int = strawberry.field(description="What the indicator counts (docs/scorecard.md).")
    denominator: int = strawberry.field(description="What it counts among.")
    judged: bool = strawberry.field(description="False when there is nothing to judge "
                                                "(denominator 0): the indicator is left out and "
                                                "its group rescaled over the others.")


@strawberry.type(description="One group of indicators (nhóm chỉ số).")
class GroupScore:
    key: str
    label: str = strawberry.field(description="The official Vietnamese name.")
    score: float
    max_score: float
    judged: bool = strawberry.field(description="False when no indicator of the group had "
                                                "anything to judge (the group scores 0).")
    indicators: list[IndicatorScore]


@strawberry.type
class RankedUnit:
    rank: int = strawberry.field(description="1 + the number of units ranked above (ties share).")
    unit: AdministrativeUnit
    total: float
    band: str
    grade: GradeKey = strawberry.field(description="The official grade (xếp loại).")


def _ranked(cards: list[tuple[Any, ScorecardResult]]) -> list[RankedUnit]:
    totals = [card.total for _, card in cards]
    return [RankedUnit(rank=1 + sum(1 for t in totals if t > card.total),
                       unit=AdministrativeUnit.from_row(unit), total=card.total, band=card.band,
                       grade=card.grade.key) for unit, card in cards]


@strawberry.type(description="The 766 scorecard by the method in force on the period's last day.")
class Scorecard:
    total: float
    max_total: float
    grade: GradeKey = strawberry.field(description="The official grade (xếp loại) of the total.")
    grade_label: str = strawberry.field(description="The grade in Vietnamese, e.g. Khá.")
    band: str = strawberry.field(description="Colour band (configuration, not the method).")
    method: str = strawberry.field(description="The method's version, e.g. QD766_2024.")
    method_label: str = strawberry.field(description="The method's version in Vietnamese.")
    groups: list[GroupScore]
    _report: strawberry.Private[service.MetricsReport]

    @classmethod
    def of(cls, card: ScorecardResult, report: service.MetricsReport) -> Scorecard:
        groups = [GroupScore(key=g.key, label=g.label, score=g.score, max_score=g.max_score,
                             judged=g.judged, indicators=[
            IndicatorScore(key=i.key, label=i.label, score=i.score, max_score=i.max_score,
                           ratio=i.ratio, numerator=i.numerator, denominator=i.denominator,
                           judged=i.judged)
            for i in g.indicators]) for g in card.groups]
        return cls(total=card.total, max_total=card.max_total, grade=card.grade.key,
                   grade_label=card.grade.label, band=card.band, method=card.method.key,
                   method_label=card.method.label, groups=groups, _report=report)

    @strawberry.field(description="The child units in your jurisdiction ranked by total.")
    def ranking(self) -> list[RankedUnit]:
        return _ranked(service.ranking(self._report))


@strawberry.type
class Metrics(MeasureSet):
    unit: AdministrativeUnit
    _report: strawberry.Private[service.MetricsReport]

    @strawberry.field
    async def breakdown(self, by: service.BreakdownBy) -> list[BreakdownRow]:
        rows = await service.breakdown(self._report, by)
        return [BreakdownRow(key=k, label=label, metrics=MeasureSet.of(m)) for k, label, m in rows]

    @strawberry.field
    def scorecard(self) -> Scorecard:
        return Scorecard.of(service.scorecard(self._report), self._report)

    @strawberry.field(description="The unit's rank by scorecard total among its siblings (the "
                                  "provinces, for a province); null when it is not ranked.")
    async def rank(self) -> Optional[int]:
        return (await self._standing()).rank

    @strawberry.field(description="How many units the rank is among (the unit and its siblings).")
    async def ranked_among(self) -> int:
        return (await self._standing()).ranked_among

    @strawberry.field(description="The child units in your jurisdiction ranked by total.")
    def ranking(self) -> list[RankedUnit]:
        return _ranked(service.ranking(self._report))

    async def _standing(self) -> service.Standing:
        if self._report.standing is None:
            self._report.standing = await service.standing(self._report)
        return self._report.standing


# The fields that read the scorecard's inputs; a document selecting none of them (at any
# depth, through fragments too) gets a report without them (service.compute `scored`).
SCORED = frozenset({"scorecard", "ranking", "rank", "rankedAmong"})


@strawberry.type
class MetricsQuery:
    @strawberry.field(description="A unit's measures for [from, to] (dates inclusive, local).")
    async def metrics(
        self, info: Info, from_: Annotated[date, strawberry.argument(name="from")],
        to: date, unit_code: Optional[str] = None,
    ) -> Metrics:
        report = await service.compute(actor=info.context.actor, unit_code=unit_code,
                                       first=from_, last=to,
                                       scored=not SCORED.isdisjoint(selected_below(info)))
        return Metrics(**MeasureSet.values(report.totals),
                       unit=AdministrativeUnit.from_row(report.unit), _report=report)


__all__ = ["CHANNELS", "MetricsQuery"]
