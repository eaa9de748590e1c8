"""Reorganisations of administrative units (ADMIN): apply or dry-run a plan, list those
applied, and assign the dossiers a split left to an administrator."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import strawberry

from resolvers import units
from resolvers.units import UnitKind, UnitLevel
from schema.context import Info
from schema.dossiers import DossierPayload, payload


@strawberry.input(description="One row of a plan: what the unit `oldCode` (in force the day "
                              "before `effectiveDate`) becomes. Empty newCode: abolished; empty "
                              "oldCode: created; several rows into one newCode: a merge; one "
                              "oldCode into several: a split (dossierRule: `default` or "
                              "`address:Khóm 1|Khóm 2`).")
class ReorganizationRowInput:
    old_code: Optional[str] = None
    new_code: Optional[str] = None
    effective_date: date
    new_name: Optional[str] = None
    new_parent_code: Optional[str] = None
    new_level: Optional[UnitLevel] = None
    new_kind: Optional[UnitKind] = None
    dossier_rule: Optional[str] = None
    note: Optional[str] = None


@strawberry.input
class ReorganizeUnitsInput:
    rows: list[ReorganizationRowInput]
    carry_grants: bool = strawberry.field(
        default=False, description="Give the officials of ended units the same roles at their "
                                   "successors (the report lists each grant).")
    reference: Optional[str] = strawberry.field(
        default=None, description="The legal basis, e.g. NQ 1659/NQ-UBTVQH15.")
    dry_run: bool = strawberry.field(
        default=False, description="Report what the plan would do and change nothing.")


@strawberry.type(description="One step of a plan: the rows of one effective date, one audited "
                             "operation.")
class ReorganizationStep:
    effective_date: date
    reorganization_id: Optional[int]
    already_applied: bool
    lines: list[str]
    units_ended: int
    units_created: int
    dossiers_moved: int
    open_dossiers_moved: int
    dossiers_awaiting_assignment: int
    grants_removed: list[str]
    grants_added: list[str]

    @classmethod
    def of(cls, report: units.StepReport) -> ReorganizationStep:
        c = report.counts
        return cls(effective_date=report.effective_date,
                   reorganization_id=report.reorganization_id,
                   already_applied=report.already_applied, lines=report.lines,
                   units_ended=c.get("units_ended", 0), units_created=c.get("units_created", 0),
                   dossiers_moved=c.get("dossiers_moved", 0),
                   open_dossiers_moved=c.get("open_dossiers_moved", 0),
                   dossiers_awaiting_assignment=c.get("dossiers_awaiting_assignment", 0),
                   grants_removed=report.grants_removed, grants_added=report.grants_added)


@strawberry.type
class ReorganizeUnitsPayload:
    dry_run: bool
    steps: list[ReorganizationStep]


@strawberry.type(description="A reorganisation applied to the tree.")
class Reorganization:
    id: int
    effective_date: date
    reference: str
    applied_at: datetime
    units_ended: int
    units_created: int
    dossiers_moved: int


@strawberry.type
class UnitQuery:
    @strawberry.field(description="Every reorganisation applied, by effective date.")
    async def reorganizations(self, info: Info) -> list[Reorganization]:
        return [Reorganization(id=r.id, effective_date=r.effective_date, reference=r.reference,
                               applied_at=r.applied_at,
                               units_ended=r.summary.get("units_ended", 0),
                               units_created=r.summary.get("units_created", 0),
                               dossiers_moved=r.summary.get("dossiers_moved", 0))
                for r in await units.list_reorganizations()]


@strawberry.type
class UnitMutation:
    @strawberry.mutation(description="Apply a reorganisation plan, all or nothing (ADMIN of every "
                                     "unit it changes); rows already applied change nothing.")
    async def reorganize_units(self, info: Info, input: ReorganizeUnitsInput) -> ReorganizeUnitsPayload:
        rows = [units.make_row(f"rows[{i}]", {
            "old_code": r.old_code, "new_code": r.new_code,
            "effective_date": r.effective_date.isoformat(), "new_name": r.new_name,
            "new_parent_code": r.new_parent_code,
            "new_level": r.new_level.value if r.new_level else None,
            "new_kind": r.new_kind.value if r.new_kind else None,
            "dossier_rule": r.dossier_rule, "note": r.note}) for i, r in enumerate(input.rows)]
        reports = await units.reorganize(actor=info.context.actor, rows=rows,
                                         carry_grants=input.carry_grants, reference=input.reference,
                                         dry_run=input.dry_run)
        return ReorganizeUnitsPayload(dry_run=input.dry_run,
                                      steps=[ReorganizationStep.of(r) for r in reports])

    @strawberry.mutation(description="Give a dossier a split left awaiting assignment to one of "
                                     "the split's successors.")
    async def assign_dossier(self, info: Info, code: str, unit_code: str) -> DossierPayload:
        row = await units.assign_dossier(actor=info.context.actor, code=code, unit_code=unit_code)
        return payload(info, row)
