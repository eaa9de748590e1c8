"""The public catalogue: administrative units and procedures."""

from __future__ import annotations

from dataclasses import dataclass

from models import AdministrativeUnit as UnitRow
from models import Procedure
from models import Procedure as ProcedureRow
from models.procedures import OnlineLevel
from models.text import fold
from models.units import UnitLevel
from policies import Actor, jurisdiction
from resolvers import lookups, validation
from resolvers.pagination import Page, keyset

PROCEDURE_CURSOR = "procedure"


@dataclass(frozen=True)
class ProcedureFilter:
    search: str | None = None
    field: str | None = None
    level: UnitLevel | None = None
    online_level: OnlineLevel | None = None


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
) -> Page[Procedure]:
    """Procedures ordered by code."""
    flt = flt or ProcedureFilter()
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
    return await keyset(query, kind=PROCEDURE_CURSOR, key="code", descending=False, first=first,
                        after=after)


__all__ = ["OnlineLevel", "ProcedureFilter", "ProcedureRow", "UnitLevel", "UnitRow",
           "get_procedure", "list_procedures"]
