"""The bench's summary and targets: a second worker count is judged against one worker of the
same system in the same run, and the CPU per request is summarized beside the rate."""

from __future__ import annotations

from argparse import Namespace
from datetime import UTC, datetime

from benchmarks import bench, report


def cell(system: str, rate: float, rep: int = 0, cpu: float | None = None) -> dict:
    return {"rep": rep, "scenario": "b", "concurrency": 16, "system": system,
            "latencies_ms": [10.0, 20.0], "completed": int(rate * 4), "seconds": 4.0, "errors": 0,
            "server_cpu_ms": cpu, "postgres_cpu_ms": None if cpu is None else cpu / 2}


NAMES = ["motcua", "baseline", "motcua×2", "baseline×2"]


def test_a_second_worker_is_judged_against_one_worker_of_the_same_system():
    results = [cell("motcua", 400), cell("baseline", 500), cell("motcua×2", 300),
               cell("baseline×2", 450)]
    lines = report.targets(report.summarize(results, bench.SCENARIOS, NAMES), {}, {})
    judged = [line for line in lines if "--workers 2" in line]
    assert judged == ["  [NOT MET] --workers 2 never slower than one: (b) c=16 300.0 vs 400.0 "
                      "(0.75×; the baseline 0.90×; slower in every repetition, 300–300 against "
                      "400–400)"]
    faster = report.targets(report.summarize(
        [cell("motcua", 400), cell("motcua×2", 410)], bench.SCENARIOS, NAMES), {}, {})
    assert any(line.startswith("  [met] --workers 2 never slower") for line in faster)


def test_a_second_worker_is_slower_only_when_every_repetition_says_so():
    def judged(one: list[float], more: list[float]) -> str:
        results = [cell("motcua", r, rep=i) for i, r in enumerate(one)] + \
                  [cell("motcua×2", r, rep=i) for i, r in enumerate(more)]
        lines = report.targets(report.summarize(results, bench.SCENARIOS, NAMES), {}, {})
        return next(line for line in lines if "--workers 2" in line)

    # the ranges overlap: a lower median is within the run's noise
    overlapping = judged([400, 440, 380], [370, 390, 420])
    assert overlapping.startswith("  [met]") and "within the repetitions' spread, 370–420 against " \
        "380–440" in overlapping
    # every repetition of two workers below every repetition of one: slower
    assert judged([400, 440, 380], [370, 360, 379]).startswith("  [NOT MET]")
    assert judged([400, 440], [450, 460]).startswith("  [met]")


def test_the_table_compares_a_second_worker_with_its_own_single_worker():
    results = [cell("motcua", 400, cpu=2.0), cell("baseline", 500, cpu=1.0),
               cell("motcua×2", 300, cpu=3.0), cell("baseline×2", 450, cpu=1.5)]
    summary = report.summarize(results, bench.SCENARIOS, NAMES)
    args = Namespace(dossiers=10, audit=10, reps=1, seconds=4.0, workers="1,2")
    machine = {"cpu": "x", "cores": 2, "memory_gb": 1, "load_average_at_start": [0, 0, 0]}
    lines = report.table(summary, bench.SCENARIOS, NAMES, {}, {}, {}, machine,
                         datetime.now(UTC), args).splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith("---")) + 1:]
    rows = {name: next(line for line in lines if name in line.split()) for name in NAMES}
    assert rows["motcua×2"].endswith("1.00×, 0.75×")  # against motcua, not the baseline
    assert rows["baseline×2"].endswith("1.00×, 0.90×")  # against the baseline
    assert rows["motcua"].endswith("1.00×, 0.80×")
    assert "3.0+1.5" in rows["motcua×2"] and "2.0+1.0" in rows["motcua"]


def test_cpu_per_request_is_the_median_of_the_repetitions():
    results = [cell("motcua", 400, rep=0, cpu=2.0), cell("motcua", 400, rep=1, cpu=9.0),
               cell("motcua", 400, rep=2, cpu=3.0)]
    measured = report.summarize(results, bench.SCENARIOS, ["motcua"])["b"]["16"]["motcua"]
    assert (measured["server_cpu_ms"], measured["postgres_cpu_ms"]) == (3.0, 1.5)
    unmeasured = report.summarize([cell("motcua", 400)], bench.SCENARIOS, ["motcua"])
    assert unmeasured["b"]["16"]["motcua"]["server_cpu_ms"] is None


def test_a_system_name_says_its_worker_count():
    assert (bench.kind("motcua×2"), bench.workers_of("motcua×2", 1)) == ("motcua", 2)
    assert (bench.kind("baseline"), bench.workers_of("baseline", 3)) == ("baseline", 3)
    assert bench.answers("motcua×2", "d") and not bench.answers("postgraphile", "d")


def test_the_readme_table_puts_other_worker_counts_beside_their_system():
    results = [cell("motcua", 400, cpu=2.0), cell("baseline", 1500, cpu=1.0),
               cell("motcua×2", 300, cpu=3.0)]
    table = report.markdown(report.summarize(results, bench.SCENARIOS, NAMES), bench.SCENARIOS,
                            ["motcua", "baseline", "motcua×2"]).splitlines()
    assert table[0] == ("| scenario | c | motcua p50 | req/s | CPU ms | motcua×2 req/s "
                        "| baseline p50 | req/s | CPU ms |")
    assert table[2] == ("| (b) one dossier by code | 16 | 20.0 | 400 | 2.0+1.0 | 300 "
                        "| 20.0 | 1,500 | 1.0+0.5 |")
    assert len(table) == 3  # one scenario, one level
