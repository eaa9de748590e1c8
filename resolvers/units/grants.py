"""Role grants across a reorganisation.

A grant is a Casbin `g` rule whose domain is a unit's path. When a step ends a unit and no
unit in force keeps its path, the grant would hold over history only: it is removed, so the
officials of a dissolved unit lose access. If the plan carries grants, each removed grant is
given again at the unit's successor(s) — every part of a split — but never to an abolished
unit's holder (that would widen an official's reach to the whole province): those are
listed, and an administrator grants them where they belong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models import AdministrativeUnit, CasbinRule
from resolvers.units.step import NewVersion, Step


@dataclass
class GrantChanges:
    removed: list[str] = field(default_factory=list)  # "lan CLERK@/49/502/20341/"
    added: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)


def _successors(step: Step, unit_id: int) -> list[NewVersion]:
    if unit_id in step.successor:
        return [step.successor[unit_id]]
    if unit_id in step.splits:
        return [part for part, _ in step.splits[unit_id].parts]
    return []


async def rehome(step: Step, carry: bool) -> GrantChanges:
    """Remove grants on paths no unit in force keeps; carry them when the plan says so."""
    changes = GrantChanges()
    paths = {u.path: u for u in step.closed.values()}
    kept = set(await AdministrativeUnit.filter(path__in=list(paths), valid_to__isnull=True)
               .values_list("path", flat=True))
    dead = {p: u for p, u in paths.items() if p not in kept}
    if not dead:
        return changes
    rules = await CasbinRule.filter(ptype="g", v2__in=[f"{p}*" for p in dead]).order_by("id")
    for rule in rules:
        unit = dead[rule.v2.removesuffix("*")]
        await rule.delete()
        changes.removed.append(f"{rule.v0} {rule.v1}@{unit.path}")
        if not carry:
            continue
        for successor in _successors(step, unit.id):
            assert successor.row is not None  # created before grants are moved
            _, created = await CasbinRule.get_or_create(
                ptype="g", v0=rule.v0, v1=rule.v1, v2=f"{successor.row.path}*")
            if created:
                changes.added.append(f"{rule.v0} {rule.v1}@{successor.row.path}")
    return changes
