"""`me`: the caller as the API sees them, with the units of their grants."""

from __future__ import annotations

from dataclasses import dataclass

from models import AdministrativeUnit
from policies import ROOT, Actor, ActorKind


@dataclass(frozen=True)
class RoleView:
    role: str
    unit: AdministrativeUnit


@dataclass(frozen=True)
class ViewerView:
    username: str
    kind: ActorKind
    roles: list[RoleView]
    unit: AdministrativeUnit | None
    system_roles: list[str]  # roles granted at the root: everywhere


async def viewer(*, actor: Actor) -> ViewerView | None:
    """Who is calling; None for an anonymous caller."""
    if actor.kind is ActorKind.ANONYMOUS:
        return None
    codes = {g.unit_code for g in actor.grants}
    units = {u.code: u for u in await AdministrativeUnit.filter(code__in=list(codes))}
    roles = [RoleView(g.role, units[g.unit_code]) for g in actor.grants if g.unit_code in units]
    home = roles[0].unit if roles else None
    if actor.partner_unit_path:
        home = await AdministrativeUnit.get_or_none(path=actor.partner_unit_path)
    system = sorted({g.role for g in actor.grants if g.unit_path == ROOT})
    return ViewerView(actor.name, actor.kind, roles, home, system)
