"""The jurisdiction filter before and after the 2025 reorganisation, at a million dossiers.

    .venv/bin/python benchmarks/reorganize_million.py [DBNAME] [--dossiers N] [--server URL]
                                                      [--reuse] [--runs R]

Seeds N dossiers on the pre-2025 tree (benchmarks/seed_million.py, as a province that has not
applied the change yet) into DBNAME, copies it to DBNAME_after, applies
`demo/reorganization_2025.csv` there through the same operation and steps as
`app.py units reorganize` (all dossiers carried, then the jurisdiction indexes rebuilt), and
compares with EXPLAIN ANALYZE the dossier lists of officials at the old units (DBNAME) and of
those at their successors (DBNAME_after), who see exactly the same dossiers. Runs alternate
between the two databases, so that the machine's noise falls on both alike. `--reuse` keeps
DBNAME as it is (seeded, not reorganised).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import seed_million  # noqa: E402

# (label, grant paths before, grant paths after): the same dossiers on both sides.
CASES = [
    ("province (Quảng Nam → Đà Nẵng)", ["/49/"], ["/48/"]),
    ("province (Cà Mau, kept its path)", ["/96/"], ["/96/"]),
    ("3 wards → Phường Tam Kỳ", ["/49/502/20341/", "/49/502/20347/", "/49/502/20353/"], ["/48/20341/"]),
    ("2 communes → Xã Bạch Thông", ["/06/063/02014/", "/06/063/02017/"], ["/19/02014/"]),
]


def actor(paths: list[str]):  # noqa: ANN201
    from policies import Actor, ActorKind, Grant

    return Actor(kind=ActorKind.USER, username="bench", grants=tuple(
        Grant(role="LEADER", unit_code=p.strip("/").rsplit("/", 1)[-1], unit_path=p) for p in paths))


async def statements(paths: list[str]) -> tuple[str, str]:
    """The SQL of the dossier list for officials at `paths`: its first page and its count."""
    from resolvers.dossiers import DossierFilter
    from resolvers.dossiers.queries import _filtered

    query = await _filtered(actor(paths), DossierFilter())
    return (query.order_by("-id").limit(21).sql(params_inline=True),
            query.count().sql(params_inline=True))


async def execution_ms(conn, sql: str) -> float:  # noqa: ANN001
    rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql)
    line = next(r[0] for r in rows if r[0].startswith("Execution Time"))
    return float(line.split(":")[1].split()[0])


async def compare(server: str, name: str, runs: int) -> list[tuple]:
    """Per case: dossiers reached, and median ms (page before, page after, count before, after)."""
    import asyncpg

    dsn = server.replace("postgres://", "postgresql://", 1)
    before = await asyncpg.connect(f"{dsn}/{name}")
    after = await asyncpg.connect(f"{dsn}/{name}_after")
    results = []
    try:
        for label, old_paths, new_paths in CASES:
            old, new = await statements(old_paths), await statements(new_paths)
            timings: list[list[float]] = [[], [], [], []]
            for i in range(runs + 2):  # the first two warm the caches
                for slot, (conn, sql) in enumerate(((before, old[0]), (after, new[0]),
                                                    (before, old[1]), (after, new[1]))):
                    ms = await execution_ms(conn, sql)
                    if i >= 2:
                        timings[slot].append(ms)
            count = await before.fetchval(old[1])
            assert count == await after.fetchval(new[1]), label
            results.append((label, count, *(statistics.median(t) for t in timings)))
    finally:
        await before.close()
        await after.close()
    return results


async def vacuum(server: str, database: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(f"{server.replace('postgres://', 'postgresql://', 1)}/{database}")
    try:
        await conn.execute("VACUUM ANALYZE dossiers")
    finally:
        await conn.close()


async def main(server: str, name: str, dossiers: int, reuse: bool, runs: int) -> None:
    from tortoise import Tortoise, connections

    import cli
    import config
    from demo.seed import PLAN, REFERENCE
    from models.postgres import reindex_concurrently
    from policies import SYSTEM, store
    from resolvers.units import parse_csv, reorganize

    if not reuse:
        await seed_million.run(server, name, dossiers, drop=False, reorganize_units=False)
    await seed_million.admin(server, f'DROP DATABASE IF EXISTS "{name}_after" WITH (FORCE)')
    started = time.perf_counter()
    await seed_million.admin(server, f'CREATE DATABASE "{name}_after" TEMPLATE "{name}"')
    print(f"copied {name} to {name}_after in {time.perf_counter() - started:.1f} s", flush=True)
    await Tortoise.init(config=config.tortoise_config(cli.maintenance(f"{server}/{name}_after")))
    try:
        await store.load()
        started = time.perf_counter()
        reports = await reorganize(actor=SYSTEM, rows=parse_csv(PLAN.read_text(encoding="utf-8")),
                                   carry_grants=True, reference=REFERENCE)
        applied = time.perf_counter() - started
        started = time.perf_counter()
        await reindex_concurrently(connections.get("default"))
        reindexed = time.perf_counter() - started
        for database in (name, f"{name}_after"):  # the same state on both sides
            await vacuum(server, database)
        results = await compare(server, name, runs)
    finally:
        await Tortoise.close_connections()
    counts = reports[0].counts
    print(f"reorganisation applied in {applied:.1f} s ({counts['dossiers_moved']:,} dossiers carried, "
          f"{counts['units_ended']} versions ended, {counts['units_created']} begun); "
          f"jurisdiction indexes rebuilt in {reindexed:.1f} s")
    print(f"{'officials of':36} {'dossiers':>9}  {'page before':>11} {'after':>7}  "
          f"{'count before':>12} {'after':>7}   (EXPLAIN ANALYZE ms, median of {runs}, alternating)")
    for label, count, page0, page1, count0, count1 in results:
        print(f"{label:36} {count:>9,}  {page0:>11.2f} {page1:>7.2f}  {count0:>12.2f} {count1:>7.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", default="motcua_reorg_bench")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--server", default=os.environ.get("BENCH_SERVER_URL",
                                                           "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    asyncio.run(main(args.server.rstrip("/"), args.name, args.dossiers, args.reuse, args.runs))
