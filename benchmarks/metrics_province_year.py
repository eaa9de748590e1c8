"""A province's metrics for a year with the breakdown by district, at a million dossiers.

    .venv/bin/python benchmarks/metrics_province_year.py [--database-url URL] [--unit 49]
        [--year 2026] [--runs 30] [--rebuild]

Run `benchmarks/seed_million.py` first (it leaves `motcua_bench`). `--rebuild` migrates
the database and recomputes the rollup (needed once for a database loaded by an older
version). Times what the GraphQL field does: compute + breakdown(UNIT) + scorecard +
ranking, in-process (no HTTP), and prints the median and p90 against the 100 ms target.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cli  # noqa: E402
import config  # noqa: E402
from policies import SYSTEM  # noqa: E402
from resolvers.metrics import rollups, service  # noqa: E402

TARGET_MS = 100.0


async def main(url: str, unit: str, year: int, runs: int, rebuild: bool) -> None:
    from tortoise import Tortoise, connections

    if rebuild:
        await cli.migrate(url)
    await Tortoise.init(config=config.tortoise_config(url))
    try:
        if rebuild:
            start = time.perf_counter()
            rows = await rollups.rebuild()
            await connections.get("default").execute_script("ANALYZE unit_daily_stats")
            print(f"rollup rebuilt: {rows} rows in {time.perf_counter() - start:.1f} s")
        count = (await connections.get("default").execute_query_dict(
            "SELECT COUNT(*) AS n FROM dossiers"))[0]["n"]
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            report = await service.compute(actor=SYSTEM, unit_code=unit, first=date(year, 1, 1),
                                           last=date(year, 12, 31))
            districts = await service.breakdown(report, service.BreakdownBy.UNIT)
            service.scorecard(report)
            service.ranking(report)
            timings.append((time.perf_counter() - start) * 1000)
        median, p90 = statistics.median(timings), statistics.quantiles(timings, n=10)[-1]
        print(f"{count} dossiers; unit {unit}, year {year}: received {report.totals.received}, "
              f"{len(districts)} districts")
        print(f"median {median:.1f} ms, p90 {p90:.1f} ms over {runs} runs "
              f"(target {TARGET_MS:.0f} ms: {'met' if p90 < TARGET_MS else 'MISSED'})")
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/motcua_bench")
    parser.add_argument("--unit", default="49")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.unit, args.year, args.runs, args.rebuild))
