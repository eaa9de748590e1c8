"""CSV export of the audit trail over HTTP: authenticated, in jurisdiction, and itself audited."""

from __future__ import annotations

import csv
import io

import pytest

from models import AuditEntry
from policies import SYSTEM
from resolvers.identity import create_user, grant_role
from tests.world import build_world

LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }"""


@pytest.fixture
async def http(client_for):
    await build_world()
    for name, role, unit in (("minh", "INSPECTOR", "49"), ("lan", "CLERK", "20335")):
        await create_user(actor=SYSTEM, username=name, password="mat-khau-12345", display_name=name)
        await grant_role(actor=SYSTEM, username=name, role=role, unit_code=unit)
    return await client_for()


async def token(http, username: str) -> str:
    body = (await http.post("/graphql", json={"query": LOGIN, "variables": {
        "u": username, "p": "mat-khau-12345"}})).json()
    return body["data"]["login"]["accessToken"]


async def test_inspector_exports_a_filtered_range(http):
    headers = {"authorization": f"Bearer {await token(http, 'minh')}"}
    response = await http.get("/audit/export.csv", params={"action": "role:grant"},
                              headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["object_id"] for r in rows) == ["lan", "minh"]
    assert await AuditEntry.filter(action="audit:export", actor_username="minh").count() == 1


async def test_export_needs_a_token_and_the_right(http):
    assert (await http.get("/audit/export.csv")).status_code == 403
    assert (await http.get("/audit/export.csv",
                           headers={"authorization": "Bearer nope"})).status_code == 401
    clerk = {"authorization": f"Bearer {await token(http, 'lan')}"}
    assert (await http.get("/audit/export.csv", headers=clerk)).status_code == 403
    denied = await AuditEntry.filter(action="audit:export").order_by("id")
    assert [(e.actor_username, e.outcome.value) for e in denied] == [(None, "DENIED"),
                                                                    ("lan", "DENIED")]


async def test_export_rejects_a_malformed_date(http):
    headers = {"authorization": f"Bearer {await token(http, 'minh')}"}
    response = await http.get("/audit/export.csv", params={"from": "hôm qua"}, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
