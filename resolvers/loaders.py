"""Batch reads for nested fields (one query per relation and request, never per row).

The schema wraps each in a DataLoader created per request. They read only public reference
data (units, procedures) or rows of dossiers the caller was already allowed to see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from models import AdministrativeUnit, Agency, DossierEvent, Procedure


async def procedures(ids: Sequence[int]) -> list[Procedure | None]:
    rows = {p.id: p for p in await Procedure.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def units(ids: Sequence[int]) -> list[AdministrativeUnit | None]:
    rows = {u.id: u for u in await AdministrativeUnit.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def agencies(ids: Sequence[int]) -> list[Agency | None]:
    rows = {a.id: a for a in await Agency.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def events(ids: Sequence[int]) -> list[list[DossierEvent]]:
    grouped: dict[int, list[DossierEvent]] = defaultdict(list)
    for event in await DossierEvent.filter(dossier_id__in=list(ids)).order_by("id"):
        grouped[event.dossier_id].append(event)
    return [grouped[i] for i in ids]
