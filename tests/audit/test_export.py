"""CSV export of the audit trail over HTTP: authenticated, in jurisdiction, and itself audited."""

from __future__ import annotations

import csv
import io
import json

import pytest

from models import AuditEntry
from policies import SYSTEM
from resolvers import clock
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
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
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


async def test_export_opens_as_a_spreadsheet_reads_it(http):
    """Excel takes a CSV as UTF-8 only with a byte-order mark; a person reads Vietnam's time
    to the second, and the changes as JSON of what changed."""
    headers = {"authorization": f"Bearer {await token(http, 'minh')}"}
    response = await http.get("/audit/export.csv", params={"action": "role:grant"},
                              headers=headers)
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM, then comma-separated UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    entry = await AuditEntry.filter(action="role:grant", object_id="lan").first()
    row = next(r for r in rows if r["object_id"] == "lan")
    assert row["at"] == entry.at.astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")
    assert json.loads(row["changes"]) == {"role": [None, "CLERK@20335"]}


async def test_export_action_filter_takes_a_bare_verb(http):
    headers = {"authorization": f"Bearer {await token(http, 'minh')}"}
    bare = await http.get("/audit/export.csv", params={"action": "grant"}, headers=headers)
    full = await http.get("/audit/export.csv", params={"action": "role:grant"}, headers=headers)
    ids = [sorted(r["id"] for r in csv.DictReader(io.StringIO(a.content.decode("utf-8-sig"))))
           for a in (bare, full)]
    assert ids[0] == ids[1] and len(ids[0]) == 2
