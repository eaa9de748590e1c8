"""Metrics of a unit and period, within the caller's jurisdiction, with breakdowns and the
766 scorecard. Everything is aggregated in SQL; Python only adds up per-unit groups."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from models import AdministrativeUnit, Procedure, replica, valid_on
from models.errors import BadInput
from models.procedures import OnlineLevel
from models.scope import Scope
from models.units import UnitLevel
from policies import ROOT, Actor, authorize, jurisdiction
from resolvers import lookups, units
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


@dataclass(frozen=True)
class Standing:
    rank: int | None  # 1 + the number of siblings with a higher total; None: nothing to rank
    ranked_among: int  # the unit and its siblings


@dataclass
class MetricsReport:
    unit: AdministrativeUnit
    period: Period
    tree: measures.Tree
    totals: Measures
    per_unit: dict[int, Measures]
    children: list[AdministrativeUnit]
    units_by_id: dict[int, AdministrativeUnit]
    facts_by_level: dict[str, ProcedureFacts]
    scope: Scope  # where the caller may read metrics (with the history of its units)
    scored: bool = True  # read what the scorecard needs (open at the end, procedure facts)
    standing: Standing | None = None  # computed once, when asked (standing())
    grouped: tuple[dict[int, Measures], Measures] | None = None  # once, when asked (_grouped())


async def _target(actor: Actor, unit_code: str | None, day: date) -> AdministrativeUnit:
    """The unit reported on, as it stood on `day` (the last day of the period): a code names
    a unit only at a date, and a period is reported on the tree of its last day."""
    if unit_code is None:
        scope = jurisdiction(actor, "metrics", "read")
        if scope.prefixes is None or len(scope.prefixes) != 1 or scope.prefixes[0] == ROOT:
            raise BadInput("unitCode is required", field="unitCode")
        unit = await lookups.live_unit_by_path(scope.prefixes[0])
        if unit is None:
            raise BadInput("unitCode is required", field="unitCode")
    else:
        unit = await lookups.unit_by_code(unit_code, day)
    if unit is None:
        raise BadInput(await _unknown(unit_code, day), field="unitCode")
    if unit.is_live:
        authorize(actor, "metrics", "read", unit.path)
    else:  # history: the officials of its successors read it too
        scope = await units.with_history(jurisdiction(actor, "metrics", "read"))
        if not scope.covers(unit.path):
            authorize(actor, "metrics", "read", unit.path)
    return unit


async def _unknown(unit_code: str | None, day: date) -> str:
    """Why a code names no unit on a day: never one, or one that ended (and what followed)."""
    ended = await AdministrativeUnit.filter(code=unit_code or "", valid_to__lte=day) \
        .order_by("-valid_to").first()
    if ended is None:
        return f"unknown unit {unit_code!r} on {day}"
    after = ", ".join(u.code for u in (await units.successors([ended.id]))[0])
    return (f"unit {unit_code} ({ended.name}) ended on {ended.valid_to}: report a period ending "
            f"before that day{f', or on its successors {after}' if after else ''}")


# Per level of government, the catalogue's counts the scorecard's ratios divide by: one row
# per level counted by the database (the catalogue's JSON columns are not read).
_FACTS_SQL = (
    "SELECT level, COUNT(*) AS total, "
    "SUM(CASE WHEN published_on_time THEN 1 ELSE 0 END) AS published_on_time, "
    "SUM(CASE WHEN updated_on_time THEN 1 ELSE 0 END) AS updated_on_time, "
    "SUM(CASE WHEN content_complete THEN 1 ELSE 0 END) AS content_complete, "
    f"SUM(CASE WHEN online_level <> '{OnlineLevel.NONE.value}' THEN 1 ELSE 0 END) AS online, "
    "SUM(CASE WHEN fee > 0 THEN 1 ELSE 0 END) AS with_fee, "
    "SUM(CASE WHEN fee > 0 AND payable_online THEN 1 ELSE 0 END) AS payable_online "
    "FROM procedures GROUP BY level")


async def _procedure_facts() -> dict[str, ProcedureFacts]:
    rows = await replica.reader().execute_query_dict(_FACTS_SQL)
    return {str(row.pop("level")): ProcedureFacts(**{k: int(v or 0) for k, v in row.items()})
            for row in rows}


async def compute(*, actor: Actor, unit_code: str | None, first: date, last: date,
                  scored: bool = True) -> MetricsReport:
    """The measures of one unit in the caller's jurisdiction for [first, last].

    `scored=False` skips the two reads only the scorecard, the ranking and the standing use
    (dossiers open at the end of the judged day, the catalogue's facts): a report for the
    measures alone, two statements of nine fewer (issue 15 (c)); asking such a report for a
    scorecard is a programming error, not a wrong number."""
    if last < first:
        raise BadInput("to must not be before from", field="to")
    if last - first > MAX_PERIOD:
        raise BadInput("the period must be at most five years", field="to")
    as_of = min(last, units.today())
    unit = await _target(actor, unit_code, as_of)
    period = Period(first, last)
    tree = measures.Tree(unit.path, as_of, unit.is_live)
    per_unit = await measures.by_unit(tree, period, open_at_end=scored)
    subtree = await lookups.UNITS.in_force_under("path", unit.path, as_of)
    return MetricsReport(
        unit=unit, period=period, tree=tree, totals=Measures.total(per_unit.values()),
        per_unit=per_unit,
        children=sorted((u for u in subtree if u.parent_id == unit.id), key=lambda u: u.code),
        units_by_id={u.id: u for u in subtree}, facts_by_level=await _procedure_facts() if scored else {},
        scope=await units.with_history(jurisdiction(actor, "metrics", "read")), scored=scored,
    )


def facts_for(report: MetricsReport, unit: AdministrativeUnit) -> ProcedureFacts:
    """Procedures that apply in a unit's territory: its own level and the levels below."""
    if not report.scored:
        raise RuntimeError("a report computed with scored=False has no scorecard facts")
    levels = LEVELS[LEVELS.index(unit.level):]
    total: Counter[str] = Counter()
    for level in levels:
        facts = report.facts_by_level.get(level.value)
        if facts:
            total.update(vars(facts))
    return ProcedureFacts(**total)


def _subtree_measures(report: MetricsReport, unit: AdministrativeUnit) -> Measures:
    """The measures of a child unit's subtree."""
    return _grouped(report)[0][unit.id]


def _measures_under(per_unit: dict[int, Measures], units_by_id: dict[int, AdministrativeUnit],
                    unit: AdministrativeUnit) -> Measures:
    return Measures.total(m for uid, m in per_unit.items()
                          if uid in units_by_id and units_by_id[uid].path.startswith(unit.path))


def _own_measures(report: MetricsReport) -> Measures:
    """What no child holds: the dossiers and feedback of the unit itself (a district's own
    desk), so that the rows of a breakdown by unit add up to the totals."""
    return _grouped(report)[1]


def _grouped(report: MetricsReport) -> tuple[dict[int, Measures], Measures]:
    """Each child's subtree measures (by the child's id) and the unit's own, from one pass
    over the units that have any: a unit belongs to the child whose path starts its own
    (children's paths are siblings', so at most one does), or else to the unit itself."""
    if report.grouped is None:
        under: dict[int, list[Measures]] = {child.id: [] for child in report.children}
        own: list[Measures] = []
        for uid, m in report.per_unit.items():
            unit = report.units_by_id.get(uid)
            holder = None if unit is None else next(
                (c for c in report.children if unit.path.startswith(c.path)), None)
            (own if holder is None else under[holder.id]).append(m)
        report.grouped = ({cid: Measures.total(ms) for cid, ms in under.items()},
                          Measures.total(own))
    return report.grouped


def scorecard(report: MetricsReport) -> Scorecard:
    return score(report.totals, facts_for(report, report.unit), report.period.last)


def _rank(cards: list[tuple[AdministrativeUnit, Scorecard]]) -> list[tuple[AdministrativeUnit, Scorecard]]:
    """Best total first; equal totals by code (the rank number is shared: see standing)."""
    return sorted(cards, key=lambda pair: (-pair[1].total, pair[0].code))


def ranking(report: MetricsReport) -> list[tuple[AdministrativeUnit, Scorecard]]:
    """The child units the caller may read metrics of, by scorecard total, best first."""
    cards = [(child, score(_subtree_measures(report, child), facts_for(report, child),
                           report.period.last))
             for child in report.children if report.scope.covers(child.path)]
    return _rank(cards)


async def standing(report: MetricsReport) -> Standing:
    """The unit's rank among its siblings (the provinces of the deployment for a province).
    The number is shown to whoever may read the unit's metrics; the siblings' own figures
    are not (ranking() lists only units in the caller's scope)."""
    unit = report.unit
    as_of = report.tree.as_of
    parent = (await AdministrativeUnit.get_or_none(id=unit.parent_id)) if unit.parent_id else None
    path = parent.path if parent else ROOT
    same_parent = ({"parent_id": unit.parent_id} if unit.parent_id
                   else {"parent_id__isnull": True})
    siblings = await AdministrativeUnit.filter(valid_on(as_of), **same_parent)
    tree = measures.Tree(path, as_of, unit.is_live)
    per_unit = await measures.by_unit(tree, report.period, open_now=False)
    under = {u.id: u for u in await lookups.UNITS.in_force_under("path", path, as_of)}
    totals = {u.id: score(_measures_under(per_unit, under, u), facts_for(report, u),
                          report.period.last).total for u in siblings}
    mine = totals.get(unit.id)
    if mine is None:
        return Standing(None, len(totals))
    return Standing(1 + sum(1 for t in totals.values() if t > mine), len(totals))


async def breakdown(report: MetricsReport, by: BreakdownBy) -> list[tuple[str, str, Measures]]:
    """(key, label, measures) rows: per child unit (and the unit's own row), procedure,
    field or month."""
    if by is BreakdownBy.UNIT:
        own = (report.unit.code, f"{report.unit.name} (tiếp nhận tại đơn vị)",
               _own_measures(report))
        return [own, *((c.code, c.name, _subtree_measures(report, c)) for c in report.children)]
    if by is BreakdownBy.MONTH:
        months = await measures.by_month(report.tree, report.period)
        return [(key, key, m) for key, m in months.items()]
    per_procedure = await measures.by_procedure(report.tree, report.period)
    procedures = {p.id: p for p in await Procedure.filter(id__in=list(per_procedure))}
    if by is BreakdownBy.PROCEDURE:
        return sorted(((procedures[i].code, procedures[i].name, m) for i, m in per_procedure.items()),
                      key=lambda row: row[0])
    fields: dict[str, Measures] = {}
    for procedure_id, m in per_procedure.items():
        name = procedures[procedure_id].field
        fields[name] = fields.get(name, Measures(live=False)) + m
    return [(name, name, fields[name]) for name in sorted(fields)]
