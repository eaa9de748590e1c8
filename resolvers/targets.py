"""A unit's yearly targets for scorecard indicators (chỉ tiêu), and progress towards them.

The actual value is the indicator's ratio from the metrics computation for the unit and the
year so far (resolvers.metrics.service): one formula, the scorecard's."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from audit import record
from models import AdministrativeUnit, UnitTarget
from models.errors import BadInput
from policies import Actor, authorize, jurisdiction
from resolvers import clock, lookups, units
from resolvers.metrics import scorecard, service

YEARS = (2000, 2100)


def indicator_keys(year: int) -> tuple[str, ...]:
    """The indicators of the scorecard method in force at the end of the year (a target is
    judged against the year's scorecard)."""
    return tuple(scorecard.indicator_keys(date(year, 12, 31)))


def _check(year: int, indicator: str, value: float) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise BadInput(f"year must be between {YEARS[0]} and {YEARS[1]}", field="year")
    if indicator not in indicator_keys(year):
        raise BadInput(f"unknown indicator {indicator!r}; known: {', '.join(indicator_keys(year))}",
                       field="indicator")
    if not (math.isfinite(value) and 0 <= value <= 100):
        raise BadInput("value must be between 0 and 100", field="value")


async def _unit(unit_code: str, year: int) -> AdministrativeUnit:
    """The unit as it stood at the end of the year (or today, in the current year): a target
    of 2024 belongs to the units of 2024, e.g. Bạch Thông district, ended in 2025."""
    day = min(date(year, 12, 31), units.today())
    unit = await lookups.unit_by_code(unit_code, max(day, date(year, 1, 1)))
    if unit is None:
        raise BadInput(f"unit {unit_code!r} did not exist in {year}", field="unitCode")
    return unit


async def set_unit_target(
    *, actor: Actor, unit_code: str, year: int, indicator: str, value: float,
) -> UnitTarget:
    """Set (or change) a unit's target for a year and an indicator, in percent."""
    _check(year, indicator, value)
    unit = await _unit(unit_code, year)
    object_id = f"{unit.code}/{year}/{indicator}"
    authorize(actor, "target", "set", unit.path, object_id=object_id)
    async with in_transaction():
        row = await UnitTarget.filter(unit_id=unit.id, year=year, indicator=indicator) \
            .select_for_update().first()
        old = row.value if row else None
        if row is not None and row.value == value:
            return row
        if row is None:
            row = await UnitTarget.create(unit_id=unit.id, year=year, indicator=indicator,
                                          value=value, set_by=actor.name, set_at=clock.now())
        else:
            await UnitTarget.filter(id=row.id).update(value=value, set_by=actor.name,
                                                     set_at=clock.now())
            row = await UnitTarget.get(id=row.id)
        await record(actor=actor, action="target:set", object_type="UnitTarget",
                     object_id=object_id, unit_path=unit.path, changes={"value": [old, value]})
    return row


@dataclass(frozen=True)
class TargetProgress:
    target: UnitTarget
    unit: AdministrativeUnit
    actual: float | None  # percent; None when the year has nothing to judge yet
    progress: float | None  # actual / target

    @property
    def reached(self) -> bool | None:
        return None if self.progress is None else self.progress >= 1


async def unit_targets(*, actor: Actor, unit_code: str, year: int) -> list[TargetProgress]:
    """Each of the unit's targets for the year with the actual value so far and progress."""
    if not YEARS[0] <= year <= YEARS[1]:
        raise BadInput(f"year must be between {YEARS[0]} and {YEARS[1]}", field="year")
    unit = await _unit(unit_code, year)
    if unit.is_live:
        authorize(actor, "metrics", "read", unit.path)
    else:  # history: the officials of its successors read it too (as metrics does)
        scope = await units.with_history(jurisdiction(actor, "metrics", "read"))
        if not scope.covers(unit.path):
            authorize(actor, "metrics", "read", unit.path)
    rows = await UnitTarget.filter(unit_id=unit.id, year=year).order_by("indicator")
    first, today = date(year, 1, 1), units.today()
    ratios: dict[str, float | None] = {}
    if rows and first <= today:
        report = await service.compute(actor=actor, unit_code=unit.code, first=first,
                                       last=min(date(year, 12, 31), today))
        card = service.scorecard(report)
        ratios = {i.key: i.ratio for g in card.groups for i in g.indicators}
    result = []
    for row in rows:
        ratio = ratios.get(row.indicator)
        actual = None if ratio is None else round(ratio * 100, 2)
        progress = (None if actual is None or row.value == 0
                    else round(actual / row.value, 4))
        result.append(TargetProgress(row, unit, actual, progress))
    return result
