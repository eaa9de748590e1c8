"""TCP_NODELAY on the sockets of `serve --workers N` (issue 15: +45 ms per request without)."""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

from web import serving
from web.serving import NoDelayHttpToolsProtocol, no_delay


class _Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str) -> object:
        return self.sock if name == "socket" else None


def test_an_accepted_socket_of_a_listener_made_as_uvicorn_binds_it_gets_no_delay():
    # given a listener made as uvicorn makes it for several workers (no protocol number, so
    # asyncio leaves Nagle on for what it accepts)
    listener = socket.socket(family=socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        assert accepted.proto == 0
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        # when the protocol takes the connection
        no_delay(_Transport(accepted))
        # then Nagle is off
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        for s in (client, accepted, listener):
            s.close()


def test_serve_uses_the_protocol(monkeypatch):
    import uvicorn

    import cli

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    args = cli.parser().parse_args(["serve", "--workers", "1"])
    cli.serve(args, cli.Settings.from_env())
    module, _, name = seen["http"].partition(":")
    assert getattr(__import__(module, fromlist=[name]), name) is NoDelayHttpToolsProtocol


# --- how many workers (web/serving.py) --------------------------------------------------------

def test_no_more_workers_than_cpus_unless_asked_to_oversubscribe():
    started, warning = serving.worker_count(2, available=1)
    assert started == 1 and "may use 1 CPU: starting 1" in warning
    started, warning = serving.worker_count(4, available=2)
    assert started == 2 and "--workers 4" in warning and "2 CPUs" in warning
    assert serving.worker_count(2, available=2) == (2, None)
    assert serving.worker_count(1, available=8) == (1, None)
    assert serving.worker_count(4, available=1, oversubscribe=True) == (4, None)


def test_a_cgroup_quota_bounds_the_cpus_more_tightly_than_affinity(tmp_path):
    # given a container's cgroup granting 1.5 CPUs below a parent granting 3
    (tmp_path / "kubepods" / "pod1").mkdir(parents=True)
    (tmp_path / "cpu.max").write_text("max 100000\n")
    (tmp_path / "kubepods" / "cpu.max").write_text("300000 100000\n")
    (tmp_path / "kubepods" / "pod1" / "cpu.max").write_text("150000 100000\n")
    membership = tmp_path / "cgroup"
    membership.write_text("0::/kubepods/pod1\n")
    assert serving.cgroup_cpus(str(tmp_path), str(membership)) == 1.5
    # a parent tighter than the child wins
    (tmp_path / "kubepods" / "cpu.max").write_text("50000 100000\n")
    assert serving.cgroup_cpus(str(tmp_path), str(membership)) == 0.5
    # no quota anywhere, or no unified hierarchy: nothing to say
    for path in ("kubepods/cpu.max", "kubepods/pod1/cpu.max"):
        (tmp_path / path).write_text("max 100000\n")
    assert serving.cgroup_cpus(str(tmp_path), str(membership)) is None
    membership.write_text("4:memory:/docker/abc\n")
    assert serving.cgroup_cpus(str(tmp_path), str(membership)) is None


def test_a_cgroup_v1_quota_counts_too(tmp_path):
    # given v1's cpu controller mounted as cpu,cpuacct, a container's folder granting 2 CPUs
    folder = tmp_path / "cpu,cpuacct" / "docker" / "abc"
    folder.mkdir(parents=True)
    for where, quota in ((tmp_path / "cpu,cpuacct", -1), (folder, 200000)):
        (where / "cpu.cfs_quota_us").write_text(f"{quota}\n")
        (where / "cpu.cfs_period_us").write_text("100000\n")
    membership = tmp_path / "cgroup"
    membership.write_text("5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n")
    assert serving.cgroup_cpus(str(tmp_path), str(membership)) == 2.0
    (folder / "cpu.cfs_quota_us").write_text("-1\n")
    assert serving.cgroup_cpus(str(tmp_path), str(membership)) is None


def test_the_cpus_available_follow_the_affinity_and_the_quota(monkeypatch):
    monkeypatch.setattr(serving.os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    monkeypatch.setattr(serving, "cgroup_cpus", lambda: None)
    assert serving.cpus_available() == 4
    monkeypatch.setattr(serving, "cgroup_cpus", lambda: 1.5)
    assert serving.cpus_available() == 2  # rounded up: 1.5 CPUs are used by two workers
    monkeypatch.setattr(serving, "cgroup_cpus", lambda: 0.2)
    assert serving.cpus_available() == 1


def test_serve_starts_no_more_workers_than_cpus(monkeypatch, capsys):
    import uvicorn

    import cli
    from web import supervise

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setattr(supervise, "become", lambda arguments: seen.update(arguments))
    monkeypatch.setattr(serving, "cpus_available", lambda: 1)
    cli.serve(cli.parser().parse_args(["serve", "--workers", "2"]), cli.Settings.from_env())
    assert seen["workers"] == 1
    assert "--workers 2 asked" in capsys.readouterr().err
    seen.clear()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(Path(tempfile.mkdtemp())))
    cli.serve(cli.parser().parse_args(["serve", "--workers", "2", "--oversubscribe"]),
              cli.Settings.from_env())
    assert seen["workers"] == 2
    assert "asked" not in capsys.readouterr().err


def test_serve_refuses_no_workers(capsys):
    import pytest

    import cli

    with pytest.raises(SystemExit):
        cli.main(["serve", "--workers", "0"])
    assert "--workers must be at least 1" in capsys.readouterr().err
