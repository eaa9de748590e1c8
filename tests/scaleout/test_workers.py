"""`serve --workers 2`: every scrape of /metrics, whichever worker answers it, adds up the
requests of both workers (prometheus-client's multi-process mode)."""

from __future__ import annotations

import asyncio
import shutil

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.servers import Server, environment

# Several processes writing at once need PostgreSQL (SQLite serves one process).
pytestmark = pytest.mark.postgres_only
QUERY = "query Workers { procedures(first: 1) { edges { node { code } } } }"


def requests_of(text: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "motcua_requests_total" and sample.labels.get("operation") == "Workers":
                total += sample.value
    return total


async def test_metrics_add_up_the_workers(postgres_url, tmp_path):
    env = environment(postgres_url)  # migrated by the suite
    server = Server(env, tmp_path / "server.log", workers=2).start()
    try:
        await server.ready()
        sent = 0
        for _ in range(30):  # until both workers have answered some
            async def one() -> None:
                async with httpx.AsyncClient(base_url=server.url) as client:  # a new connection each
                    assert (await client.post("/graphql", json={"query": QUERY})).status_code == 200

            await asyncio.gather(*(one() for _ in range(8)))
            sent += 8
            pids = {line["pid"] for line in server.lines()
                    if line.get("operation") == "Workers"}
            if len(pids) == 2:
                break
            await asyncio.sleep(0.2)
        if len(pids) != 2:  # the kernel hands connections to whichever worker accepts first
            pytest.skip("one worker accepted every connection on this loaded machine")
        for _ in range(4):  # each scrape may be answered by either worker
            async with httpx.AsyncClient(base_url=server.url) as client:
                assert requests_of((await client.get("/metrics")).text) == sent
    finally:
        server.stop()


def _rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status", encoding="ascii"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


async def test_the_supervisor_of_several_workers_holds_none_of_the_app(postgres_url, tmp_path):
    """`serve --workers 2` becomes web/supervise.py in the same process: the PID the service
    manager started (and signals) is the supervisor, without the 80 MB the app imports."""
    server = Server(environment(postgres_url), tmp_path / "server.log", workers=2).start()
    try:
        await server.ready()
        assert server.process is not None
        pid = server.process.pid
        with open(f"/proc/{pid}/cmdline", encoding="utf-8") as handle:
            assert "web.supervise" in handle.read()
        assert _rss_mb(pid) < 50, _rss_mb(pid)
        async with httpx.AsyncClient(base_url=server.url) as client:
            answer = await client.post("/graphql", json={"query": QUERY})
            assert answer.status_code == 200 and "errors" not in answer.json()
    finally:
        assert server.stop() == 0  # SIGTERM reaches uvicorn, which stops the workers


def _samples(text: str, name: str) -> dict[str, float]:
    return {sample.labels.get("outcome", ""): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples
            if sample.name == name}


async def test_two_workers_seal_in_lanes_of_their_own(postgres_url, tmp_path):
    """Each worker claims a lane of the audit chain at start-up: its guesses of where its
    entries go are never wrong, where with one head they were wrong at every interleaving."""
    server = Server(environment(postgres_url), tmp_path / "server.log", workers=2).start()
    try:
        await server.ready()
        async def one() -> None:
            async with httpx.AsyncClient(base_url=server.url) as client:  # a new connection each
                answer = await client.post("/graphql", json={"query": QUERY.replace("Workers", "Lanes")})
                assert answer.status_code == 200

        pids: set[int] = set()
        for _ in range(40):  # until both workers have written some entries
            await asyncio.gather(*(one() for _ in range(16)))
            pids = {line["pid"] for line in server.lines() if line.get("operation") == "Lanes"}
            if len(pids) == 2:
                break
            await asyncio.sleep(0.2)
        if len(pids) != 2:  # the kernel hands connections to whichever worker accepts first
            pytest.skip("one worker accepted every connection on this loaded machine")
        for _ in range(5):  # more reads, both workers writing at once
            await asyncio.gather(*(one() for _ in range(16)))
        async with httpx.AsyncClient(base_url=server.url) as client:
            guesses = _samples((await client.get("/metrics")).text,
                               "motcua_audit_head_guesses_total")
        conn = await asyncpg.connect(postgres_url.replace("postgres://", "postgresql://", 1))
        try:
            lanes = await conn.fetch("SELECT lane, count(*) AS n FROM audit_entries "
                                     "WHERE operation_name = 'Lanes' GROUP BY lane")
        finally:
            await conn.close()
    finally:
        server.stop()
    assert len(lanes) == 2 and 1 not in {row["lane"] for row in lanes}, lanes
    assert guesses.get("right", 0) > 0 and guesses.get("wrong", 0) == 0, guesses


@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux)")
async def test_two_workers_asked_on_one_cpu_start_one(postgres_url, tmp_path):
    """On one CPU a second worker only adds context switches (web/serving.py): `serve
    --workers 2` under `taskset -c 0` serves from one process, no supervisor, and says why."""
    log = tmp_path / "server.log"
    server = Server(environment(postgres_url), log, workers=2, oversubscribe=False, cores="0").start()
    try:
        await server.ready()
        assert server.process is not None
        with open(f"/proc/{server.process.pid}/cmdline", encoding="utf-8") as handle:
            assert "web.supervise" not in handle.read()
        assert not _children(server.process.pid)
        async with httpx.AsyncClient(base_url=server.url) as client:
            answer = await client.post("/graphql", json={"query": QUERY})
            assert answer.status_code == 200 and "errors" not in answer.json()
    finally:
        server.stop()  # uvicorn alone re-raises the SIGTERM it handled: no exit status to test
    assert "--workers 2 asked, but this process may use 1 CPU: starting 1" in log.read_text()


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
        return [int(child) for child in handle.read().split()]
