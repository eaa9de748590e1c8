"""Refusing expensive documents before execution: depth, aliases, tokens and a cost budget.

Cost: every field costs 1 times the product of the page sizes above it. A field with a
`first` argument multiplies by that value (or its default), any other list field by
LIST_ESTIMATE. So `first: 100` three levels deep costs a million and is refused.

Fragments: a fragment spread N times selects its fields N times, so it counts N times
(cost scaled by the page sizes above each spread). It is walked only once: the first walk
leaves a summary (cost at multiplier 1, levels below it, aliases) that later spreads add
without walking again. So the walk touches each selection written in the document at most
once, however much the spreads multiply, and it stops at the first limit crossed.

Introspection: `__schema` and `__type` cost INTROSPECTION_COST each and count as aliases
when aliased. Inside them only aliases count (each aliased copy repeats the schema): the
standard introspection query is deeper than the depth limit, and graphql-core's
MaxIntrospectionDepthRule already bounds how far introspection may nest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    VariableNode,
    Visitor,
    get_named_type,
    visit,
)
from graphql.language.parser import MAX_NESTING_DEPTH
from strawberry.extensions import SchemaExtension

from resolvers.validation import MAX_PAGE_SIZE
from schema.memo import MISSING, NodeMemo

LIST_ESTIMATE = 10
DEFAULT_PAGE = 20
# A full introspection answer of this schema holds about 3,800 values (96 kB), so that is
# its price: GraphiQL's one `__schema` fits the default budget of 20,000, six copies do not.
INTROSPECTION_COST = 4_000
_INTROSPECTION = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}


@dataclass(frozen=True)
class QueryLimits:
    depth: int = 10
    aliases: int = 30
    tokens: int = 2000
    cost: int = 20_000
    batch: int = 5
    body_bytes: int = 1_000_000


def too_complex(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "QUERY_TOO_COMPLEX"})


@dataclass
class _Summary:
    """What a selection set adds wherever it is used, before the multiplier there."""

    cost: int = 0  # at multiplier 1
    height: int = 0  # levels of selection sets below it
    aliases: int = 0

    def add(self, other: _Summary) -> None:
        self.cost += other.cost
        self.height = max(self.height, other.height)
        self.aliases += other.aliases


class _Walk:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any] | None, limits: QueryLimits | None) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables or {}
        self.limits = limits
        self.depth = self.aliases = self.cost = 0
        self.visits = 0  # selections looked at: never more than the document holds
        self.summaries: dict[str, _Summary] = {}
        self.open: set[str] = set()  # fragments being walked: spreading one again is a cycle

    def _count(self, *, depth: int = 0, aliases: int = 0, cost: int = 0) -> None:
        """Add to the totals, refusing the moment one of them crosses its limit."""
        self.depth = max(self.depth, depth)
        self.aliases += aliases
        self.cost += cost
        limits = self.limits
        if limits is None:
            return
        if self.depth > limits.depth:
            raise too_complex(f"query depth {self.depth} exceeds the limit of {limits.depth}")
        if self.aliases > limits.aliases:
            raise too_complex(f"{self.aliases} aliases exceed the limit of {limits.aliases}")
        if self.cost > limits.cost:
            raise too_complex(f"query cost {self.cost} exceeds the budget of {limits.cost}")

    def _page(self, node: FieldNode, listed: bool) -> int:
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            # Clamped to the page-size limit: beyond it the resolver refuses, naming `first`.
            if isinstance(value, IntValueNode):
                # Compared as text first: a literal of thousands of digits is beyond int()'s
                # limit (and beyond any page); validation refuses it as not a 32-bit Int.
                digits = value.value.lstrip("-")
                if len(digits) > 9:
                    return 1 if value.value.startswith("-") else MAX_PAGE_SIZE
                return min(max(int(value.value), 1), MAX_PAGE_SIZE)
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                return min(max(given, 1), MAX_PAGE_SIZE) if isinstance(given, int) else DEFAULT_PAGE
            return DEFAULT_PAGE
        return LIST_ESTIMATE if listed else 1

    def selections(self, selection_set: SelectionSetNode, parent: Any, depth: int, multiplier: int,
                   nesting: int, metered: bool) -> _Summary:
        """Walk a selection set at `depth` into the totals; its summary. Unmetered (inside
        introspection) only aliases count."""
        # Spreads and inline fragments nest without adding depth: bound the recursion as the
        # parser bounds nesting within one definition.
        if nesting > MAX_NESTING_DEPTH:
            raise too_complex(f"selections nested more than {MAX_NESTING_DEPTH} levels deep")
        if metered:
            self._count(depth=depth)
        summary = _Summary()
        for selection in selection_set.selections:
            self.visits += 1
            if isinstance(selection, FieldNode):
                summary.add(self.field(selection, parent, depth, multiplier, nesting, metered))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                summary.add(self.selections(selection.selection_set, inner, depth, multiplier,
                                            nesting + 1, metered))
            elif isinstance(selection, FragmentSpreadNode):
                summary.add(self.spread(selection.name.value, depth, multiplier, nesting, metered))
        return summary

    def spread(self, name: str, depth: int, multiplier: int, nesting: int, metered: bool) -> _Summary:
        """A fragment spread: walked the first time, added from its summary after that."""
        known = self.summaries.get(name)
        if known is None:
            fragment = self.fragments.get(name)
            if fragment is None or name in self.open:
                return _Summary()  # unknown fragments and cycles are validation's to report
            self.open.add(name)
            # Its own type condition, not the spread's parent: the summary holds wherever it is used.
            inner = self.schema.get_type(fragment.type_condition.name.value)
            known = self.selections(fragment.selection_set, inner, depth, multiplier, nesting + 1, metered)
            self.open.discard(name)
            self.summaries[name] = known
            return known
        if metered:
            self._count(depth=depth + known.height, aliases=known.aliases, cost=multiplier * known.cost)
        else:
            self._count(aliases=known.aliases)
        return known

    def field(self, node: FieldNode, parent: Any, depth: int, multiplier: int, nesting: int,
              metered: bool) -> _Summary:
        """One field and what is below it."""
        aliases = 0 if node.alias is None else 1
        self._count(aliases=aliases)
        name = node.name.value
        meta = _INTROSPECTION.get(name)
        if meta is not None:
            inner = _Summary()
            if node.selection_set is not None:
                inner = self.selections(node.selection_set, get_named_type(meta.type), depth + 1, 1,
                                        nesting + 1, False)
            if metered:
                self._count(cost=multiplier * INTROSPECTION_COST)
            return _Summary(cost=INTROSPECTION_COST, aliases=aliases + inner.aliases)
        field_type = None
        if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            field = parent.fields.get(name)
            field_type = field.type if field else None
        listed = False
        while isinstance(field_type, (GraphQLNonNull, GraphQLList)):
            listed = listed or isinstance(field_type, GraphQLList)
            field_type = field_type.of_type
        # A connection's `edges` are the page already counted at the `first` argument.
        page = 1 if name == "edges" else self._page(node, listed)
        child, height = _Summary(), 0
        if node.selection_set is not None:
            child = self.selections(node.selection_set, field_type, depth + 1, multiplier * page,
                                    nesting + 1, metered)
            height = child.height + 1
        # Counted after what is below it, so that a path too deep is refused for its depth.
        if metered:
            self._count(cost=multiplier * page)
        return _Summary(cost=page * (1 + child.cost), height=height, aliases=aliases + child.aliases)


def measure(document: DocumentNode, schema: GraphQLSchema, variables: dict[str, Any] | None,
            operation_name: str | None, limits: QueryLimits | None = None) -> _Walk:
    """Depth, alias count and cost of the operation that will run; with `limits`, raises
    `too_complex` as soon as one of them is exceeded."""
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    walk = _Walk(schema, fragments, variables, limits)
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        root = schema.get_root_type(definition.operation)
        walk.selections(definition.selection_set, root, 1, 1, 1, True)
    return walk


# No Int of the schema has more digits than this; Python's int() refuses literals beyond 4,300
# digits (and would be slow near that), so longer ones are refused before validation parses them.
MAX_INT_DIGITS = 20


class _Integers(Visitor):
    def enter_int_value(self, node: IntValueNode, *_: Any) -> None:
        if len(node.value.lstrip("-")) > MAX_INT_DIGITS:
            raise GraphQLError(f"Int cannot represent an integer of {len(node.value)} digits",
                               node, extensions={"code": "BAD_USER_INPUT"})


def refuse_oversized_integers(document: DocumentNode) -> None:
    """BAD_USER_INPUT for an integer literal longer than any Int (one walk of the document)."""
    visit(document, _Integers())


# Passes remembered between requests (schema/memo.py; issue 15: both walks were ~7% of a
# one-dossier read's CPU). The integer check depends on the document alone; `measure` on the
# document, the schema, the limits, the operation name and the variables, and on the
# variables only through `first: $var`, where only int values are read (`_Walk._page`: any
# other value is DEFAULT_PAGE, exactly as when the variable is absent), so the key holds the
# int-valued variables (bool included, as `_page` reads it). Only passes are remembered: a
# refusal raises and is worked out again next time.
_INTEGERS_PASSED = NodeMemo()
_MEASURE_PASSED = NodeMemo()


def _int_variables(variables: dict[str, Any] | None) -> tuple[tuple[str, int], ...] | None:
    """What `measure` can read of the variables; None when they are not a mapping (not remembered)."""
    if variables is None:
        return ()
    if not isinstance(variables, dict):
        return None
    return tuple(sorted((name, value) for name, value in variables.items() if isinstance(value, int)))


def check_document(document: DocumentNode, schema: GraphQLSchema, variables: dict[str, Any] | None,
                   operation_name: str | None, limits: QueryLimits) -> None:
    """`refuse_oversized_integers` then `measure` under `limits`, each skipped when the same
    document (and, for `measure`, the same key) already passed (see above)."""
    if _INTEGERS_PASSED.get((document,)) is MISSING:
        refuse_oversized_integers(document)
        _INTEGERS_PASSED.put((document,), True)
    ints = _int_variables(variables)
    key = None if ints is None else (limits, operation_name, ints)
    if key is not None and _MEASURE_PASSED.get((document, schema), key) is not MISSING:
        return
    measure(document, schema, variables, operation_name, limits)
    if key is not None:
        _MEASURE_PASSED.put((document, schema), True, key)


def limits_extension(limits: QueryLimits) -> type[SchemaExtension]:
    """A schema extension class enforcing `limits` between parsing and validation."""

    class Limits(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            # The parser itself stops at the token limit: no huge AST is ever built.
            self.execution_context.parse_options["max_tokens"] = limits.tokens
            yield

        def on_validate(self) -> Iterator[None]:
            execution = self.execution_context
            document = execution.graphql_document
            if document is not None:
                check_document(document, execution.schema._schema, execution.variables,
                               execution.operation_name, limits)
            yield

    return Limits
