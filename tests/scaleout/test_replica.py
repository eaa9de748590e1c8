"""A real streaming replica (pg_basebackup of a throwaway primary of this test's own): metrics
and audit search are read from it, writes never go there (and it refuses them), and when it
is gone every read falls back to the primary."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import httpx
import pytest
from tortoise.context import TortoiseContext

import app as application
import cli
import config
from models import AuditEntry, replica
from policies import SYSTEM, store
from resolvers import clock
from resolvers.identity import create_user, grant_role
from tests.conftest import settings
from tests.pgcluster import Cluster, binaries
from tests.world import applicant, build_world

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(binaries() is None, reason="PostgreSQL binaries are not installed")]

LOGIN = 'mutation L($u: String!) { login(username: $u, password: "mat-khau-12345") { accessToken } }'
RECEIVE = "mutation R($input: ReceiveDossierInput!) { receiveDossier(input: $input) { dossier { code } } }"
METRICS = "query M($from: Date!, $to: Date!) " \
          "{ metrics(unitCode: \"502\", from: $from, to: $to) { received } }"
AUDIT = "query A { auditLog(first: 50) { edges { node { action objectId } } } }"
DOSSIERS = "query D { dossiers(first: 5) { totalCount } }"


@pytest.fixture
async def primary_and_replica():
    primary = Cluster.make()
    primary.start()
    standby = None
    try:
        primary.sql("CREATE DATABASE motcua")
        await cli.migrate(primary.url("motcua"))
        standby = primary.replica()
        database = config.Database(primary.url("motcua"), replica_url=standby.url("motcua"),
                                   replica_max_lag=30)
        async with TortoiseContext() as ctx:
            await ctx.init(config=config.tortoise_config(database))
            replica.attach(config.replica_connection(database))
            await store.load()
            yield primary, standby, database
            await replica.detach()
    finally:
        if standby is not None:
            standby.remove()
        primary.remove()


async def gql(client, token, query, **variables) -> dict:
    answer = await client.post("/graphql", json={"query": query, "variables": variables},
                               headers={"authorization": f"Bearer {token}"})
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


async def replayed(standby: Cluster, primary: Cluster, database: str = "motcua") -> None:
    """Wait until the replica has replayed everything the primary has written so far. The
    target is where WAL is inserted, not where it is written: these throwaway clusters commit
    without waiting for the WAL (synchronous_commit = off), so the last commits may not be
    written yet when this is asked."""
    target = primary.sql("SELECT pg_current_wal_insert_lsn()", database)
    for _ in range(600):  # up to 30 s on a loaded machine
        if standby.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn", database) == "t":
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {target} within 30 s")


async def test_metrics_and_audit_search_are_read_from_the_replica(primary_and_replica):
    primary, standby, database = primary_and_replica
    await build_world()
    for name, role, unit in (("lan", "CLERK", "20335"), ("hoa", "LEADER", "502"),
                             ("kiem", "INSPECTOR", "49")):
        await create_user(actor=SYSTEM, username=name, password="mat-khau-12345", display_name=name)
        await grant_role(actor=SYSTEM, username=name, role=role, unit_code=unit)
    monitor = replica.ReplicaMonitor(max_lag=30)
    asgi = application.create_app(settings(database=database), register_orm=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://test") as client:
        tokens = {}
        for name in ("lan", "hoa", "kiem"):
            answer = await client.post("/graphql", json={"query": LOGIN, "variables": {"u": name}})
            tokens[name] = answer.json()["data"]["login"]["accessToken"]
        await replayed(standby, primary)
        assert await monitor.check() is True
        today = clock.local_date(clock.now())
        period = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}

        # Given the replica stops replaying, a dossier received now is on the primary only.
        standby.sql("SELECT pg_wal_replay_pause()", "motcua")
        code = (await gql(client, tokens["lan"], RECEIVE, input={
            "procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
            "applicant": applicant()}))["receiveDossier"]["dossier"]["code"]
        # Then the metrics and the audit search do not show it yet: they come from the replica,
        assert (await gql(client, tokens["hoa"], METRICS, **period))["metrics"]["received"] == 0
        trail = (await gql(client, tokens["kiem"], AUDIT))["auditLog"]["edges"]
        assert code not in {edge["node"]["objectId"] for edge in trail}
        # while reads that must see writes come from the primary,
        assert (await gql(client, tokens["lan"], DOSSIERS))["dossiers"]["totalCount"] == 1
        # and the entries of those replica reads were written on the primary.
        assert await AuditEntry.filter(action="query:metrics", actor_username="hoa").count() == 1
        assert await AuditEntry.filter(action="query:auditLog", actor_username="kiem").count() == 1

        # When the replica replays again, the same reads see the dossier.
        standby.sql("SELECT pg_wal_replay_resume()", "motcua")
        await replayed(standby, primary)
        assert (await gql(client, tokens["hoa"], METRICS, **period))["metrics"]["received"] == 1
        trail = (await gql(client, tokens["kiem"], AUDIT))["auditLog"]["edges"]
        assert code in {edge["node"]["objectId"] for edge in trail}

        # The replica refuses writes of its own accord.
        conn = await asyncpg.connect(standby.url("motcua").replace("postgres://", "postgresql://"))
        try:
            with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
                await conn.execute("DELETE FROM sessions")
        finally:
            await conn.close()

        # When the replica is gone, the same reads are served by the primary.
        standby.stop()
        assert await monitor.check() is False
        assert replica.serving() == "default"
        assert (await gql(client, tokens["hoa"], METRICS, **period))["metrics"]["received"] == 1
