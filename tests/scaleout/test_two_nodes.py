"""Two server processes on one PostgreSQL: a grant and a token revocation made through the
first hold on the second within a second, and a subscriber on the second sees a transition
made through the first; all three again after the database is restarted.

The database is a throwaway cluster of this test's own (tests/pgcluster.py: initdb/pg_ctl
into a temporary folder, a free port), restarted for real with `pg_ctl restart -m fast`;
the machine's shared server is not touched. The servers check the policy revision only
every 60 s (POLICY_RECHECK), so what arrives within a second came by LISTEN/NOTIFY.
"""

from __future__ import annotations

import asyncio
import signal
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.pgcluster import Cluster, binaries
from tests.servers import Server, Subscriber, command, environment

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(binaries() is None, reason="PostgreSQL binaries are not installed")]

UNIT = "02014"  # Xã Dương Phong in the demo data; clerk.duongphong works there
LOGIN = "mutation L($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }"
CREATE = "mutation C($u: String!) { createUser(input: {username: $u, password: \"mat-khau-12345\", " \
         "displayName: $u}) { username } }"
GRANT = "mutation G($u: String!, $unit: String!) " \
        "{ grantRole(username: $u, role: \"CLERK\", unitCode: $unit) }"
RECEIVE = """mutation R($unit: String!) { receiveDossier(input: {procedureCode: "1.001193",
  unitCode: $unit, channel: IN_PERSON, applicant: {name: "Trần Văn Bình", idNumber: "006090004321",
  phone: "0912345678", address: "Thôn Nà Pài, Dương Phong"}}) { dossier { code } } }"""
UPDATES = "subscription W($unit: String!) { dossierUpdates(unitCode: $unit) { kind code action toStatus } }"


@pytest.fixture
def cluster():
    made = Cluster.make()
    made.start()
    made.sql("CREATE DATABASE motcua")
    yield made
    made.remove()


@pytest.fixture
async def nodes(cluster, tmp_path):
    env = environment(cluster.url("motcua"), POLICY_RECHECK="60")
    command(env, "migrate")
    command(env, "seed", "--demo")
    logs = tmp_path
    first, second = Server(env, logs / "a.log").start(), Server(env, logs / "b.log").start()
    try:
        await asyncio.gather(first.ready(), second.ready())
        yield first, second
    finally:
        for server in (first, second):
            server.stop()


async def gql(server: Server, query: str, token: str | None = None, **variables) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        answer = await client.post("/graphql", json={"query": query, "variables": variables},
                                   headers=headers)
    return answer.json() | {"status": answer.status_code}


async def login(server: Server, username: str, password: str) -> str:
    body = await gql(server, LOGIN, u=username, p=password)
    return body["data"]["login"]["accessToken"]


async def within(seconds: float, check) -> float:
    """Poll `check` until it is true; how long it took (fails after `seconds`)."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def listener_up(server: Server) -> bool:
    async with httpx.AsyncClient(base_url=server.url) as client:
        text = (await client.get("/metrics")).text
    for family in text_string_to_metric_families(text):
        if family.name == "motcua_notify_listener_up":
            return all(sample.value == 1 for sample in family.samples)
    return False


async def grant_reaches_the_other_node(first: Server, second: Server, admin: str, name: str) -> float:
    assert (await gql(first, CREATE, admin, u=name))["data"] == {"createUser": {"username": name}}
    token = await login(second, name, "mat-khau-12345")
    refused = await gql(second, RECEIVE, token, unit=UNIT)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await gql(first, GRANT, admin, u=name, unit=UNIT))["data"] == {"grantRole": True}

    async def allowed() -> bool:  # the second node lets the new clerk receive a dossier
        answer = await gql(second, RECEIVE, token, unit=UNIT)
        assert "errors" not in answer or answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        return "errors" not in answer

    return await within(1.0, allowed)


async def transition_reaches_a_subscriber(first: Server, watcher: Subscriber, clerk: str) -> float:
    while True:  # the grant above received dossiers: skip their updates
        try:
            await watcher.next(timeout=0.3)
        except TimeoutError:
            break
    started = time.monotonic()
    code = (await gql(first, RECEIVE, clerk, unit=UNIT))["data"]["receiveDossier"]["dossier"]["code"]
    update = (await watcher.next(timeout=2))["payload"]["data"]["dossierUpdates"]
    assert (update["kind"], update["code"], update["action"]) == ("CHANGED", code, "RECEIVE")
    return time.monotonic() - started


async def revocation_reaches_the_other_node(first: Server, second: Server, name: str) -> float:
    token = await login(first, name, "mat-khau-12345")
    watcher = await Subscriber(second).connect(token)
    await watcher.subscribe(UPDATES, unit=UNIT)
    await asyncio.sleep(0.1)
    started = time.monotonic()
    assert (await gql(first, "mutation { logout }", token))["data"] == {"logout": True}
    with pytest.raises(Exception) as closed:  # the socket is closed by the server
        while True:
            await watcher.next(timeout=1.0)
    assert getattr(closed.value, "rcvd", None) is not None, closed.value
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "token revoked")
    elapsed = time.monotonic() - started
    assert (await gql(second, "{ me { username } }", token))["status"] == 401
    return elapsed


async def test_grants_revocations_and_updates_cross_nodes_and_survive_a_restart(cluster, nodes):
    first, second = nodes
    admin = await login(first, "admin", "demo-admin")
    clerk = await login(first, "clerk.duongphong", "demo-officer")
    watcher_token = await login(second, "clerk.duongphong", "demo-officer")
    watcher = await Subscriber(second).connect(watcher_token)
    await watcher.subscribe(UPDATES, unit=UNIT)
    await asyncio.sleep(0.1)
    timings = {}
    try:
        timings["grant"] = await grant_reaches_the_other_node(first, second, admin, "thu.truoc")
        timings["update"] = await transition_reaches_a_subscriber(first, watcher, clerk)
        timings["revocation"] = await revocation_reaches_the_other_node(first, second, "thu.truoc")

        cluster.stop()  # every connection of both nodes is cut
        timings["readyz 503"] = max(await asyncio.gather(*(within(2.0, lambda s=s: ready(s, 503))
                                                            for s in (first, second))))
        cluster.start()  # the listeners reconnect by themselves
        timings["readyz 200"] = max(await asyncio.gather(*(within(5.0, lambda s=s: ready(s, 200))
                                                            for s in (first, second))))
        resync = (await watcher.next(timeout=10))["payload"]["data"]["dossierUpdates"]
        assert resync["kind"] == "RESYNC"  # the stream says it may have missed changes
        await within(10, lambda: listener_up(second))
        await within(10, lambda: listener_up(first))

        timings["grant after restart"] = await grant_reaches_the_other_node(first, second, admin, "thu.sau")
        timings["update after restart"] = await transition_reaches_a_subscriber(first, watcher, clerk)
        timings["revocation after restart"] = await revocation_reaches_the_other_node(
            first, second, "thu.sau")
        timings["shutdown"] = await graceful_shutdown(cluster, second, watcher)
    finally:
        await watcher.close()
    print("seconds:", {k: round(v, 3) for k, v in timings.items()})
    assert all(v < 1.0 for k, v in timings.items() if not k.startswith(("readyz", "shutdown"))), timings
    for server in (first, second):  # JSON lines only, and none of the applicant's data
        text = server.log.read_text()
        assert server.lines() and all(line["level"] for line in server.lines())
        for secret in ("006090004321", "0912345678", "Nà Pài", "Trần Văn Bình"):
            assert secret not in text, secret


async def ready(server: Server, status: int) -> bool:
    async with httpx.AsyncClient(base_url=server.url, timeout=3) as client:
        return (await client.get("/readyz")).status_code == status


async def graceful_shutdown(cluster: Cluster, server: Server, watcher: Subscriber) -> float:
    """SIGTERM while a request waits on a lock: it still gets its answer, the subscription is
    closed with 1012 (service restart), and the process exits 0 well within SHUTDOWN_TIMEOUT."""
    locker = cluster.background(
        "BEGIN; LOCK TABLE procedures IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(1.5); COMMIT;", "motcua")
    await asyncio.sleep(0.4)
    slow = asyncio.create_task(gql(server, "{ procedures(first: 1) { edges { node { code } } } }"))
    await asyncio.sleep(0.3)
    assert not slow.done()
    started = time.monotonic()
    server.terminate()
    answer = await slow
    assert answer["status"] == 200 and answer["data"]["procedures"]["edges"], answer
    with pytest.raises(Exception) as closed:
        while True:
            await watcher.next(timeout=5)
    assert closed.value.rcvd.code == 1012, closed.value
    code = await asyncio.to_thread(server.process.wait, 10)
    locker.wait(10)
    # uvicorn finishes its shutdown, then re-raises the signal so the exit status says SIGTERM
    assert code in (0, -signal.SIGTERM), code
    messages = [line["message"] for line in server.lines()]
    assert "Application shutdown complete." in messages, messages[-10:]
    return time.monotonic() - started
