"""`setLateCause` and `lateDossiers`: why late dossiers were late, and how many by cause."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from resolvers.dossiers import late
from schema.context import Info
from schema.dossiers import DossierPayload, payload
from schema.late_cause import LateCause


@strawberry.type(description="Dossiers whose processing ended late in the period, by the cause "
                             "recorded with setLateCause (the same dossiers as "
                             "metrics.resolvedLate).")
class LateDossierCounts:
    subjective: int = strawberry.field(description="Late for a subjective cause (chủ quan).")
    objective: int = strawberry.field(description="Late for an objective cause (khách quan).")
    unstated: int = strawberry.field(description="Late with no cause recorded yet.")
    total: int = strawberry.field(description="All late dossiers of the period.")


@strawberry.type
class LateQuery:
    @strawberry.field(description="Late dossiers of a unit's subtree by cause, for a period of "
                                  "local days (from and to inclusive); needs metrics:read.")
    async def late_dossiers(
        self, info: Info, unit_code: str, from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
    ) -> LateDossierCounts:
        counts = await late.late_dossiers(actor=info.context.actor, unit_code=unit_code,
                                          first=from_, last=to)
        return LateDossierCounts(subjective=counts.subjective, objective=counts.objective,
                                 unstated=counts.unstated, total=counts.total)


@strawberry.type
class LateMutation:
    @strawberry.mutation(description="Record why a dossier was late (nguyên nhân trễ hạn): only "
                                     "a dossier judged LATE, or OVERDUE now; it can be corrected "
                                     "later, each change audited.")
    async def set_late_cause(self, info: Info, code: str, cause: LateCause,
                             note: str) -> DossierPayload:
        row = await late.set_late_cause(actor=info.context.actor, code=code, cause=cause, note=note)
        return payload(info, row)
