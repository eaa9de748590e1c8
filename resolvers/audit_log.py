"""Inspectors' view of the audit trail: filtered, keyset-paginated, within jurisdiction."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.queryset import QuerySet

from audit import chain, record
from models import AuditEntry
from models.audit import AuditOutcome
from models.errors import BadInput
from models.scope import Scope, scoped_once
from policies import ROOT, Actor, authorize, jurisdiction
from resolvers import clock, lookups, units, validation
from resolvers.cells import neutral
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
    """Entries under the caller's units. Entries tied to no unit (anonymous reads, failed
    logins of unknown names) belong to the whole system: only auditors granted at the root
    see them, as they see the root's own entries (policy edits, system-level grants); a grant
    at the root covers every path, so it sees the whole trail."""
    if scope.prefixes is None or scope.covers(ROOT):
        return AuditEntry.all()
    # One array of prefixes: PostgreSQL keeps one plan for the search (models.scope).
    return scoped_once(AuditEntry.all(), scope)


async def _filtered(actor: Actor, flt: AuditFilter) -> QuerySet[AuditEntry]:
    # Entries keep the path of their time: reaching the units' predecessors reads their past.
    scope = await units.with_history(jurisdiction(actor, "audit", "read"))
    if flt.unit_code is not None:
        unit = await lookups.unit_by_code(flt.unit_code)
        if unit is None:
            raise BadInput(f"unknown unit {flt.unit_code!r}", field="filter.unitCode")
        query = scoped_once(AuditEntry.all(), scope.narrow(unit.path))
    else:
        query = _visible(scope)
    for field, column, limit in (("actor", "actor_username", 150),
                                 ("object_type", "object_type", 64), ("object_id", "object_id", 64)):
        value = getattr(flt, field)
        if value is not None:
            query = query.filter(**{column: validation.text(value, field=f"filter.{field}",
                                                            max_length=limit)})
    if flt.action is not None:
        action = validation.text(flt.action, field="filter.action", max_length=64) or ""
        query = query.filter(action__in=_spellings(action))
    if flt.outcome is not None:
        query = query.filter(outcome=flt.outcome)
    # A plain date means the whole local day; times are compared in UTC (clock.instant).
    if flt.at_from is not None:
        query = query.filter(at__gte=clock.instant(flt.at_from))
    if flt.at_to is not None:
        query = query.filter(at__lt=clock.range_end(flt.at_to))
    return query


# What actions are about (`dossier:ACCEPT`, `role:grant`, `http:429`): a bare verb in a
# filter (`ACCEPT`) means that verb on any of them, so people need not know the prefixes.
ACTION_OBJECTS = ("dossier", "feedback", "user", "role", "policy", "partner_token", "session",
                  "token", "audit", "report", "calendar", "unit", "http", "query", "mutation",
                  "graphql", "subscription")


def _spellings(action: str) -> list[str]:
    """The exact action, and for a bare verb its spelling on each object (an IN list, so the
    action index still serves the filter)."""
    if ":" in action:
        return [action]
    return [action, *(f"{kind}:{action}" for kind in ACTION_OBJECTS)]


async def list_entries(
    *, actor: Actor, flt: AuditFilter | None = None, first: int | None = None,
    after: str | None = None,
) -> Page[AuditEntry]:
    """Newest first, by a keyset on id (the trail only grows)."""
    authorize(actor, "audit", "read")
    query = await _filtered(actor, flt or AuditFilter())
    return await keyset(query, kind=CURSOR, key="id", descending=True, first=first, after=after)


async def list_actions(*, actor: Actor) -> list[str]:
    """The distinct actions recorded in the caller's part of the trail, sorted: the values
    a filter on `action` can match (`dossier:FINISH`, `auth:login`, `http:429`, …)."""
    authorize(actor, "audit", "read")
    query = _visible(jurisdiction(actor, "audit", "read"))
    actions = await query.distinct().values_list("action", flat=True)
    return sorted(str(action) for action in actions)


async def dossier_history(*, actor: Actor, code: str, unit_path: str) -> list[AuditEntry]:
    """Every audit entry about one dossier, oldest first (needs audit:read at its unit)."""
    authorize(actor, "audit", "read", unit_path)
    # Within the caller's view of the trail too: an entry naming this code may have been
    # written elsewhere (someone of another province trying the code).
    visible = _visible(jurisdiction(actor, "audit", "read"))
    return await visible.filter(object_type="Dossier", object_id=code).order_by("id")


async def verify_trail(*, actor: Actor, expected: str | None = None) -> chain.Verification:
    """Check the whole chain; `expected` is the checkpoint kept from an earlier verification
    (`<seq>:<hash>`, one per lane joined by commas) that must still be in it (so the tail
    cannot be cut off unseen)."""
    authorize(actor, "audit", "read")
    checkpoints: tuple[chain.Checkpoint, ...] = ()
    if expected is not None:
        try:
            checkpoints = chain.Checkpoint.parse_all(expected)
        except ValueError as problem:
            raise BadInput(str(problem), field="expected") from None
    return await chain.verify(expected=checkpoints)


COLUMNS = ("id", "seq", "at", "actor_kind", "actor_username", "actor_roles", "action",
           "object_type", "object_id", "unit_path", "outcome", "reason", "operation_name",
           "request_id", "client_address", "changes", "occurrences")


def _cell(entry: AuditEntry, column: str) -> object:
    value = getattr(entry, column)
    if column == "changes":
        return None if value is None else json.dumps(value, ensure_ascii=False, default=str)
    if column == "at":  # Vietnam's time, to the second, as a spreadsheet reads a date-time
        return value.astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")
    return value.value if column == "outcome" else value


async def export_csv(*, actor: Actor, flt: AuditFilter) -> AsyncIterator[str]:
    """A filtered range as CSV, oldest first; the export itself is audited first. UTF-8 with a
    byte-order mark, times in Vietnam's time (`at`, to the second), changes as JSON; cells that
    a spreadsheet could read as formulas are written as text (resolvers.cells)."""
    authorize(actor, "audit", "export")
    query = await _filtered(actor, flt)
    await record(actor=actor, action="audit:export", object_type="AuditLog",
                 changes={"filter": [None, {k: str(v) for k, v in vars(flt).items() if v}]})

    async def rows() -> AsyncIterator[str]:
        buffer = io.StringIO()
        # A byte-order mark: Excel then reads the file as UTF-8 (Vietnamese stays readable).
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        last_id, sent = 0, 0
        while sent < EXPORT_LIMIT:
            page = await query.filter(id__gt=last_id).order_by("id").limit(1000)
            if not page:
                break
            for entry in page:
                writer.writerow([neutral(_cell(entry, column)) for column in COLUMNS])
            last_id, sent = page[-1].id, sent + len(page)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if not sent:
            yield buffer.getvalue()

    return rows()
