"""Why a late dossier was late (nguyên nhân trễ hạn: chủ quan / khách quan), and the count of
late dossiers by cause that provinces report beside the 766 scorecard ("no dossier late for
a subjective cause in the peak months")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from audit import record
from models import Dossier
from models.dossiers import Timeliness
from models.errors import BadInput
from models.targets import LateCause
from policies import Actor, authorize
from resolvers import clock, validation
from resolvers.deadlines import current_timeliness
from resolvers.dossiers.transitions import load_for_write
from resolvers.figures import figure_scope

NOTE_LENGTH = 1000
FIELDS = ("late_cause", "late_cause_note", "late_cause_set_by", "late_cause_set_at")
LATE = (Timeliness.LATE, Timeliness.OVERDUE)


def _values(dossier: Dossier) -> dict[str, Any]:
    return {name: (v.isoformat() if hasattr(v, "isoformat") else v)
            for name in FIELDS for v in (getattr(dossier, name),)}


async def set_late_cause(*, actor: Actor, code: str, cause: LateCause, note: str) -> Dossier:
    """Record (or correct) why a dossier was late: only a dossier judged late, or open and past
    its legal deadline now; the same cause and note again changes nothing."""
    try:
        cause = LateCause(cause)
    except ValueError:
        raise BadInput(f"cause must be one of {', '.join(LateCause)}", field="cause") from None
    text = validation.text(note, field="note", max_length=NOTE_LENGTH) or ""
    dossier = await load_for_write(actor, code)
    authorize(actor, "dossier", "late_cause", dossier.unit_path, object_id=dossier.code)
    judged = current_timeliness(dossier, clock.now())
    if judged not in LATE:
        raise BadInput(f"dossier {dossier.code} is not late ({judged.value}): a late cause is "
                       "recorded only for a late or overdue dossier", field="code")
    if dossier.late_cause == cause.value and dossier.late_cause_note == text:
        return dossier
    before = _values(dossier)
    async with in_transaction():
        await Dossier.filter(id=dossier.id).update(
            late_cause=cause.value, late_cause_note=text, late_cause_set_by=actor.name,
            late_cause_set_at=clock.now())
        fresh = await Dossier.get(id=dossier.id)
        after = _values(fresh)
        await record(actor=actor, action="dossier:late_cause", object_type="Dossier",
                     object_id=dossier.code, unit_path=dossier.unit_path,
                     changes={k: [before[k], after[k]] for k in FIELDS if before[k] != after[k]})
    return fresh


@dataclass(frozen=True)
class LateCounts:
    subjective: int = 0
    objective: int = 0
    unstated: int = 0

    @property
    def total(self) -> int:
        return self.subjective + self.objective + self.unstated


async def late_dossiers(*, actor: Actor, unit_code: str, first: date, last: date) -> LateCounts:
    """Dossiers of the unit's subtree whose processing ended late in the period, by cause (the
    same dossiers as `metrics { resolvedLate }`)."""
    scope = await figure_scope(actor=actor, unit_code=unit_code, first=first, last=last)
    rows = await (Dossier.filter(unit_path__startswith=scope.unit.path, timeliness=Timeliness.LATE,
                                 ended_at__gte=scope.start, ended_at__lt=scope.end)
                  .annotate(n=Count("id")).group_by("late_cause").values("late_cause", "n"))
    by_cause = {row["late_cause"]: row["n"] for row in rows}
    return LateCounts(subjective=by_cause.get(LateCause.SUBJECTIVE.value, 0),
                      objective=by_cause.get(LateCause.OBJECTIVE.value, 0),
                      unstated=by_cause.get(None, 0))
