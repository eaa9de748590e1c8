"""Each query limit refuses a crafted document before it reaches the database."""

from __future__ import annotations

import pytest

from models import AuditEntry
from schema.limits import QueryLimits
from tests.sqlcount import count_queries

DEEP = "{ administrativeUnits { " + "children { " * 11 + "code" + " }" * 11 + " } }"
ALIASES = "{ " + " ".join(f"a{i}: procedure(code: \"1.001193\") {{ code }}" for i in range(31)) + " }"
TOKENS = "{ procedures { edges { node { " + "code " * 2100 + "} } } }"
COSTLY = """{ a: dossiers(first: 100) { edges { node { events { action } procedure { code } } } }
              b: procedures(first: 100) { edges { node { code name field level fee } } }
              c: administrativeUnits { children { children { children { code name } } } } }"""


def codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize(("document", "fragment"), [
    (DEEP, "query depth 13 exceeds the limit of 10"),
    (ALIASES, "31 aliases exceed the limit of 30"),
    (TOKENS, "Document contains more than 2000 tokens"),
])
async def test_limit_refuses_before_any_sql(client_for, document, fragment):
    client = await client_for()
    with count_queries() as statements:
        response = await client.post("/graphql", json={"query": document})
    assert codes(response) == ["QUERY_TOO_COMPLEX"]
    assert fragment in response.json()["errors"][0]["message"]
    # no SQL for the document itself: only the audit entry of the refused operation
    assert all("audit" in s or s.startswith("SET LOCAL") for s in statements), statements


async def test_cost_budget_counts_page_sizes(client_for):
    client = await client_for(limits=QueryLimits(cost=5_000))
    response = await client.post("/graphql", json={"query": COSTLY})
    assert codes(response) == ["QUERY_TOO_COMPLEX"]
    assert "query cost" in response.json()["errors"][0]["message"]
    small = await client.post("/graphql",
                              json={"query": "{ procedures(first: 5) { edges { node { code } } } }"})
    assert "errors" not in small.json()


async def test_cost_uses_variable_page_sizes(client_for):
    client = await client_for(limits=QueryLimits(cost=300))
    query = "query($n: Int) { procedures(first: $n) { edges { node { code name } } } }"
    big = await client.post("/graphql", json={"query": query, "variables": {"n": 100}})
    assert codes(big) == ["QUERY_TOO_COMPLEX"]
    fine = await client.post("/graphql", json={"query": query, "variables": {"n": 10}})
    assert "errors" not in fine.json()


async def test_batch_of_more_than_five_is_refused(client_for):
    client = await client_for()
    single = {"query": "{ procedures(first: 1) { edges { node { code } } } }"}
    ok = await client.post("/graphql", json=[single] * 5)
    assert ok.status_code == 200 and len(ok.json()) == 5
    refused = await client.post("/graphql", json=[single] * 6)
    assert refused.status_code == 400 and codes(refused) == ["QUERY_TOO_COMPLEX"]


async def test_circular_fragments_are_refused(client_for):
    client = await client_for()
    document = """{ administrativeUnits { ...A } }
      fragment A on AdministrativeUnit { code children { ...B } }
      fragment B on AdministrativeUnit { code children { ...A } }"""
    response = await client.post("/graphql", json={"query": document})
    assert codes(response) == ["BAD_USER_INPUT"]
    assert "Cannot spread fragment" in response.json()["errors"][0]["message"]


async def test_fragment_bomb_is_refused_by_cost(client_for):
    client = await client_for()
    fragments = "\n".join(
        f"fragment F{i} on AdministrativeUnit "
        f"{{ a: children {{ ...F{i + 1} }} b: children {{ ...F{i + 1} }} }}"
        for i in range(8)) + "\nfragment F8 on AdministrativeUnit { code }"
    response = await client.post("/graphql", json={"query": "{ administrativeUnits { ...F0 } } " + fragments})
    assert codes(response) == ["QUERY_TOO_COMPLEX"]
    refused = await AuditEntry.get(action="graphql:refused")
    assert refused.outcome == "DENIED" and "exceed" in refused.reason


async def test_introspection_is_not_counted_against_the_limits(client_for):
    from graphql import get_introspection_query

    client = await client_for()
    response = await client.post("/graphql", json={"query": get_introspection_query()})
    assert "errors" not in response.json()
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
