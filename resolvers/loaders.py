"""Batch reads for nested fields (one query per relation and request, never per row).

The schema wraps each in a DataLoader created per request. They read only public reference
data (units, procedures) or rows of dossiers the caller was already allowed to see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from tortoise import connections

from models import AdministrativeUnit, Agency, DossierEvent, Procedure, dialect
from models.rows import Rows

# Read for every page and dossier: statements whose text is built once (models/rows.py).
_PROCEDURES, _UNITS = Rows(Procedure), Rows(AdministrativeUnit)


async def procedures(ids: Sequence[int]) -> list[Procedure | None]:
    rows = {p.id: p for p in await _PROCEDURES.by_ids(ids)}
    return [rows.get(i) for i in ids]


async def units(ids: Sequence[int]) -> list[AdministrativeUnit | None]:
    rows = {u.id: u for u in await _UNITS.by_ids(ids)}
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
# Converted by the model's own fields (SQLite answers instants as text, statuses are enums).
_CONVERTED = ("at", "from_status", "to_status")


def _converter(name: str) -> Any:
    """The model field's conversion, skipped where the driver's value already is the answer:
    an aware instant (PostgreSQL's timestamptz; the ORM would only change its zone, which the
    API's DateTime changes again) or a status found among the enum's members (a dictionary
    lookup instead of the enum's call). Half a page's event CPU was these conversions."""
    field = DossierEvent._meta.fields_map[name]
    to_python = field.to_python_value
    members = getattr(field, "enum_type", None)
    if members is not None:
        known = {member.value: member for member in members}
        return lambda value: known.get(value) or to_python(value)
    return lambda value: value if getattr(value, "tzinfo", None) is not None else to_python(value)


async def events(ids: Sequence[int]) -> list[list[SimpleNamespace]]:
    """Each dossier's events, oldest first, as plain records, the values converted as the
    model converts them. One statement whose text is the same for every page (the ids are one
    parameter): building the ORM's query and its records cost a tenth of a page's CPU."""
    conn = connections.get("default")
    sql = (f'SELECT {", ".join(EVENT_FIELDS)} FROM "{DossierEvent._meta.db_table}" '
           f'WHERE {dialect.among(conn, "dossier_id", 1)} ORDER BY id')
    if not _CONVERTERS:
        _CONVERTERS.extend((name, _converter(name)) for name in _CONVERTED)
    grouped: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for row in await conn.execute_query_dict(sql, [dialect.ids(conn, ids)]):
        for name, to_python in _CONVERTERS:
            value = row[name]
            if value is not None:
                row[name] = to_python(value)
        grouped[row["dossier_id"]].append(SimpleNamespace(**row))
    return [grouped[i] for i in ids]


_CONVERTERS: list[tuple[str, Any]] = []  # made at first use: the ORM sets the fields up at start
