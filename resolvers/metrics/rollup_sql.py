"""The rollup's definitions in SQL (the same as `rollups.contribution`), for rebuilding the
tables from the dossiers and for carrying dossiers to the units a reorganisation moves them to.
"""

from __future__ import annotations

from models import ROLLUP_COUNTERS


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
# Deadline counters are summed over all days up to one (measures.by_unit), never per
# procedure: a breakdown by procedure leaves them out (PERIOD_COUNTERS).
DEADLINE_COUNTERS = ("fallen_due", "fallen_due_ended")
PERIOD_COUNTERS = tuple(n for n in ROLLUP_COUNTERS if n not in DEADLINE_COUNTERS)
FALLEN_DUE_SQL = {"fallen_due": "COUNT(*)"}
FALLEN_DUE_ENDED_SQL = {"fallen_due_ended": "COUNT(*)"}
# The dossier columns the definitions read.
COLUMNS = ("procedure_id", "received_at", "ended_at", "channel", "fee", "paid_online",
           "components_digitized", "certified_copies_electronic", "reused_digitized_data",
           "synced_to_portal_at", "timeliness", "processing_days", "result_electronic",
           "legal_due_at")
TABLES = (("unit_daily_stats", "", "day"), ("unit_procedure_monthly_stats", "procedure_id", "month"))


def month_of_sql(day: str, postgres: bool) -> str:
    """The first day of the month of a date expression."""
    return f"date_trunc('month', {day})::date" if postgres else f"date({day}, 'start of month')"


def local_day_sql(column: str, postgres: bool) -> str:
    """A timestamp column's calendar day in Vietnam (UTC+7, no daylight saving)."""
    if postgres:
        return f"(({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
    return f"date({column}, '+7 hours')"


def past_due_day_sql(postgres: bool) -> str:
    """The day after the local day of the legal deadline: the first day it is past."""
    if postgres:
        return f"({local_day_sql('legal_due_at', postgres)} + 1)"
    return "date(legal_due_at, '+7 hours', '+1 day')"


def _past_due_ended_day_sql(postgres: bool) -> str:
    """The later of the first day past the deadline and the day processing ended."""
    ended = local_day_sql("ended_at", postgres)
    return f"{'GREATEST' if postgres else 'MAX'}({past_due_day_sql(postgres)}, {ended})"


def _parts(source: str, keys: str, period: str, postgres: bool) -> str:
    """Per (keys, period): what the rows of `source` were received and resolved on."""
    def part(definitions: dict[str, str], day: str, where: str) -> str:
        if period == "month":
            day = month_of_sql(day, postgres)
        columns = ", ".join(f"{definitions.get(n, '0')} AS {n}" for n in ROLLUP_COUNTERS)
        return (f"SELECT {keys}, {day} AS period, {columns} FROM {source} "
                f"WHERE {where} GROUP BY {keys}, {day}")
    received, due = "received_at IS NOT NULL", "received_at IS NOT NULL AND legal_due_at IS NOT NULL"
    return (part(RECEIVED_SQL, local_day_sql("received_at", postgres), received)
            + " UNION ALL " + part(RESOLVED_SQL, local_day_sql("ended_at", postgres),
                                   f"{received} AND ended_at IS NOT NULL")
            + " UNION ALL " + part(FALLEN_DUE_SQL, past_due_day_sql(postgres), due)
            + " UNION ALL " + part(FALLEN_DUE_ENDED_SQL, _past_due_ended_day_sql(postgres),
                                   f"{due} AND ended_at IS NOT NULL"))


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in COLUMNS)


def _handled(postgres: bool) -> str:
    """Each dossier once per unit version that has handled it, as (t_unit_id, t_unit_path):
    dossiers never moved straight from their row, moved ones through their history."""
    single = (f"SELECT {_columns('d')}, d.unit_id AS t_unit_id, d.unit_path AS t_unit_path "
              "FROM dossiers d WHERE d.unit_history IS NULL OR d.unit_history NOT LIKE '%,%'")
    if postgres:
        moved = (f"SELECT {_columns('d')}, u.id AS t_unit_id, u.path AS t_unit_path FROM dossiers d "
                 "CROSS JOIN LATERAL unnest(string_to_array(d.unit_history, ',')) AS h(v) "
                 "JOIN administrative_units u ON u.id = h.v::int WHERE d.unit_history LIKE '%,%'")
    else:
        moved = (f"SELECT {_columns('d')}, u.id AS t_unit_id, u.path AS t_unit_path FROM dossiers d, "
                 "json_each('[' || d.unit_history || ']') AS h "
                 "JOIN administrative_units u ON u.id = h.value WHERE d.unit_history LIKE '%,%'")
    return f"({single} UNION ALL {moved}) AS s"


def _insert(table: str, extra_key: str, period: str, source: str, postgres: bool,
            upsert: bool) -> str:
    keys = ", ".join(k for k in ("t_unit_id", "t_unit_path", extra_key) if k)
    targets = ", ".join(k for k in ("unit_id", "unit_path", extra_key) if k)
    counters = ", ".join(ROLLUP_COUNTERS)
    sums = ", ".join(f"SUM({n})" for n in ROLLUP_COUNTERS)
    sql = (f"INSERT INTO {table} ({targets}, {period}, {counters}) "
           f"SELECT {keys}, period, {sums} FROM ({_parts(source, keys, period, postgres)}) AS u "
           f"WHERE true GROUP BY {keys}, period")
    if upsert:
        conflict = ", ".join(k for k in ("unit_id", extra_key, period) if k)
        updates = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in ROLLUP_COUNTERS)
        sql += f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    return sql


def rebuild_sql(postgres: bool) -> list[str]:
    """Statements that empty both tables and fill them again from the dossiers."""
    statements = []
    for table, extra_key, period in TABLES:
        statements.append(f"DELETE FROM {table}")
        statements.append(_insert(table, extra_key, period, _handled(postgres), postgres, False))
    return statements


def carried_rows_sql(moves_table: str, postgres: bool) -> list[str]:
    """Statements adding the dossiers listed in `moves_table` under their new units."""
    source = (f"(SELECT {_columns('d')}, r.unit_id AS t_unit_id, r.unit_path AS t_unit_path "
              f"FROM dossiers d JOIN {moves_table} r ON r.dossier_id = d.id) AS s")
    return [_insert(table, extra_key, period, source, postgres, True)
            for table, extra_key, period in TABLES]
