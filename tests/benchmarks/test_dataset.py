"""`make bench` seeds a fresh database whose audit trail verifies (PostgreSQL only: the bench
seeds by COPY). The seeding runs only on a machine without the bench database, which is
how a change to the chain's columns once broke it unnoticed (lanes, issue 15)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from benchmarks import dataset
from benchmarks.servers import ROOT

pytestmark = pytest.mark.postgres_only

SEED = """
import asyncio, sys
from benchmarks import dataset
data = asyncio.run(dataset.ensure(sys.argv[1], sys.argv[2], dossiers=300, audit_entries=900,
                                  log=lambda *_: None))
print(data.url)
"""


def test_a_fresh_bench_database_is_seeded_with_a_trail_that_verifies():
    server = os.environ["TEST_DATABASE_URL"].rstrip("/").rpartition("/")[0]
    name = f"motcua_bench_test_{uuid.uuid4().hex[:8]}"
    try:
        seeded = subprocess.run([sys.executable, "-c", SEED, server, name], cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
        assert seeded.returncode == 0, seeded.stderr[-2000:]
        url = seeded.stdout.strip()
        env = {**os.environ, "DATABASE_URL": url, "AUDIT_KEY": dataset.AUDIT_KEY,
               "JWT_SECRET": dataset.JWT_SECRET}
        verified = subprocess.run([sys.executable, "app.py", "audit", "verify"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=300)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        entries = subprocess.run(
            [sys.executable, "-c", "import asyncio, asyncpg, sys\n"
             "async def main():\n"
             "    conn = await asyncpg.connect(sys.argv[1].replace('postgres://', 'postgresql://', 1))\n"
             "    print(await conn.fetchval('SELECT count(*) FROM audit_entries'))\n"
             "    await conn.close()\n"
             "asyncio.run(main())", url], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert int(entries.stdout) >= 900, entries.stderr
    finally:
        import asyncio

        asyncio.run(dataset.drop(server, name))
