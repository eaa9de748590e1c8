"""A database of its own for each test that changes the audit trail's partitions (it makes,
moves and detaches them, which the session's shared database must not keep): copied from a
template migrated once per module, so a test costs a CREATE DATABASE, not a migration."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from typing import Any

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

import cli
import config
from audit import bursts, chain
from models import AuditEntry
from models.audit import AuditOutcome
from models.partitions import LOCAL_TZ
from policies import store
from tests.conftest import AUDIT_KEY, BACKEND

NEEDS_POSTGRES = pytest.mark.skipif(
    BACKEND != "postgres", reason="partitions exist on PostgreSQL only: SQLite keeps the trail in one table")


def server_url(name: str) -> str:
    server, _, _ = os.environ["TEST_DATABASE_URL"].rstrip("/").rpartition("/")
    return f"{server}/{name}"


async def admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(os.environ["TEST_DATABASE_URL"].replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def partition_template() -> Iterator[str]:
    name = f"motcua_parts_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(cli.migrate(server_url(name)))
        yield name
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def partitioned(partition_template: str) -> AsyncIterator[str]:
    """The ORM on a freshly migrated PostgreSQL database of this test's own; yields its URL."""
    name = f"{partition_template}_{uuid.uuid4().hex[:6]}"
    await admin(f'CREATE DATABASE "{name}" TEMPLATE "{partition_template}"')
    try:
        async with TortoiseContext() as ctx:
            await ctx.init(config=config.tortoise_config(server_url(name)))
            chain.configure(AUDIT_KEY)
            await chain.ensure_head()  # the empty chain's head, sealed with this key
            await store.load()
            bursts.reset()
            yield server_url(name)
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def mid_month(month: date, day: int = 15) -> datetime:
    """Noon (Vietnam) on `day` of `month`."""
    return datetime(month.year, month.month, day, 12, tzinfo=LOCAL_TZ)


async def seal(at: datetime, action: str = "query:dossiers") -> AuditEntry:
    """Append one entry stamped `at` to the chain, as the recorder would; returns it."""
    await chain.append(dict(
        at=at, actor_kind="USER", actor_username="minh", actor_roles="INSPECTOR@49", action=action,
        object_type=None, object_id=None, unit_path="/49/", outcome=AuditOutcome.ALLOWED, reason=None,
        operation_name="Test", request_id=None, client_address=None, changes=None))
    return await AuditEntry.all().order_by("-id").first()  # type: ignore[return-value]


async def sql(statement: str, *values: Any) -> list[dict[str, Any]]:
    return await connections.get("default").execute_query_dict(statement, list(values))


async def placement() -> dict[int, str]:
    """Each entry's id → the partition holding it."""
    rows = await sql("SELECT id, tableoid::regclass::text AS part FROM audit_entries")
    return {row["id"]: row["part"] for row in rows}


async def attached() -> list[str]:
    rows = await sql("SELECT inhrelid::regclass::text AS name FROM pg_inherits "
                     "WHERE inhparent = 'audit_entries'::regclass ORDER BY 1")
    return [row["name"] for row in rows]
