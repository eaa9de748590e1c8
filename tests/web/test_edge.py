"""Every route is behind one edge: authenticated, rate-limited and audited on refusal, with the
same headers; refused traffic is counted, not repeated, in the trail."""

from __future__ import annotations

import hashlib

import pytest
from starlette.routing import Route, WebSocketRoute

from audit import bursts
from models import AuditEntry
from policies import SYSTEM
from policies.ratelimit import Limits
from resolvers.identity import issue_partner_token
from schema.limits import QueryLimits
from tests.asgiws import Socket

# a concrete value for each path parameter
SAMPLES = {"{format:str}": "csv", "{file:path}": "index.html", "{asset:path}": "page.js"}
CATALOGUE = "{ procedures(first: 1) { edges { node { code } } } }"


@pytest.fixture
async def world(province_with_clerk):
    return province_with_clerk


def routes(client) -> list[tuple[str, str]]:
    """(method, concrete path) of every route the app has, whatever is added later; a
    WebSocket route is ("WEBSOCKET", path), its upgrade admitted by the same edge."""
    found = []
    for route in client._transport.app.routes:
        if isinstance(route, WebSocketRoute):
            found.append(("WEBSOCKET", route.path))
            continue
        assert isinstance(route, Route), f"{route!r} is not a plain route behind the edge"
        path = route.path
        for name, value in SAMPLES.items():
            path = path.replace(name, value)
        assert "{" not in path, f"add a sample value for {route.path} to SAMPLES"
        found += [(method, path) for method in sorted(route.methods or ()) if method != "HEAD"]
    return found


async def send(client, method: str, path: str, **headers: str):
    if method == "WEBSOCKET":  # the upgrade's answer: 101 when accepted, else the refusal
        async with Socket(client._transport.app, path, headers) as socket:
            return socket.handshake
    if method == "POST":
        return await client.post(path, json={"query": CATALOGUE}, headers=headers)
    params = {"query": CATALOGUE} if path == "/graphql" else {}  # a query, not the GraphiQL page
    return await client.request(method, path, params=params, headers=headers)


def assert_edge_headers(response) -> None:
    assert response.headers["content-type"].startswith("application/json"), response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(response.headers["x-request-id"]) >= 16


async def test_every_route_refuses_a_bad_token_and_records_it(world, client_for):
    client = await client_for()
    for method, path in routes(client):
        response = await send(client, method, path, authorization="Bearer forged.token.value")
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert response.headers["www-authenticate"] == "Bearer"
        assert_edge_headers(response)
        entry = await AuditEntry.get(action="http:401", object_id=path)
        assert (entry.outcome, entry.actor_kind, entry.client_address) == (
            "DENIED", "ANONYMOUS", "127.0.0.1")


async def test_every_route_is_rate_limited_and_records_the_refusal(world, client_for):
    probe = await client_for()
    for method, path in routes(probe):
        client = await client_for(rates=Limits(per_address=2, per_user=100, window=60))
        answers = [await send(client, method, path) for _ in range(3)]
        limited = answers[-1]
        assert limited.status_code == 429, (method, path, limited.text)
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert_edge_headers(limited)
        assert await AuditEntry.exists(action="http:429", object_id=path)


async def test_anonymous_flood_of_a_download_is_counted_not_repeated(world, client_for):
    client = await client_for(rates=Limits(per_address=10, per_user=100, window=60))
    answers = [await client.get("/reports/weekly.csv", params={"unitCode": "49"}) for _ in range(25)]
    assert [a.status_code for a in answers] == [403] * 10 + [429] * 15
    await bursts.flush(everything=True)
    entries = await AuditEntry.filter(actor_kind="ANONYMOUS")
    assert len(entries) == 4  # the first of each burst, and one entry with the rest's count
    counted = {}
    for entry in entries:
        counted[entry.action] = counted.get(entry.action, 0) + entry.occurrences
    assert counted == {"report:weekly": 10, "http:429": 15}


async def test_refusals_at_the_http_layer_are_recorded(world, client_for):
    issued = await issue_partner_token(
        actor=SYSTEM, partner_name="Bưu điện", scopes=["dossier:read"], unit_code="49",
        expires_in_days=30, allowed_operations=[hashlib.sha256(CATALOGUE.encode()).hexdigest()])
    client = await client_for(limits=QueryLimits(body_bytes=2_000))
    refused = {
        415: await client.post("/graphql", content=b"query={x}",
                               headers={"content-type": "application/x-www-form-urlencoded"}),
        413: await client.post("/graphql", json={"query": CATALOGUE, "variables": {"x": "a" * 3000}}),
        400: await client.post("/graphql", json=[{"query": CATALOGUE}] * 6),
        403: await client.post("/graphql", json={"query": "{ dossiers { totalCount } }"},
                               headers={"authorization": f"Bearer {issued.token}"}),
    }
    for status, response in refused.items():
        assert response.status_code == status, response.text
        assert_edge_headers(response)
        assert await AuditEntry.exists(action=f"http:{status}", object_id="/graphql"), status
    partner = await AuditEntry.get(action="http:403")
    assert partner.actor_username == f"partner:{issued.token_id}"


async def test_mutation_over_get_is_refused_as_json_and_recorded(world, client_for):
    client = await client_for()
    response = await client.get("/graphql", params={"query": "mutation { logout }"})
    assert response.status_code in (400, 405)
    assert_edge_headers(response)
    assert await AuditEntry.exists(action=f"http:{response.status_code}", object_id="/graphql")


async def test_unknown_path_is_json_404_and_rate_limited(world, client_for):
    client = await client_for(rates=Limits(per_address=1, per_user=100, window=60))
    first = await client.get("/wp-admin")
    assert first.status_code == 404 and first.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await client.get("/wp-admin")).status_code == 429


async def test_request_id_is_echoed_only_from_a_trusted_proxy(world, client_for):
    trusted = await client_for(trusted_proxies=("127.0.0.1",))
    echoed = await trusted.post("/graphql", json={"query": CATALOGUE}, headers={"x-request-id": "abc-42"})
    assert echoed.headers["x-request-id"] == "abc-42"
    formula = await trusted.post("/graphql", json={"query": CATALOGUE},
                                 headers={"x-request-id": "=HYPERLINK(\"x\")"})
    assert formula.headers["x-request-id"] != "=HYPERLINK(\"x\")"
    untrusted = await client_for()
    ignored = await untrusted.post("/graphql", json={"query": CATALOGUE},
                                   headers={"x-request-id": "abc-42"})
    assert ignored.headers["x-request-id"] != "abc-42"
