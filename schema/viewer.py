"""`me`: who the caller is, as the API sees them."""

from __future__ import annotations

from typing import Optional

import strawberry

from policies import ActorKind
from resolvers import identity
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
    system_roles: list[str] = strawberry.field(description=(
        "Roles granted at the root (`/`): they hold in every unit, and over what belongs to "
        "no unit, such as the policy."))


@strawberry.type
class ViewerQuery:
    @strawberry.field(description="The caller; null for an anonymous caller.")
    async def me(self, info: Info) -> Optional[Viewer]:
        view = await identity.viewer(actor=info.context.actor)
        if view is None:
            return None
        return Viewer(username=view.username, kind=view.kind,
                      roles=[RoleGrant(role=r.role, unit=AdministrativeUnit.from_row(r.unit))
                             for r in view.roles],
                      unit=AdministrativeUnit.from_row(view.unit) if view.unit else None,
                      system_roles=view.system_roles)
