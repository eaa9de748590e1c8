"""The bench stops what it started when one of the systems cannot start: a server left
running holds its port, and the next `make bench` fails on it ("address already in use")."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from benchmarks import bench, servers


def test_a_system_that_fails_to_start_takes_the_started_ones_down(monkeypatch, tmp_path):
    made: list[servers.Server] = []

    def fake(alive: bool):
        def start(port, url, env, workers, log):  # noqa: ANN001
            code = "import time; time.sleep(120)" if alive else "raise SystemExit(3)"
            made.append(servers.Server("motcua" if alive else "baseline",
                                       [sys.executable, "-c", code], port, log=log))
            return made[-1]
        return start

    monkeypatch.setattr(servers, "motcua", fake(True))
    monkeypatch.setattr(servers, "baseline", fake(False))
    monkeypatch.setattr(servers.Server, "wait_ready", _ready_unless_exited)
    with pytest.raises(SystemExit, match="baseline exited at start"):
        bench.start_all(["motcua", "baseline"], SimpleNamespace(headers=lambda role: {}),
                        "unused", 18780, 1, tmp_path, None)
    assert len(made) == 2
    assert made[0].process is not None and made[0].process.poll() is not None  # stopped


def _ready_unless_exited(self: servers.Server, probe: dict, headers: dict | None = None,
                         timeout: float = 60) -> None:
    if self.name == "baseline":
        assert self.process is not None
        self.process.wait(10)
        raise SystemExit(f"{self.name} exited at start")
