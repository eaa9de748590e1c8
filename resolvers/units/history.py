"""Reading the tree as of a date, a unit's predecessors and successors, and the history a
grant reaches.

The tree in force on a day is the versions valid that day: roots are its provinces, a
version's children those of its children valid that day (a parent outlives several versions
of a child). A grant holds over the paths of its unit now; for reading history (metrics of
an earlier period, the audit trail) it also reaches the paths of the predecessors of its
units, so the officials of Đà Nẵng read the Quảng Nam that became part of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from functools import reduce
from operator import or_

from tortoise.expressions import Q

from models import AdministrativeUnit, Reorganization, UnitSuccession, valid_on
from models.errors import BadInput
from models.scope import Scope, scoped
from policies import Actor, jurisdiction, store
from resolvers import clock, lookups

MAX_GENERATIONS = 20  # reorganisations one reading follows back


def today() -> date:
    return clock.local_date(clock.now())


def last_day(unit: AdministrativeUnit) -> date:
    """The last day a version was in force (today for one still in force)."""
    return unit.valid_to - timedelta(days=1) if unit.valid_to is not None else today()


async def list_units(*, actor: Actor, parent_code: str | None = None,
                     as_of: date | None = None) -> list[AdministrativeUnit]:
    """Children of a unit, or the provinces when no parent is given, as of a day (today)."""
    day = as_of or today()
    query = scoped(AdministrativeUnit.filter(valid_on(day)), jurisdiction(actor, "unit", "read"),
                   column="path")
    if parent_code is None:
        return await query.filter(parent_id__isnull=True).order_by("code")
    parent = await lookups.unit_by_code(parent_code, day)
    if parent is None:
        raise BadInput(f"unknown unit {parent_code!r} on {day}", field="parentCode")
    return await query.filter(parent_id=parent.id).order_by("code")


async def get_unit(*, actor: Actor, code: str, as_of: date | None = None) -> AdministrativeUnit | None:
    """The unit with this code on a day (today), if the caller may read units there."""
    unit = await lookups.unit_by_code(code, as_of or today())
    if unit is None or not jurisdiction(actor, "unit", "read").covers(unit.path):
        return None
    return unit


async def children(keys: Sequence[tuple[int, date]]) -> list[list[AdministrativeUnit]]:
    """Loader: the children of (unit id, day) in force that day."""
    days = sorted({day for _, day in keys})
    ids = sorted({unit_id for unit_id, _ in keys})
    rows = await AdministrativeUnit.filter(parent_id__in=ids).order_by("code")
    grouped: dict[tuple[int, date], list[AdministrativeUnit]] = defaultdict(list)
    for row in rows:
        for day in days:
            if row.in_force_on(day):
                grouped[(row.parent_id or 0, day)].append(row)
    return [grouped[key] for key in keys]


async def _linked(ids: Sequence[int], backwards: bool) -> list[list[AdministrativeUnit]]:
    column = "successor_id" if backwards else "predecessor_id"
    other = "predecessor" if backwards else "successor"
    links = await UnitSuccession.filter(**{f"{column}__in": list(ids)}).prefetch_related(other)
    grouped: dict[int, list[AdministrativeUnit]] = defaultdict(list)
    for link in links:
        grouped[getattr(link, column)].append(getattr(link, other))
    return [sorted(grouped[i], key=lambda u: (u.code, u.id)) for i in ids]


async def predecessors(ids: Sequence[int]) -> list[list[AdministrativeUnit]]:
    """Loader: the versions each unit continues (all or part of)."""
    return await _linked(ids, backwards=True)


async def successors(ids: Sequence[int]) -> list[list[AdministrativeUnit]]:
    """Loader: the versions that continue each unit (a split has several)."""
    return await _linked(ids, backwards=False)


async def with_history(scope: Scope) -> Scope:
    """The scope widened to the paths of the predecessors of every unit it reaches.

    Remembered per policy in force (store.generation): successions are written only by a
    reorganisation, which bumps the policy revision so every process reloads (apply.py).
    An inspector's province reaches hundreds of predecessors, a filter that took the ORM
    ~9 ms of CPU to build on every audit search (issue 15, (e))."""
    if not scope.prefixes:
        return scope
    key = (store.generation(), scope.prefixes)
    found = _HISTORY.get(key)
    if found is None:
        found = await _with_history(scope)
        if len(_HISTORY) >= _HISTORY_MAX:
            _HISTORY.clear()
        _HISTORY[key] = found
    return found


_HISTORY: dict[tuple[int, tuple[str, ...]], Scope] = {}
_HISTORY_MAX = 1024


async def _with_history(scope: Scope) -> Scope:
    assert scope.prefixes
    covered = Scope(scope.prefixes)
    frontier = list(scope.prefixes)
    for _ in range(MAX_GENERATIONS):
        clause = reduce(or_, [Q(successor__path__startswith=p) for p in frontier])
        rows = await UnitSuccession.filter(clause).values_list("predecessor__path", flat=True)
        fresh = sorted({str(p) for p in rows if not covered.covers(str(p))})
        if not fresh:
            break
        covered = Scope.of([*(covered.prefixes or ()), *fresh])
        frontier = fresh
    return covered


async def list_reorganizations() -> list[Reorganization]:
    """Every reorganisation applied, oldest effective date first (public facts)."""
    return await Reorganization.all().order_by("effective_date", "id")
