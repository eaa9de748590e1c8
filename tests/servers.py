"""Real server processes (`python app.py serve`) for tests of several workers or nodes, and a
graphql-transport-ws client for them (the `websockets` library)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from tests.pgcluster import free_port

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s" * 48
AUDIT = "a" * 40


def environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DB_", "PROMETHEUS"))}
    env.update(DATABASE_URL=database_url, APP_ENV="development", JWT_SECRET=SECRET, AUDIT_KEY=AUDIT,
               RATE_PER_ADDRESS="100000", RATE_PER_USER="100000", DB_CONNECT_TIMEOUT="2",
               DB_COMMAND_TIMEOUT="5", LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def command(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class Server:
    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 1,
                 oversubscribe: bool = True, cores: str | None = None) -> None:
        self.env, self.log, self.workers = env, log, workers
        # --oversubscribe: the tests need the workers they ask for on any machine, unless
        # they test the limit itself; `cores` runs the server under `taskset -c cores`.
        self.oversubscribe, self.cores = oversubscribe, cores
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        self._out = open(self.log, "a", encoding="utf-8")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(
            [*(["taskset", "-c", self.cores] if self.cores else []), sys.executable, "app.py",
             "serve", "--port", str(self.port), "--workers", str(self.workers),
             *(["--oversubscribe"] if self.oversubscribe else [])],
            cwd=ROOT, env=self.env, stdout=self._out, stderr=subprocess.STDOUT)
        return self

    async def ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url) as client:
            while time.monotonic() < deadline:
                assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/readyz", timeout=2)).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise AssertionError(f"{self.url} not ready: {self.log.read_text()[-3000:]}")

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 30.0) -> int | None:
        if self.process is None:
            return None
        self.terminate()
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._out.close()
        return code

    def lines(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (any other line fails the test)."""
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


class Subscriber:
    """One graphql-transport-ws connection to a real server."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.socket: Any = None

    async def connect(self, token: str) -> Subscriber:
        url = self.server.url.replace("http", "ws", 1) + "/graphql"
        self.socket = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
        await self.socket.send(json.dumps({"type": "connection_init",
                                           "payload": {"authorization": f"Bearer {token}"}}))
        ack = json.loads(await asyncio.wait_for(self.socket.recv(), 5))
        assert ack["type"] == "connection_ack", ack
        return self

    async def subscribe(self, query: str, ident: str = "1", **variables: Any) -> None:
        await self.socket.send(json.dumps({"id": ident, "type": "subscribe",
                                           "payload": {"query": query, "variables": variables}}))

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.socket.recv(), timeout))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.socket.close()
