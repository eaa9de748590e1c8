"""Each query limit refuses a crafted document before it reaches the database."""

from __future__ import annotations

import pytest
from graphql import DocumentNode, SelectionSetNode, get_introspection_query, parse

from models import AuditEntry
from schema import schema
from schema.limits import INTROSPECTION_COST, QueryLimits, measure
from tests.sqlcount import count_queries

DEEP = "{ administrativeUnits { " + "children { " * 11 + "code" + " }" * 11 + " } }"
ALIASES = "{ " + " ".join(f"a{i}: procedure(code: \"1.001193\") {{ code }}" for i in range(31)) + " }"
TOKENS = "{ procedures { edges { node { " + "code " * 2100 + "} } } }"
COSTLY = """{ a: dossiers(first: 100) { edges { node { events { action } procedure { code } } } }
              b: procedures(first: 100) { edges { node { code name field level fee } } }
              c: administrativeUnits { children { children { children { code name } } } } }"""
TWO_PAGES = """{ a: procedures(first: 100) { edges { node { code name } } }
                b: procedures(first: 100) { edges { node { code name } } } }"""
# Each fragment spreads the next twice: 21 short fragments select `__typename` 2^20 times.
DOUBLING = "query{...F0} " + " ".join(f"fragment F{i} on Query{{...F{i + 1} ...F{i + 1}}}"
                                      for i in range(20)) + " fragment F20 on Query{__typename}"
# The same, each pair of spreads inside inline fragments.
DOUBLING_INLINE = "query{...F0} " + " ".join(
    f"fragment F{i} on Query{{...{{...F{i + 1}}} ...on Query{{...F{i + 1}}}}}" for i in range(20)
) + " fragment F20 on Query{__typename}"
WIDE = "query { " + "...F " * 300 + "} fragment F on Query { " + "__typename " * 300 + "}"
CYCLE = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
CHAIN = "query { ...F0 } " + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(500)) \
    + " fragment F500 on Query { __typename }"
TWENTY_ALIASES = "fragment Twenty on Query { " + " ".join(f"a{i}: __typename" for i in range(20)) + " }"
SCHEMA_COPIES = "{ " + " ".join(f"s{i}: __schema {{ types {{ name }} }}" for i in range(100)) + " }"
TYPES_COPIES = "{ __schema { " + " ".join(f"t{i}: types {{ name }}" for i in range(31)) + " } }"
TWENTY_TYPES = " ".join(f"t{i}: types {{ name }}" for i in range(20))


def codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize(("document", "fragment"), [
    (DEEP, "query depth 11 exceeds the limit of 10"),  # refused at the first level over, not 13
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


async def test_standard_introspection_query_passes_in_development(client_for):
    client = await client_for()
    response = await client.post("/graphql", json={"query": get_introspection_query()})
    assert "errors" not in response.json()
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def selections_in(document: DocumentNode) -> int:
    """Fields, spreads and inline fragments as written in the document."""
    def count(selection_set: SelectionSetNode | None) -> int:
        return sum(1 + count(getattr(s, "selection_set", None))
                   for s in (selection_set.selections if selection_set else ()))
    return sum(count(getattr(d, "selection_set", None)) for d in document.definitions)


@pytest.mark.parametrize("document", [DOUBLING, DOUBLING_INLINE])
async def test_doubling_fragments_are_refused(client_for, document):
    client = await client_for()
    response = await client.post("/graphql", json={"query": document})
    assert codes(response) == ["QUERY_TOO_COMPLEX"]
    assert response.json()["errors"][0]["message"] == "query cost 32768 exceeds the budget of 20000"


@pytest.mark.parametrize(("document", "selections"), [(DOUBLING, 42), (DOUBLING_INLINE, 82)])
def test_measure_counts_every_spread_without_expanding_it(document, selections):
    parsed = parse(document)
    walk = measure(parsed, schema._schema, None, None)
    assert walk.cost == 2**20  # F20's `__typename`, reached through 2^20 chains of spreads
    assert walk.visits == selections_in(parsed) == selections


def test_measure_scales_a_repeated_spread_by_the_pages_above_it():
    document = parse("{ procedures(first: 50) { edges { node { ...P ...P } } } } "
                     "fragment P on Procedure { code name }")
    # procedures, edges and node 50 each; each spread of P 2 × 50
    assert measure(document, schema._schema, None, None).cost == 350


def test_measure_takes_a_repeated_spread_as_deep_as_where_it_is_used():
    document = parse("{ administrativeUnits { ...U children { children { ...U } } } } "
                     "fragment U on AdministrativeUnit { " + "children { " * 6 + "code" + " }" * 6 + " }")
    # first spread at depth 2, the second at depth 4: six levels below each
    assert measure(document, schema._schema, None, None).depth == 10


@pytest.mark.parametrize("document", [DOUBLING, WIDE, CYCLE])
def test_measure_looks_at_each_written_selection_at_most_once(document):
    parsed = parse(document, max_tokens=2000)
    walk = measure(parsed, schema._schema, None, None)
    assert walk.visits <= selections_in(parsed)


async def test_cost_is_refused_where_it_crosses_the_budget(client_for):
    # a's `edges` bring the running total to 400; the walk stops there, before b.
    client = await client_for(limits=QueryLimits(cost=300))
    response = await client.post("/graphql", json={"query": TWO_PAGES})
    assert codes(response) == ["QUERY_TOO_COMPLEX"]
    assert response.json()["errors"][0]["message"] == "query cost 400 exceeds the budget of 300"


async def test_aliases_behind_a_fragment_count_for_each_spread(client_for):
    client = await client_for()
    once = await client.post("/graphql", json={"query": "query { ...Twenty } " + TWENTY_ALIASES})
    assert "errors" not in once.json()
    twice = await client.post("/graphql", json={"query": "query { ...Twenty ...Twenty } " + TWENTY_ALIASES})
    assert codes(twice) == ["QUERY_TOO_COMPLEX"]
    assert twice.json()["errors"][0]["message"] == "40 aliases exceed the limit of 30"


async def test_fragment_cycle_is_reported_without_hanging(client_for):
    client = await client_for()
    response = await client.post("/graphql", json={"query": CYCLE})
    assert codes(response) == ["BAD_USER_INPUT"]
    assert response.json()["errors"][0]["message"] == "Cannot spread fragment 'A' within itself via 'B'."


async def test_fragment_chain_nested_too_deeply_is_refused(client_for):
    client = await client_for(limits=QueryLimits(tokens=5_000))
    response = await client.post("/graphql", json={"query": CHAIN})
    assert codes(response) == ["QUERY_TOO_COMPLEX"]
    assert response.json()["errors"][0]["message"] == "selections nested more than 200 levels deep"


async def test_aliased_introspection_is_refused(client_for):
    client = await client_for()
    response = await client.post("/graphql", json={"query": SCHEMA_COPIES})
    assert codes(response) == ["QUERY_TOO_COMPLEX"]
    assert response.json()["errors"][0]["message"] == "query cost 24000 exceeds the budget of 20000"


@pytest.mark.parametrize(("document", "message"), [
    (TYPES_COPIES, "31 aliases exceed the limit of 30"),
    ("{ __schema { ...T ...T } } fragment T on __Schema { " + TWENTY_TYPES + " }",
     "40 aliases exceed the limit of 30"),
    ("{ ...S ...S } fragment S on Query { __schema { " + TWENTY_TYPES + " } }",
     "40 aliases exceed the limit of 30"),
])
async def test_aliases_inside_introspection_are_counted(client_for, document, message):
    client = await client_for()
    response = await client.post("/graphql", json={"query": document})
    assert codes(response) == ["QUERY_TOO_COMPLEX"]
    assert response.json()["errors"][0]["message"] == message


def test_standard_introspection_query_costs_one_schema():
    walk = measure(parse(get_introspection_query()), schema._schema, None, None)
    assert (walk.cost, walk.depth, walk.aliases) == (INTROSPECTION_COST, 1, 0)


@pytest.mark.parametrize("digits", [5000, 20])
async def test_huge_page_literal_is_bad_input_not_an_error(client_for, digits):
    client = await client_for()
    query = "{ procedures(first: %s) { edges { node { code } } } }" % ("9" * digits)
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    assert codes(response) == ["BAD_USER_INPUT"]  # not a 32-bit Int: refused by validation
