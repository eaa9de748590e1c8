"""The audit trail's monthly partitions on PostgreSQL (SQLite keeps one table).

`audit_entries` is partitioned by range on `at`: one partition per month, named
`audit_entries_YYYY_MM`, plus the DEFAULT partition `audit_entries_default`, which catches an
entry whose month has no partition yet so that no insert ever fails for want of one. Months
are those of Vietnam (UTC+7, no DST, as `resolvers.clock`): the bounds carry the offset, so
an inspector's local month is exactly one partition whatever the server's time zone.

Everything PostgreSQL does by itself is left to it: tuple routing, partition pruning, the
immutability trigger and every index declared on the parent, cloned onto each partition,
those created later included. What this module adds is only the DDL: creating a month
(moving its entries out of the DEFAULT partition first if some landed there, since
PostgreSQL refuses the new partition otherwise) and detaching one for archiving. The callers
hold the chain head's row lock first (resolvers/audit_partitions.py): every audit writer
takes that lock before it inserts, so no writer waits on this DDL while holding the head.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from models import dialect

PARENT = "audit_entries"
DEFAULT = "audit_entries_default"
TRIGGER = "audit_entries_immutable"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LOCAL_NAME = "Asia/Ho_Chi_Minh"
# The trigger the migration puts on the parent; re-created on a detached partition, which
# PostgreSQL leaves without the parent's triggers, so that an archive stays read-only.
IMMUTABLE = (f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {{table}} "
             f"FOR EACH ROW EXECUTE FUNCTION audit_entries_immutable()")


class PartitionError(Exception):
    """The partitions are not in the state an operation needs (the message says why)."""


@dataclass(frozen=True)
class Partition:
    name: str
    month: date | None  # None: the DEFAULT partition
    attached: bool
    rows: int | None  # the planner's estimate (None: never analysed); exact for the DEFAULT


def month_of(instant: datetime) -> date:
    """The first day of the local month `instant` falls in."""
    return instant.astimezone(LOCAL_TZ).date().replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def name_of(month: date) -> str:
    return f"{PARENT}_{month:%Y_%m}"


def month_named(name: str) -> date | None:
    """The month of a partition's name (`audit_entries_2026_11`), None for any other name."""
    stem = name.removeprefix(f"{PARENT}_")
    year, _, number = stem.partition("_")
    if stem == name or not (year.isdigit() and number.isdigit() and len(year) == 4 and len(number) == 2):
        return None
    return date(int(year), int(number), 1) if 1 <= int(number) <= 12 else None


def bounds(month: date) -> tuple[str, str]:
    """The partition's range as timestamptz literals, local midnight of the 1st to the next 1st."""
    return (f"{month:%Y-%m-%d} 00:00:00+07", f"{add_months(month, 1):%Y-%m-%d} 00:00:00+07")


def create_sql(month: date) -> str:
    """Attach an empty partition for `month` (fails if the DEFAULT partition holds its rows)."""
    low, high = bounds(month)
    return (f"CREATE TABLE IF NOT EXISTS {name_of(month)} PARTITION OF {PARENT} "
            f"FOR VALUES FROM ('{low}') TO ('{high}')")


async def is_partitioned(conn: BaseDBAsyncClient) -> bool:
    """Whether this database keeps the trail in partitions (PostgreSQL after migration 0013)."""
    if not dialect.is_postgres(conn):
        return False
    rows = await conn.execute_query_dict(
        "SELECT c.relkind::text AS kind FROM pg_class c WHERE c.oid = to_regclass($1)", [PARENT])
    return bool(rows) and rows[0]["kind"] == "p"


LISTING = f"""
SELECT c.relname AS name, i.inhrelid IS NOT NULL AS attached,
       CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END AS rows
FROM pg_class c
LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = '{PARENT}'::regclass
WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
  AND (c.relname = '{DEFAULT}' OR c.relname ~ '^{PARENT}_[0-9]{{4}}_[0-9]{{2}}$')
ORDER BY c.relname
"""


async def listing(conn: BaseDBAsyncClient) -> list[Partition]:
    """The monthly partitions in month order, attached or detached (archived, not yet dropped),
    then the DEFAULT partition with its exact number of rows (it should hold none)."""
    found = []
    for row in await conn.execute_query_dict(LISTING):
        if row["name"] == DEFAULT:
            continue
        found.append(Partition(row["name"], month_named(row["name"]), row["attached"], row["rows"]))
    rows = await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {DEFAULT}")
    return [*found, Partition(DEFAULT, None, True, rows[0]["n"])]


async def months_in_default(conn: BaseDBAsyncClient) -> list[date]:
    """The local months of the entries the DEFAULT partition holds."""
    rows = await conn.execute_query_dict(
        f"SELECT DISTINCT date_trunc('month', at AT TIME ZONE '{LOCAL_NAME}')::date AS month "
        f"FROM {DEFAULT} ORDER BY 1")
    return [row["month"] for row in rows]


async def _columns(conn: BaseDBAsyncClient) -> str:
    rows = await conn.execute_query_dict(
        "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum", [PARENT])
    return ", ".join(f'"{row["attname"]}"' for row in rows)


async def create(conn: BaseDBAsyncClient, month: date) -> int | None:
    """Add `month`'s partition, inside the caller's transaction; returns how many entries it
    took over from the DEFAULT partition (None: it was there already). Those are moved
    unchanged (same id, seq and hash) in one statement, while the trigger is off on the
    DEFAULT partition alone and only inside this transaction: no other session sees it off."""
    attached = {p.name for p in await listing(conn) if p.attached}
    name = name_of(month)
    if name in attached:
        return None
    if await conn.execute_query_dict("SELECT 1 FROM pg_class WHERE oid = to_regclass($1)", [name]):
        raise PartitionError(f"{name} exists but is detached (an archived month): drop it after "
                             "archiving it, or rename it, before entries of that month can be kept")
    low, high = bounds(month)
    within = f"at >= '{low}' AND at < '{high}'"
    waiting = (await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {DEFAULT} WHERE {within}"))[0]["n"]
    if not waiting:
        await conn.execute_script(create_sql(month))
        return 0
    columns = await _columns(conn)
    await conn.execute_script(
        f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS);"
        f"ALTER TABLE {DEFAULT} DISABLE TRIGGER {TRIGGER};"
        f"WITH moved AS (DELETE FROM {DEFAULT} WHERE {within} RETURNING {columns}) "
        f"INSERT INTO {name} ({columns}) SELECT {columns} FROM moved;"
        f"ALTER TABLE {DEFAULT} ENABLE TRIGGER {TRIGGER};"
        f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM ('{low}') TO ('{high}')")
    return int(waiting)


async def detach(conn: BaseDBAsyncClient, month: date) -> None:
    """Detach `month`'s partition (inside the caller's transaction) and keep it read-only."""
    name = name_of(month)
    await conn.execute_script(f"ALTER TABLE {PARENT} DETACH PARTITION {name};"
                              + IMMUTABLE.format(table=name))
