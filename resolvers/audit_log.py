"""Inspectors' view of the audit trail: filtered, keyset-paginated, within jurisdiction."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from audit import chain, record
from models import AuditEntry
from models.audit import AuditOutcome
from models.errors import BadInput
from models.scope import Scope, scoped
from policies import Actor, authorize, jurisdiction
from resolvers import clock, lookups, units, validation
from resolvers.pagination import Page, keyset

CURSOR = "audit"
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    unit_code: str | None = None
    outcome: AuditOutcome | None = None
    at_from: datetime | date | None = None
    at_to: datetime | date | None = None


def _visible(scope: Scope) -> QuerySet[AuditEntry]:
    """Entries under the caller's units; entries tied to no unit only for province-level
    auditors (a deployment serves one province, so they are its system-wide events)."""
    if scope.prefixes is None:
        return AuditEntry.all()
    clauses = [Q(unit_path__startswith=prefix) for prefix in scope.prefixes]
    if any(p.count("/") == 2 for p in scope.prefixes):  # "/49/": a province grant
        clauses.append(Q(unit_path__isnull=True))
    if not clauses:
        return AuditEntry.filter(id__lt=0)
    return AuditEntry.filter(reduce(or_, clauses))


async def _filtered(actor: Actor, flt: AuditFilter) -> QuerySet[AuditEntry]:
    # Entries keep the path of their time: reaching the units' predecessors reads their past.
    scope = await units.with_history(jurisdiction(actor, "audit", "read"))
    if flt.unit_code is not None:
        unit = await lookups.unit_by_code(flt.unit_code)
        if unit is None:
            raise BadInput(f"unknown unit {flt.unit_code!r}", field="filter.unitCode")
        query = scoped(AuditEntry.all(), scope.narrow(unit.path))
    else:
        query = _visible(scope)
    for field, column, limit in (("actor", "actor_username", 150), ("action", "action", 64),
                                 ("object_type", "object_type", 64), ("object_id", "object_id", 64)):
        value = getattr(flt, field)
        if value is not None:
            query = query.filter(**{column: validation.text(value, field=f"filter.{field}",
                                                            max_length=limit)})
    if flt.outcome is not None:
        query = query.filter(outcome=flt.outcome)
    # A plain date means the whole local day; times are compared in UTC (clock.instant).
    if flt.at_from is not None:
        query = query.filter(at__gte=clock.instant(flt.at_from))
    if flt.at_to is not None:
        query = query.filter(at__lt=clock.range_end(flt.at_to))
    return query


async def list_entries(
    *, actor: Actor, flt: AuditFilter | None = None, first: int | None = None,
    after: str | None = None,
) -> Page[AuditEntry]:
    """Newest first, by a keyset on id (the trail only grows)."""
    authorize(actor, "audit", "read")
    query = await _filtered(actor, flt or AuditFilter())
    return await keyset(query, kind=CURSOR, key="id", descending=True, first=first, after=after)


async def dossier_history(*, actor: Actor, code: str, unit_path: str) -> list[AuditEntry]:
    """Every audit entry about one dossier, oldest first (needs audit:read at its unit)."""
    authorize(actor, "audit", "read", unit_path)
    return await AuditEntry.filter(object_type="Dossier", object_id=code).order_by("id")


async def verify_trail(*, actor: Actor) -> chain.Verification:
    authorize(actor, "audit", "read")
    return await chain.verify()


COLUMNS = ("id", "seq", "at", "actor_kind", "actor_username", "actor_roles", "action",
           "object_type", "object_id", "unit_path", "outcome", "reason", "operation_name",
           "request_id", "client_address", "changes", "occurrences")


async def export_csv(*, actor: Actor, flt: AuditFilter) -> AsyncIterator[str]:
    """A filtered range as CSV, oldest first; the export itself is audited first."""
    authorize(actor, "audit", "export")
    query = await _filtered(actor, flt)
    await record(actor=actor, action="audit:export", object_type="AuditLog",
                 changes={"filter": [None, {k: str(v) for k, v in vars(flt).items() if v}]})

    async def rows() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        last_id, sent = 0, 0
        while sent < EXPORT_LIMIT:
            page = await query.filter(id__gt=last_id).order_by("id").limit(1000)
            if not page:
                break
            for entry in page:
                writer.writerow([getattr(entry, c) if c != "outcome" else entry.outcome.value
                                 for c in COLUMNS])
            last_id, sent = page[-1].id, sent + len(page)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if not sent:
            yield buffer.getvalue()

    return rows()
