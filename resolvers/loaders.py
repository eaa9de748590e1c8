"""Batch reads for nested fields (one query per relation and request, never per row).

The schema wraps each in a DataLoader created per request. They read only public reference
data (units, procedures) or rows of dossiers the caller was already allowed to see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace

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


# What a dossier's `events` field shows of each event.
EVENT_FIELDS = ("dossier_id", "at", "action", "from_status", "to_status", "actor_username", "note")


async def events(ids: Sequence[int]) -> list[list[SimpleNamespace]]:
    """Each dossier's events, oldest first, as plain records (the values converted as the
    model converts them; building models took 3× longer, a tenth of a page's CPU)."""
    grouped: dict[int, list[SimpleNamespace]] = defaultdict(list)
    rows = await DossierEvent.filter(dossier_id__in=list(ids)).order_by("id").values(*EVENT_FIELDS)
    for row in rows:
        grouped[row["dossier_id"]].append(SimpleNamespace(**row))
    return [grouped[i] for i in ids]
