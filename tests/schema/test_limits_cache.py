"""The query limits remember documents that passed (schema/limits.py): the same answers as
walking every time, without the walk on a repeat."""

from __future__ import annotations

from typing import Optional

import pytest
import strawberry
from strawberry.extensions import ParserCache

from schema import limits
from schema.limits import QueryLimits, limits_extension
from schema.memo import NodeMemo

PAGED = "query($n: Int) { procedures(first: $n) { edges { node { code name } } } }"


def codes(response) -> list[str]:  # noqa: ANN001
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


@pytest.mark.parametrize("sizes", [(10, 100, 10, 100), (100, 10, 100, 10), (10, 10, 100, 100)])
async def test_a_variable_page_size_is_part_of_what_is_remembered(client_for, sizes):
    client = await client_for(limits=QueryLimits(cost=300))
    for size in sizes:
        response = await client.post("/graphql", json={"query": PAGED, "variables": {"n": size}})
        assert codes(response) == (["QUERY_TOO_COMPLEX"] if size == 100 else []), size


async def test_a_document_that_passed_is_not_walked_again(client_for, monkeypatch):
    walks, integer_walks = [], []
    selections, integers = limits._Walk.selections, limits.refuse_oversized_integers

    def counted_selections(self, *args, **kwargs):  # noqa: ANN001, ANN202
        walks.append(1)
        return selections(self, *args, **kwargs)

    def counted_integers(document):  # noqa: ANN001, ANN202
        integer_walks.append(1)
        return integers(document)

    # Empty memories: earlier tests may have passed this very document (the parser cache is shared).
    monkeypatch.setattr(limits, "_INTEGERS_PASSED", NodeMemo())
    monkeypatch.setattr(limits, "_MEASURE_PASSED", NodeMemo())
    monkeypatch.setattr(limits._Walk, "selections", counted_selections)
    monkeypatch.setattr(limits, "refuse_oversized_integers", counted_integers)
    client = await client_for()
    request = {"query": PAGED, "variables": {"n": 7, "unread": "text"}}
    first = await client.post("/graphql", json=request)
    assert codes(first) == [] and walks and len(integer_walks) == 1
    walked = len(walks)
    again = await client.post("/graphql", json=request)
    assert again.json() == first.json()
    assert len(walks) == walked and len(integer_walks) == 1
    # A variable `measure` does not read (not an int) does not make it walk again; an int does.
    await client.post("/graphql", json={"query": PAGED, "variables": {"n": 7, "unread": "other"}})
    assert len(walks) == walked
    await client.post("/graphql", json={"query": PAGED, "variables": {"n": 8}})
    assert len(walks) > walked and len(integer_walks) == 1  # the integers depend on the text only


async def test_a_refusal_is_not_remembered_as_a_pass(client_for):
    client = await client_for(limits=QueryLimits(cost=300))
    for _ in range(2):
        response = await client.post("/graphql", json={"query": PAGED, "variables": {"n": 100}})
        assert codes(response) == ["QUERY_TOO_COMPLEX"]


async def test_schemas_with_other_limits_do_not_share(client_for):
    roomy, tight = await client_for(), await client_for(limits=QueryLimits(cost=300))
    request = {"query": PAGED, "variables": {"n": 100}}
    assert codes(await roomy.post("/graphql", json=request)) == []
    assert codes(await tight.post("/graphql", json=request)) == ["QUERY_TOO_COMPLEX"]


# Two schemas under the same Limits class (so the same QueryLimits): `next` is a list in one,
# a single object in the other, so one document costs 10^4 more in the first.
@strawberry.type(name="Node")
class ListNode:
    name: str = "n"

    @strawberry.field
    def next(self) -> list[ListNode]:
        return [ListNode()]


@strawberry.type(name="Node")
class SingleNode:
    name: str = "n"

    @strawberry.field
    def next(self) -> Optional[SingleNode]:
        return SingleNode()


@strawberry.type(name="Query")
class ListQuery:
    @strawberry.field
    def node(self) -> ListNode:
        return ListNode()


@strawberry.type(name="Query")
class SingleQuery:
    @strawberry.field
    def node(self) -> SingleNode:
        return SingleNode()


CHAIN = "{ node { next { next { next { next { name } } } } } }"  # 10^4 names when `next` is a list


async def test_two_schemas_do_not_share_what_passed():
    shared = limits_extension(QueryLimits())
    extensions = [shared, lambda: ParserCache(maxsize=256)]
    single = strawberry.Schema(query=SingleQuery, extensions=extensions)
    listed = strawberry.Schema(query=ListQuery, extensions=extensions)
    for _ in range(2):
        passed = await single.execute(CHAIN)
        assert passed.errors is None and passed.data is not None
        refused = await listed.execute(CHAIN)
        assert [e.extensions["code"] for e in refused.errors or []] == ["QUERY_TOO_COMPLEX"]
        assert "query cost" in refused.errors[0].message
