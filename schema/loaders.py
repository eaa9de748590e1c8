"""DataLoaders, created fresh for every request so no cache is shared between callers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models import AdministrativeUnit, Agency, DossierEvent, Procedure


async def _procedures(ids: Sequence[int]) -> list[Procedure | None]:
    rows = {p.id: p for p in await Procedure.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _units(ids: Sequence[int]) -> list[AdministrativeUnit | None]:
    rows = {u.id: u for u in await AdministrativeUnit.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _agencies(ids: Sequence[int]) -> list[Agency | None]:
    rows = {a.id: a for a in await Agency.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _unit_children(ids: Sequence[int]) -> list[list[AdministrativeUnit]]:
    grouped: dict[int, list[AdministrativeUnit]] = defaultdict(list)
    for unit in await AdministrativeUnit.filter(parent_id__in=list(ids)).order_by("code"):
        grouped[unit.parent_id].append(unit)
    return [grouped[i] for i in ids]


async def _events(ids: Sequence[int]) -> list[list[DossierEvent]]:
    grouped: dict[int, list[DossierEvent]] = defaultdict(list)
    for event in await DossierEvent.filter(dossier_id__in=list(ids)).order_by("id"):
        grouped[event.dossier_id].append(event)
    return [grouped[i] for i in ids]


class Loaders:
    """One loader per relation that nested fields follow."""

    def __init__(self) -> None:
        self.procedure = DataLoader(load_fn=_procedures)
        self.unit = DataLoader(load_fn=_units)
        self.agency = DataLoader(load_fn=_agencies)
        self.unit_children = DataLoader(load_fn=_unit_children)
        self.events = DataLoader(load_fn=_events)
