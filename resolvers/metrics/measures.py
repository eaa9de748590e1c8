"""The measures of a unit over a period, aggregated in SQL from the rollup and the rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from models import ROLLUP_COUNTERS, dialect, replica
from resolvers import clock
from resolvers.deadlines import start_of_local_day
from resolvers.metrics.rollup_sql import PERIOD_COUNTERS, RECEIVED_SQL, RESOLVED_SQL
from resolvers.metrics.rollups import contribution
from resolvers.metrics.tree import Tree, dossiers_handled_then, in_force_sql, unchanged_since

CHANNELS = ("IN_PERSON", "ONLINE", "POSTAL")
# Extra counters besides the rollup's: open dossiers now, and citizens' feedback.
LIVE_COUNTERS = ("in_progress", "overdue", "ratings", "ratings_satisfied", "complaints_due",
                 "complaints_on_time", "complaints_answered", "complaints_satisfied",
                 "ratings_not_satisfied", "complaints_handled", "complaints_handled_badly",
                 "dossiers_unsatisfied")
# Dossiers open at the end of the judged day and, of those, the ones past their legal
# deadline: from the rollup summed over every day up to it (open_overdue_sql below).
OPEN_COUNTERS = ("open_at_end", "open_overdue_at_end")


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


@dataclass
class Measures:
    """Counts of one unit (or group) and period; rates are derived, None when undefined."""

    counts: Counter[str] = field(default_factory=Counter)
    live: bool = True  # False where "now" counts make no sense (a past month)

    def __add__(self, other: Measures) -> Measures:
        return Measures.total((self, other))

    @staticmethod
    def total(parts: Iterable[Measures]) -> Measures:
        """The sum of measures: counts added in one Counter (not a new one per addition);
        live only if every part is."""
        result = Measures()
        counts = result.counts
        for part in parts:
            counts.update(part.counts)
            result.live = result.live and part.live
        return result

    def __getattr__(self, name: str) -> int:
        if name in ROLLUP_COUNTERS or name in LIVE_COUNTERS or name in OPEN_COUNTERS:
            return self.counts[name]
        raise AttributeError(name)

    @property
    def by_channel(self) -> dict[str, int]:
        return {c: self.counts[f"received_{c.lower()}"] for c in CHANNELS}

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.resolved_early + self.resolved_on_time, self.resolved)

    @property
    def online_rate(self) -> float | None:
        return _ratio(self.received_online, self.received)

    @property
    def online_payment_rate(self) -> float | None:
        return _ratio(self.paid_online, self.received_with_fee)

    @property
    def digitization_rate(self) -> float | None:
        return _ratio(self.components_digitized, self.received)

    @property
    def average_processing_days(self) -> float | None:
        return _ratio(self.processing_days_sum, self.resolved)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.ratings_satisfied, self.ratings)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return start_of_local_day(self.first)

    @property
    def end(self) -> datetime:
        return start_of_local_day(self.last + timedelta(days=1))

    @property
    def judged_on(self) -> date:
        """The day whose end open dossiers are judged at: the last day, or today if sooner."""
        return min(self.last, clock.local_date(clock.now()))


def _utc(instant: datetime) -> datetime:
    """Raw SQL parameters in UTC: SQLite compares the stored UTC text, not instants."""
    return instant.astimezone(UTC)


def in_progress_sql(path: str, now: str) -> str:
    """Dossiers in progress and overdue now, per unit under a path (parameter marks given):
    an index-only scan of `dossier_open_path` on PostgreSQL (migration 0018)."""
    return ("SELECT unit_id, COUNT(*) AS in_progress, SUM(CASE WHEN (paused_at IS NULL AND "
            f"legal_due_at < {now}) OR (paused_at IS NOT NULL AND legal_due_at < paused_at) "
            f"THEN 1 ELSE 0 END) AS overdue FROM dossiers WHERE unit_path LIKE {path} "
            "AND ended_at IS NULL AND received_at IS NOT NULL GROUP BY unit_id")


class _Values:
    """The values of one raw statement, each given its numbered mark as it is first used."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.values: list[object] = []

    def __call__(self, value: object) -> str:
        self.values.append(value)
        return dialect.mark(self.conn, len(self.values))


async def by_unit(tree: Tree, period: Period, *, open_now: bool = True,
                  open_at_end: bool = True) -> dict[int, Measures]:
    """Measures per unit version of the tree for the period, from one statement: each source
    grouped by unit in a subquery of its own, the subqueries joined in full on the unit
    (each row holds a unit's counts from every source; a source without that unit leaves its
    columns null). One round trip instead of one per source: on these machines a round trip
    costs about as much CPU in the kernel as a source's grouping in Python (issue 15 (c)).
    FULL JOIN … USING: PostgreSQL, and SQLite from 3.39 (2022; Python 3.11's builds here
    bring 3.40).
    `open_now=False` leaves out the dossiers open now (the one read of the dossiers table),
    which the scorecard does not use; `open_at_end=False` the dossiers open at the end of the
    judged day (OPEN_COUNTERS), which only the scorecard uses."""
    conn = replica.reader()  # the read replica when the caller allows it (resolvers/reads.py)
    bind = _Values(conn)
    path = bind(tree.path + "%")
    as_of = bind(tree.as_of)
    sums = ", ".join(f"SUM(s.{c}) AS {c}" for c in ROLLUP_COUNTERS)
    sources = [
        f"SELECT s.unit_id, {sums} FROM unit_daily_stats s JOIN administrative_units u "
        f"ON u.id = s.unit_id WHERE s.unit_path LIKE {path} AND {in_force_sql('u', path, as_of)} "
        f"AND s.day >= {bind(period.first)} AND s.day <= {bind(period.last)} GROUP BY s.unit_id"]
    # Open at the end of the judged day: received minus ended, and past due minus past due
    # and ended, each summed over every day up to it (models/metrics.py).
    if open_at_end:
        sources.append(
            "SELECT s.unit_id, SUM(s.received) - SUM(s.resolved) AS open_at_end, "
            "SUM(s.fallen_due) - SUM(s.fallen_due_ended) AS open_overdue_at_end "
            "FROM unit_daily_stats s JOIN administrative_units u ON u.id = s.unit_id "
            f"WHERE s.unit_path LIKE {path} AND {in_force_sql('u', path, as_of)} "
            f"AND s.day <= {bind(period.judged_on)} GROUP BY s.unit_id")
    if tree.live and open_now:  # only units in force handle dossiers now
        sources.append(in_progress_sql(path, bind(_utc(clock.now()))))
    start, end = bind(_utc(period.start)), bind(_utc(period.end))
    if tree.live:
        sources.append(_FEEDBACK.format(unit="f.unit_id", source="feedback f",
                                        where=f"f.unit_path LIKE {path}", start=start, end=end,
                                        level=_LEVEL))
    else:  # a dissolved unit: the feedback submitted about its versions
        sources.append(_FEEDBACK.format(
            unit="f.received_unit_id",
            source="feedback f JOIN administrative_units u ON u.id = f.received_unit_id",
            where=in_force_sql("u", path, as_of), start=start, end=end, level=_LEVEL))
    joined = " FULL JOIN ".join(f"({sql}) q{i}" + (" USING (unit_id)" if i else "")
                                for i, sql in enumerate(sources))
    units: dict[int, Measures] = {}
    for row in await conn.execute_query_dict(f"SELECT * FROM {joined}", bind.values):
        counts: Counter[str] = Counter()  # a missing count reads as 0: only the others are kept
        for key, value in row.items():
            if value and key != "unit_id":
                counts[key] = int(value)
        units[row["unit_id"]] = Measures(counts)
    return units


# A rating's level; a row written with only an old 1–5 rating maps as migration 0014 does.
_LEVEL = ("COALESCE(f.satisfaction, CASE WHEN f.rating >= 5 THEN 'VERY_SATISFIED' "
          "WHEN f.rating = 4 THEN 'SATISFIED' WHEN f.rating IS NOT NULL THEN 'NOT_SATISFIED' END)")
_FEEDBACK = """SELECT {unit} AS unit_id,
  SUM(CASE WHEN f.kind = 'RATING' AND f.submitted_at >= {start} AND f.submitted_at < {end}
      THEN 1 ELSE 0 END) AS ratings,
  SUM(CASE WHEN f.kind = 'RATING' AND f.submitted_at >= {start} AND f.submitted_at < {end}
      AND {level} IN ('VERY_SATISFIED', 'SATISFIED') THEN 1 ELSE 0 END) AS ratings_satisfied,
  SUM(CASE WHEN f.kind = 'RATING' AND f.submitted_at >= {start} AND f.submitted_at < {end}
      AND {level} = 'NOT_SATISFIED' THEN 1 ELSE 0 END) AS ratings_not_satisfied,
  COUNT(DISTINCT CASE WHEN f.submitted_at >= {start} AND f.submitted_at < {end} AND f.dossier_id IS NOT NULL
      AND (f.kind = 'COMPLAINT' OR {level} = 'NOT_SATISFIED') THEN f.dossier_id END)
      AS dossiers_unsatisfied,
  SUM(CASE WHEN f.kind = 'COMPLAINT' AND f.handled_at >= {start} AND f.handled_at < {end}
      THEN 1 ELSE 0 END) AS complaints_handled,
  SUM(CASE WHEN f.kind = 'COMPLAINT' AND f.handled_at >= {start} AND f.handled_at < {end}
      AND (f.handled_at > f.due_at OR NOT f.satisfied) THEN 1 ELSE 0 END) AS complaints_handled_badly,
  SUM(CASE WHEN f.kind = 'COMPLAINT' AND f.due_at >= {start} AND f.due_at < {end}
      THEN 1 ELSE 0 END) AS complaints_due,
  SUM(CASE WHEN f.kind = 'COMPLAINT' AND f.due_at >= {start} AND f.due_at < {end} AND f.handled_at IS NOT NULL
      AND f.handled_at <= f.due_at THEN 1 ELSE 0 END) AS complaints_on_time,
  SUM(CASE WHEN f.kind = 'COMPLAINT' AND f.handled_at >= {start} AND f.handled_at < {end}
      AND f.satisfied IS NOT NULL THEN 1 ELSE 0 END) AS complaints_answered,
  SUM(CASE WHEN f.kind = 'COMPLAINT' AND f.handled_at >= {start} AND f.handled_at < {end} AND f.satisfied
      THEN 1 ELSE 0 END) AS complaints_satisfied
FROM {source} WHERE {where} GROUP BY {unit}"""


async def by_month(tree: Tree, period: Period) -> dict[str, Measures]:
    """Rollup measures per calendar month ("2026-03") of the period."""
    conn = replica.reader()  # the read replica when the caller allows it (resolvers/reads.py)
    month = dialect.month(conn, "s.day")
    m = dialect.marks(conn, 4)
    sums = ", ".join(f"SUM(s.{c}) AS {c}" for c in ROLLUP_COUNTERS)
    rows = await conn.execute_query_dict(
        f"SELECT {month} AS month, {sums} FROM unit_daily_stats s JOIN administrative_units u "
        f"ON u.id = s.unit_id WHERE s.unit_path LIKE {m[0]} AND {in_force_sql('u', m[0], m[3])} "
        f"AND s.day >= {m[1]} AND s.day <= {m[2]} GROUP BY {month} ORDER BY month",
        [tree.path + "%", period.first, period.last, tree.as_of])
    return {r["month"]: Measures(Counter({c: int(r[c] or 0) for c in ROLLUP_COUNTERS}), live=False)
            for r in rows}


def _whole_months(period: Period) -> tuple[date, date] | None:
    """[first month, end month) of the months lying wholly inside the period, if any."""
    start = period.first if period.first.day == 1 else _next_month(period.first)
    after = period.last + timedelta(days=1)
    end = after if after.day == 1 else after.replace(day=1)
    return (start, end) if start < end else None


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


async def by_procedure(tree: Tree, period: Period) -> dict[int, Measures]:
    """Measures per procedure: whole months from the monthly rollup, the days at the edges
    of the period from the dossiers themselves (a few weeks at most)."""
    conn = replica.reader()  # the read replica when the caller allows it (resolvers/reads.py)
    m = dialect.marks(conn, 4)
    result: dict[int, Measures] = {}

    def add(procedure_id: int, values: dict, names: Iterable[str]) -> None:
        result.setdefault(procedure_id, Measures(live=False)).counts.update(
            {k: int(values[k] or 0) for k in names})

    edges = [period]
    months = _whole_months(period)
    if months is not None:
        sums = ", ".join(f"SUM(s.{c}) AS {c}" for c in PERIOD_COUNTERS)
        for row in await conn.execute_query_dict(
                f"SELECT s.procedure_id, {sums} FROM unit_procedure_monthly_stats s "
                f"JOIN administrative_units u ON u.id = s.unit_id WHERE s.unit_path LIKE {m[0]} "
                f"AND {in_force_sql('u', m[0], m[3])} AND s.month >= {m[1]} AND s.month < {m[2]} "
                "GROUP BY s.procedure_id", [tree.path + "%", *months, tree.as_of]):
            add(row["procedure_id"], row, PERIOD_COUNTERS)
        edges = [Period(first, last) for first, last in (
            (period.first, months[0] - timedelta(days=1)), (months[1], period.last))
            if first <= last]
    if edges and not await unchanged_since(tree):
        for edge in edges:  # the tree changed since: the rows its versions handled then
            for dossier in await dossiers_handled_then(tree, _utc(edge.start), _utc(edge.end)):
                for day, counts in contribution(dossier).items():
                    if edge.first <= day <= edge.last:
                        add(dossier.procedure_id, counts,
                            [n for n in counts if n in PERIOD_COUNTERS])
        return result
    for edge in edges:
        for definitions, column in ((RECEIVED_SQL, "received_at"), (RESOLVED_SQL, "ended_at")):
            columns = ", ".join(f"{sql} AS {name}" for name, sql in definitions.items())
            extra = " AND received_at IS NOT NULL" if column == "ended_at" else ""
            for row in await conn.execute_query_dict(
                    f"SELECT procedure_id, {columns} FROM dossiers WHERE unit_path LIKE {m[0]} "
                    f"AND {column} >= {m[1]} AND {column} < {m[2]}{extra} GROUP BY procedure_id",
                    [tree.path + "%", _utc(edge.start), _utc(edge.end)]):
                add(row["procedure_id"], row, definitions)
    return result


__all__ = ["CHANNELS", "Measures", "Period", "Tree", "by_month", "by_procedure", "by_unit"]
