"""Why a late dossier was late, as a field of the Dossier type (set with `setLateCause`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from resolvers.dossiers.late import LateCause

LateCauseEnum = strawberry.enum(LateCause, name="LateCause", description=(
    "Why a dossier was late: SUBJECTIVE (chủ quan: the agency's own fault) or OBJECTIVE "
    "(khách quan: beyond its control)."))


@strawberry.type(description="Why the dossier was late (nguyên nhân trễ hạn), who said so and when.")
class DossierLateCause:
    cause: LateCause
    note: str = strawberry.field(description="The explanation, as written.")
    set_by: str = strawberry.field(description="The username who recorded it last.")
    set_at: datetime = strawberry.field(description="When it was recorded last.")

    @classmethod
    def of(cls, row: Any) -> DossierLateCause | None:
        if row.late_cause is None:
            return None
        return cls(cause=LateCause(row.late_cause), note=row.late_cause_note or "",
                   set_by=row.late_cause_set_by or "", set_at=row.late_cause_set_at)
