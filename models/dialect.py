"""The one module that knows which database motcua runs on, and the SQL that differs.

motcua writes SQL that SQLite (>= 3.35) and PostgreSQL both accept: `ON CONFLICT` upserts,
`RETURNING`, common table expressions, `LIKE` prefixes. Where the two differ, the code asks
this module instead of branching on the dialect itself:

- parameter marks (`$1` on asyncpg, `?1` on sqlite3; both numbered, so one value can be used
  twice);
- a few expressions (a date's month, membership in a list of ids bound as one parameter) and
  parameter encodings (dates on SQLite's driver, lists of ids);
- temporary tables that drop themselves at commit (PostgreSQL) or live on the connection;
- what exists only on PostgreSQL: per-transaction settings (commit durability, statement
  timeouts, planner switches) and statistics for temporary tables are no-ops on SQLite;
  callers read `is_postgres` only to choose a different strategy (COPY for bulk loads,
  NOTIFY to other nodes, partitions, concurrent index rebuilds, PostgreSQL-only migrations).

`tests/models/test_dialect.py` fails when code outside this module (and the migrations'
PostgreSQL-only steps, which call `is_postgres`) reads `capabilities.dialect` again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    """Whether the connection speaks to PostgreSQL (else SQLite)."""
    return str(conn.capabilities.dialect) == "postgres"


def mark(conn: BaseDBAsyncClient, i: int) -> str:
    """The i-th (1-based) parameter mark of a raw statement."""
    return numbered_mark(is_postgres(conn), i)


def numbered_mark(postgres: bool, i: int) -> str:
    """As `mark`, for a statement text cached per database kind."""
    return f"${i}" if postgres else f"?{i}"


def marks(conn: BaseDBAsyncClient, count: int) -> list[str]:
    """Parameter marks 1..count."""
    return [mark(conn, i) for i in range(1, count + 1)]


def among(conn: BaseDBAsyncClient, column: str, i: int) -> str:
    """A condition that `column` is one of the integers bound as parameter i (see `ids`):
    one parameter whatever their number, so the statement's text (and the server's prepared
    statement) is the same for every list."""
    if is_postgres(conn):
        return f"{column} = ANY(${i}::int[])"
    return f"{column} IN (SELECT value FROM json_each(?{i}))"


def ids(conn: BaseDBAsyncClient, values: Sequence[int]) -> Any:
    """Integers as the one parameter `among` compares with."""
    as_ints = [int(v) for v in values]
    return as_ints if is_postgres(conn) else json.dumps(as_ints)


def month(conn: BaseDBAsyncClient, column: str) -> str:
    """An expression for the calendar month (`2026-03`) of a date column."""
    return f"to_char({column}, 'YYYY-MM')" if is_postgres(conn) else f"strftime('%Y-%m', {column})"


def first_of_month(conn: BaseDBAsyncClient, day: str) -> str:
    """The first day of the month of a date expression."""
    return f"date_trunc('month', {day})::date" if is_postgres(conn) else f"date({day}, 'start of month')"


def local_day(conn: BaseDBAsyncClient, column: str) -> str:
    """A timestamp column's calendar day in Vietnam (UTC+7, no daylight saving)."""
    if is_postgres(conn):
        return f"(({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
    return f"date({column}, '+7 hours')"


def day_after(conn: BaseDBAsyncClient, day: str) -> str:
    """The day after a date expression."""
    return f"({day} + 1)" if is_postgres(conn) else f"date({day}, '+1 day')"


def greatest(conn: BaseDBAsyncClient, a: str, b: str) -> str:
    """The larger of two values (SQLite's two-argument MAX is its GREATEST)."""
    return f"GREATEST({a}, {b})" if is_postgres(conn) else f"MAX({a}, {b})"


def each_id(conn: BaseDBAsyncClient, column: str, alias: str) -> tuple[str, str]:
    """(a FROM-clause item, the integer it yields) listing the ids in a comma-separated text
    column, one row each: `FROM t <item> JOIN u ON u.id = <value>`."""
    if is_postgres(conn):
        return (f"CROSS JOIN LATERAL unnest(string_to_array({column}, ',')) AS {alias}(v)",
                f"{alias}.v::int")
    return f", json_each('[' || {column} || ']') AS {alias}", f"{alias}.value"


def missing_last(conn: BaseDBAsyncClient, column: str) -> str | None:
    """An expression to sort on before `column` so that NULLs sort as the largest value, as
    PostgreSQL sorts them (None there: nothing to add). SQLite sorts NULLs as the smallest."""
    return None if is_postgres(conn) else f'"{column}" IS NULL'


def date_value(conn: BaseDBAsyncClient, day: date) -> Any:
    """A date as a raw statement's parameter (sqlite3's date adapter is deprecated: ISO text)."""
    return day if is_postgres(conn) else day.isoformat()


def temporary_table(conn: BaseDBAsyncClient, name: str, columns: str) -> str:
    """CREATE TEMP TABLE for the current transaction's work (dropped at commit on PostgreSQL;
    on SQLite it lives on the connection, so callers empty it first)."""
    tail = " ON COMMIT DROP" if is_postgres(conn) else ""
    return f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns}){tail}"


# Settings a transaction may change for itself (SET LOCAL), by purpose. Only PostgreSQL has
# them; SQLite has nothing to relax.
RELAXED_COMMIT = ("synchronous_commit", "off")  # visible at once, durable within 200 ms
NO_STATEMENT_TIMEOUT = ("statement_timeout", "0")  # maintenance that outlasts a request's limit
NO_HASH_JOIN = ("enable_hashjoin", "off")
HASH_JOIN = ("enable_hashjoin", "on")


async def set_local(conn: BaseDBAsyncClient, setting: tuple[str, str]) -> None:
    """Change a setting until the end of the current transaction (PostgreSQL only)."""
    if is_postgres(conn):
        # execute_query: SQLite's executescript would commit the caller's transaction.
        await conn.execute_query(f"SET LOCAL {setting[0]} = {setting[1]}")


async def analyze(conn: BaseDBAsyncClient, table: str) -> None:
    """Give a freshly filled (temporary) table statistics for the planner (PostgreSQL only)."""
    if is_postgres(conn):
        await conn.execute_query(f"ANALYZE {table}")

