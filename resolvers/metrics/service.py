"""Metrics of a unit and period, within the caller's jurisdiction, with breakdowns and the
766 scorecard. Everything is aggregated in SQL; Python only adds up per-unit groups."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from models import AdministrativeUnit, Procedure
from models.errors import BadInput
from models.procedures import OnlineLevel
from models.units import UnitLevel
from policies import ROOT, Actor, authorize, jurisdiction
from resolvers import lookups
from resolvers.metrics import measures
from resolvers.metrics.measures import Measures, Period
from resolvers.metrics.scorecard import ProcedureFacts, Scorecard, score

MAX_PERIOD = timedelta(days=366 * 5)
LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)


class BreakdownBy(StrEnum):
    UNIT = "UNIT"
    PROCEDURE = "PROCEDURE"
    FIELD = "FIELD"
    MONTH = "MONTH"


@dataclass
class MetricsReport:
    unit: AdministrativeUnit
    period: Period
    totals: Measures
    per_unit: dict[int, Measures]
    children: list[AdministrativeUnit]
    units_by_id: dict[int, AdministrativeUnit]
    facts_by_level: dict[str, ProcedureFacts]


async def _target(actor: Actor, unit_code: str | None) -> AdministrativeUnit:
    if unit_code is None:
        scope = jurisdiction(actor, "metrics", "read")
        if scope.prefixes is None or len(scope.prefixes) != 1 or scope.prefixes[0] == ROOT:
            raise BadInput("unitCode is required", field="unitCode")
        unit = await AdministrativeUnit.get_or_none(path=scope.prefixes[0])
    else:
        unit = await lookups.unit_by_code(unit_code)
    if unit is None:
        raise BadInput(f"unknown unit {unit_code!r}", field="unitCode")
    authorize(actor, "metrics", "read", unit.path)
    return unit


async def _procedure_facts() -> dict[str, ProcedureFacts]:
    facts: dict[str, Counter[str]] = {}
    for p in await Procedure.all():
        c = facts.setdefault(p.level.value, Counter())
        c.update(total=1, published_on_time=int(p.published_on_time),
                 updated_on_time=int(p.updated_on_time), content_complete=int(p.content_complete),
                 online=int(p.online_level != OnlineLevel.NONE), with_fee=int(p.fee > 0),
                 payable_online=int(p.fee > 0 and p.payable_online))
    return {level: ProcedureFacts(**counts) for level, counts in facts.items()}


async def compute(*, actor: Actor, unit_code: str | None, first: date, last: date) -> MetricsReport:
    """The measures of one unit in the caller's jurisdiction for [first, last]."""
    if last < first:
        raise BadInput("to must not be before from", field="to")
    if last - first > MAX_PERIOD:
        raise BadInput("the period must be at most five years", field="to")
    unit = await _target(actor, unit_code)
    period = Period(first, last)
    per_unit = await measures.by_unit(unit.path, period)
    subtree = await AdministrativeUnit.filter(path__startswith=unit.path)
    return MetricsReport(
        unit=unit, period=period, totals=sum(per_unit.values(), Measures()), per_unit=per_unit,
        children=sorted((u for u in subtree if u.parent_id == unit.id), key=lambda u: u.code),
        units_by_id={u.id: u for u in subtree}, facts_by_level=await _procedure_facts(),
    )


def facts_for(report: MetricsReport, unit: AdministrativeUnit) -> ProcedureFacts:
    """Procedures that apply in a unit's territory: its own level and the levels below."""
    levels = LEVELS[LEVELS.index(unit.level):]
    total: Counter[str] = Counter()
    for level in levels:
        facts = report.facts_by_level.get(level.value)
        if facts:
            total.update(vars(facts))
    return ProcedureFacts(**total)


def _subtree_measures(report: MetricsReport, unit: AdministrativeUnit) -> Measures:
    return sum((m for uid, m in report.per_unit.items()
                if report.units_by_id.get(uid) and report.units_by_id[uid].path.startswith(unit.path)),
               Measures())


def scorecard(report: MetricsReport) -> Scorecard:
    return score(report.totals, facts_for(report, report.unit))


def ranking(report: MetricsReport) -> list[tuple[AdministrativeUnit, Scorecard]]:
    """The child units by scorecard total, best first."""
    cards = [(child, score(_subtree_measures(report, child), facts_for(report, child)))
             for child in report.children]
    return sorted(cards, key=lambda pair: (-pair[1].total, pair[0].code))


async def breakdown(report: MetricsReport, by: BreakdownBy) -> list[tuple[str, str, Measures]]:
    """(key, label, measures) rows: per child unit, procedure, field or month."""
    if by is BreakdownBy.UNIT:
        return [(c.code, c.name, _subtree_measures(report, c)) for c in report.children]
    if by is BreakdownBy.MONTH:
        months = await measures.by_month(report.unit.path, report.period)
        return [(key, key, m) for key, m in months.items()]
    per_procedure = await measures.by_procedure(report.unit.path, report.period)
    procedures = {p.id: p for p in await Procedure.filter(id__in=list(per_procedure))}
    if by is BreakdownBy.PROCEDURE:
        return sorted(((procedures[i].code, procedures[i].name, m) for i, m in per_procedure.items()),
                      key=lambda row: row[0])
    fields: dict[str, Measures] = {}
    for procedure_id, m in per_procedure.items():
        name = procedures[procedure_id].field
        fields[name] = fields.get(name, Measures(live=False)) + m
    return [(name, name, fields[name]) for name in sorted(fields)]
