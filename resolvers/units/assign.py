"""Assigning a dossier that a split left without a rule to one of the split's successors.

Until then the dossier is handled by the split unit's holder (the nearest surviving
ancestor), so it is never without a handler. The assignment completes the reorganisation:
it is retroactive to the split, so the dossier counts under the successor instead of the
holder from the effective date on (the rollup moves with it).
"""

from __future__ import annotations

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from audit import record
from models import AdministrativeUnit, Dossier, DossierEvent, SuccessionKind, UnitSuccession
from models.errors import BadInput, NotFound
from policies import Actor, authorize, jurisdiction
from resolvers import clock, lookups
from resolvers.metrics import rollups


async def assign_dossier(*, actor: Actor, code: str, unit_code: str) -> Dossier:
    """Give an awaiting dossier to one of the successors of the unit that was split."""
    dossier = await lookups.dossier_by_code(code)
    if dossier is None or not jurisdiction(actor, "dossier", "read").covers(dossier.unit_path):
        raise NotFound(f"dossier {code!r} not found", field="code")
    authorize(actor, "unit", "reorganize", dossier.unit_path, object_id=code)
    if not dossier.awaiting_assignment:
        raise BadInput(f"dossier {code} is not awaiting assignment", field="code")
    history = rollups.history_of(dossier)
    split_id = history[-2] if len(history) > 1 else None
    parts = await UnitSuccession.filter(predecessor_id=split_id, kind=SuccessionKind.SPLIT) \
        .prefetch_related("successor")
    allowed = {link.successor.code: link.successor for link in parts if link.successor.is_live}
    unit = allowed.get(unit_code)
    if unit is None:
        names = ", ".join(sorted(allowed)) or "none in force"
        raise BadInput(f"{unit_code!r} is not a successor of the split unit (one of: {names})",
                       field="unitCode")
    authorize(actor, "unit", "reorganize", unit.path, object_id=code)
    holder = await AdministrativeUnit.get(id=dossier.unit_id)
    share = rollups.contribution(dossier)
    async with in_transaction():
        await Dossier.filter(id=dossier.id).update(**clock.stored(dict(
            unit_id=unit.id, unit_path=unit.path, awaiting_assignment=False,
            unit_history=",".join(str(i) for i in [*history[:-1], unit.id]),
            desk_path=unit.path if dossier.desk_path == holder.path else dossier.desk_path,
            updated_at=clock.now())), version=F("version") + 1)
        await DossierEvent.create(dossier_id=dossier.id, at=clock.now(), action="ASSIGN",
                                  from_status=dossier.status, to_status=dossier.status,
                                  actor_username=actor.name, note=f"{holder.code} → {unit.code}")
        await rollups.apply(units=[(holder.id, holder.path)], procedure_id=dossier.procedure_id,
                            changes=rollups.negate(share))
        await rollups.apply(units=[(unit.id, unit.path)], procedure_id=dossier.procedure_id,
                            changes=share)
        await record(actor=actor, action="dossier:assign", object_type="Dossier", object_id=code,
                     unit_path=unit.path, changes={"unit": [holder.code, unit.code],
                                                   "awaiting_assignment": [True, False]})
    return await Dossier.get(id=dossier.id)
