"""The working calendar: the days an administrator sets over the holiday package."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Optional

import strawberry

from resolvers import calendar_admin
from schema.context import Info


@strawberry.type(description="A day whose working status is set over the holiday package: a day "
                             "off it lacks (a swap, a new holiday) or a working day it gives off.")
class CalendarOverride:
    date: date
    working: bool = strawberry.field(description="true: a working day; false: a day off.")
    reason: str
    source: Optional[str] = strawberry.field(
        description="The document that announced it, e.g. Công văn 12729/VPCP-KGVX.")
    set_at: Optional[datetime] = strawberry.field(
        description="When it was set; null for the days loaded by `migrate`.")

    @classmethod
    def of(cls, day: calendar_admin.CalendarDay) -> CalendarOverride:
        return cls(date=day.day, working=day.working, reason=day.reason, source=day.source,
                   set_at=day.set_at)


@strawberry.type
class CalendarQuery:
    @strawberry.field(description="The days set over the holiday package, in date order.")
    async def calendar_overrides(
        self, info: Info, from_: Annotated[Optional[date], strawberry.argument(name="from")] = None,
        to: Optional[date] = None,
    ) -> list[CalendarOverride]:
        days = await calendar_admin.list_overrides(actor=info.context.actor, first=from_, last=to)
        return [CalendarOverride.of(d) for d in days]


@strawberry.type
class CalendarMutation:
    @strawberry.mutation(description="Make a day a working day or a day off, whatever the holiday "
                                     "package says (audited). Deadlines already set do not move.")
    async def set_calendar_day(
        self, info: Info, date: date, working: bool, reason: str, source: Optional[str] = None,
    ) -> CalendarOverride:
        day = await calendar_admin.set_calendar_day(actor=info.context.actor, day=date,
                                                    working=working, reason=reason, source=source)
        return CalendarOverride.of(day)

    @strawberry.mutation(description="Give a day back to the holiday package's calendar (audited).")
    async def clear_calendar_day(self, info: Info, date: date) -> bool:
        return await calendar_admin.clear_calendar_day(actor=info.context.actor, day=date)
