"""Catalogue facts the 766 PUBLICITY and online groups score, and procedures a unit resolves
under delegation (ủy quyền): edited through the API, audited."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from tortoise.transactions import in_transaction

from audit import record
from models import Procedure, ProcedureDelegation
from models.errors import BadInput
from models.procedures import OnlineLevel
from policies import ROOT, Actor, authorize
from resolvers import clock, lookups, validation
from resolvers.kept import announce_catalogue_change


@dataclass(frozen=True)
class Publication:
    """The facts to change; None leaves one as it is."""

    published_on_time: bool | None = None
    updated_on_time: bool | None = None
    content_complete: bool | None = None
    online_level: OnlineLevel | None = None
    payable_online: bool | None = None


async def update_publication(*, actor: Actor, code: str, facts: Publication) -> Procedure:
    """Change a procedure's publication facts. The catalogue is national (one row for every
    province), so only a system administrator (ADMIN at the root) may."""
    given = {f.name: getattr(facts, f.name) for f in fields(facts)
             if getattr(facts, f.name) is not None}
    if not given:
        raise BadInput("input must change at least one fact", field="input")
    authorize(actor, "procedure", "publish", ROOT, object_id=code)
    procedure = await lookups.procedure_by_code(code)
    if procedure is None:
        raise BadInput(f"unknown procedure {code!r}", field="code")
    if given.get("payable_online") and procedure.fee <= 0:
        raise BadInput(f"procedure {procedure.code} has no fee to pay online",
                       field="input.payableOnline")

    def plain(value: Any) -> Any:
        return value.value if isinstance(value, OnlineLevel) else value

    changes = {k: [plain(getattr(procedure, k)), plain(v)] for k, v in given.items()
               if plain(getattr(procedure, k)) != plain(v)}
    if not changes:
        return procedure
    async with in_transaction():
        await Procedure.filter(id=procedure.id).update(**given)
        await announce_catalogue_change()  # pages show it at once, in every process
        await record(actor=actor, action="procedure:publish", object_type="Procedure",
                     object_id=procedure.code, unit_path=None, changes=changes)
    return await Procedure.get(id=procedure.id)


async def set_delegation(
    *, actor: Actor, unit_code: str, procedure_code: str, delegated: bool,
    delegated_by: str | None = None, document: str | None = None,
) -> ProcedureDelegation | None:
    """Record that a unit resolves a procedure under delegation (or no longer does)."""
    unit = await lookups.unit_by_code(unit_code)
    if unit is None:
        raise BadInput(f"unknown unit {unit_code!r}", field="unitCode")
    procedure = await lookups.procedure_by_code(procedure_code)
    if procedure is None:
        raise BadInput(f"unknown procedure {procedure_code!r}", field="procedureCode")
    object_id = f"{unit.code}/{procedure.code}"
    authorize(actor, "procedure", "delegate", unit.path, object_id=object_id)
    if procedure.level != unit.level:
        raise BadInput(f"procedure {procedure.code} is handled at {procedure.level.value} level, "
                       f"not by a {unit.level.value} unit", field="procedureCode")
    by = validation.text(delegated_by, field="delegatedBy", max_length=255, required=delegated)
    doc = validation.text(document, field="document", max_length=255, required=False) or ""
    async with in_transaction():
        row = await ProcedureDelegation.filter(unit_id=unit.id, procedure_id=procedure.id) \
            .select_for_update().first()
        before = {"delegated_by": row.delegated_by, "document": row.document} if row else \
            {"delegated_by": None, "document": None}
        if not delegated:
            if row is None:
                return None
            await row.delete()
            after: dict[str, Any] = {"delegated_by": None, "document": None}
            result = None
        else:
            after = {"delegated_by": by, "document": doc}
            if before == after:
                return row
            if row is None:
                row = await ProcedureDelegation.create(
                    unit_id=unit.id, procedure_id=procedure.id, delegated_by=by, document=doc,
                    set_by=actor.name, set_at=clock.now())
            else:
                await ProcedureDelegation.filter(id=row.id).update(
                    delegated_by=by, document=doc, set_by=actor.name, set_at=clock.now())
                row = await ProcedureDelegation.get(id=row.id)
            result = row
        await record(actor=actor, action="procedure:delegate", object_type="ProcedureDelegation",
                     object_id=object_id, unit_path=unit.path,
                     changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return result
