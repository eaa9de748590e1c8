"""One step of a plan (its rows of one effective date) checked against the tree in force the
day before, and resolved into the versions to end and to create.

Rules (docs/units.md): a row's `old_code` is a unit in force the day before and not changed
since (history is appended to, never rewritten); several rows into one `new_code` merge, one
`old_code` into several split; a `new_code` that is the code of a unit no row mentions
absorbs that unit. Whatever a row leaves out is inherited: the name and kind of the
predecessor that keeps the code (or the only one), the level of the predecessors, and the
new version of their parent. Units under a changed unit get a new version under its
successor (their path changes); under an abolished one, under the successor of the nearest
ancestor that continues. Identity rows (nothing changes) change nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from operator import or_

from tortoise.expressions import Q

from models import AdministrativeUnit, SuccessionKind, UnitKind, UnitLevel, kind_from_name, unit_path
from models import valid_on as in_force
from resolvers.units.rows import PlanError, PlanRow, fingerprint


@dataclass(eq=False)
class NewVersion:
    """A unit version the step creates."""

    code: str
    name: str
    level: UnitLevel
    kind: UnitKind
    where: tuple[str, ...]  # the rows that made it; () when it follows its parent
    predecessors: list[tuple[AdministrativeUnit, SuccessionKind]] = field(default_factory=list)
    parent: NewVersion | AdministrativeUnit | None = None
    path: str = ""
    row: AdministrativeUnit | None = None  # once created

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(eq=False)
class Split:
    old: AdministrativeUnit
    where: tuple[str, ...]
    parts: list[tuple[NewVersion, str | None]]  # (successor, its dossier_rule)


@dataclass(eq=False)
class Step:
    day: date
    rows: list[PlanRow]
    fingerprint: str
    closed: dict[int, AdministrativeUnit] = field(default_factory=dict)
    created: list[NewVersion] = field(default_factory=list)  # parents before children
    successor: dict[int, NewVersion] = field(default_factory=dict)  # old id → its one successor
    splits: dict[int, Split] = field(default_factory=dict)
    abolished: dict[int, AdministrativeUnit] = field(default_factory=dict)
    # old id (abolished or split) → the unit that takes what has no other place
    holders: dict[int, NewVersion | AdministrativeUnit | None] = field(default_factory=dict)
    absorbed: dict[int, str] = field(default_factory=dict)  # old id → new code it merges into


def _province(path: str) -> str:
    return "/" + path.strip("/").split("/")[0] + "/"


async def _old_unit(row: PlanRow, code: str, before: date) -> AdministrativeUnit:
    unit = await AdministrativeUnit.filter(in_force(before), code=code).first()
    if unit is None:
        later = await (AdministrativeUnit.filter(code=code, valid_from__gt=before)
                       .order_by("valid_from").first())
        if later is not None:
            raise PlanError(row.where, f"unit {code} ({later.name}) exists only from {later.valid_from}; "
                                       f"a change effective {row.effective_date} would come before it")
        raise PlanError(row.where, f"unknown unit {code} on {before}")
    if unit.valid_to is not None:
        raise PlanError(row.where, f"unit {code} ({unit.name}) was already changed on {unit.valid_to}; "
                                   f"a change effective {row.effective_date} would come before it")
    return unit


class _Builder:
    def __init__(self, day: date, rows: list[PlanRow]) -> None:
        self.day, self.before, self.rows = day, day - timedelta(days=1), rows
        self.step = Step(day=day, rows=rows, fingerprint=fingerprint(rows))
        self.olds: dict[str, AdministrativeUnit] = {}
        self.by_old: dict[str, list[PlanRow]] = defaultdict(list)
        self.by_new: dict[str, list[PlanRow]] = defaultdict(list)
        self.units: dict[int, AdministrativeUnit] = {}  # the tree in force the day before
        self.targets: dict[str, NewVersion] = {}
        self.touched: set[int] = set()
        self.cascaded: dict[int, NewVersion] = {}
        self.elsewhere: dict[str, AdministrativeUnit] = {}  # new parents outside the loaded tree

    async def build(self) -> Step:
        await self._read_rows()
        await self._absorb()
        await self._load_tree()
        await self._load_named_parents()
        self._drop_identities()
        self._specify_targets()
        await self._reversion_holders()
        self._cascade()
        self._holders()
        self._parents()
        self._order()
        self._check_levels()
        self._check_unique(self.step.created)
        return self.step

    async def _read_rows(self) -> None:
        for row in self.rows:
            if row.old_code:
                if row.old_code not in self.olds:
                    self.olds[row.old_code] = await _old_unit(row, row.old_code, self.before)
                self.by_old[row.old_code].append(row)
            if row.new_code:
                self.by_new[row.new_code].append(row)
        for code, rows in self.by_old.items():
            news = [r.new_code for r in rows]
            if None in news and len(rows) > 1:
                raise PlanError(rows[1].where, f"unit {code} is abolished on {rows[0].where} "
                                               "and cannot also have a successor")
            if len(set(news)) != len(news):
                raise PlanError(rows[-1].where, f"unit {code} → {rows[-1].new_code} is given twice")
            if len(rows) == 1 and rows[0].dossier_rule:
                raise PlanError(rows[0].where, "dossier_rule applies only when a unit is split")
        creations = [r for r in self.rows if not r.old_code]
        for row in creations:
            if len(self.by_new[row.new_code or ""]) > 1:
                raise PlanError(row.where, f"unit {row.new_code} is created here and also has "
                                           "predecessors; leave out this row")

    async def _absorb(self) -> None:
        """A new code naming a unit no row mentions: that unit merges into the new version."""
        for code in self.by_new:
            if code in self.by_old:
                continue
            existing = await AdministrativeUnit.filter(in_force(self.before), code=code).first()
            if existing is None:
                later = await AdministrativeUnit.filter(code=code, valid_to__isnull=True,
                                                        valid_from__gt=self.before).first()
                if later is not None:
                    raise PlanError(self.by_new[code][0].where,
                                    f"code {code} is used by {later.name} from {later.valid_from}")
                continue
            if existing.valid_to is not None:
                raise PlanError(self.by_new[code][0].where,
                                f"code {code} ({existing.name}) was already changed on {existing.valid_to}")
            self.olds[code] = existing
            self.step.absorbed[existing.id] = code

    async def _load_tree(self) -> None:
        """Every unit in force the day before in the provinces the rows touch."""
        provinces = {_province(u.path) for u in self.olds.values()}
        if not provinces:
            return
        clause = reduce(or_, [Q(path__startswith=p) for p in sorted(provinces)])
        for unit in await AdministrativeUnit.filter(in_force(self.before)).filter(clause):
            self.units[unit.id] = unit
        for unit in self.olds.values():
            self.units.setdefault(unit.id, unit)
        self.touched = {u.id for u in self.olds.values()}

    async def _load_named_parents(self) -> None:
        """Units named as new parents that lie outside the provinces the rows touch."""
        known = {u.code for u in self.units.values()} | set(self.by_new)
        wanted = {r.new_parent_code for r in self.rows if r.new_parent_code} - known
        if wanted:
            for unit in await AdministrativeUnit.filter(in_force(self.day), code__in=sorted(wanted)):
                self.elsewhere[unit.code] = unit

    def _ancestors(self, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
        chain, parent_id = [], unit.parent_id
        while parent_id is not None and parent_id in self.units:
            parent = self.units[parent_id]
            chain.append(parent)
            parent_id = parent.parent_id
        return chain

    def _drop_identities(self) -> None:
        """A row that changes nothing (same code, name, kind, level, parent) is left out."""
        while True:
            dropped = False
            for code, rows in list(self.by_old.items()):
                unit = self.olds[code]
                if len(rows) != 1 or unit.id not in self.touched or not self._is_identity(rows[0], unit):
                    continue
                self.touched.discard(unit.id)
                dropped = True
            if not dropped:
                return

    def _is_identity(self, row: PlanRow, unit: AdministrativeUnit) -> bool:
        if row.new_code != unit.code or len(self.by_new[unit.code]) != 1:
            return False
        parent = self.units.get(unit.parent_id) if unit.parent_id else None
        if row.new_parent_code is not None and (parent is None or parent.code != row.new_parent_code):
            return False
        same = ((row.new_name in (None, unit.name)) and (row.new_kind in (None, unit.kind))
                and (row.new_level in (None, unit.level)))
        return same and not any(a.id in self.touched for a in self._ancestors(unit))

    def _specify_targets(self) -> None:
        for code, rows in self.by_new.items():
            preds = [self.olds[r.old_code] for r in rows
                     if r.old_code and self.olds[r.old_code].id in self.touched]
            absorbed = self.olds.get(code)
            if absorbed is not None and absorbed.id in self.step.absorbed and absorbed.id in self.touched:
                preds.append(absorbed)
            if rows[0].old_code and not preds:
                continue  # an identity row, left out
            self.targets[code] = self._target(code, rows, preds)
        for code, rows in self.by_old.items():
            unit = self.olds[code]
            if unit.id not in self.touched:
                continue
            self.step.closed[unit.id] = unit
            if rows[0].new_code is None:
                self.step.abolished[unit.id] = unit
            elif len(rows) > 1:
                parts = [(self.targets[r.new_code or ""], r.dossier_rule) for r in rows]
                if sum(rule == "default" for _, rule in parts) > 1:
                    raise PlanError(rows[-1].where, f"split of {code}: only one part may be 'default'")
                self.step.splits[unit.id] = Split(unit, tuple(r.where for r in rows), parts)
                for target, _ in parts:
                    target.predecessors.append((unit, SuccessionKind.SPLIT))
            else:
                target = self.targets[rows[0].new_code or ""]
                self.step.successor[unit.id] = target
        for unit_id, code in self.step.absorbed.items():
            if unit_id in self.touched:
                self.step.closed[unit_id] = self.units[unit_id]
                self.step.successor[unit_id] = self.targets[code]
        for target in self.targets.values():
            merged = [i for i, t in self.step.successor.items() if t is target]
            alone = len(merged) + len(target.predecessors) == 1
            kind = SuccessionKind.CONTINUED if alone else SuccessionKind.MERGED
            target.predecessors.extend((self.units[i], kind) for i in merged)

    def _target(self, code: str, rows: list[PlanRow], preds: list[AdministrativeUnit]) -> NewVersion:
        where = tuple(r.where for r in rows)

        def one(attribute: str):
            values = {getattr(r, attribute) for r in rows if getattr(r, attribute) is not None}
            if len(values) > 1:
                raise PlanError(rows[-1].where, f"{attribute} of {code} differs between {', '.join(where)}")
            return next(iter(values), None)

        keeper = next((p for p in preds if p.code == code), preds[0] if len(preds) == 1 else None)
        name = one("new_name") or (keeper.name if keeper else None)
        if name is None:
            raise PlanError(rows[0].where, f"new unit {code} needs a new_name")
        kind, level = one("new_kind"), one("new_level")
        levels = {p.level for p in preds}
        level = level or (kind.level if kind else None) or (levels.pop() if len(levels) == 1 else None)
        if level is None:
            raise PlanError(rows[0].where, f"new unit {code} needs a new_level")
        kind = kind or kind_from_name(name, level) or (
            keeper.kind if keeper and keeper.level is level else None)
        if kind is None or kind.level is not level:
            raise PlanError(rows[0].where, f"new unit {code} needs a new_kind of level {level.value}")
        return NewVersion(code=code, name=name, level=level, kind=kind, where=where)

    async def _reversion_holders(self) -> None:
        """The nearest continuing ancestor of an abolished or split unit takes over its
        dossiers from the effective date: it gets a new version (counting them from then on),
        unless there is nothing to take over."""
        from models import Dossier

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


async def build_step(day: date, rows: list[PlanRow]) -> Step:
    """Check the rows of one effective date against the tree in force the day before."""
    return await _Builder(day, rows).build()
