"""What the audit trail adds to a query and to a write, measured through the whole HTTP stack.

    .venv/bin/python benchmarks/audit_overhead.py [--database-url URL] [--requests 300]

Creates a fresh PostgreSQL database (dropped at the end), loads the demo data with 20k
dossiers, then alternates blocks of requests with the trail on and off (off = the operation
extension removed and `record` a no-op) so that drift on a shared machine hits both equally.
Prints the median and p90 latency of each and the overhead in percent.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import app as application  # noqa: E402
import cli  # noqa: E402
import config  # noqa: E402
from audit import recorder  # noqa: E402
from policies import store, tokens  # noqa: E402
from resolvers.dossiers import reception as reception_module  # noqa: E402
from resolvers.dossiers import transitions  # noqa: E402

QUERY = """query Bench { dossiers(first: 20, filter: {unitCode: "063"}) { totalCount
  edges { node { code status procedure { name } unit { name } } } } }"""
RECEIVE = """mutation Receive($i: ReceiveDossierInput!) { receiveDossier(input: $i) {
  dossier { code } } }"""
RECEPTION = {"procedureCode": "1.001193", "unitCode": "02014", "channel": "IN_PERSON",
             "applicant": {"name": "Nông Thị Hà"}}


async def _noop(**_: object) -> None:
    return None


def _audit(on: bool, schema_on, schema_off, graphql_app) -> None:  # noqa: ANN001
    graphql_app.schema = schema_on if on else schema_off
    replacement = _original if on else _noop
    for module in (reception_module, transitions):
        module.record = replacement


async def _timed(client: httpx.AsyncClient, body: dict, headers: dict) -> float:
    start = time.perf_counter()
    response = await client.post("/graphql", json=body, headers=headers)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return elapsed * 1000


async def main(base_url: str, requests: int) -> None:
    name = f"motcua_bench_audit_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(base_url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = base_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        await cli.migrate(url)
        await cli.seed(url, demo=True, dossiers=20_000)
        await run(url, requests)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run(url: str, requests: int) -> None:
    from strawberry import Schema
    from tortoise import Tortoise

    from schema import Mutation, Query, schema

    keys = tokens.KeyRing.from_env({"JWT_SECRET": "b" * 48}, production=False)
    settings = config.Settings(url, "development", keys)
    asgi = application.create_app(settings, register_orm=False)
    graphql_app = next(r.app for r in asgi.routes if getattr(r, "path", "") == "/graphql")
    schema_off = Schema(query=Query, mutation=Mutation, extensions=[
        e for e in schema.extensions if getattr(e, "__name__", "") != "AuditOperations"])
    await Tortoise.init(config=config.tortoise_config(url))
    await store.load()
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        login = await client.post("/graphql", json={"query": 'mutation { login(username: '
                                  '"clerk.duongphong", password: "demo-officer") { accessToken } }'})
        headers = {"authorization": f"Bearer {login.json()['data']['login']['accessToken']}"}
        samples: dict[tuple[str, bool], list[float]] = {}
        for block in range(requests // 25):
            for on in ((True, False) if block % 2 else (False, True)):
                _audit(on, schema, schema_off, graphql_app)
                for _ in range(25):
                    samples.setdefault(("query", on), []).append(
                        await _timed(client, {"query": QUERY}, headers))
                    samples.setdefault(("write", on), []).append(await _timed(
                        client, {"query": RECEIVE, "variables": {"i": RECEPTION}}, headers))
        _audit(True, schema, schema_off, graphql_app)
    await Tortoise.close_connections()
    print(f"{'':8}{'median off':>12}{'median on':>12}{'p90 off':>10}{'p90 on':>10}{'overhead':>10}")
    for kind in ("query", "write"):
        off, on = samples[(kind, False)], samples[(kind, True)]
        med_off, med_on = statistics.median(off), statistics.median(on)
        p90 = [statistics.quantiles(x, n=10)[-1] for x in (off, on)]
        print(f"{kind:8}{med_off:10.2f}ms{med_on:10.2f}ms{p90[0]:8.2f}ms{p90[1]:8.2f}ms"
              f"{(med_on / med_off - 1) * 100:9.1f}%")


_original = recorder.record

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.requests))
