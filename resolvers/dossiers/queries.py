"""Reading dossiers: the scoped list with filters, one dossier, and public tracking."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import Enum
from functools import partial

from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet

from models import Dossier
from models.errors import BadInput
from models.scope import Scope, scoped
from models.text import fold
from policies import Actor, jurisdiction
from resolvers import clock, lookups, validation
from resolvers.dossiers.desks import desk_scope
from resolvers.dossiers.inputs import DossierFilter
from resolvers.dossiers.views import DossierView, Presenter, present
from resolvers.ordering import cursor_kind, keyset_by
from resolvers.pagination import Page, _decode, keyset, newest_first

CURSOR_KIND = "dossier"


class DossierOrderField(Enum):
    """What a dossier list can be sorted by (each served by an index on PostgreSQL)."""

    RECEIVED = "RECEIVED"
    DUE = "DUE"
    CODE = "CODE"


class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


# field → (column, unique): a unique column is its own keyset; others break ties by id.
ORDER_COLUMNS = {DossierOrderField.RECEIVED: ("received_at", False),
                 DossierOrderField.DUE: ("due_at", False),
                 DossierOrderField.CODE: ("code", True)}


@dataclass(frozen=True)
class DossierOrder:
    field: DossierOrderField
    direction: SortDirection = SortDirection.DESC


def _check_cursor_order(after: str | None, kind: str) -> None:
    """A cursor of the dossier list in another order (or none) is refused by name."""
    if after is None:
        return
    try:
        _decode(after, kind, "after")
    except BadInput:
        for other in (CURSOR_KIND, *(cursor_kind(CURSOR_KIND, c, d) for c, _ in ORDER_COLUMNS.values()
                                     for d in (True, False))):
            if other != kind:
                try:
                    _decode(after, other, "after")
                except BadInput:
                    continue
                raise BadInput("after comes from a page in another order: send the orderBy "
                               "of the page it came from", field="after") from None
        raise


async def _desk_filtered(actor: Actor, flt: DossierFilter, scope: Scope) -> QuerySet[Dossier]:
    """Dossiers received at a desk: all of them for its clerks (Decree 118: the desk returns
    the results), else those the caller may read anyway. One prefix filter on desk_path."""
    desk = await lookups.unit_by_code(flt.desk_code)
    if desk is None:
        raise BadInput(f"unknown unit {flt.desk_code!r}", field="filter.deskCode")
    query = scoped(Dossier.all(), Scope((desk.path,)), column="desk_path")
    if not desk_scope(actor).covers(desk.path):
        query = scoped(query, scope)
    return query


def _unfiltered(flt: DossierFilter | None) -> bool:
    """No filter at all (False is a filter: `overdue: false`)."""
    return flt is None or all(getattr(flt, f.name) in (None, (), []) for f in fields(flt))


async def _filtered(actor: Actor, flt: DossierFilter) -> QuerySet[Dossier]:
    scope = jurisdiction(actor, "dossier", "read")
    if flt.unit_code is not None:
        unit = await lookups.unit_by_code(flt.unit_code)
        if unit is None:
            raise BadInput(f"unknown unit {flt.unit_code!r}", field="filter.unitCode")
        scope = scope.narrow(unit.path)
    if flt.desk_code is not None:
        query = await _desk_filtered(actor, flt, scope)
        if flt.unit_code is not None:
            query = scoped(query, scope)
    else:
        query = scoped(Dossier.all(), scope)
    if flt.awaiting_assignment is not None:
        query = query.filter(awaiting_assignment=flt.awaiting_assignment)
    if flt.status:
        query = query.filter(status__in=list(flt.status))
    if flt.channel is not None:
        query = query.filter(channel=flt.channel)
    if flt.procedure_code is not None:
        procedure = await lookups.procedure_by_code(flt.procedure_code)
        if procedure is None:
            raise BadInput(f"unknown procedure {flt.procedure_code!r}", field="filter.procedureCode")
        query = query.filter(procedure_id=procedure.id)
    # A plain date means the whole local day; times are compared in UTC (clock.instant).
    start = clock.instant(flt.received_from) if flt.received_from is not None else None
    end = clock.range_end(flt.received_to) if flt.received_to is not None else None
    if start is not None and end is not None and start > end:
        raise BadInput("filter.receivedFrom must not be after receivedTo", field="filter.receivedFrom")
    if start is not None:
        query = query.filter(received_at__gte=start)
    if end is not None:
        query = query.filter(received_at__lt=end)
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
    after: str | None = None, order: DossierOrder | None = None,
) -> Page[DossierView]:
    """Dossiers in the caller's jurisdiction, newest first (or in `order`), as the caller may
    see them."""
    if order is None and _unfiltered(flt):
        # The list every official opens: by a statement built once (models/rows.py), not
        # through the ORM's query builder (a twentieth of a page's CPU; issue 15).
        _check_cursor_order(after, CURSOR_KIND)
        scope = jurisdiction(actor, "dossier", "read")
        page = await newest_first(
            partial(lookups.DOSSIERS.newest, scope), kind=CURSOR_KIND, first=first, after=after,
            count=lambda: scoped(Dossier.all(), scope).count())
        return page.map(Presenter(actor).full)
    query = await _filtered(actor, flt or DossierFilter())
    if order is None:
        _check_cursor_order(after, CURSOR_KIND)
        page = await keyset(query, kind=CURSOR_KIND, key="id", descending=True, first=first,
                            after=after)
    else:
        column, unique = ORDER_COLUMNS[order.field]
        descending = order.direction is SortDirection.DESC
        kind = cursor_kind(CURSOR_KIND, column, descending)
        _check_cursor_order(after, kind)
        page = await keyset_by(query, kind=kind, column=column, descending=descending,
                               first=first, after=after, temporal=not unique, unique=unique)
    return page.map(Presenter(actor).full)


async def get_dossier(*, actor: Actor, code: str) -> DossierView | None:
    """One dossier, or None when missing or outside the caller's jurisdiction."""
    if not lookups.fits_code(code):
        return None
    # With its procedure and units in the same statement: the fields that show them need
    # no read of their own (two round trips less for the most common single read).
    found = await lookups.DOSSIERS_SHOWN.one_joined("code", code,
                                                    jurisdiction(actor, "dossier", "read"))
    if found is None:
        return None
    row, related = found
    return replace(present(actor, row), related=tuple(related))


async def track_dossier(*, actor: Actor, code: str) -> DossierView | None:
    """Any dossier by its code, for the public tracking page: no personal data."""
    if not jurisdiction(actor, "dossier", "track").covers("/"):
        return None
    code = validation.text(code, field="code", max_length=48) or ""
    row = await lookups.dossier_by_code(code)
    return Presenter(actor).public(row) if row else None


__all__ = ["DossierOrder", "DossierOrderField", "SortDirection", "get_dossier", "list_dossiers",
           "track_dossier"]
