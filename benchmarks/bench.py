"""`make bench`: motcua against a hand-written baseline and PostGraphile, at a province's scale.

    .venv/bin/python -m benchmarks.bench [--dossiers 1000000] [--audit 300000] [--reps 3]
        [--seconds 5] [--warmup 1] [--concurrency 1,16] [--only a-clerk,b,…] [--workers 1[,2]]
        [--no-postgraphile] [--no-count] [--json PATH] [--database motcua_bench] [--drop]

1. Seeds PostgreSQL (BENCH_SERVER_URL, default postgres://postgres@127.0.0.1:5432) with the
   dossiers and audit entries asked for, or reuses the database when it holds them already
   (benchmarks/dataset.py; `--drop` drops it at the end).
2. Counts the statements each system sends per request, through a counting proxy
   (benchmarks/wirecount.py; BEGIN and COMMIT included), on instances of their own.
3. Starts motcua (`app.py serve`, production settings), the baseline (benchmarks/baseline)
   and PostGraphile 4.14 when node and npm are there, all pinned to core 0; the load
   generator (benchmarks/load.py) runs pinned to core 1.
4. For each repetition, each scenario and each concurrency, runs every system in turn (the
   order rotating between repetitions), so that drift on the machine hits all alike.
   `--workers 1,2` starts motcua and the baseline once per worker count ("motcua×2" is motcua
   with two workers asked for; `serve` starts no more than the CPUs it may use, one on the
   servers' core, and what it said is printed) and interleaves them like any other system:
   whether a second worker helps or hurts is only visible within one run on a machine that
   drifts by a fifth between runs.
5. Prints p50/p95/p99, throughput and ratios, statements per request and server RSS, checks
   issue 15's targets, writes everything as JSON (default var/bench/<date>.json), and stops
   every server it started, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks import dataset, report, scenarios, servers
from benchmarks.dataset import Dataset

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {  # key → (label, the systems that answer it)
    "a-clerk": ("(a) page of 50, commune clerk", ("motcua", "baseline", "postgraphile")),
    "a-leader": ("(a) page of 50, district leader", ("motcua", "baseline", "postgraphile")),
    "a-inspector": ("(a) page of 50, province inspector", ("motcua", "baseline", "postgraphile")),
    "b": ("(b) one dossier by code", ("motcua", "baseline", "postgraphile")),
    "c": ("(c) province-year metrics by district", ("motcua", "baseline")),
    "d": ("(d) receive → RETURNED, complete paths", ("motcua", "baseline")),
    # PostGraphile 4 does not expose a partitioned table (the trail is one since 0013): it
    # lists the monthly partitions instead, so it sits (e) out.
    "e": ("(e) auditLog by actor", ("motcua", "baseline")),
}
PAGE_ROLE = {"a-clerk": "clerk", "a-leader": "leader", "a-inspector": "inspector"}
MORE_WORKERS = report.MORE_WORKERS  # "motcua×2": motcua served by two workers (--workers 1,2)


def kind(system: str) -> str:
    """The system a name runs: "motcua×2" is motcua."""
    return system.partition(MORE_WORKERS)[0]


def workers_of(system: str, default: int) -> int:
    _, more, count = system.partition(MORE_WORKERS)
    return int(count) if more else default


def answers(system: str, scenario: str) -> bool:
    return kind(system) in SCENARIOS[scenario][1]


def work(system: str, scenario: str, data: Dataset) -> dict:
    """The load spec's requests (or path) for one system and scenario."""
    pg = kind(system) == "postgraphile"
    if scenario in PAGE_ROLE:
        role = PAGE_ROLE[scenario]
        body = scenarios.pg_page(data.prefix(role)) if pg else scenarios.page()
        return {"requests": [{"body": body, "headers": {} if pg else data.headers(role)}]}
    if scenario == "b":
        return {"requests": [{"body": scenarios.pg_one(c) if pg else scenarios.one(c),
                              "headers": {} if pg else data.headers("clerk")} for c in data.codes]}
    if scenario == "c":
        body = scenarios.metrics(data.province["code"], f"{data.year}-01-01", f"{data.year}-12-31")
        return {"requests": [{"body": body, "headers": data.headers("inspector")}]}
    if scenario == "e":
        body = scenarios.pg_audit(data.trail_actor, data.prefix("inspector")) if pg else \
            scenarios.audit(data.trail_actor)
        return {"requests": [{"body": body, "headers": {} if pg else data.headers("inspector")}]}
    steps = [{"action": action, "headers": data.headers(role),
              "body": scenarios.transition("", action)} for role, action in scenarios.STEPS]
    return {"path": {"receive": {"body": scenarios.receive(data.procedure, data.commune["code"]),
                                 "headers": data.headers("clerk")}, "steps": steps}}


def server_env() -> dict[str, str]:
    """Production settings, with rate limits out of the way (the bench is one caller per role)."""
    return {"APP_ENV": "production", "JWT_SECRET": dataset.JWT_SECRET, "AUDIT_KEY": dataset.AUDIT_KEY,
            "RATE_PER_USER": "1000000000", "RATE_PER_ADDRESS": "1000000000", "DB_POOL_SIZE": "10",
            "PYTHONUNBUFFERED": "1"}


def start_all(names: list[str], data: Dataset, url: str, port: int, workers: int, logs: Path,
              cores: str | None) -> dict[str, servers.Server]:
    """Each system on a port of its own (port, port + 1, …); `workers` for the names that do
    not say how many ("motcua×2" says)."""
    env = server_env()

    def made(name: str, at: int) -> servers.Server:
        count, log = workers_of(name, workers), logs / f"{name.replace(MORE_WORKERS, '-x')}.log"
        if kind(name) == "postgraphile":
            return servers.postgraphile(at, url, 10, log)
        start = servers.motcua if kind(name) == "motcua" else servers.baseline
        return start(at, url, env, count, log)

    started: dict[str, servers.Server] = {}
    try:
        for i, name in enumerate(names):
            started[name] = made(name, port + i).start(cores)
        for name, server in started.items():
            pg = kind(name) == "postgraphile"
            server.wait_ready(scenarios.pg_one("none") if pg else scenarios.one("none"),
                              None if pg else data.headers("clerk"))
    except BaseException:  # one that cannot start: the others must not outlive the bench
        for server in started.values():
            server.stop()
        raise
    return started


async def count_statements(names: list[str], data: Dataset, workers: int, logs: Path,
                           only: list[str], log=print) -> dict:  # noqa: ANN001
    """Statements per request (per complete path for (d)) of each system, on the wire, and how
    many of them were the pool's resets of a connection given back."""
    from benchmarks.wirecount import WireCounter

    server, _, name = data.url.rpartition("/")
    host, _, port = server.rpartition("@")[2].partition(":")
    counter = await WireCounter(host, int(port or 5432)).start()
    proxied = f"postgres://postgres@127.0.0.1:{counter.port}/{name}"
    started = await asyncio.to_thread(start_all, names, data, proxied, 8790, workers, logs, None)
    counts: dict[str, dict[str, list[float]]] = {n: {} for n in names}
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            # One system at a time: the entries another system writes into the same chain in
            # between would make motcua's first seals after it go the long way (audit/chain.py
            # `_Tip`), which a province's only writer does not see.
            for system in started:
                for scenario in [s for s in only if answers(system, s)]:
                    spec, url = work(system, scenario, data), started[system].url
                    rounds = 3 if "path" in spec else 10
                    await asyncio.sleep(0.2)  # let the previous request's background work end
                    with counter.window() as window:
                        for i in range(rounds):
                            await _once(http, url, spec, i)
                    counts[system][scenario] = [window.count / rounds, window.resets / rounds]
    finally:
        for s in started.values():
            await asyncio.to_thread(s.stop)  # the proxy must keep serving their goodbyes
        await counter.close()
    log("statements counted")
    return counts


async def _once(http: httpx.AsyncClient, url: str, spec: dict, i: int) -> None:
    if "requests" in spec:
        request = spec["requests"][i % len(spec["requests"])]
        answer = await http.post(url, json=request["body"], headers=request["headers"])
        answer.raise_for_status()
        return
    receive = spec["path"]["receive"]
    answer = await http.post(url, json=receive["body"], headers=receive["headers"])
    code = answer.json()["data"]["receiveDossier"]["dossier"]["code"]
    for step in spec["path"]["steps"]:
        body = {**step["body"], "variables": {"code": code, "action": step["action"]}}
        (await http.post(url, json=body, headers=step["headers"])).raise_for_status()


def check_answers(started: dict[str, servers.Server], data: Dataset, only: list[str]) -> None:
    """Every system answers every scenario without errors before anything is timed, and the
    baseline answers (b) byte for byte as motcua does."""
    with httpx.Client(timeout=60) as http:
        for scenario in only:
            for system in started:
                if answers(system, scenario):
                    asyncio.run(_once_sync(started[system].url, work(system, scenario, data)))
        if "baseline" in started:
            request = scenarios.one(data.codes[0])
            texts = {n: http.post(started[n].url, json=request, headers=data.headers("clerk")).text
                     for n in ("motcua", "baseline")}
            if texts["motcua"] != texts["baseline"]:
                raise SystemExit(f"the baseline answers (b) differently:\n{texts}")


async def _once_sync(url: str, spec: dict) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        await _once(http, url, spec, 0)


def run_cell(url: str, spec: dict, concurrency: int, seconds: float, warmup: float,
             cores: str | None, cpu: tuple[Callable[[], float], Callable[[], float]] | None = None,
             ) -> dict:
    """One cell: the load generator's report, and with `cpu` (the server's and PostgreSQL's
    CPU clocks) the CPU milliseconds each spent per completed request, warm-up included
    (its requests are counted too): on a shared machine whose speed drifts by a fifth
    between runs, the cost of a request moves far less than the rate."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({**spec, "url": url, "concurrency": concurrency, "seconds": seconds,
                   "warmup": warmup}, handle)
    before = [clock() for clock in cpu] if cpu else []
    try:
        done = subprocess.run(servers.pinned(cores, [sys.executable, "-m", "benchmarks.load", handle.name]),
                              cwd=ROOT, capture_output=True, text=True, timeout=seconds + warmup + 120)
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        raise SystemExit(f"the load generator failed: {done.stderr[-800:]}")
    out = json.loads(done.stdout)
    if cpu:
        served = out["completed"] + out.get("warmup_completed", 0)
        out["server_cpu_ms"], out["postgres_cpu_ms"] = (
            1000 * (clock() - start) / served if served else None
            for clock, start in zip(cpu, before, strict=True))
    return out


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(int(memory) / 2**20, 1),
            "python": platform.python_version(), "postgres_client": pg, "kernel": platform.release(),
            "load_average_at_start": [round(x, 2) for x in load]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--audit", type=int, default=300_000, help="audit entries to seed")
    parser.add_argument("--database", default="motcua_bench")
    parser.add_argument("--server", default=os.environ.get("BENCH_SERVER_URL",
                                                           "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--workers", default="1",
                        help="uvicorn workers (motcua and baseline); a list (1,2) runs each count "
                             "as a system of its own, interleaved with the others")
    parser.add_argument("--no-postgraphile", action="store_true")
    parser.add_argument("--no-count", action="store_true", help="skip counting statements")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    # A SIGTERM (make interrupted, a CI timeout) unwinds like Ctrl-C: the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    only = [s for s in args.only.split(",") if s]
    unknown = set(only) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}; known: {', '.join(SCENARIOS)}")
    levels = [int(c) for c in args.concurrency.split(",")]
    try:
        counts = [int(w) for w in args.workers.split(",")]
    except ValueError:
        parser.error("--workers takes a count or a list of counts (1,2)")
    if not counts or min(counts) < 1 or len(set(counts)) != len(counts):
        parser.error("--workers takes distinct counts of at least 1")
    workers = counts[0]
    two_cores = (os.cpu_count() or 1) >= 2
    server_cores, load_cores = ("0", "1") if two_cores else (None, None)
    if not two_cores:
        print("one core only: servers and the load generator are not pinned")
    started_at = datetime.now(UTC)
    info = machine()
    server = args.server.rstrip("/")
    data = asyncio.run(dataset.ensure(server, args.database, dossiers=args.dossiers,
                                      audit_entries=args.audit))
    print(f"database {args.database}: {args.dossiers:,} dossiers, {args.audit:,} audit entries; commune "
          f"{data.commune['code']}, district {data.district['code']}, province {data.province['code']}")
    names = ["motcua", "baseline"]
    if not args.no_postgraphile and servers.postgraphile_ready():
        names.append("postgraphile")
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    # Statements per request do not depend on how many workers answer: counted once.
    statements = {} if args.no_count else asyncio.run(
        count_statements(names, data, workers, logs, only))
    names += [f"{n}{MORE_WORKERS}{w}" for w in counts[1:] for n in ("motcua", "baseline")]
    results: list[dict] = []
    rss: dict[str, float] = {}  # all the server's processes
    worker_rss: dict[str, float] = {}  # its largest process
    started: dict[str, servers.Server] = {}
    try:
        started = start_all(names, data, data.url, 8780, workers, logs, server_cores)
        check_answers(started, data, only)
        for name, server in started.items():  # e.g. motcua×2 on the one server core: one worker
            for line in server.warnings():
                print(f"{name}: {line}")
        for rep in range(args.reps):
            for scenario in only:
                for concurrency in levels:
                    order = [n for n in names if answers(n, scenario)]
                    order = order[rep % len(order):] + order[:rep % len(order)]
                    for system in order:
                        asyncio.run(dataset.settle(data.url))
                        out = run_cell(started[system].url, work(system, scenario, data), concurrency,
                                       args.seconds, args.warmup, load_cores,
                                       cpu=(started[system].cpu_seconds, servers.postgres_cpu_seconds))
                        results.append({"rep": rep, "scenario": scenario, "concurrency": concurrency,
                                        "system": system, **out})
                        total, largest = started[system].rss_mb()
                        rss[system] = max(rss.get(system, 0.0), total)
                        worker_rss[system] = max(worker_rss.get(system, 0.0), largest)
                        print(f"  rep {rep + 1}/{args.reps} {scenario:<11} c={concurrency:<3} {system:<12} "
                              f"{out['completed'] / out['seconds']:8.1f}/s"
                              + (f"  {out['errors']} errors: {out['error']}" if out["errors"] else ""),
                              flush=True)
    finally:
        for s in started.values():
            s.stop()
    summary = report.summarize(results, SCENARIOS, names)
    print()
    print(report.table(summary, SCENARIOS, names, statements, rss, worker_rss, info, started_at,
                       args))
    for line in report.targets(summary, statements, worker_rss):
        print(line)
    path = args.json or logs / f"{started_at:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"started_at": started_at.isoformat(), "machine": info,
                                "arguments": {k: str(v) for k, v in vars(args).items()},
                                "dataset": {k: v for k, v in vars(data).items() if k != "tokens"},
                                "statements_per_request": statements, "rss_mb": rss,
                                "largest_process_rss_mb": worker_rss,
                                "summary": summary, "samples": results}, indent=1, default=str))
    print(f"\nJSON: {path}  (logs in {logs}; the database {args.database} is kept"
          + (")" if not args.drop else ", dropped now)"))
    if args.drop:
        asyncio.run(dataset.drop(server, args.database))
    return 0


if __name__ == "__main__":
    start = time.perf_counter()
    code = main()
    print(f"make bench took {time.perf_counter() - start:.0f} s")
    sys.exit(code)
