"""The bench's summary: percentiles and throughput per cell, the table, and issue 15's targets."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

MORE_WORKERS = "×"  # "motcua×2": motcua served by two workers (benchmarks/bench.py)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summarize(results: list[dict], scenarios: dict, names: list[str]) -> dict[str, Any]:
    """{scenario: {concurrency: {system: {p50, p95, p99, rate, rates, errors, server_cpu_ms,
    postgres_cpu_ms}}}}: latencies pooled over the repetitions, throughput and CPU per request
    the median of the repetitions' (throughput with their range)."""
    summary: dict[str, Any] = {}
    for r in results:
        cell = summary.setdefault(r["scenario"], {}).setdefault(str(r["concurrency"]), {}).setdefault(
            r["system"], {"latencies": [], "rates": [], "errors": 0, "server_cpu": [], "postgres_cpu": []})
        cell["latencies"] += r["latencies_ms"]
        cell["rates"].append(r["completed"] / r["seconds"] if r["seconds"] else 0.0)
        cell["errors"] += r["errors"]
        for name in ("server", "postgres"):
            if r.get(f"{name}_cpu_ms") is not None:
                cell[f"{name}_cpu"].append(r[f"{name}_cpu_ms"])
    for by_level in summary.values():
        for cells in by_level.values():
            for cell in cells.values():
                latencies = cell.pop("latencies")
                cell.update(p50=_pct(latencies, 0.50), p95=_pct(latencies, 0.95),
                            p99=_pct(latencies, 0.99), rate=statistics.median(cell["rates"]),
                            samples=len(latencies))
                for name in ("server", "postgres"):
                    spent = cell.pop(f"{name}_cpu")
                    cell[f"{name}_cpu_ms"] = statistics.median(spent) if spent else None
    return summary


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _cpu(cell: dict) -> str:
    """The server's and PostgreSQL's CPU per request, "3.1+0.9" (ms)."""
    server, postgres = cell.get("server_cpu_ms"), cell.get("postgres_cpu_ms")
    return "–" if server is None or postgres is None else f"{server:.1f}+{postgres:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.2f}×"


def table(summary: dict, scenarios: dict, names: list[str], statements: dict, rss: dict,
          worker_rss: dict, machine: dict, started_at: datetime, args: Any) -> str:
    lines = [f"motcua bench, {started_at:%Y-%m-%d %H:%M} UTC; {machine['cpu']}, {machine['cores']} cores, "
             f"{machine['memory_gb']} GB; {args.dossiers:,} dossiers, {args.audit:,} audit entries; "
             f"{args.reps} × {args.seconds:g} s per cell; workers {args.workers}; load average at "
             f"start {machine['load_average_at_start']}", ""]
    head = (f"{'scenario':<40}{'c':>3}  {'system':<12}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
            f"{'req/s':>9}{'(range)':>11}{'CPU ms':>13}   vs baseline (×N: vs one worker): p50, req/s")
    lines += [head, "-" * len(head)]
    for key, (label, _) in scenarios.items():
        for level, cells in sorted(summary.get(key, {}).items(), key=lambda kv: int(kv[0])):
            base = cells.get("baseline")
            for i, name in enumerate(n for n in names if n in cells):
                cell = cells[name]
                rates = cell["rates"]
                spread = f"({min(rates):.0f}–{max(rates):.0f})" if len(rates) > 1 else ""
                row = (f"{label if i == 0 else '':<40}{level if i == 0 else '':>3}  {name:<12}"
                       f"{_ms(cell['p50']):>8}{_ms(cell['p95']):>8}{_ms(cell['p99']):>8}"
                       f"{cell['rate']:9.1f}{spread:>11}{_cpu(cell):>13}")
                single, more, _ = name.partition(MORE_WORKERS)
                versus = cells.get(single) if more else base if name != "baseline" else None
                if versus is not None:
                    row += f"   {_ratio(cell['p50'], versus['p50'])}, {_ratio(cell['rate'], versus['rate'])}"
                if cell["errors"]:
                    row += f"   {cell['errors']} errors"
                lines.append(row)
    lines += ["", "(d) counts complete paths (4 requests each): its latency is a whole path's, its rate "
                  "paths per second.",
              "CPU ms: CPU time per request (per path for (d)) of the server's processes + of all of "
              "PostgreSQL's, median of the repetitions.", ""]
    if statements:
        lines.append("SQL statements per request on the wire, BEGIN/COMMIT included ((d): per path; in "
                     "brackets the pool's resets of a connection given back, one per release):")
        for name in (n for n in names if n in statements):
            counts = statements[name]
            cells = (f"{k} {n:.1f} ({r:.1f})" for k, (n, r) in counts.items())
            lines.append(f"  {name:<13}" + "  ".join(cells))
    lines.append("server RSS, MB (largest seen; all its processes, and its largest process): "
                 + ", ".join(f"{n} {rss.get(n, 0):.0f} ({worker_rss.get(n, 0):.0f})" for n in names))
    return "\n".join(lines)


def targets(summary: dict, statements: dict, worker_rss: dict) -> list[str]:
    """Issue 15's targets, met or not, from this run."""

    def cell(scenario: str, level: str, system: str) -> dict | None:
        return summary.get(scenario, {}).get(level, {}).get(system)

    out = ["", "issue 15's targets:"]

    def say(ok: bool | None, text: str) -> None:
        out.append(f"  [{'met' if ok else 'NOT MET' if ok is not None else 'n/a'}] {text}")

    for key in ("a-clerk", "a-leader", "a-inspector"):
        m16, b16, m1 = cell(key, "16", "motcua"), cell(key, "16", "baseline"), cell(key, "1", "motcua")
        p16 = cell(key, "16", "postgraphile")
        if m16 and b16:
            say(m16["rate"] * 1.5 >= b16["rate"], f"{key} c=16 throughput within 1.5× of the baseline "
                f"({m16['rate']:.0f} vs {b16['rate']:.0f} req/s)")
        if m16 and p16:
            say(m16["rate"] > p16["rate"], f"{key} c=16 above PostGraphile ({m16['rate']:.0f} vs "
                f"{p16['rate']:.0f} req/s)")
        if m1:
            say(m1["p50"] < 10, f"{key} c=1 p50 under 10 ms ({m1['p50']:.1f} ms)")
    for key, limit in (("b", 1.5), ("c", 1.2)):
        for level in ("1", "16"):
            m, b = cell(key, level, "motcua"), cell(key, level, "baseline")
            if m and b:
                say(m["rate"] * limit >= b["rate"], f"({key}) c={level} within {limit}× of the baseline "
                    f"({m['rate']:.1f} vs {b['rate']:.1f} req/s)")
    d = cell("d", "16", "motcua")
    if d:
        say(d["rate"] >= 100, f"(d) ≥100 complete paths/s at c=16 ({d['rate']:.1f})")
    path = statements.get("motcua", {}).get("d")
    if path is not None:
        say(path[0] <= 30, f"(d) at most 30 statements per path ({path[0]:.0f} on the wire)")
    say(None, "(e) p50 not growing with the trail's size: compare runs at two --audit sizes")
    for scenario, by_level in summary.items():
        for level, cells in sorted(by_level.items(), key=lambda kv: int(kv[0])):
            one = cells.get("motcua")
            if one is None:
                continue
            for name in sorted(n for n in cells if n.startswith("motcua" + MORE_WORKERS)):
                more, count = cells[name], name.partition(MORE_WORKERS)[2]
                reference = cells.get(f"baseline{MORE_WORKERS}{count}"), cells.get("baseline")
                same = (f"; the baseline {_ratio(reference[0]['rate'], reference[1]['rate'])}"
                        if all(reference) else "")
                say(not _slower(more, one), f"--workers {count} never slower than one: "
                    f"({scenario}) c={level} {more['rate']:.1f} vs {one['rate']:.1f} "
                    f"({_ratio(more['rate'], one['rate'])}{same}; {_spread(more, one)})")
    for name, largest in worker_rss.items():  # a worker is a process; the supervisor is not one
        if name.startswith("motcua"):
            say(largest < 150, f"RSS under 150 MB per worker ({name}'s largest process: "
                f"{largest:.0f} MB)")
    return out


def _slower(more: dict, one: dict) -> bool:
    """Slower in every repetition: the best of `more` below the worst of `one`. Two servers on
    a machine whose speed drifts by a fifth between cells differ by chance in any one pair of
    cells (the baseline's own ×2 lands at 0.76–1.22× of its ×1); a difference only counts
    when no repetition of the one overlaps the other's. With one repetition each, the rates
    themselves are compared."""
    return max(more["rates"]) < min(one["rates"])


def _spread(more: dict, one: dict) -> str:
    ranges = f"{min(more['rates']):.0f}–{max(more['rates']):.0f} against " \
             f"{min(one['rates']):.0f}–{max(one['rates']):.0f}"
    if _slower(more, one):
        return f"slower in every repetition, {ranges}"
    if more["rate"] < one["rate"]:
        return f"within the repetitions' spread, {ranges}"
    return ranges


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def markdown(summary: dict, scenarios: dict, names: list[str]) -> str:
    """The README's table of a run: p50, req/s and CPU per request of each single-worker
    system, and the rate of each system's other worker counts beside it."""
    singles = [n for n in names if MORE_WORKERS not in n]
    more = {n: [m for m in names if m.startswith(n + MORE_WORKERS)] for n in singles}
    head = ["scenario", "c"]
    for name in singles:
        head += [f"{name} p50", "req/s", "CPU ms", *(f"{m} req/s" for m in more[name])]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, (label, _) in scenarios.items():
        for n, (level, cells) in enumerate(sorted(summary.get(key, {}).items(),
                                                   key=lambda kv: int(kv[0]))):
            row = [label if n == 0 else "", level]
            for name in singles:
                cell = cells.get(name)
                row += ([_ms(cell["p50"]), _rate(cell["rate"]), _cpu(cell)] if cell else ["–"] * 3)
                row += [_rate(cells[m]["rate"]) if m in cells else "–" for m in more[name]]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m benchmarks.report var/bench/<time>.json
    import json
    import sys

    from benchmarks.bench import SCENARIOS

    run = json.loads(open(sys.argv[1], encoding="utf-8").read())
    systems = list(dict.fromkeys(s for levels in run["summary"].values()
                                 for cells in levels.values() for s in cells))
    print(markdown(run["summary"], SCENARIOS, systems))
