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
    # By path, among the units in force: codes are re-used across reorganisations.
    paths = {g.unit_path for g in actor.grants}
    units = {u.path: u for u in await AdministrativeUnit.filter(path__in=list(paths),
                                                               valid_to__isnull=True)}
    roles = [RoleView(g.role, units[g.unit_path]) for g in actor.grants if g.unit_path in units]
    home = roles[0].unit if roles else None
    if actor.partner_unit_path:
        home = await AdministrativeUnit.filter(path=actor.partner_unit_path,
                                               valid_to__isnull=True).first()
    system = sorted({g.role for g in actor.grants if g.unit_path == ROOT})
    return ViewerView(actor.name, actor.kind, roles, home, system)
