"""`dossierUpdates` over graphql-transport-ws, in this process (SQLite: in-process delivery;
PostgreSQL: the same, plus NOTIFY for other processes, tested in tests/scaleout)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from audit import bursts
from models import AuditEntry, notify
from policies import SYSTEM
from resolvers.identity import create_user, grant_role, sessions
from tests.asgiws import Closed, Socket
from tests.world import applicant, build_world

UPDATES = "subscription Watch($unit: String!) { dossierUpdates(unitCode: $unit) " \
          "{ kind code unitCode action fromStatus toStatus version } }"
RECEIVE = """mutation Receive($input: ReceiveDossierInput!) {
  receiveDossier(input: $input) { dossier { code } } }"""
TRANSITION = """mutation Move($code: String!, $action: DossierAction!, $note: String) {
  transitionDossier(code: $code, action: $action, note: $note) { dossier { status } } }"""
LOGIN = "mutation L($u: String!) { login(username: $u, password: \"mat-khau-12345\") { accessToken } }"


@pytest.fixture
async def app(db, client_for):
    await build_world()
    for name, role, unit in (("lan", "CLERK", "20335"), ("minh", "CLERK", "20341"),
                             ("hoa", "LEADER", "502")):
        await create_user(actor=SYSTEM, username=name, password="mat-khau-12345", display_name=name)
        await grant_role(actor=SYSTEM, username=name, role=role, unit_code=unit)
    return await client_for()


async def login(client, username: str) -> str:
    answer = await client.post("/graphql", json={"query": LOGIN, "variables": {"u": username}})
    return answer.json()["data"]["login"]["accessToken"]


async def call(client, token: str, query: str, **variables) -> dict:
    answer = await client.post("/graphql", json={"query": query, "variables": variables},
                               headers={"authorization": f"Bearer {token}"})
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


async def receive(client, token: str, unit: str) -> str:
    data = await call(client, token, RECEIVE, input={
        "procedureCode": "1.001193", "unitCode": unit, "channel": "IN_PERSON",
        "applicant": applicant()})
    return data["receiveDossier"]["dossier"]["code"]


async def subscribe(socket: Socket, unit: str, ident: str = "1") -> None:
    await socket.send({"id": ident, "type": "subscribe",
                       "payload": {"query": UPDATES, "variables": {"unit": unit}}})
    await asyncio.sleep(0.05)  # let the subscription register before changes are made


async def eventually(read, seconds: float = 3.0):
    for _ in range(int(seconds / 0.05)):
        if (found := await read()) is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("never happened")


def asgi(client):
    return client._transport.app


async def test_subscribe_receives_changes_in_jurisdiction_only(app):
    lan, minh, hoa = [await login(app, name) for name in ("lan", "minh", "hoa")]
    async with Socket(asgi(app), "/graphql") as leader, Socket(asgi(app), "/graphql") as clerk:
        assert (await leader.init(hoa))["type"] == "connection_ack"
        assert (await clerk.init(lan))["type"] == "connection_ack"
        await subscribe(leader, "502")
        await subscribe(clerk, "20335")
        mine = await receive(app, lan, "20335")
        other = await receive(app, minh, "20341")
        await call(app, lan, TRANSITION, code=mine, action="REQUEST_SUPPLEMENT",
                   note="Thiếu bản sao giấy chứng sinh")
        seen = [(await leader.receive())["payload"]["data"]["dossierUpdates"] for _ in range(3)]
        assert [(u["code"], u["action"], u["toStatus"]) for u in seen] == [
            (mine, "RECEIVE", "RECEIVED"), (other, "RECEIVE", "RECEIVED"),
            (mine, "REQUEST_SUPPLEMENT", "SUPPLEMENT_REQUESTED")]
        assert seen[2] == {"kind": "CHANGED", "code": mine, "unitCode": "20335",
                           "action": "REQUEST_SUPPLEMENT", "fromStatus": "RECEIVED",
                           "toStatus": "SUPPLEMENT_REQUESTED", "version": 2}
        clerk_saw = [(await clerk.receive())["payload"]["data"]["dossierUpdates"]["action"]
                     for _ in range(2)]
        assert clerk_saw == ["RECEIVE", "REQUEST_SUPPLEMENT"]
        with pytest.raises(TimeoutError):  # nothing of An Xuân reached An Mỹ's clerk
            await clerk.receive(timeout=0.3)


async def test_subscribe_and_unsubscribe_are_audited(app):
    lan = await login(app, "lan")
    async with Socket(asgi(app), "/graphql") as socket:
        await socket.init(lan)
        await subscribe(socket, "20335")
        await receive(app, lan, "20335")
        await socket.receive()
        await socket.send({"id": "1", "type": "complete"})
        await asyncio.sleep(0.1)
    entries = await AuditEntry.filter(action__startswith="subscription:").order_by("id")
    assert [(e.action, e.actor_username, e.object_id, e.outcome) for e in entries] == [
        ("subscription:subscribe", "lan", "20335", "ALLOWED"),
        ("subscription:unsubscribe", "lan", "20335", "ALLOWED")]
    assert entries[1].changes == {"delivered": [None, 1]}


async def test_subscribe_outside_jurisdiction_is_forbidden_and_recorded(app):
    lan = await login(app, "lan")
    async with Socket(asgi(app), "/graphql") as socket:
        await socket.init(lan)
        await subscribe(socket, "502")
        answer = await socket.receive()
    assert answer["type"] == "next"
    assert answer["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # written when the operation ends, just after the error is sent
    refused = await eventually(lambda: AuditEntry.get_or_none(action="subscription:dossierUpdates"))
    assert (refused.outcome, refused.actor_username) == ("DENIED", "lan")
    assert not await AuditEntry.exists(action="subscription:subscribe")


async def test_connection_init_without_a_valid_token_is_closed_and_recorded(app):
    for token in (None, "forged.token.value"):
        async with Socket(asgi(app), "/graphql") as socket:
            with pytest.raises(Closed) as closed:
                await socket.init(token)
            assert closed.value.code == 4403
    await bursts.flush(everything=True)
    refused = await AuditEntry.filter(action="ws:4403", outcome="DENIED")
    assert sum(e.occurrences for e in refused) == 2 and refused[0].actor_kind == "ANONYMOUS"


async def test_subscribe_before_connection_init_closes_4401(app):
    async with Socket(asgi(app), "/graphql") as socket:
        await socket.send({"id": "1", "type": "subscribe", "payload": {"query": UPDATES}})
        with pytest.raises(Closed) as closed:
            await socket.receive()
    assert closed.value.code == 4401


async def test_queries_and_mutations_over_websocket_are_refused(app):
    lan = await login(app, "lan")
    async with Socket(asgi(app), "/graphql") as socket:
        await socket.init(lan)
        for query in ("{ me { username } }", "mutation { logout }"):
            await socket.send({"id": query[:5], "type": "subscribe", "payload": {"query": query}})
            answer = await socket.receive()
            assert answer["type"] == "error"
            assert answer["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await call(app, lan, "{ me { username } }") == {"me": {"username": "lan"}}  # not logged out


async def test_subscriptions_per_connection_are_limited(app, client_for):
    lan = await login(app, "lan")
    async with Socket(asgi(app), "/graphql") as socket:
        await socket.init(lan)
        for ident in range(6):
            await subscribe(socket, "20335", str(ident))
        refused = await socket.receive()
    assert refused["id"] == "5"
    assert refused["payload"]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_query_limits_apply_to_subscriptions(app):
    lan = await login(app, "lan")
    aliases = " ".join(f"a{i}: kind" for i in range(40))
    async with Socket(asgi(app), "/graphql") as socket:
        await socket.init(lan)
        await socket.send({"id": "1", "type": "subscribe", "payload": {
            "query": f'subscription {{ dossierUpdates(unitCode: "20335") {{ {aliases} }} }}'}})
        answer = await socket.receive()
    assert answer["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert await eventually(lambda: AuditEntry.get_or_none(action="graphql:refused", outcome="DENIED",
                                                           actor_username="lan"))


async def test_logout_ends_the_connection(app):
    lan = await login(app, "lan")
    async with Socket(asgi(app), "/graphql") as socket:
        await socket.init(lan)
        await subscribe(socket, "20335")
        assert await call(app, lan, "mutation { logout }") == {"logout": True}
        with pytest.raises(Closed) as closed:
            await socket.receive(timeout=2)
    assert (closed.value.code, closed.value.reason) == (4401, "token revoked")


async def test_token_expiry_ends_the_connection(app, monkeypatch):
    monkeypatch.setattr(sessions, "ACCESS_LIFETIME", timedelta(seconds=1))
    lan = await login(app, "lan")
    async with Socket(asgi(app), "/graphql") as socket:
        await socket.init(lan)
        await subscribe(socket, "20335")
        with pytest.raises(Closed) as closed:
            await socket.receive(timeout=3)
    assert (closed.value.code, closed.value.reason) == (4401, "token expired")


async def test_a_gap_in_notifications_tells_subscribers_to_refetch(app):
    lan = await login(app, "lan")
    async with Socket(asgi(app), "/graphql") as socket:
        await socket.init(lan)
        await subscribe(socket, "20335")
        notify.hub.deliver(notify.Event(notify.GAP, {"reason": "reconnected"}))
        update = (await socket.receive())["payload"]["data"]["dossierUpdates"]
    assert update["kind"] == "RESYNC" and update["code"] is None


async def test_rate_limited_upgrade_is_refused_with_429(app, client_for):
    from policies.ratelimit import Limits

    client = await client_for(rates=Limits(per_address=1, per_user=100, window=60))
    async with Socket(asgi(client), "/graphql") as first:
        assert first.handshake.status_code == 101
        assert len(first.handshake.headers["x-request-id"]) >= 16
    async with Socket(asgi(client), "/graphql") as second:
        assert second.handshake.status_code == 429
        assert int(second.handshake.headers["retry-after"]) >= 1
