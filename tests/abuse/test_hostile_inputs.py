"""Hostile values get clear errors naming the problem and leave the data unchanged."""

from __future__ import annotations

import pytest

from models import Dossier
from tests.world import applicant

LIST = "query($f: DossierFilter, $n: Int) { dossiers(filter: $f, first: $n) { totalCount } }"
RECEIVE = "mutation($i: ReceiveDossierInput!) { receiveDossier(input: $i) { dossier { code } } }"


async def login(client) -> dict:
    body = (await client.post("/graphql", json={"query": 'mutation { login(username: "lan", '
                                                'password: "mat-khau-12345") { accessToken } }'})).json()
    return {"authorization": f"Bearer {body['data']['login']['accessToken']}"}


@pytest.mark.parametrize(("variables", "fragment"), [
    ({"n": 2**40}, "Int cannot represent non 32-bit signed integer value"),
    ({"n": -5}, "first must be between 1 and 100"),
    ({"n": "10"}, "Int cannot represent non-integer value"),
    ({"f": {"search": "a\x00b"}}, "filter.search must not contain control characters"),
    ({"f": {"search": "x" * 101}}, "filter.search must be at most 100 characters"),
    ({"f": {"receivedFrom": "2026-13-45"}}, "receivedFrom"),
    ({"f": {"status": ["DROP TABLE"]}}, "DossierStatus"),
    ({"f": {"unitCode": "' OR 1=1 --"}}, "unknown unit"),
])
async def test_hostile_list_variables_are_refused_clearly(client_for, variables, fragment):
    client = await client_for()
    response = await client.post("/graphql", json={"query": LIST, "variables": variables},
                                 headers=await login(client))
    errors = response.json()["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}
    assert any(fragment in e["message"] for e in errors), errors


@pytest.mark.parametrize("name", ["\u202eevil", "A" * 300, "tab\there", " ", "zero\u200bwidth"])
async def test_hostile_applicant_names_write_nothing(client_for, name):
    client = await client_for()
    response = await client.post("/graphql", json={"query": RECEIVE, "variables": {"i": {
        "procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
        "applicant": applicant(name=name)}}}, headers=await login(client))
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "applicant.name"}
    assert await Dossier.all().count() == 0


SEARCHED = ("Lê 50% Hoa", "Trần_Bình", "Ngô\\Cường", "Đào Thị Lan")


@pytest.mark.parametrize(("term", "found"), [
    ("%", {"Lê 50% Hoa"}), ("_", {"Trần_Bình"}), ("\\", {"Ngô\\Cường"}), ("%%%%", set()),
    ("0%", {"Lê 50% Hoa"}), ("n_b", {"Trần_Bình"}), ("dao thi", {"Đào Thị Lan"}),
])
async def test_like_metacharacters_match_literally(client_for, term, found):
    client = await client_for()
    headers = await login(client)
    for name in SEARCHED:
        response = await client.post("/graphql", headers=headers, json={"query": RECEIVE, "variables": {
            "i": {"procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
                  "applicant": applicant(name=name)}}})
        assert "errors" not in response.json(), response.text
    query = "query($f: DossierFilter) { dossiers(filter: $f) { edges { node { applicant { name } } } } }"
    response = await client.post("/graphql", json={"query": query, "variables": {"f": {"search": term}}},
                                 headers=headers)
    names = {e["node"]["applicant"]["name"] for e in response.json()["data"]["dossiers"]["edges"]}
    assert names == found


@pytest.mark.parametrize("query", [
    '{ dossier(code: "%s") { code } }' % ("X" * 500),
    '{ trackDossier(code: "%s") { code } }' % ("X" * 500),
    '{ administrativeUnits(parentCode: "%s") { code } }' % ("9" * 500),
    '{ procedures(filter: {field: "%s"}) { edges { node { code } } } }' % ("f" * 500),
])
async def test_overlong_codes_are_answers_not_internal_errors(client_for, query):
    client = await client_for()
    body = (await client.post("/graphql", json={"query": query}, headers=await login(client))).json()
    assert all(e["extensions"]["code"] != "INTERNAL_SERVER_ERROR" for e in body.get("errors", []))
