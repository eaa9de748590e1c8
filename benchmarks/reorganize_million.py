"""The jurisdiction filter before and after the 2025 reorganisation, at a million dossiers.

    .venv/bin/python benchmarks/reorganize_million.py [DBNAME] [--dossiers N] [--server URL]
                                                      [--reuse] [--runs R]

Seeds N dossiers on the pre-2025 tree (benchmarks/seed_million.py, as a province that has not
applied the change yet), times the dossier lists of officials at the old units with EXPLAIN
ANALYZE, applies `demo/reorganization_2025.csv` through the same operation as the CLI (all
dossiers are carried), and times the same lists for the officials of the successor units,
which hold exactly the same dossiers. `--reuse` skips the seeding when DBNAME already holds
the dossiers on the old tree.
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


async def explain(actor, first_page: bool) -> float:  # noqa: ANN001
    """Execution time (ms) of the dossier list's SQL for `actor`: its first page or its count."""
    from tortoise import connections

    from resolvers.dossiers import DossierFilter
    from resolvers.dossiers.queries import _filtered

    query = await _filtered(actor, DossierFilter())
    sql = (query.order_by("-id").limit(21) if first_page else query.count()).sql(params_inline=True)
    _, rows = await connections.get("default").execute_query("EXPLAIN (ANALYZE, BUFFERS) " + sql)
    line = next(r["QUERY PLAN"] for r in rows if r["QUERY PLAN"].startswith("Execution Time"))
    return float(line.split(":")[1].split()[0])


def actor(paths: list[str]):  # noqa: ANN201
    from policies import Actor, ActorKind, Grant

    return Actor(kind=ActorKind.USER, username="bench", grants=tuple(
        Grant(role="LEADER", unit_code=p.strip("/").rsplit("/", 1)[-1], unit_path=p) for p in paths))


async def measure(side: int, runs: int) -> dict[str, tuple[float, float, int]]:
    """Median ms of (first page, count) per case, and the dossiers the filter reaches."""
    from tortoise import connections

    results = {}
    for label, *paths in CASES:
        who = actor(paths[side])
        for _ in range(2):  # warm the cache
            await explain(who, True)
            await explain(who, False)
        pages = [await explain(who, True) for _ in range(runs)]
        counts = [await explain(who, False) for _ in range(runs)]
        clause = " OR ".join(f"unit_path LIKE '{p}%'" for p in paths[side])
        rows = await connections.get("default").execute_query_dict(
            f"SELECT COUNT(*) AS n FROM dossiers WHERE {clause}")
        results[label] = (statistics.median(pages), statistics.median(counts), int(rows[0]["n"]))
    return results


async def main(server: str, name: str, dossiers: int, reuse: bool, runs: int) -> None:
    from tortoise import Tortoise, connections

    import cli
    import config
    from demo.seed import PLAN, REFERENCE
    from models import Dossier, Reorganization
    from policies import SYSTEM, store
    from resolvers.units import parse_csv, reorganize

    url = f"{server}/{name}"
    if not reuse:
        await seed_million.run(server, name, dossiers, drop=False, reorganize_units=False)
    await Tortoise.init(config=config.tortoise_config(cli.maintenance(url)))
    try:
        if await Reorganization.exists():
            raise SystemExit(f"{name} is already reorganised: seed it again (without --reuse)")
        await store.load()
        total = await Dossier.all().count()
        # The same state on both sides: statistics fresh and the visibility map set.
        await connections.get("default").execute_script("VACUUM ANALYZE dossiers")
        before = await measure(0, runs)
        started = time.perf_counter()
        reports = await reorganize(actor=SYSTEM, rows=parse_csv(PLAN.read_text(encoding="utf-8")),
                                   carry_grants=True, reference=REFERENCE)
        applied = time.perf_counter() - started
        await connections.get("default").execute_script("VACUUM ANALYZE dossiers")
        after = await measure(1, runs)
    finally:
        await Tortoise.close_connections()
    counts = reports[0].counts
    print(f"{total:,} dossiers; reorganisation applied in {applied:.1f} s "
          f"({counts['dossiers_moved']:,} dossiers carried, {counts['units_ended']} versions ended, "
          f"{counts['units_created']} begun)")
    print(f"{'jurisdiction':38} {'dossiers':>9}  {'page before':>11} {'page after':>10}  "
          f"{'count before':>12} {'count after':>11}   (EXPLAIN ANALYZE, median of {runs}, ms)")
    for label, *_ in CASES:
        (p0, c0, n0), (p1, c1, n1) = before[label], after[label]
        assert n0 == n1, (label, n0, n1)
        print(f"{label:38} {n0:>9,}  {p0:>11.2f} {p1:>10.2f}  {c0:>12.2f} {c1:>11.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", default="motcua_reorg_bench")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--server", default=os.environ.get("BENCH_SERVER_URL",
                                                           "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.server.rstrip("/"), args.name, args.dossiers, args.reuse, args.runs))
