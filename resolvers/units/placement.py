"""Placing the new versions of a step: units that follow a changed parent, the holders of
abolished and split units' work, new parents, and the checks on the tree that results."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from models import AdministrativeUnit, Dossier, SuccessionKind, UnitLevel, unit_path
from resolvers.units.rows import PlanError, PlanRow
from resolvers.units.step import NewVersion, Step


class Placement:
    """The second half of a step's builder (plan.py): everything after the rows are read."""

    day: date
    step: Step
    units: dict[int, AdministrativeUnit]
    targets: dict[str, NewVersion]
    cascaded: dict[int, NewVersion]
    elsewhere: dict[str, AdministrativeUnit]
    by_old: dict[str, list[PlanRow]]
    by_new: dict[str, list[PlanRow]]

    def _ancestors(self, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
        chain, parent_id = [], unit.parent_id
        while parent_id is not None and parent_id in self.units:
            parent = self.units[parent_id]
            chain.append(parent)
            parent_id = parent.parent_id
        return chain

    async def _reversion_holders(self) -> None:
        """The nearest continuing ancestor of an abolished or split unit takes over its
        dossiers from the effective date: it gets a new version (counting them from then on),
        unless there is nothing to take over."""
        for unit in [*self.step.abolished.values(), *(s.old for s in self.step.splits.values())]:
            split = self.step.splits.get(unit.id)
            if split is not None and any(rule == "default" for _, rule in split.parts):
                continue
            ancestor = next((a for a in self._ancestors(unit) if a.id not in self.step.abolished
                             and a.id not in self.step.splits), None)
            if ancestor is None or ancestor.id in self.step.closed:
                continue
            if not await Dossier.filter(unit_id=unit.id).exists():
                continue
            version = NewVersion(code=ancestor.code, name=ancestor.name, level=ancestor.level,
                                 kind=ancestor.kind, where=(),
                                 predecessors=[(ancestor, SuccessionKind.CONTINUED)])
            self.cascaded[ancestor.id] = version
            self.step.successor[ancestor.id] = version
            self.step.closed[ancestor.id] = ancestor

    def _cascade(self) -> None:
        """Units under a changed unit that no row mentions follow it with a new version."""
        children: dict[int, list[AdministrativeUnit]] = defaultdict(list)
        for unit in self.units.values():
            if unit.parent_id is not None:
                children[unit.parent_id].append(unit)
        queue = sorted(self.step.closed)
        while queue:
            parent_id = queue.pop()
            for child in sorted(children[parent_id], key=lambda u: u.code):
                if child.id in self.step.closed:
                    continue
                if parent_id in self.step.splits:
                    raise PlanError(self.step.splits[parent_id].where[0],
                                    f"{child.code} {child.name} lies in the split unit "
                                    f"{self.units[parent_id].code}: give it a row with its new_parent_code")
                version = NewVersion(code=child.code, name=child.name, level=child.level, kind=child.kind,
                                     where=(), predecessors=[(child, SuccessionKind.CONTINUED)])
                self.cascaded[child.id] = version
                self.step.successor[child.id] = version
                self.step.closed[child.id] = child
                queue.append(child.id)

    def _successor_of(self, unit: AdministrativeUnit) -> NewVersion | AdministrativeUnit | None:
        """What stands for `unit` after the step (itself when untouched); None when abolished."""
        if unit.id in self.step.abolished:
            return None
        if unit.id in self.step.splits:
            raise KeyError(unit.id)
        return self.step.successor.get(unit.id, unit)

    def _holder(self, unit: AdministrativeUnit) -> NewVersion | AdministrativeUnit | None:
        """The successor of the nearest ancestor that continues (neither abolished nor split)."""
        for ancestor in self._ancestors(unit):
            if ancestor.id not in self.step.abolished and ancestor.id not in self.step.splits:
                return self._successor_of(ancestor)
        return None

    def _holders(self) -> None:
        for unit_id in [*self.step.abolished, *self.step.splits]:
            self.step.holders[unit_id] = self._holder(self.units[unit_id])

    def _new_parent(self, version: NewVersion, rows: list[PlanRow]) -> NewVersion | AdministrativeUnit | None:
        code = next((r.new_parent_code for r in rows if r.new_parent_code), None)
        if code is not None:
            if len({r.new_parent_code for r in rows if r.new_parent_code}) > 1:
                raise PlanError(rows[-1].where, f"new_parent_code of {version.code} differs between rows")
            if code in self.targets:
                return self.targets[code]
            follower = next((v for v in self.cascaded.values() if v.code == code), None)
            if follower is not None:
                return follower
            parent = next((u for u in self.units.values() if u.code == code), None)
            if parent is not None and parent.id in self.step.closed:
                raise PlanError(rows[0].where, f"new_parent_code {code} ({parent.name}) ends on {self.day}; "
                                               "name its successor")
            parent = parent or self.elsewhere.get(code)
            if parent is None:
                raise PlanError(rows[0].where, f"unknown new_parent_code {code} on {self.day}")
            return parent
        where = version.where[0] if version.where else ""
        if not version.predecessors:
            if version.level is UnitLevel.PROVINCE:
                return None
            raise PlanError(where, f"new unit {version.code} needs a new_parent_code")
        parents: dict[int, NewVersion | AdministrativeUnit | None] = {}
        for pred, _ in version.predecessors:
            resolved: NewVersion | AdministrativeUnit | None = None
            if pred.parent_id is not None:
                parent = self.units[pred.parent_id]
                if parent.id in self.step.splits:
                    raise PlanError(where or self.step.splits[parent.id].where[0],
                                    f"{pred.code}'s parent {parent.code} is split: give "
                                    f"{version.code} a new_parent_code")
                abolished = parent.id in self.step.abolished
                resolved = self._holder(pred) if abolished else self._successor_of(parent)
                if abolished and resolved is None:
                    row = next(r for r in self.by_old[parent.code])
                    raise PlanError(row.where, f"{parent.code} is abolished with no parent to take "
                                               f"over: give {pred.code} a row with its new_parent_code")
            parents[id(resolved)] = resolved
        if len(parents) > 1:
            names = ", ".join(p.code for p, _ in version.predecessors)
            raise PlanError(where or "plan", f"{version.code}'s predecessors ({names}) were under "
                                             "different units: give a new_parent_code")
        return next(iter(parents.values()))

    def _parents(self) -> None:
        for code, version in self.targets.items():
            version.parent = self._new_parent(version, self.by_new[code])
        for version in self.cascaded.values():
            version.parent = self._new_parent(version, [])

    def _check_levels(self) -> None:
        for version in self.step.created:
            where = version.where[0] if version.where else f"{version.code} (follows its parent)"
            parent = version.parent
            if (parent is None) != (version.level is UnitLevel.PROVINCE):
                raise PlanError(where, f"{version.code}: a province has no parent and only a province "
                                       f"(its level is {version.level.value})")
            if parent is not None and parent.level.depth >= version.level.depth:
                raise PlanError(where, f"{version.code} ({version.level.value}) cannot lie under "
                                       f"{parent.code} ({parent.level.value})")

    def _order(self) -> None:
        """Parents first; a cycle among the new parents is refused."""
        versions = [*self.targets.values(), *self.cascaded.values()]
        done: set[int] = set()
        ordered: list[NewVersion] = []
        for version in versions:
            chain: list[NewVersion] = []
            current: NewVersion | AdministrativeUnit | None = version
            while isinstance(current, NewVersion) and id(current) not in done:
                if current in chain:
                    cycle = " → ".join(v.code for v in chain[chain.index(current):] + [current])
                    raise PlanError(current.where[0] if current.where else "plan", f"cycle: {cycle}")
                chain.append(current)
                current = current.parent
            for item in reversed(chain):
                done.add(id(item))
                ordered.append(item)
        for version in ordered:
            parent = version.parent
            version.path = unit_path(parent.path if parent is not None else None, version.code)
        self.step.created = ordered

    def _check_unique(self, created: list[NewVersion]) -> None:
        staying = {u.path: u for u in self.units.values() if u.id not in self.step.closed}
        codes = {u.code: u for u in staying.values()}
        for version in created:
            where = version.where[0] if version.where else version.code
            if version.path in staying:
                raise PlanError(where, f"path {version.path} is taken by {staying[version.path].name}")
            if version.code in codes:
                raise PlanError(where, f"code {version.code} stays in use by {codes[version.code].name}")
