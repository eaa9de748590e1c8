"""Per-unit daily counters (and per-unit, per-procedure monthly ones), kept exact in the
transaction of every change they count.

A dossier *contributes* to the counters of its reception day (being received, and the
properties counted against reception) and of the day its processing ended (being resolved,
early / on time / late). A change adds contribution(after) − contribution(before), so
every path that changes a dossier keeps the rollup exact without special cases, and
`rebuild()` recomputes the same definition from the rows in SQL.

Across reorganisations a dossier counts under *every unit version that has handled it*
(`dossiers.unit_history`): the version it was received under keeps it (the old tree stays
as it was), and each successor it was carried to counts it too, for all days (the new tree
over a period spanning the change). A report reads only the versions in force at the end
of its period (`measures.py`), so no dossier is counted twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from models import ROLLUP_COUNTERS, AdministrativeUnit, dialect, held
from resolvers.clock import local_date
from resolvers.metrics.rollup_sql import carried_rows_sql, rebuild_sql

Contribution = dict[date, Counter[str]]
Target = tuple[int, str]  # a unit version: (id, path)


def contribution(d: Any) -> Contribution:
    """What one dossier (a row or a snapshot with the same attributes) adds to the rollup."""
    days: Contribution = {}
    if d.received_at is None:
        return days
    received = days.setdefault(local_date(d.received_at), Counter())
    channel = getattr(d.channel, "value", d.channel)
    received.update({
        "received": 1, f"received_{channel.lower()}": 1,
        "received_with_fee": int(d.fee > 0), "paid_online": int(d.paid_online),
        "components_digitized": int(d.components_digitized),
        "certified_copies_electronic": int(d.certified_copies_electronic),
        "reused_digitized_data": int(d.reused_digitized_data),
        "synced_to_portal": int(d.synced_to_portal_at is not None),
    })
    if d.ended_at is not None:
        timeliness = getattr(d.timeliness, "value", d.timeliness)
        ended = days.setdefault(local_date(d.ended_at), Counter())
        ended.update({"resolved": 1, f"resolved_{timeliness.lower()}": 1,
                      "processing_days_sum": d.processing_days or 0,
                      "results_electronic": int(d.result_electronic)})
    if d.legal_due_at is not None:
        # past due from the day after the deadline's day (models/metrics.py)
        past_due = local_date(d.legal_due_at) + timedelta(days=1)
        days.setdefault(past_due, Counter()).update({"fallen_due": 1})
        if d.ended_at is not None:
            days.setdefault(max(past_due, local_date(d.ended_at)), Counter()).update(
                {"fallen_due_ended": 1})
    return days


def delta(before: Contribution, after: Contribution) -> Contribution:
    changes: Contribution = {}
    for day in set(before) | set(after):
        change = Counter(after.get(day, Counter()))
        change.subtract(before.get(day, Counter()))
        change = Counter({k: v for k, v in change.items() if v})
        if change:
            changes[day] = change
    return changes


def negate(changes: Contribution) -> Contribution:
    return {day: Counter({k: -v for k, v in c.items()}) for day, c in changes.items()}


def by_month(changes: Contribution) -> Contribution:
    """The same changes summed per month (keyed by the month's first day)."""
    months: Contribution = {}
    for day, counters in changes.items():
        months.setdefault(day.replace(day=1), Counter()).update(counters)
    return {m: c for m, c in months.items() if any(c.values())}


def history_of(d: Any) -> list[int]:
    """The unit versions that have handled a dossier, oldest first (the last is unit_id)."""
    text = getattr(d, "unit_history", None)
    ids = [int(part) for part in text.split(",") if part] if text else []
    return ids or [d.unit_id]


async def targets_of(d: Any) -> list[Target]:
    """(id, path) of every version a dossier counts under; one query only after a move."""
    ids = history_of(d)
    if ids == [d.unit_id]:
        return [(d.unit_id, d.unit_path)]
    paths = dict(await AdministrativeUnit.filter(id__in=ids).values_list("id", "path"))
    return [(i, d.unit_path if i == d.unit_id else paths[i]) for i in ids]


async def _upsert(table: str, rows: list[tuple[dict[str, Any], Counter[str]]]) -> None:
    """Add counters to several rows of a table (keys → counters) in one statement."""
    # Every counter is inserted (the columns need a value); only the ones changed in some row
    # are updated, which keeps the row lock's work small.
    rows = [(keys, counters) for keys, counters in rows if any(counters.values())]
    names = tuple(n for n in ROLLUP_COUNTERS if any(counters.get(n) for _, counters in rows))
    if not names:
        return
    values: list[Any] = []
    for row_keys, counters in rows:
        values += [*row_keys.values(), *(counters.get(n, 0) for n in ROLLUP_COUNTERS)]
    postgres = dialect.is_postgres(connections.get("default"))
    # In a change's transaction, held for the audit's head lock to carry (models/held.py).
    await held.execute(_upsert_sql(table, tuple(rows[0][0]), len(rows), names, postgres), values)


@lru_cache(maxsize=256)
def _upsert_sql(table: str, keys: tuple[str, ...], count: int, names: tuple[str, ...],
                postgres: bool) -> str:
    """The upsert's text, the same for every change of a kind (a transition changes the same
    counters of one or two days): built once, not per write."""
    width = len(keys) + len(ROLLUP_COUNTERS)
    marks = ", ".join(
        "(" + ", ".join(dialect.numbered_mark(postgres, i)
                        for i in range(row * width + 1, (row + 1) * width + 1)) + ")"
        for row in range(count))
    conflict = ", ".join(k for k in keys if k != "unit_path")
    updates = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in names)
    return (f"INSERT INTO {table} ({', '.join([*keys, *ROLLUP_COUNTERS])}) VALUES {marks} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}")


async def apply(*, units: Sequence[Target], procedure_id: int, changes: Contribution) -> None:
    """Add the changes under each unit version: one atomic upsert of its days and one of its
    months (in the caller's transaction; rows in date order, so locks are taken in order)."""
    # Each version once: the statements of one transaction may reach the server as one, and
    # one statement must not upsert a row twice.
    for unit_id, unit_path in dict.fromkeys(units):
        await _upsert("unit_daily_stats", [
            ({"unit_id": unit_id, "unit_path": unit_path, "day": day}, counters)
            for day, counters in sorted(changes.items())])
        await _upsert("unit_procedure_monthly_stats", [
            ({"unit_id": unit_id, "procedure_id": procedure_id, "unit_path": unit_path,
              "month": month}, counters)
            for month, counters in sorted(by_month(changes).items())])


async def apply_to(dossier: Any, changes: Contribution) -> None:
    """Add a dossier's changes under every version that has handled it."""
    await apply(units=await targets_of(dossier), procedure_id=dossier.procedure_id, changes=changes)


async def carry(moves_table: str) -> None:
    """Add, under the units they are moving to, the whole contribution of the dossiers listed
    in `moves_table` (dossier_id, unit_id, unit_path): a reorganisation, before it moves them."""
    conn = connections.get("default")
    for sql in carried_rows_sql(moves_table, conn):
        # execute_query: SQLite's executescript would commit the caller's transaction.
        await conn.execute_query(sql)


async def rebuild() -> int:
    """Recompute every counter from the dossiers (after a bulk load, or to repair); returns
    the number of daily rows."""
    async with in_transaction() as conn:
        # A maintenance task: at a million dossiers it outlasts a request's limit.
        await dialect.set_local(conn, dialect.NO_STATEMENT_TIMEOUT)
        for sql in rebuild_sql(conn):
            await conn.execute_query(sql)
        rows = await conn.execute_query_dict("SELECT COUNT(*) AS n FROM unit_daily_stats")
    return int(rows[0]["n"])
