"""Batch reads for nested fields (one query per relation and request, never per row).

The schema wraps each in a DataLoader created per request. They read only public reference
data (units, procedures) or rows of dossiers the caller was already allowed to see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import connections

from models import AdministrativeUnit, Agency, DossierEvent, Procedure, dialect
from models.dossiers import DossierStatus
from models.making import converter
from resolvers.lookups import KEPT_PROCEDURES, KEPT_UNITS

# Read for every page and dossier: kept by id in each process (resolvers/kept.py), read by
# statements whose text is built once (models/rows.py).


async def procedures(ids: Sequence[int]) -> list[Procedure | None]:
    rows = await KEPT_PROCEDURES.by_ids(ids)
    return [rows.get(i) for i in ids]


async def units(ids: Sequence[int]) -> list[AdministrativeUnit | None]:
    rows = await KEPT_UNITS.by_ids(ids)
    return [rows.get(i) for i in ids]


def by_relation(rows: Iterable[Any]) -> tuple[dict[int, Procedure], dict[int, AdministrativeUnit]]:
    """Rows a read brought along, by id: the procedures and the units."""
    procedures: dict[int, Procedure] = {}
    units_: dict[int, AdministrativeUnit] = {}
    for row in rows:
        if isinstance(row, Procedure):
            procedures[row.id] = row
        elif isinstance(row, AdministrativeUnit):
            units_[row.id] = row
    return procedures, units_


async def agencies(ids: Sequence[int]) -> list[Agency | None]:
    rows = {a.id: a for a in await Agency.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


# What a dossier's `events` field shows of each event.
EVENT_FIELDS = ("dossier_id", "at", "action", "from_status", "to_status", "actor_username", "note")


@dataclass(slots=True, frozen=True)
class EventActor:
    """Who took a step, as an event shows it."""

    username: str


@dataclass(slots=True)
class EventRecord:
    """One step of a dossier's life as shown: the schema's DossierEvent reads these fields
    as they are (a page shows hundreds; no second object per event)."""

    dossier_id: int
    at: datetime
    action: str
    from_status: DossierStatus | None
    to_status: DossierStatus
    actor: EventActor
    note: str | None


def _actor(username: str, known: dict[str, EventActor]) -> EventActor:
    found = known.get(username)
    if found is None:
        found = known[username] = EventActor(username)
    return found


async def events(ids: Sequence[int]) -> list[list[EventRecord]]:
    """Each dossier's events, oldest first, as plain records, the values converted as the
    model converts them (models/making.py: only where the driver has not). One statement
    whose text is the same for every page (the ids are one parameter): building the ORM's
    query and its records cost a tenth of a page's CPU."""
    conn = connections.get("default")
    sql = (f'SELECT {", ".join(EVENT_FIELDS)} FROM "{DossierEvent._meta.db_table}" '
           f'WHERE {dialect.among(conn, "dossier_id", 1)} ORDER BY id')
    fields = DossierEvent._meta.fields_map
    at, status = converter(fields["at"]), converter(fields["to_status"])
    grouped: dict[int, list[EventRecord]] = defaultdict(list)
    actors: dict[str, EventActor] = {}  # one per username in the batch
    for row in (await conn.execute_query(sql, [dialect.ids(conn, ids)]))[1]:
        dossier_id, instant, action, before, after, actor, note = row
        grouped[dossier_id].append(EventRecord(
            dossier_id, at(instant), action, None if before is None else status(before),
            status(after), _actor(actor, actors), note))
    return [grouped[i] for i in ids]
