"""`me`: who the caller is, as the API sees them."""

from __future__ import annotations

from typing import Optional

import strawberry

from models import AdministrativeUnit as UnitRow
from policies import ActorKind
from schema.catalogue import AdministrativeUnit
from schema.context import Info


@strawberry.type
class RoleGrant:
    role: str
    unit: AdministrativeUnit


@strawberry.type
class Viewer:
    username: str
    kind: ActorKind
    roles: list[RoleGrant]
    unit: Optional[AdministrativeUnit]


@strawberry.type
class ViewerQuery:
    @strawberry.field(description="The caller; null for an anonymous caller.")
    async def me(self, info: Info) -> Optional[Viewer]:
        actor = info.context.actor
        if actor.kind is ActorKind.ANONYMOUS:
            return None
        codes = {g.unit_code for g in actor.grants}
        units = {u.code: u for u in await UnitRow.filter(code__in=list(codes))}
        roles = [RoleGrant(role=g.role, unit=AdministrativeUnit.from_row(units[g.unit_code]))
                 for g in actor.grants if g.unit_code in units]
        home = roles[0].unit if roles else None
        if actor.partner_unit_path:
            row = await UnitRow.get_or_none(path=actor.partner_unit_path)
            home = AdministrativeUnit.from_row(row) if row else None
        return Viewer(username=actor.name, kind=actor.kind, roles=roles, unit=home)
