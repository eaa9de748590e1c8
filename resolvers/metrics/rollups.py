"""Per-unit daily counters (and per-unit, per-procedure monthly ones), kept exact in the
transaction of every change they count.

A dossier *contributes* to the counters of its reception day (being received, and the
properties counted against reception) and of the day its processing ended (being resolved,
early / on time / late). A change adds contribution(after) − contribution(before), so
every path that changes a dossier keeps the rollup exact without special cases, and
`rebuild()` recomputes the same definition from the rows in SQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from tortoise import connections

from models import ROLLUP_COUNTERS
from resolvers.clock import local_date

Contribution = dict[date, Counter[str]]


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


def by_month(changes: Contribution) -> Contribution:
    """The same changes summed per month (keyed by the month's first day)."""
    months: Contribution = {}
    for day, counters in changes.items():
        months.setdefault(day.replace(day=1), Counter()).update(counters)
    return {m: c for m, c in months.items() if any(c.values())}


async def _upsert(table: str, keys: dict[str, Any], counters: Counter[str]) -> None:
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    # Every counter is inserted (the columns have no database default); only the changed
    # ones are updated, which keeps the row lock's work small.
    names = [n for n in ROLLUP_COUNTERS if counters.get(n)]
    if not names:
        return
    columns = [*keys, *ROLLUP_COUNTERS]
    marks = [f"${i}" if postgres else "?" for i in range(1, len(columns) + 1)]
    conflict = ", ".join(k for k in keys if k != "unit_path")
    updates = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in names)
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)}) "
           f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}")
    await conn.execute_query(sql, [*keys.values(), *(counters.get(n, 0) for n in ROLLUP_COUNTERS)])


async def apply(*, unit_id: int, unit_path: str, procedure_id: int, changes: Contribution) -> None:
    """Add the changes with one atomic upsert per day and per month (in the caller's
    transaction)."""
    for day, counters in sorted(changes.items()):
        await _upsert("unit_daily_stats", {"unit_id": unit_id, "unit_path": unit_path, "day": day},
                      counters)
    for month, counters in sorted(by_month(changes).items()):
        await _upsert("unit_procedure_monthly_stats",
                      {"unit_id": unit_id, "procedure_id": procedure_id, "unit_path": unit_path,
                       "month": month}, counters)


# The same definitions as `contribution`, in SQL, for rebuilding from the dossiers.
def _flag(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


RECEIVED_SQL = {
    "received": "COUNT(*)", "received_in_person": _flag("channel = 'IN_PERSON'"),
    "received_online": _flag("channel = 'ONLINE'"), "received_postal": _flag("channel = 'POSTAL'"),
    "received_with_fee": _flag("fee > 0"), "paid_online": _flag("paid_online"),
    "components_digitized": _flag("components_digitized"),
    "certified_copies_electronic": _flag("certified_copies_electronic"),
    "reused_digitized_data": _flag("reused_digitized_data"),
    "synced_to_portal": _flag("synced_to_portal_at IS NOT NULL"),
}
RESOLVED_SQL = {
    "resolved": "COUNT(*)", "resolved_early": _flag("timeliness = 'EARLY'"),
    "resolved_on_time": _flag("timeliness = 'ON_TIME'"),
    "resolved_late": _flag("timeliness = 'LATE'"),
    "processing_days_sum": "SUM(COALESCE(processing_days, 0))",
    "results_electronic": _flag("result_electronic"),
}


def _part(definitions: dict[str, str], day: str, where: str, keys: str = "unit_id, unit_path") -> str:
    columns = ", ".join(f"{definitions.get(n, '0')} AS {n}" for n in ROLLUP_COUNTERS)
    return (f"SELECT {keys}, {day} AS day, {columns} FROM dossiers "
            f"WHERE {where} GROUP BY {keys}, {day}")


def month_of_sql(day: str, postgres: bool) -> str:
    """The first day of the month of a date expression."""
    return f"date_trunc('month', {day})::date" if postgres else f"date({day}, 'start of month')"


def local_day_sql(column: str, postgres: bool) -> str:
    """A timestamp column's calendar day in Vietnam (UTC+7, no daylight saving)."""
    if postgres:
        return f"(({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
    return f"date({column}, '+7 hours')"


async def rebuild() -> int:
    """Recompute every counter from the dossiers (after a bulk load, or to repair); returns
    the number of daily rows."""
    conn = connections.get("default")
    pg = conn.capabilities.dialect == "postgres"
    sums = ", ".join(f"SUM({n})" for n in ROLLUP_COUNTERS)
    counters = ", ".join(ROLLUP_COUNTERS)
    for table, keys, period in (
            ("unit_daily_stats", "unit_id, unit_path", lambda c: local_day_sql(c, pg)),
            ("unit_procedure_monthly_stats", "unit_id, procedure_id, unit_path",
             lambda c: month_of_sql(local_day_sql(c, pg), pg))):
        received = _part(RECEIVED_SQL, period("received_at"), "received_at IS NOT NULL", keys)
        resolved = _part(RESOLVED_SQL, period("ended_at"),
                         "received_at IS NOT NULL AND ended_at IS NOT NULL", keys)
        column = "day" if table == "unit_daily_stats" else "month"
        await conn.execute_script(f"DELETE FROM {table}")
        await conn.execute_script(
            f"INSERT INTO {table} ({keys}, {column}, {counters}) "
            f"SELECT {keys}, day, {sums} FROM ({received} UNION ALL {resolved}) AS u "
            f"GROUP BY {keys}, day")
    rows = await conn.execute_query_dict("SELECT COUNT(*) AS n FROM unit_daily_stats")
    return int(rows[0]["n"])
