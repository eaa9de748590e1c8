"""Dossier codes: `<agency code>-<yymmdd>-<4-digit sequence>`, per agency and local day."""

from __future__ import annotations

from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient

from models import dialect

# One atomic statement on SQLite (>= 3.35) and PostgreSQL: the row lock taken by the
# upsert serialises concurrent receptions for the same agency and day until commit.
UPSERT = (
    "INSERT INTO dossier_code_counters (agency_id, day, last_sequence) VALUES ({a}, {d}, 1) "
    "ON CONFLICT (agency_id, day) DO UPDATE "
    "SET last_sequence = dossier_code_counters.last_sequence + 1 RETURNING last_sequence"
)


async def next_code(conn: BaseDBAsyncClient, *, agency_id: int, agency_code: str, day: date) -> str:
    """Take the next sequence number for the agency's day, inside the caller's transaction."""
    a, d = dialect.marks(conn, 2)
    sql = UPSERT.format(a=a, d=d)
    # execute_query_dict: the asyncpg client's execute_query drops an INSERT's RETURNING rows.
    rows = await conn.execute_query_dict(sql, [agency_id, day])
    return format_code(agency_code, day, rows[0]["last_sequence"])


def format_code(agency_code: str, day: date, sequence: int) -> str:
    """`UB20335-240603-0001`: the receiving agency, its local day and the day's sequence."""
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"
