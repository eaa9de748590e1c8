"""The public catalogue: administrative units and procedures."""

from __future__ import annotations

from dataclasses import dataclass

from models import AdministrativeUnit, Procedure
from models.errors import BadInput
from models.procedures import OnlineLevel
from models.scope import scoped
from models.text import fold
from models.units import UnitLevel
from policies import Actor, jurisdiction
from resolvers import lookups, pagination, validation

PROCEDURE_CURSOR = "procedure"


@dataclass(frozen=True)
class ProcedureFilter:
    search: str | None = None
    field: str | None = None
    level: UnitLevel | None = None
    online_level: OnlineLevel | None = None


async def list_units(*, actor: Actor, parent_code: str | None = None) -> list[AdministrativeUnit]:
    """Children of a unit, or the roots (provinces) when no parent is given."""
    query = scoped(AdministrativeUnit.all(), jurisdiction(actor, "unit", "read"), column="path")
    if parent_code is None:
        return await query.filter(parent_id__isnull=True).order_by("code")
    parent = await lookups.unit_by_code(parent_code)
    if parent is None:
        raise BadInput(f"unknown unit {parent_code!r}", field="parentCode")
    return await query.filter(parent_id=parent.id).order_by("code")


def _catalogue_visible(actor: Actor) -> bool:
    """The catalogue is national and public: visible whole or (if policy says so) not at all."""
    return jurisdiction(actor, "procedure", "read").prefixes is None


async def get_procedure(*, actor: Actor, code: str) -> Procedure | None:
    """One procedure by its national code."""
    if not _catalogue_visible(actor):
        return None
    return await lookups.procedure_by_code(code)


async def list_procedures(
    *, actor: Actor, flt: ProcedureFilter | None = None, first: int | None = None,
    after: str | None = None,
) -> tuple[list[Procedure], bool]:
    """Procedures ordered by code; a page and whether another follows."""
    flt = flt or ProcedureFilter()
    size = validation.page_size(first)
    after_code = pagination.decode_str(after, kind=PROCEDURE_CURSOR)
    query = Procedure.all() if _catalogue_visible(actor) else Procedure.filter(id__lt=0)
    if flt.search is not None:
        term = validation.text(flt.search, field="filter.search", max_length=100) or ""
        query = query.filter(search_text__contains=fold(term))
    if flt.field is not None:
        query = query.filter(field=flt.field)
    if flt.level is not None:
        query = query.filter(level=flt.level)
    if flt.online_level is not None:
        query = query.filter(online_level=flt.online_level)
    if after_code is not None:
        query = query.filter(code__gt=after_code)
    rows = await query.order_by("code").limit(size + 1)
    return rows[:size], len(rows) > size


def procedure_cursor(procedure: Procedure) -> str:
    return pagination.encode(PROCEDURE_CURSOR, procedure.code)
