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
from datetime import date, timedelta
from functools import reduce
from operator import or_

from tortoise.expressions import Q

from models import AdministrativeUnit, SuccessionKind, kind_from_name
from models import valid_on as in_force
from resolvers.units.placement import Placement
from resolvers.units.rows import PlanError, PlanRow, fingerprint
from resolvers.units.step import NewVersion, Split, Step

__all__ = ["NewVersion", "Split", "Step", "build_step"]


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


class _Builder(Placement):
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


async def build_step(day: date, rows: list[PlanRow]) -> Step:
    """Check the rows of one effective date against the tree in force the day before."""
    return await _Builder(day, rows).build()
