"""A throwaway PostgreSQL cluster of a test's own (initdb / pg_ctl into a temporary folder,
on a free port), so that a test can restart it or replicate it without touching the
shared server of the machine. As root, the server runs as the `postgres` system user."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    root = Path("/usr/lib/postgresql")
    found = sorted((p / "bin" for p in root.glob("*") if (p / "bin" / "initdb").exists()),
                   key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL binaries are not installed")
        self.folder, self.port = folder, port or free_port()
        self.data, self.log = folder / "data", folder / "server.log"

    @classmethod
    def make(cls) -> Cluster:
        folder = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
        os.chmod(folder, 0o755)
        cluster = cls(folder)
        cluster._own(folder)
        cluster._run("initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust",
                     "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        cluster._configure()
        return cluster

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        assert self.bin is not None
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def _configure(self, extra: str = "") -> None:
        settings = (f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.folder}'\nfsync = off\n"
                    "synchronous_commit = off\nfull_page_writes = off\nmax_connections = 60\n"
                    "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n" + extra)
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(settings)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "restart")

    def replica(self) -> Cluster:
        """A streaming replica of this (running) cluster, made by pg_basebackup and started."""
        standby = Cluster(Path(tempfile.mkdtemp(prefix="motcua-pg-replica-")))
        os.chmod(standby.folder, 0o755)
        self._own(standby.folder)
        self._run("pg_basebackup", "-D", str(standby.data), "-R", "-X", "stream", "-c", "fast",
                  "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres")
        standby._configure()
        standby.start()
        return standby

    def sql(self, statement: str, database: str = "postgres") -> str:
        done = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                         "-d", database, "-Atqc", statement)
        return done.stdout.strip()

    def background(self, statement: str, database: str = "postgres") -> subprocess.Popen:
        """Run a statement in psql without waiting for it (a lock held for a while)."""
        assert self.bin is not None
        command = [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                   "-d", database, "-Atqc", statement]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def remove(self) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)
