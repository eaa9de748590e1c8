"""The rollup's definitions in SQL (the same as `rollups.contribution`), for rebuilding the
tables from the dossiers and for carrying dossiers to the units a reorganisation moves them to.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models import ROLLUP_COUNTERS, dialect


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


def past_due_day_sql(conn: BaseDBAsyncClient) -> str:
    """The day after the local day of the legal deadline: the first day it is past."""
    return dialect.day_after(conn, dialect.local_day(conn, "legal_due_at"))


def _past_due_ended_day_sql(conn: BaseDBAsyncClient) -> str:
    """The later of the first day past the deadline and the day processing ended."""
    return dialect.greatest(conn, past_due_day_sql(conn), dialect.local_day(conn, "ended_at"))


def _parts(source: str, keys: str, period: str, conn: BaseDBAsyncClient) -> str:
    """Per (keys, period): what the rows of `source` were received and resolved on."""
    def part(definitions: dict[str, str], day: str, where: str) -> str:
        if period == "month":
            day = dialect.first_of_month(conn, day)
        columns = ", ".join(f"{definitions.get(n, '0')} AS {n}" for n in ROLLUP_COUNTERS)
        return (f"SELECT {keys}, {day} AS period, {columns} FROM {source} "
                f"WHERE {where} GROUP BY {keys}, {day}")
    received, due = "received_at IS NOT NULL", "received_at IS NOT NULL AND legal_due_at IS NOT NULL"
    return (part(RECEIVED_SQL, dialect.local_day(conn, "received_at"), received)
            + " UNION ALL " + part(RESOLVED_SQL, dialect.local_day(conn, "ended_at"),
                                   f"{received} AND ended_at IS NOT NULL")
            + " UNION ALL " + part(FALLEN_DUE_SQL, past_due_day_sql(conn), due)
            + " UNION ALL " + part(FALLEN_DUE_ENDED_SQL, _past_due_ended_day_sql(conn),
                                   f"{due} AND ended_at IS NOT NULL"))


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in COLUMNS)


def _handled(conn: BaseDBAsyncClient) -> str:
    """Each dossier once per unit version that has handled it, as (t_unit_id, t_unit_path):
    dossiers never moved straight from their row, moved ones through their history."""
    single = (f"SELECT {_columns('d')}, d.unit_id AS t_unit_id, d.unit_path AS t_unit_path "
              "FROM dossiers d WHERE d.unit_history IS NULL OR d.unit_history NOT LIKE '%,%'")
    each, unit_id = dialect.each_id(conn, "d.unit_history", "h")
    moved = (f"SELECT {_columns('d')}, u.id AS t_unit_id, u.path AS t_unit_path FROM dossiers d "
             f"{each} JOIN administrative_units u ON u.id = {unit_id} "
             "WHERE d.unit_history LIKE '%,%'")
    return f"({single} UNION ALL {moved}) AS s"


def _insert(table: str, extra_key: str, period: str, source: str, conn: BaseDBAsyncClient,
            upsert: bool) -> str:
    keys = ", ".join(k for k in ("t_unit_id", "t_unit_path", extra_key) if k)
    targets = ", ".join(k for k in ("unit_id", "unit_path", extra_key) if k)
    counters = ", ".join(ROLLUP_COUNTERS)
    sums = ", ".join(f"SUM({n})" for n in ROLLUP_COUNTERS)
    sql = (f"INSERT INTO {table} ({targets}, {period}, {counters}) "
           f"SELECT {keys}, period, {sums} FROM ({_parts(source, keys, period, conn)}) AS u "
           f"WHERE true GROUP BY {keys}, period")
    if upsert:
        conflict = ", ".join(k for k in ("unit_id", extra_key, period) if k)
        updates = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in ROLLUP_COUNTERS)
        sql += f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    return sql


def rebuild_sql(conn: BaseDBAsyncClient) -> list[str]:
    """Statements that empty both tables and fill them again from the dossiers."""
    statements = []
    for table, extra_key, period in TABLES:
        statements.append(f"DELETE FROM {table}")
        statements.append(_insert(table, extra_key, period, _handled(conn), conn, False))
    return statements


def carried_rows_sql(moves_table: str, conn: BaseDBAsyncClient) -> list[str]:
    """Statements adding the dossiers listed in `moves_table` under their new units."""
    source = (f"(SELECT {_columns('d')}, r.unit_id AS t_unit_id, r.unit_path AS t_unit_path "
              f"FROM dossiers d JOIN {moves_table} r ON r.dossier_id = d.id) AS s")
    return [_insert(table, extra_key, period, source, conn, True)
            for table, extra_key, period in TABLES]
