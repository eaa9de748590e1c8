"""The executor that reads plain fields directly (schema/execution.py) answers exactly as
graphql-core's own executor: the same data, the same errors with the same paths, the same
null propagation; and a list page no longer executes its plain fields one by one."""

from __future__ import annotations

import datetime
import enum
from typing import Optional

import pytest
import strawberry
from graphql.execution import Executor

from benchmarks import scenarios
from schema import Mutation, Query, Schema, schema
from schema.context import Context
from schema.execution import NOT_PRIMED, PRIMED, PlainFieldExecutor
from tests.graphql import execute
from tests.world import applicant


def _answer(result) -> tuple:  # noqa: ANN001
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return result.data, errors


# A small schema with every way a plain field can go wrong.
@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Leaf:
    name: str
    note: Optional[str]
    colour: Colour
    tags: list[str]
    maybe_tags: Optional[list[Optional[str]]]
    count: int = 7
    flag: Optional[bool] = True
    shade: Optional[Colour] = None
    at: datetime.datetime = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


@strawberry.type
class Holder:
    leaf: Leaf
    maybe_leaf: Optional[Leaf]
    leaves: list[Leaf]
    _primed: strawberry.Private[object]

    # As in schema/dossiers.py: the resolver answers what was primed, else reads it itself.
    @strawberry.field(metadata={PRIMED: lambda h, _context: h._primed})
    def related(self) -> Optional[Leaf]:
        if self._primed is not NOT_PRIMED:
            return self._primed  # type: ignore[return-value]
        return Leaf(name="from the resolver", note=None, colour=Colour.RED, tags=[],
                    maybe_tags=None)

    @strawberry.field(metadata={PRIMED: lambda h, _context: h._primed})
    def strict(self) -> Leaf:
        if self._primed is not NOT_PRIMED:
            return self._primed  # type: ignore[return-value]
        return Leaf(name="strict resolver", note=None, colour=Colour.BLUE, tags=["x"],
                    maybe_tags=[])


def _leaf(**values) -> Leaf:
    fields = dict(name="a", note=None, colour=Colour.RED, tags=["t"], maybe_tags=["m", None])
    return Leaf(**(fields | values))


HOLDERS: list = []


@strawberry.type
class Root:
    @strawberry.field
    def holders(self) -> list[Optional[Holder]]:
        return HOLDERS


DOCUMENT = """{ holders {
  leaf { name note colour tags maybeTags count flag shade at }
  maybeLeaf { name colour ... on Leaf { tags } }
  leaves { name colour tags }
  related { name } strict { name tags } __typename
} }"""
# Without __typename every field of a holder is plain: the holder's selection is compiled as
# a whole (schema/compiled.py), its objects nested in it.
COMPILED = DOCUMENT.replace(" __typename", "")

CASES = {
    "all plain": [Holder(leaf=_leaf(), maybe_leaf=None, leaves=[_leaf(), _leaf(name="b")],
                         _primed=_leaf(name="primed"))],
    "null in a non-null leaf": [Holder(leaf=_leaf(name=None), maybe_leaf=_leaf(),
                                       leaves=[], _primed=NOT_PRIMED)],
    "null in a nullable object's non-null leaf": [
        Holder(leaf=_leaf(), maybe_leaf=_leaf(colour=None), leaves=[], _primed=NOT_PRIMED)],
    "not an enum value": [Holder(leaf=_leaf(colour="green"), maybe_leaf=None, leaves=[],
                                 _primed=NOT_PRIMED)],
    "null item in a non-null list": [Holder(leaf=_leaf(tags=["a", None]), maybe_leaf=None,
                                            leaves=[], _primed=NOT_PRIMED)],
    "null object in a list of non-null": [Holder(leaf=_leaf(), maybe_leaf=None,
                                                 leaves=[_leaf(), None], _primed=NOT_PRIMED)],
    "a list item's non-null leaf null": [Holder(leaf=_leaf(), maybe_leaf=None,
                                                leaves=[_leaf(), _leaf(name=None)],
                                                _primed=NOT_PRIMED)],
    "primed null for a non-null field": [Holder(leaf=_leaf(), maybe_leaf=None, leaves=[],
                                                _primed=None)],
    "not an object": [Holder(leaf="text", maybe_leaf=None, leaves=[], _primed=NOT_PRIMED)],
    "a scalar that is not a string": [Holder(leaf=_leaf(name=object()), maybe_leaf=None,
                                             leaves=[], _primed=NOT_PRIMED)],
    "an Int beyond 32 bits": [Holder(leaf=_leaf(count=2**31), maybe_leaf=None, leaves=[],
                                     _primed=NOT_PRIMED)],
    "a bool in an Int": [Holder(leaf=_leaf(count=True), maybe_leaf=None, leaves=[],
                                _primed=NOT_PRIMED)],
    "a DateTime that is not one": [Holder(leaf=_leaf(at="soon"), maybe_leaf=None, leaves=[],
                                          _primed=NOT_PRIMED)],
    "null in a non-null DateTime": [Holder(leaf=_leaf(at=None), maybe_leaf=None, leaves=[],
                                           _primed=NOT_PRIMED)],
    "a nullable enum, as a member and as its value": [
        Holder(leaf=_leaf(shade=Colour.BLUE), maybe_leaf=None, leaves=[], _primed=NOT_PRIMED),
        Holder(leaf=_leaf(shade="blue"), maybe_leaf=None, leaves=[], _primed=NOT_PRIMED)],
    "an int in a Boolean": [Holder(leaf=_leaf(flag=1), maybe_leaf=None, leaves=[],
                                   _primed=NOT_PRIMED)],
    "null holder": [None, Holder(leaf=_leaf(), maybe_leaf=_leaf(), leaves=[_leaf()],
                                 _primed=_leaf(name="p"))],
}


@pytest.mark.parametrize("document", [DOCUMENT, COMPILED], ids=["by field", "compiled"])
@pytest.mark.parametrize("case", CASES)
def test_plain_reads_answer_as_graphql_core_does(case, document):
    HOLDERS[:] = CASES[case]
    fast = strawberry.Schema(query=Root, execution_context_class=PlainFieldExecutor)
    ordinary = strawberry.Schema(query=Root)
    expected = _answer(ordinary.execute_sync(document))
    assert _answer(fast.execute_sync(document)) == expected
    if case == "all plain":
        data = expected[0]["holders"][0]
        assert data["related"] == {"name": "primed"}  # the primed value, not the resolver's
        assert list(data) == ["leaf", "maybeLeaf", "leaves", "related", "strict"] + (
            ["__typename"] if document == DOCUMENT else [])  # the document's order
        assert data["leaf"] == {"name": "a", "note": None, "colour": "RED", "tags": ["t"],
                                "maybeTags": ["m", None], "count": 7, "flag": True,
                                "shade": None, "at": "2026-01-02T03:04:05+00:00"}
    if case not in ("all plain", "null holder", "a bool in an Int", "an int in a Boolean",
                    "a nullable enum, as a member and as its value"):
        assert expected[1], "each broken case is an error for graphql-core too"


@strawberry.type(name="Holder")
class FailingHolder(Holder):
    @strawberry.field(metadata={PRIMED: lambda _h, _context: 1 / 0})
    def related(self) -> Optional[Leaf]:
        return Leaf(name="from the resolver", note=None, colour=Colour.RED, tags=[],
                    maybe_tags=None)


@strawberry.type(name="Root")
class FailingRoot:
    @strawberry.field
    def holders(self) -> list[Optional[FailingHolder]]:
        return [FailingHolder(leaf=_leaf(), maybe_leaf=None, leaves=[], _primed=NOT_PRIMED)]


def test_a_primed_reader_that_fails_leaves_the_field_to_its_resolver():
    fast = strawberry.Schema(query=FailingRoot, execution_context_class=PlainFieldExecutor)
    result = fast.execute_sync("{ holders { related { name } } }")
    assert result.errors is None
    assert result.data == {"holders": [{"related": {"name": "from the resolver"}}]}


def test_not_primed_goes_through_the_resolver():
    HOLDERS[:] = [Holder(leaf=_leaf(), maybe_leaf=None, leaves=[], _primed=NOT_PRIMED)]
    fast = strawberry.Schema(query=Root, execution_context_class=PlainFieldExecutor)
    data = fast.execute_sync("{ holders { related { name } strict { name } } }").data
    assert data == {"holders": [{"related": {"name": "from the resolver"},
                                 "strict": {"name": "strict resolver"}}]}


@pytest.fixture
async def busy_office(province_with_clerk):
    world = province_with_clerk
    clerk = world.actor("lan", ("CLERK", "20335"))
    for i in range(12):
        answer = await execute(scenarios.RECEIVE, clerk, input={
            "procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
            "applicant": applicant(name=f"Người thứ {i}")})
        assert not answer.errors, answer.errors
        if i % 3 == 0:
            code = answer.data["receiveDossier"]["dossier"]["code"]
            await execute(scenarios.TRANSITION, clerk, code=code, action="WITHDRAW")
    return clerk


PAGE_WITH_EVERYTHING = """query Page($first: Int!, $yes: Boolean!) {
  dossiers(first: $first) {
    totalCount
    edges { cursor node { ...Row other: code receivedUnit { code name level kind validFrom }
                           desk { code } allowedActions timeLimit { amount unit } } }
    pageInfo { hasNextPage endCursor }
  }
}
fragment Row on Dossier {
  __typename code status channel receivedAt dueAt legalDueAt timeliness fee paidOnline version
  applicant { name kind idNumber @include(if: $yes) phone @skip(if: $yes) address }
  procedure { code name processingDays channels { channel fee processingTime { amount unit } } }
  unit { code name } events { at action fromStatus toStatus actor { username } note }
  lateCause { cause }
}"""


@pytest.mark.parametrize("yes", [True, False])
async def test_the_real_schema_answers_alike(busy_office, yes):
    ordinary = Schema(query=Query, mutation=Mutation, config=schema.config,
                      extensions=schema.extensions)
    variables = {"first": 10, "yes": yes}
    fast = await schema.execute(PAGE_WITH_EVERYTHING, variable_values=variables,
                                context_value=Context(actor=busy_office))
    slow = await ordinary.execute(PAGE_WITH_EVERYTHING, variable_values=variables,
                                  context_value=Context(actor=busy_office))
    assert fast.errors is None and slow.errors is None
    assert len(fast.data["dossiers"]["edges"]) == 10
    assert fast.data == slow.data


async def calls_per_page(actor, monkeypatch, owner: type, method: str) -> list[int]:  # noqa: ANN001
    """How many times `owner.method` runs for the bench's page of 2 rows, then of 12."""
    calls = [0]
    original = getattr(owner, method)

    def counted(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, method, counted)
    counts = []
    for first in (2, 12):
        calls[0] = 0
        result = await schema.execute(scenarios.PAGE, variable_values={"first": first},
                                      context_value=Context(actor=actor))
        assert result.errors is None and len(result.data["dossiers"]["edges"]) == first
        assert all(e["node"]["events"] for e in result.data["dossiers"]["edges"])
        counts.append(calls[0])
    return counts


async def test_a_list_page_executes_no_field_per_row(busy_office, monkeypatch):
    """graphql-core's execute_field runs for the fields that are not plain only: as many for
    a page of 12 as for a page of 2 (before: every field of every row, ~45 per dossier)."""
    counts = await calls_per_page(busy_office, monkeypatch, Executor, "execute_field")
    assert counts[0] == counts[1] <= 3, counts


async def test_a_list_page_is_one_compiled_call(busy_office, monkeypatch):
    """The bench's page (every field plain, no directive) runs as compiled code: as many
    executor calls for 12 rows as for 2, where each row and each of its objects was one."""
    counts = await calls_per_page(busy_office, monkeypatch, PlainFieldExecutor, "execute_fields")
    assert counts[0] == counts[1] <= 3, counts


def test_one_parsed_document_on_two_schemas_is_planned_for_each():
    """Plans are shared between requests by the document's AST nodes: a document parsed
    once and run on another schema, whose type of the same name differs, gets its own."""
    from graphql import execute as graphql_execute
    from graphql import parse

    @strawberry.type(name="Query")
    class Basic:
        x: str = "basic"

    @strawberry.type(name="Query")
    class Renamed:  # its field `x` reads the attribute `y`; its attribute `x` is private
        y: str = strawberry.field(name="x", default="renamed")
        x: strawberry.Private[str] = "private"

    document = parse("{ x }")
    schemas = [(strawberry.Schema(query=Basic), Basic(), "basic"),
               (strawberry.Schema(query=Renamed), Renamed(), "renamed")]
    for built, root, expected in schemas * 2:
        result = graphql_execute(built._schema, document, root_value=root,
                                 executor_class=PlainFieldExecutor)
        assert result.errors is None and result.data == {"x": expected}


def test_a_selection_that_cannot_be_compiled_is_executed_the_ordinary_way(monkeypatch):
    """A failure to compile is never the request's: the plan runs field by field."""
    import schema.execution as execution

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise SyntaxError("as if the generated text were wrong")

    monkeypatch.setattr(execution, "compile_plan", broken)
    monkeypatch.setattr(execution, "_PLANS", {})
    HOLDERS[:] = CASES["all plain"]
    fast = strawberry.Schema(query=Root, execution_context_class=PlainFieldExecutor)
    ordinary = strawberry.Schema(query=Root)
    assert _answer(fast.execute_sync(COMPILED)) == _answer(ordinary.execute_sync(COMPILED))
