"""The HTTP surface: GraphiQL in development, anonymous reads, masked internal errors."""

from __future__ import annotations

import pytest

from models import AuditEntry, Dossier, DossierCodeCounter, DossierEvent
from resolvers import units
from tests.world import build_world


@pytest.fixture
async def client(client_for):
    await build_world()
    return await client_for(trusted_proxies=("127.0.0.1",))


async def test_get_graphql_serves_graphiql_in_development(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_anonymous_reads_the_catalogue(client):
    response = await client.post("/graphql", json={
        "query": '{ administrativeUnits { code children { code } } procedure(code: "1.001193") '
                 "{ name processingDays onlineLevel } me { username } }"})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body
    assert [u["code"] for u in body["data"]["administrativeUnits"]] == ["49", "490"]
    assert body["data"]["procedure"] == {"name": "Thủ tục đăng ký khai sinh",
                                         "processingDays": 1, "onlineLevel": "FULL"}
    assert body["data"]["me"] is None


async def test_anonymous_cannot_receive_a_dossier(client):
    response = await client.post("/graphql", json={"query": """mutation {
      receiveDossier(input: {procedureCode: "1.001193", unitCode: "20335", channel: ONLINE,
                             applicant: {name: "Ẩn danh"}}) { dossier { code } } }"""})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert response.json()["data"] is None
    assert await Dossier.all().count() == 0 and await DossierEvent.all().count() == 0
    assert await DossierCodeCounter.all().count() == 0  # not even a code was taken
    refused = await AuditEntry.get(action="dossier:receive")
    assert (refused.outcome, refused.actor_kind, refused.changes) == ("DENIED", "ANONYMOUS", None)


async def test_internal_error_is_masked_to_a_request_id(client, monkeypatch):
    async def broken(**_):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(units, "list_units", broken)
    response = await client.post("/graphql", json={"query": "{ administrativeUnits { code } }"},
                                 headers={"x-request-id": "req-42"})
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    assert "hunter2" not in response.text and "Traceback" not in response.text


async def test_syntax_error_is_bad_user_input(client):
    response = await client.post("/graphql", json={"query": "{ procedures { "})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
