"""Reading dossiers: the scoped list with filters, one dossier, and public tracking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet

from models import Dossier
from models.errors import BadInput
from models.scope import scoped
from models.text import fold
from policies import Actor, jurisdiction
from resolvers import clock, lookups, pagination, validation
from resolvers.dossiers.inputs import DossierFilter

CURSOR_KIND = "dossier"


@dataclass
class DossierPage:
    """One page of a keyset-paginated, scoped query; `count()` runs only if asked for."""

    rows: list[Dossier]
    has_next: bool
    query: QuerySet[Dossier]

    async def count(self) -> int:
        return await self.query.count()


async def _filtered(actor: Actor, flt: DossierFilter) -> QuerySet[Dossier]:
    scope = jurisdiction(actor, "dossier", "read")
    if flt.unit_code is not None:
        unit = await lookups.unit_by_code(flt.unit_code)
        if unit is None:
            raise BadInput(f"unknown unit {flt.unit_code!r}", field="filter.unitCode")
        scope = scope.narrow(unit.path)
    query = scoped(Dossier.all(), scope)
    if flt.status:
        query = query.filter(status__in=list(flt.status))
    if flt.channel is not None:
        query = query.filter(channel=flt.channel)
    if flt.procedure_code is not None:
        procedure = await lookups.procedure_by_code(flt.procedure_code)
        if procedure is None:
            raise BadInput(f"unknown procedure {flt.procedure_code!r}", field="filter.procedureCode")
        query = query.filter(procedure_id=procedure.id)
    if flt.received_from is not None:
        query = query.filter(received_at__gte=flt.received_from)
    if flt.received_to is not None:
        query = query.filter(received_at__lt=flt.received_to)
    if flt.received_from and flt.received_to and flt.received_from > flt.received_to:
        raise BadInput("filter.receivedFrom must not be after receivedTo", field="filter.receivedFrom")
    if flt.overdue is not None:
        query = query.filter(_overdue(clock.now()) if flt.overdue else ~_overdue(clock.now()))
    if flt.search is not None:
        term = validation.text(flt.search, field="filter.search", max_length=100)
        # The ORM escapes LIKE metacharacters in `contains`, so "50%" is searched literally.
        query = query.filter(search_text__contains=fold(term or ""))
    return query


def _overdue(now: datetime) -> Q:
    """Open dossiers past their legal deadline; a supplement pause stops the clock.

    NEW dossiers have no deadline yet, so `legal_due_at < …` already leaves them out, and
    `ended_at IS NULL` lets the (ended_at, legal_due_at) index serve the filter.
    """
    running = Q(paused_at__isnull=True, legal_due_at__lt=now)
    paused = Q(paused_at__isnull=False, legal_due_at__lt=F("paused_at"))
    return Q(ended_at__isnull=True) & (running | paused)


async def list_dossiers(
    *, actor: Actor, flt: DossierFilter | None = None, first: int | None = None,
    after: str | None = None,
) -> DossierPage:
    """Dossiers in the caller's jurisdiction, newest first."""
    size = validation.page_size(first)
    after_id = pagination.decode_int(after, kind=CURSOR_KIND)
    query = await _filtered(actor, flt or DossierFilter())
    page_query = query if after_id is None else query.filter(id__lt=after_id)
    rows = await page_query.order_by("-id").limit(size + 1)
    return DossierPage(rows=rows[:size], has_next=len(rows) > size, query=query)


def cursor_of(dossier: Dossier) -> str:
    return pagination.encode(CURSOR_KIND, dossier.id)


async def get_dossier(*, actor: Actor, code: str) -> Dossier | None:
    """One dossier, or None when missing or outside the caller's jurisdiction."""
    scope = jurisdiction(actor, "dossier", "read")
    if not 0 < len(code) <= 48:  # longer than any code: the ORM would refuse the value
        return None
    return await scoped(Dossier.filter(code=code), scope).first()


async def track_dossier(*, actor: Actor, code: str) -> Dossier | None:
    """Any dossier by its code, for the public tracking page (the schema hides personal data)."""
    if not jurisdiction(actor, "dossier", "track").covers("/"):
        return None
    code = validation.text(code, field="code", max_length=48) or ""
    return await lookups.dossier_by_code(code)


__all__ = ["DossierPage", "cursor_of", "get_dossier", "list_dossiers", "track_dossier"]
