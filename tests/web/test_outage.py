"""The database down or frozen: every route answers JSON 503 with Retry-After, within the
configured timeouts, and the service recovers by itself when the database returns.

Real PostgreSQL behind a TCP proxy (tests/dbproxy.py) that the test stops or freezes."""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from tortoise.context import TortoiseContext

import config
from policies import SYSTEM
from resolvers.identity import create_user, grant_role
from tests.asgiws import Closed, Socket
from tests.dbproxy import DatabaseProxy
from tests.web.test_edge import CATALOGUE, routes, send
from tests.world import build_world

pytestmark = pytest.mark.postgres_only
LOGIN = 'mutation { login(username: "lan", password: "mat-khau-12345") { accessToken } }'
RETRY_AFTER = 7
COMMAND_TIMEOUT = 2.0


@pytest.fixture
async def database(db, database_url):
    """The test database reached through a proxy the test controls, with short timeouts."""
    await build_world()
    await create_user(actor=SYSTEM, username="lan", password="mat-khau-12345", display_name="Lan")
    await grant_role(actor=SYSTEM, username="lan", role="CLERK", unit_code="20335")
    parts = urlsplit(database_url)
    proxy = await DatabaseProxy(parts.hostname or "127.0.0.1", parts.port or 5432).start()
    netloc = f"{parts.username}@127.0.0.1:{proxy.port}" if parts.username else f"127.0.0.1:{proxy.port}"
    settings = config.Database(urlunsplit(parts._replace(netloc=netloc)), statement_timeout=1.0,
                               connect_timeout=1.0, command_timeout=COMMAND_TIMEOUT,
                               retry_after=RETRY_AFTER)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config.tortoise_config(settings))
        yield proxy, settings
        proxy.up()
    await proxy.close()


def assert_unavailable(response, where) -> None:
    assert response.status_code == 503, (where, response.status_code, response.text)
    assert response.headers["retry-after"] == str(RETRY_AFTER), where
    assert response.headers["content-type"].startswith("application/json"), where
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE", where


async def test_database_down_every_route_answers_503_then_recovers(database, client_for):
    proxy, settings = database
    client = await client_for(database=settings)
    token = (await client.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]["accessToken"]
    proxy.down()
    for method, path in routes(client):
        for headers in ({}, {"authorization": f"Bearer {token}"}):
            response = await send(client, method, path, **headers)
            if not headers and (path in ("/healthz", "/metrics")
                                or path.startswith(("/console/", "/graphiql/"))):
                # liveness, metrics (to this machine) and the pages' own files: the process
                # itself answers, no database needed
                assert response.status_code == 200, (path, response.text)
                continue
            if method == "WEBSOCKET" and not headers:
                # an anonymous upgrade needs no database; its connection_init does (below)
                assert response.status_code == 101
                continue
            assert_unavailable(response, (method, path, bool(headers)))
    async with Socket(client._transport.app, "/graphql") as socket:
        await socket.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        with pytest.raises(Closed) as closed:
            await socket.receive()
        assert closed.value.code == 1013  # try again later
    proxy.up()
    again = await client.post("/graphql", json={"query": CATALOGUE})
    assert again.status_code == 200 and "errors" not in again.json(), again.text
    mine = await client.post("/graphql", json={"query": "{ me { username } }"},
                             headers={"authorization": f"Bearer {token}"})
    assert mine.json() == {"data": {"me": {"username": "lan"}}}
    assert (await client.get("/readyz")).json()["status"] == "ok"


async def test_frozen_database_times_out_instead_of_hanging(database, client_for):
    proxy, settings = database
    client = await client_for(database=settings)
    assert (await client.post("/graphql", json={"query": CATALOGUE})).status_code == 200
    proxy.freeze()
    started = time.monotonic()
    response = await client.post("/graphql", json={"query": CATALOGUE})
    waited = time.monotonic() - started
    assert_unavailable(response, "frozen")
    # one statement's timeout (plus the pool's reconnect), never the length of the freeze
    assert waited < COMMAND_TIMEOUT + settings.connect_timeout + 1.5, waited
    started = time.monotonic()
    ready = await client.get("/readyz")
    assert ready.status_code == 503 and time.monotonic() - started < 2.0
    proxy.up()
    recovered = await client.post("/graphql", json={"query": CATALOGUE})
    assert recovered.status_code == 200 and "errors" not in recovered.json(), recovered.text
