"""Validation remembered per parsed document (schema/validated.py): the same answers as
validating every time, without validating again on a repeat."""

from __future__ import annotations

from schema import validated
from schema.memo import NodeMemo

INTROSPECT = "{ __schema { queryType { name } } }"
BROKEN = "{ procedures(first: 2) { edges { node { code nonsense } } } }"
GOOD = "{ procedures(first: 2) { edges { node { code } } } }"


def errors(response) -> list[str]:  # noqa: ANN001
    return [e["message"] for e in response.json().get("errors", [])]


async def test_validated_once_and_answered_alike(client_for, monkeypatch):
    calls = []
    real = validated.validate_document
    monkeypatch.setattr(validated, "_VALIDATED", NodeMemo())
    monkeypatch.setattr(validated, "validate_document",
                        lambda *a: calls.append(1) or real(*a))
    client = await client_for()
    first = await client.post("/graphql", json={"query": BROKEN})
    assert any("nonsense" in m for m in errors(first)) and len(calls) == 1
    again = await client.post("/graphql", json={"query": BROKEN})
    assert again.json() == first.json() and len(calls) == 1  # the refusal, remembered
    assert errors(await client.post("/graphql", json={"query": GOOD})) == []
    assert errors(await client.post("/graphql", json={"query": GOOD})) == [] and len(calls) == 2


async def test_a_schema_with_other_rules_validates_for_itself(client_for):
    development, production = await client_for(), await client_for(production=True)
    # The same text (the same parsed document) passes where introspection is allowed, and is
    # refused in production (its rules hold one more), in either order.
    for _ in range(2):
        assert errors(await development.post("/graphql", json={"query": INTROSPECT})) == []
        refused = errors(await production.post("/graphql", json={"query": INTROSPECT}))
        assert refused and "introspection" in " ".join(refused).lower()
