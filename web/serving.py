"""How `app.py serve` serves: uvicorn's HTTP protocol with TCP_NODELAY on every accepted
socket (uvloop, the event loop uvicorn picks when it is installed, sets it itself; asyncio's
does not always), and how many workers a process may usefully start (below).

asyncio turns Nagle's algorithm off only on sockets whose protocol number says TCP; the
socket uvicorn binds for `--workers N` is made without one, so the workers' connections kept
Nagle on, and a response written in two parts waited for the client's delayed ACK: about
45 ms per request (issue 15). With one worker asyncio already sets it; setting it again costs
nothing.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

PROTOCOL = "web.serving:NoDelayHttpToolsProtocol"  # for uvicorn.run(http=…): workers import it


def no_delay(transport: Any) -> None:
    """Turn Nagle's algorithm off on the transport's TCP socket (not on a Unix socket)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (C parser; what its "auto" picks), Nagle off."""

    def connection_made(self, transport: Any) -> None:
        no_delay(transport)
        super().connection_made(transport)


# --- How many workers ------------------------------------------------------------------------
#
# Each worker is an event loop that never blocks on I/O, so one keeps a CPU busy on its own; a
# second worker on the same CPU adds nothing but context switches. Measured on the bench's one
# server core (issue 15, a district leader's page at c=16, three alternations of 4 s):
# one worker 237–247 pages/s at 4.0–4.2 ms of CPU per page, two workers 212–239 at 4.2–4.7 ms:
# each process holds half the requests, runs out of ready work sooner and wakes more often
# (`strace -c` of one-dossier reads at c=16: 1,539 `epoll_pwait` for 1,200 requests with one
# worker, 5,596 with two). With a CPU each, two workers served 352–399 pages/s against one
# worker's 215–284 (docs/operations.md). So
# `serve` starts at most one worker per CPU it may run on, and says so when it starts fewer
# than asked; `--oversubscribe` starts them all (a province that knows better).

CGROUP = "/sys/fs/cgroup"


def _quota(cpu_max: str) -> float | None:
    """CPUs granted by a cgroup v2 `cpu.max` text ("150000 100000": 1.5), None when "max"."""
    quota, _, period = cpu_max.strip().partition(" ")
    if quota == "max" or not period:
        return None
    try:
        return int(quota) / int(period)
    except (ValueError, ZeroDivisionError):
        return None


def _quota_v2(folder: Path) -> float | None:
    return _quota((folder / "cpu.max").read_text())


def _quota_v1(folder: Path) -> float | None:
    """CPUs granted by a cgroup v1 folder's `cpu.cfs_quota_us` (-1: none) and its period."""
    quota = int((folder / "cpu.cfs_quota_us").read_text())
    period = int((folder / "cpu.cfs_period_us").read_text())
    return quota / period if quota > 0 and period > 0 else None


def _cgroups(lines: list[str], root: str) -> Iterator[tuple[Path, Callable[[Path], float | None],
                                                             list[str]]]:
    """(the hierarchy's mount, how to read a quota there, this process's path in it) for the
    unified hierarchy (`0::path`) and v1's `cpu` controller (`N:cpu,cpuacct:path`)."""
    for line in lines:
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue
        controllers, parts = fields[1], [p for p in fields[2].split("/") if p]
        if controllers == "":
            yield Path(root), _quota_v2, parts
        elif "cpu" in controllers.split(","):
            for mount in dict.fromkeys((controllers, "cpu")):  # "cpu" is often a link to it
                yield Path(root, mount), _quota_v1, parts


def cgroup_cpus(root: str = CGROUP, membership: str = "/proc/self/cgroup") -> float | None:
    """The CPU quota of this process's cgroup and of each cgroup above it, the tightest; None
    when none sets one (affinity alone then decides). A container limited to 2 CPUs on a
    64-CPU host sees all 64 in its affinity."""
    try:
        lines = Path(membership).read_text().splitlines()
    except OSError:
        return None
    tightest: float | None = None
    for mount, read, parts in _cgroups(lines, root):
        for depth in range(len(parts), -1, -1):
            try:
                granted = read(mount.joinpath(*parts[:depth]))
            except (OSError, ValueError):
                continue
            if granted is not None and (tightest is None or granted < tightest):
                tightest = granted
    return tightest


def cpus_available() -> int:
    """The CPUs this process may use: its affinity (taskset, cpusets), and the cgroup's quota
    rounded up (1.5 CPUs are used by two workers, not by one)."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    granted = cgroup_cpus()
    if granted is not None:
        count = min(count, max(1, math.ceil(granted)))
    return max(1, count)


def worker_count(asked: int, *, oversubscribe: bool = False,
                 available: int | None = None) -> tuple[int, str | None]:
    """The workers to start for `--workers asked`, and a warning when that is fewer."""
    cpus = cpus_available() if available is None else available
    if oversubscribe or asked <= cpus:
        return asked, None
    return cpus, (f"--workers {asked} asked, but this process may use {cpus} CPU"
                  f"{'s' if cpus != 1 else ''}: starting {cpus} (one worker per CPU; more only "
                  "add context switches; --oversubscribe starts them all)")
