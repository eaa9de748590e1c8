"""Refusing expensive documents before execution: depth, aliases, tokens and a cost budget.

Cost: every field costs 1 times the product of the page sizes above it. A field with a
`first` argument multiplies by that value (or its default), any other list field by
LIST_ESTIMATE. So `first: 100` three levels deep costs a million and is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

from resolvers.validation import MAX_PAGE_SIZE

LIST_ESTIMATE = 10
DEFAULT_PAGE = 20


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


class _Walk:
    def __init__(self, schema, fragments: dict[str, FragmentDefinitionNode], variables: dict):  # noqa: ANN001
        self.schema, self.fragments, self.variables = schema, fragments, variables or {}
        self.depth = self.aliases = self.cost = 0

    def _page(self, node: FieldNode, listed: bool) -> int:
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            # Clamped to the page-size limit: beyond it the resolver refuses, naming `first`.
            if isinstance(value, IntValueNode):
                return min(max(int(value.value), 1), MAX_PAGE_SIZE)
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                return min(max(given, 1), MAX_PAGE_SIZE) if isinstance(given, int) else DEFAULT_PAGE
            return DEFAULT_PAGE
        return LIST_ESTIMATE if listed else 1

    def fields(self, selection_set: SelectionSetNode | None, parent, seen: frozenset[str]) -> Iterator:  # noqa: ANN001
        """(field, its parent type, fragments expanded on the way) under a selection set."""
        for selection in (selection_set.selections if selection_set else ()):
            if isinstance(selection, FieldNode):
                yield selection, parent, seen
            elif isinstance(selection, InlineFragmentNode):
                inner = parent
                if selection.type_condition:
                    inner = self.schema.get_type(selection.type_condition.name.value) or parent
                yield from self.fields(selection.selection_set, inner, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # cycles are validation's to report
                    continue
                inner = self.schema.get_type(fragment.type_condition.name.value) or parent
                yield from self.fields(fragment.selection_set, inner, seen | {name})

    def visit(self, selection_set, parent, depth: int, multiplier: int, seen=frozenset()) -> None:  # noqa: ANN001
        self.depth = max(self.depth, depth)
        for node, owner, expanded in self.fields(selection_set, parent, seen):
            if node.name.value.startswith("__"):
                # Introspection is bounded by the schema's size (and off in production);
                # its standard query is deeper than any data query needs to be.
                continue
            if node.alias is not None:
                self.aliases += 1
            field_type, child = None, None
            if isinstance(owner, GraphQLObjectType):
                field = owner.fields.get(node.name.value)
                field_type = field.type if field else None
            listed = False
            while isinstance(field_type, (GraphQLNonNull, GraphQLList)):
                listed = listed or isinstance(field_type, GraphQLList)
                field_type = field_type.of_type
            child = field_type
            # A connection's `edges` are the page already counted at the `first` argument.
            page = 1 if node.name.value == "edges" else self._page(node, listed)
            scale = multiplier * page
            self.cost += scale
            if node.selection_set is not None:
                self.visit(node.selection_set, child, depth + 1, scale, expanded)


def measure(document, schema, variables: dict | None, operation_name: str | None) -> _Walk:  # noqa: ANN001
    """Depth, alias count and cost of the operation that will run."""
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    walk = _Walk(schema, fragments, variables or {})
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        root = schema.get_root_type(definition.operation)
        walk.visit(definition.selection_set, root, 1, 1)
    return walk


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
                walk = measure(document, execution.schema._schema, execution.variables,
                               execution.operation_name)
                if walk.depth > limits.depth:
                    raise too_complex(f"query depth {walk.depth} exceeds the limit of {limits.depth}")
                if walk.aliases > limits.aliases:
                    raise too_complex(f"{walk.aliases} aliases exceed the limit of {limits.aliases}")
                if walk.cost > limits.cost:
                    raise too_complex(f"query cost {walk.cost} exceeds the budget of {limits.cost}")
            yield

    return Limits
