"""Time `load_demo` on a fresh PostgreSQL database; the database is kept for other benchmarks.

    .venv/bin/python benchmarks/seed_million.py [DBNAME] [--dossiers N] [--server URL] [--drop]

The server defaults to BENCH_SERVER_URL or postgres://postgres@127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


async def admin(server: str, sql: str) -> None:
    """Run one statement on the server's maintenance database (CREATE / DROP DATABASE)."""
    import asyncpg

    conn = await asyncpg.connect(f"{server}/postgres".replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def run(server: str, name: str, dossiers: int, drop: bool, reorganize_units: bool = True) -> None:
    sys.path.insert(0, str(ROOT))  # the project's modules, when run as benchmarks/seed_million.py
    from tortoise import Tortoise

    import cli
    import config
    from models import Dossier, DossierEvent

    url = f"{server}/{name}"
    await admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin(server, f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    await cli.migrate(url)
    print(f"created and migrated {name} in {time.perf_counter() - started:.1f} s", flush=True)

    from demo.seed import load_demo

    await Tortoise.init(config=config.tortoise_config(cli.maintenance(url)))
    try:
        started = time.perf_counter()
        last = [started, 0]

        def progress(done: int) -> None:
            now = time.perf_counter()
            if now - last[0] >= 10 or done == dossiers:
                rate = (done - last[1]) / (now - last[0])
                print(f"  {done:>9,} dossiers  {now - started:6.1f} s  {rate:,.0f}/s", flush=True)
                last[:] = [now, done]

        report = await load_demo(dossiers=dossiers, progress=progress,
                                 reorganize_units=reorganize_units)
        seconds = time.perf_counter() - started
        events = await DossierEvent.all().count()
        total = await Dossier.all().count()
    finally:
        await Tortoise.close_connections()
    print(report)
    print(f"load_demo(dossiers={dossiers:,}): {seconds:.1f} s total, {total / seconds:,.0f} dossiers/s, "
          f"{(total + events) / seconds:,.0f} rows/s ({total:,} dossiers + {events:,} events)")
    if drop:
        await admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"dropped {name}")
    else:
        print(f"kept {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", default="motcua_bench")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--server", default=os.environ.get("BENCH_SERVER_URL",
                                                           "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    args = parser.parse_args()
    asyncio.run(run(args.server.rstrip("/"), args.name, args.dossiers, args.drop))
    return 0


if __name__ == "__main__":
    sys.exit(main())
