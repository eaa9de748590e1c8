"""SQLite keeps the audit trail in one table: the partition commands say so and change nothing."""

from __future__ import annotations

import pytest

from models import AuditEntry
from tests.conftest import BACKEND
from tests.test_cli import run_cli

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="PostgreSQL partitions the trail "
                                "(tests/audit/test_partitions.py)")


async def test_partition_commands_on_sqlite_change_nothing(db, database_url):
    before = await AuditEntry.all().count()
    listed = run_cli(database_url, "audit", "partitions")
    assert listed.returncode == 0 and "in one table (SQLite): no partitions" in listed.stdout
    archived = run_cli(database_url, "audit", "archive", "2026-01")
    assert archived.returncode == 2 and "one table on this database" in archived.stderr
    bad = run_cli(database_url, "audit", "archive", "January")
    assert bad.returncode == 2 and "is not a month (YYYY-MM)" in bad.stderr
    assert await AuditEntry.all().count() == before
