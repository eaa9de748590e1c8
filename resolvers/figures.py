"""The unit and period a figure is asked for, checked once for every figure query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.functions import Count

from models import AdministrativeUnit, Dossier, ProcedureDelegation
from models.errors import BadInput
from policies import Actor, authorize
from resolvers import lookups, units
from resolvers.metrics.measures import Period

MAX_PERIOD = timedelta(days=366 * 5)


@dataclass(frozen=True)
class FigureScope(Period):
    """A unit's subtree (today's paths) and the metrics' period of local days, [start, end)."""

    unit: AdministrativeUnit


async def figure_scope(*, actor: Actor, unit_code: str, first: date, last: date) -> FigureScope:
    """The unit as it stood on the period's last day (or today), readable by the caller the
    way metrics are: `metrics:read` at the unit."""
    if last < first:
        raise BadInput("to must not be before from", field="to")
    if last - first > MAX_PERIOD:
        raise BadInput("the period must be at most five years", field="to")
    day = min(last, units.today())
    unit = await lookups.unit_by_code(unit_code, day)
    if unit is None:
        raise BadInput(f"unknown unit {unit_code!r} on {day}", field="unitCode")
    authorize(actor, "metrics", "read", unit.path)
    return FigureScope(first=first, last=last, unit=unit)


@dataclass(frozen=True)
class ReceptionFigures:
    received: int
    by_postal_staff: int
    delegated_procedures: int
    received_for_delegated: int


async def reception_figures(*, actor: Actor, unit_code: str, first: date,
                            last: date) -> ReceptionFigures:
    """Dossiers received in the period by the unit's subtree: all of them, those received by
    Vietnam Post staff at a desk, and those of procedures the units resolve under delegation."""
    scope = await figure_scope(actor=actor, unit_code=unit_code, first=first, last=last)
    received = Dossier.filter(unit_path__startswith=scope.unit.path,
                              received_at__gte=scope.start, received_at__lt=scope.end)
    delegations = await ProcedureDelegation.filter(
        unit__path__startswith=scope.unit.path, unit__valid_to__isnull=True,
    ).values_list("unit_id", "procedure_id")
    pairs = {(u, p) for u, p in delegations}
    for_delegated = 0
    if pairs:
        rows = await (received.filter(procedure_id__in=list({p for _, p in pairs}))
                      .annotate(n=Count("id")).group_by("unit_id", "procedure_id")
                      .values("unit_id", "procedure_id", "n"))
        for_delegated = sum(r["n"] for r in rows if (r["unit_id"], r["procedure_id"]) in pairs)
    return ReceptionFigures(
        received=await received.count(),
        by_postal_staff=await received.filter(received_by_postal_staff=True).count(),
        delegated_procedures=len(pairs), received_for_delegated=for_delegated)
