"""Administrative units and the procedure catalogue."""

from __future__ import annotations

from typing import Optional

import strawberry

from resolvers import catalogue
from resolvers.catalogue import OnlineLevel, ProcedureRow, UnitLevel, UnitRow
from schema.context import Info
from schema.pagination import Connection


@strawberry.type
class AdministrativeUnit:
    code: str
    name: str
    level: UnitLevel
    _id: strawberry.Private[int]
    _parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: UnitRow) -> AdministrativeUnit:
        return cls(code=row.code, name=row.name, level=row.level, _id=row.id,
                   _parent_id=row.parent_id)

    @strawberry.field
    async def parent(self, info: Info) -> Optional[AdministrativeUnit]:
        if self._parent_id is None:
            return None
        row = await info.context.loaders.unit.load(self._parent_id)
        return AdministrativeUnit.from_row(row) if row else None

    @strawberry.field
    async def children(self, info: Info) -> list[AdministrativeUnit]:
        rows = await info.context.loaders.unit_children.load(self._id)
        return [AdministrativeUnit.from_row(r) for r in rows]


@strawberry.type
class Procedure:
    code: str
    name: str
    field: str
    level: UnitLevel
    processing_days: int
    online_level: OnlineLevel
    fee: int
    documents: list[str]

    @classmethod
    def from_row(cls, row: ProcedureRow) -> Procedure:
        return cls(code=row.code, name=row.name, field=row.field, level=row.level,
                   processing_days=row.processing_days, online_level=row.online_level,
                   fee=row.fee, documents=list(row.documents or []))


@strawberry.input
class ProcedureFilter:
    search: Optional[str] = None
    field: Optional[str] = None
    level: Optional[UnitLevel] = None
    online_level: Optional[OnlineLevel] = None


@strawberry.type
class ProcedureConnection(Connection[Procedure]):
    pass


@strawberry.type
class CatalogueQuery:
    @strawberry.field(description="Units under `parentCode`, or the provinces when omitted.")
    async def administrative_units(
        self, info: Info, parent_code: Optional[str] = None
    ) -> list[AdministrativeUnit]:
        rows = await catalogue.list_units(actor=info.context.actor, parent_code=parent_code)
        return [AdministrativeUnit.from_row(r) for r in rows]

    @strawberry.field
    async def procedures(
        self, info: Info, filter: Optional[ProcedureFilter] = None,
        first: Optional[int] = None, after: Optional[str] = None,
    ) -> ProcedureConnection:
        flt = catalogue.ProcedureFilter(**vars(filter)) if filter else None
        page = await catalogue.list_procedures(actor=info.context.actor, flt=flt, first=first,
                                               after=after)
        return ProcedureConnection.of(page, Procedure.from_row)

    @strawberry.field
    async def procedure(self, info: Info, code: str) -> Optional[Procedure]:
        row = await catalogue.get_procedure(actor=info.context.actor, code=code)
        return Procedure.from_row(row) if row else None
