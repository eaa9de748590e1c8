"""`metrics`: a unit's numbers for a period, their breakdowns and the 766 scorecard."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional

import strawberry

from resolvers.metrics import service
from resolvers.metrics.measures import CHANNELS, Measures
from resolvers.metrics.scorecard import Scorecard as ScorecardResult
from schema.catalogue import AdministrativeUnit
from schema.context import Info

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


@strawberry.type
class IndicatorScore:
    key: str
    score: float
    max_score: float
    ratio: Optional[float]


@strawberry.type
class GroupScore:
    key: str
    score: float
    max_score: float
    indicators: list[IndicatorScore]


@strawberry.type
class RankedUnit:
    rank: int
    unit: AdministrativeUnit
    total: float
    band: str


@strawberry.type
class Scorecard:
    total: float
    max_total: float
    band: str
    groups: list[GroupScore]
    _report: strawberry.Private[service.MetricsReport]

    @classmethod
    def of(cls, card: ScorecardResult, report: service.MetricsReport) -> Scorecard:
        groups = [GroupScore(key=g.key, score=g.score, max_score=g.max_score, indicators=[
            IndicatorScore(key=i.key, score=i.score, max_score=i.max_score, ratio=i.ratio)
            for i in g.indicators]) for g in card.groups]
        return cls(total=card.total, max_total=card.max_total, band=card.band, groups=groups,
                   _report=report)

    @strawberry.field(description="The child units ranked by their scorecard total.")
    def ranking(self) -> list[RankedUnit]:
        return [RankedUnit(rank=i + 1, unit=AdministrativeUnit.from_row(unit), total=card.total,
                           band=card.band)
                for i, (unit, card) in enumerate(service.ranking(self._report))]


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


@strawberry.type
class MetricsQuery:
    @strawberry.field(description="A unit's measures for [from, to] (dates inclusive, local).")
    async def metrics(
        self, info: Info, from_: Annotated[date, strawberry.argument(name="from")],
        to: date, unit_code: Optional[str] = None,
    ) -> Metrics:
        report = await service.compute(actor=info.context.actor, unit_code=unit_code,
                                       first=from_, last=to)
        return Metrics(**MeasureSet.values(report.totals),
                       unit=AdministrativeUnit.from_row(report.unit), _report=report)


__all__ = ["CHANNELS", "MetricsQuery"]
