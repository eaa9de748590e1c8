"""`setUnitTarget` and `unitTargets`: a unit's yearly targets and progress towards them."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry

from resolvers import targets
from schema.catalogue import AdministrativeUnit
from schema.context import Info


@strawberry.type(description="A unit's target (chỉ tiêu) for a year and a scorecard indicator, "
                             "with the actual value so far and progress.")
class UnitTarget:
    unit: AdministrativeUnit
    year: int
    indicator: str = strawberry.field(description="The scorecard indicator's key, as in "
                                                  "metrics.scorecard.groups.indicators.key.")
    value: float = strawberry.field(description="The target, in percent (0–100).")
    actual: Optional[float] = strawberry.field(
        description="The indicator's ratio for the unit and the year so far, in percent (the "
                    "metrics computation's); null when nothing is judged yet.")
    progress: Optional[float] = strawberry.field(
        description="actual ÷ value (1 = target reached); null without an actual or for a 0 target.")
    reached: Optional[bool] = strawberry.field(description="Whether actual ≥ value.")
    set_by: str = strawberry.field(description="The username who set it last.")
    set_at: datetime = strawberry.field(description="When it was set last.")

    @classmethod
    def of(cls, item: targets.TargetProgress) -> UnitTarget:
        row = item.target
        return cls(unit=AdministrativeUnit.from_row(item.unit), year=row.year,
                   indicator=row.indicator, value=row.value, actual=item.actual,
                   progress=item.progress, reached=item.reached, set_by=row.set_by,
                   set_at=row.set_at)


@strawberry.type
class TargetQuery:
    @strawberry.field(description="A unit's targets for a year, each with the actual value for "
                                  "the year so far and progress; needs metrics:read.")
    async def unit_targets(self, info: Info, unit_code: str, year: int) -> list[UnitTarget]:
        items = await targets.unit_targets(actor=info.context.actor, unit_code=unit_code, year=year)
        return [UnitTarget.of(i) for i in items]


@strawberry.type
class TargetMutation:
    @strawberry.mutation(description="Set a unit's target for a year and a scorecard indicator, "
                                     "in percent (ADMIN or LEADER of the unit or above).")
    async def set_unit_target(self, info: Info, unit_code: str, year: int, indicator: str,
                              value: float) -> UnitTarget:
        actor = info.context.actor
        await targets.set_unit_target(actor=actor, unit_code=unit_code, year=year,
                                      indicator=indicator, value=value)
        items = await targets.unit_targets(actor=actor, unit_code=unit_code, year=year)
        return UnitTarget.of(next(i for i in items if i.target.indicator == indicator))
