"""Bodies and values that once reached the server as 500s (found by .ci/hostile.py): JSON
nested beyond the parser's depth, unpaired surrogates, ids beyond a BIGINT."""

from __future__ import annotations

import pytest

from models import AuditEntry

FIND = "query($c: String!) { procedure(code: $c) { code } }"
VERDICT = """mutation($id: ID!) {
  recordComplaintSatisfaction(feedbackId: $id, satisfied: true, secret: "x") { feedback { id } } }"""


def codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize("body", [
    b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}",
    b"[" * 50_000 + b"]" * 50_000,
    b'{"query": "{ procedure(code: \\"\\ud800\\") { code } }"}',
    b'{"query": "' + FIND.encode() + b'", "variables": {"c": "\\udfff-\\ud83c"}}',
    b'{"query": "' + FIND.encode() + b'", "variables": {"c": "\xed\xa0\x80"}}',  # encoded surrogate
    '{"query": "{ __typename }"}'.encode("utf-16"),
])
async def test_bodies_beyond_json_or_unicode_are_bad_input(client_for, body):
    client = await client_for()
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and codes(response) == ["BAD_USER_INPUT"]


async def test_a_surrogate_pair_is_text(client_for):
    client = await client_for()
    body = b'{"query": "' + FIND.encode() + b'", "variables": {"c": "\\ud83c\\udfdb"}}'
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.json() == {"data": {"procedure": None}}


async def test_get_variables_beyond_the_json_parsers_depth_are_bad_input(client_for):
    client = await client_for()
    response = await client.get("/graphql", params={
        "query": "query($a: [[Int]]) { __typename }", "variables": '{"a": ' + "[" * 3000 + "]" * 3000 + "}"})
    assert response.status_code == 400 and codes(response) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("value", ["9" * 400, str(2 ** 63), "-1", "0", "1e309"])
async def test_ids_beyond_a_bigint_are_bad_input(client_for, value):
    client = await client_for()
    response = await client.post("/graphql", json={"query": VERDICT, "variables": {"id": value}})
    error = response.json()["errors"][0]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("BAD_USER_INPUT", "feedbackId")
    assert not await AuditEntry.filter(reason="internal error").exists()
