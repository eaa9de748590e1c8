"""Starting, watching and stopping the systems under test (each in a process group of its own,
pinned to the servers' core, so that stopping one ends its workers too)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
POSTGRAPHILE = ROOT / "benchmarks" / "postgraphile"


def pinned(cores: str | None, argv: list[str]) -> list[str]:
    """`taskset -c CORES argv` where taskset exists and the machine has the cores."""
    if cores is None or shutil.which("taskset") is None:
        return argv
    return ["taskset", "-c", cores, *argv]


@dataclass
class Server:
    name: str
    argv: list[str]
    port: int
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None
    process: subprocess.Popen | None = None
    log_from: int = 0  # the log's size when this start began

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def start(self, cores: str | None) -> Server:
        self.log_from = self.log.stat().st_size if self.log and self.log.exists() else 0
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(pinned(cores, self.argv), cwd=ROOT, env={**os.environ, **self.env},
                                        stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, probe: dict, headers: dict | None = None, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited at start (see {self.log})")
            try:
                answer = httpx.post(self.url, json=probe, headers=headers or {}, timeout=5)
                if answer.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.name} did not answer within {timeout:.0f} s (see {self.log})")

    def warnings(self) -> list[str]:
        """The lines this start wrote to its log that begin with "warning:" (what `serve` says
        when it starts fewer workers than asked, web/serving.py)."""
        if self.log is None or not self.log.exists():
            return []
        with open(self.log, "rb") as handle:
            handle.seek(self.log_from)
            text = handle.read().decode("utf-8", "replace")
        return [line for line in text.splitlines() if line.startswith("warning:")]

    def rss_mb(self) -> tuple[float, float]:
        """Resident memory of the server and its children (uvicorn's supervisor, workers and
        multiprocessing's resource tracker), in MB: in all, and of the largest process (a
        worker, when there are several)."""
        if self.process is None:
            return 0.0, 0.0
        sizes = [_rss_kb(pid) / 1024 for pid in _tree(self.process.pid)]
        return sum(sizes), max(sizes, default=0.0)

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the server's processes have used so far."""
        return 0.0 if self.process is None else sum(map(_cpu_seconds, _tree(self.process.pid)))

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                tree.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
    return tree


def _tree(pid: int) -> list[int]:
    children, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command's name (state, ppid, …)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = _stat(pid)
        return (int(fields[11]) + int(fields[12])) / _TICKS
    return 0.0


def postgres_cpu_seconds() -> float:
    """CPU time used so far by PostgreSQL on this machine: its live processes (backends, WAL
    writer, checkpointer…) and, through the postmaster's count of its reaped children, the
    backends that have exited (a connection closed during a cell). During a cell only the
    system under load sends it work."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if (entry / "comm").read_text().strip() == "postgres":
                    stats[int(entry.name)] = _stat(int(entry.name))
    total = 0
    for fields in stats.values():
        total += int(fields[11]) + int(fields[12])
        if int(fields[1]) not in stats:  # the postmaster: its children's time once reaped
            total += int(fields[13]) + int(fields[14])
    return total / _TICKS


def _rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def motcua(port: int, database_url: str, env: dict[str, str], workers: int, log: Path) -> Server:
    return Server("motcua", [sys.executable, "app.py", "serve", "--port", str(port), "--workers",
                             str(workers)], port, {**env, "DATABASE_URL": database_url}, log)


def baseline(port: int, database_url: str, env: dict[str, str], workers: int, log: Path) -> Server:
    return Server("baseline", [sys.executable, "-m", "benchmarks.baseline", "--port", str(port),
                               "--workers", str(workers)], port, {**env, "DATABASE_URL": database_url}, log)


def postgraphile_ready(log=print) -> bool:  # noqa: ANN001
    """Node and npm present, PostGraphile installed from the lock file (npm ci, once)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        log("PostGraphile skipped: node and npm are not installed")
        return False
    if not (POSTGRAPHILE / "node_modules" / ".bin" / "postgraphile").exists():
        log("installing PostGraphile 4.14 (npm ci)…")
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=POSTGRAPHILE,
                              capture_output=True, text=True)
        if done.returncode != 0:
            log(f"PostGraphile skipped: npm ci failed: {done.stderr.strip()[-300:]}")
            return False
    return True


def postgraphile(port: int, database_url: str, pool: int, log: Path) -> Server:
    return Server("postgraphile", [
        "node", str(POSTGRAPHILE / "node_modules" / ".bin" / "postgraphile"), "-c", database_url,
        "--schema", "public", "--host", "127.0.0.1", "--port", str(port), "--max-pool-size", str(pool),
        "--append-plugins", "postgraphile-plugin-connection-filter", "--disable-query-log",
        "--disable-graphiql"], port, {"NODE_ENV": "production"}, log)
