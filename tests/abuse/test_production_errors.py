"""Production names no part of the schema the caller did not write: no "Did you mean"
anywhere, including in the errors of variable coercion."""

from __future__ import annotations

import pytest

RECEIVE = """mutation($i: ReceiveDossierInput!) { receiveDossier(input: $i) { dossier { code } } }"""
MOVE = """mutation($a: DossierAction!) { transitionDossier(code: "X", action: $a) { dossier { code } } }"""
LIST = """query($f: DossierFilter) { dossiers(filter: $f) { totalCount } }"""
RECEPTION = {"procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
             "applicant": {"name": "An", "kind": "CITIZEN"}}
CASES = [
    pytest.param(RECEIVE, {"i": {**RECEPTION, "idempotencyKe": "k"}}, "idempotencyKey",
                 id="input-field-typo"),
    pytest.param(RECEIVE, {"i": {**RECEPTION, "channel": "IN_PERSN"}}, "IN_PERSON",
                 id="enum-in-input-typo"),
    pytest.param(RECEIVE, {"i": {**RECEPTION, "applicant": {"name": "An", "kind": "CITIZEN",
                                                            "phon": "0905"}}},
                 "phone", id="nested-input-field-typo"),
    pytest.param(MOVE, {"a": "ACEPT"}, "ACCEPT", id="enum-variable-typo"),
    pytest.param(LIST, {"f": {"statu": ["NEW"]}}, "status", id="filter-field-typo"),
    pytest.param(LIST, {"f": {"status": ["RECIEVED"]}}, "RECEIVED", id="enum-list-typo"),
    pytest.param("{ procedures(frist: 2) { totalCount } }", {}, "first", id="argument-typo"),
    pytest.param("{ dossiers { totlCount } }", {}, "totalCount", id="field-typo"),
]


@pytest.mark.parametrize(("query", "variables", "hidden"), CASES)
async def test_production_suggests_no_schema_names(client_for, query, variables, hidden):
    client = await client_for(production=True)
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"] * len(errors)
    assert "did you mean" not in response.text.lower()
    assert hidden not in response.text  # the name it would have suggested


@pytest.mark.parametrize(("query", "variables", "hidden"), CASES)
async def test_development_keeps_the_suggestions(client_for, query, variables, hidden):
    client = await client_for()
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert "Did you mean" in response.text
