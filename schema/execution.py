"""Executing a document: graphql-core's executor, with plain fields read without ceremony.

A page of 50 dossiers with their events is about 2,250 fields, and most of them are *basic*
strawberry fields: no resolver and no field extension, the value is the Python attribute.
graphql-core executes each one like any other field — a resolve info, strawberry's wrapper,
the awaitable check, completion through the NonNull/List/leaf dispatch — about 10 µs each,
most of a page's CPU. This executor (strawberry's `execution_context_class`, graphql-core's
`executor_class`) reads a basic field of a scalar or enum type, or a list of them, with
`getattr` and the type's own output coercion, and executes the selection of a basic field
of an object type directly on the attribute, with the same answer.

Whatever could turn out differently takes graphql-core's own path for the whole object, so
errors keep their paths, messages and null propagation: a null where the type forbids it, a
coercion that fails or answers null, a missing attribute, an `is_type_of` that refuses the
value. Fields with resolvers (and so every permission check and audit in `resolvers/`) are
executed by graphql-core as before; nothing here decides what a caller may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_MISSING = object()  # no such attribute (graphql-core's path reports it)
FALLBACK = object()  # "not plain after all": execute the object the ordinary way

Reader = Callable[[Any], Any]


def _attribute(field_def: Any) -> str | None:
    """The attribute a basic strawberry field reads, or None when it is not one."""
    if not getattr(field_def.resolve, "_is_default", False):
        return None
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if definition is None or definition.default_resolver is not getattr:
        return None
    return definition.python_name


def _leaf_reader(name: str, type_: Any) -> Reader | None:
    """A reader for a basic field of a leaf type or a list of leaves; None otherwise."""
    non_null = isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if non_null else type_
    if is_leaf_type(inner):
        coerce = inner.coerce_output_value

        def leaf(source: Any) -> Any:
            value = getattr(source, name, _MISSING)
            if value is None:
                return FALLBACK if non_null else None
            if value is _MISSING:
                return FALLBACK
            try:
                coerced = coerce(value)
            except Exception:  # noqa: BLE001  (graphql-core reports it with its path)
                return FALLBACK
            return FALLBACK if coerced is None or coerced is Undefined else coerced

        return leaf
    if isinstance(inner, GraphQLList):
        item = inner.of_type
        item_non_null = isinstance(item, GraphQLNonNull)
        item = item.of_type if item_non_null else item
        if not is_leaf_type(item):
            return None
        coerce_item = item.coerce_output_value

        def leaves(source: Any) -> Any:
            values = getattr(source, name, _MISSING)
            if values is None:
                return FALLBACK if non_null else None
            if values is _MISSING or not isinstance(values, (list, tuple)):
                return FALLBACK
            out = []
            try:
                for value in values:
                    coerced = None if value is None else coerce_item(value)
                    if coerced is Undefined or (coerced is None and (item_non_null or value is not None)):
                        return FALLBACK
                    out.append(coerced)
            except Exception:  # noqa: BLE001
                return FALLBACK
            return out

        return leaves
    return None


class _Plan:
    """How to execute one grouped field set on one object type."""

    __slots__ = ("fields", "plain")

    def __init__(self, schema: GraphQLSchema, parent_type: GraphQLObjectType,
                 grouped_field_set: dict) -> None:
        # (response name, field details, leaf reader, (object type, attribute) of a basic
        # object field); neither → graphql-core executes the field.
        self.fields: list[tuple[str, Any, Reader | None, tuple | None]] = []
        plain = False
        for response_name, details in grouped_field_set.items():
            field_def = schema.get_field(parent_type, details[0].node.name.value)
            attribute = _attribute(field_def) if field_def is not None else None
            reader = nested = None
            if attribute is not None:
                reader = _leaf_reader(attribute, field_def.type)
                type_ = field_def.type
                inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
                if reader is None and isinstance(inner, GraphQLObjectType):
                    nested = (inner, attribute, isinstance(type_, GraphQLNonNull), type_)
            plain = plain or reader is not None or nested is not None
            self.fields.append((response_name, details, reader, nested))
        self.plain = plain


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with basic fields read directly (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keyed by the grouped field set's identity, which graphql-core memoises per
        # selection (collect_subfields); the set is kept alive so its id is not reused.
        self._plans: dict[int, tuple[dict, _Plan]] = {}

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: dict) -> _Plan:
        key = id(grouped_field_set)
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        plan = _Plan(self.schema, parent_type, grouped_field_set)
        self._plans[key] = (grouped_field_set, plan)
        return plan

    def execute_fields(self, parent_type, source_value, path, grouped_field_set,  # noqa: ANN001, ANN201
                       position_context):
        plan = self._plan(parent_type, grouped_field_set)
        if not plan.plain:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                          position_context)
        # First the plain reads (no resolver runs): if one is not plain after all, the whole
        # object goes the ordinary way before anything was started.
        read: list[Any] = []
        for _, _, reader, nested in plan.fields:
            value = reader(source_value) if reader is not None else (
                self._attribute_value(source_value, nested) if nested is not None else None)
            if value is FALLBACK:
                return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                              position_context)
            read.append(value)
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for (response_name, details, reader, nested), value in zip(plan.fields, read,
                                                                       strict=True):
                if reader is not None:
                    results[response_name] = value
                    continue
                field_path = Path(path, response_name, parent_type.name)
                if nested is not None:
                    result = (None if value is None
                              else self._nested(value, details, field_path, nested))
                else:
                    result = self.execute_field(parent_type, source_value, details, field_path,
                                                position_context)
                    if result is Undefined:
                        continue
                results[response_name] = result
                if is_awaitable(result):
                    awaitable_fields.append(response_name)
        except Exception:
            # A non-null field's error propagates to the parent; what other fields started
            # is settled, as graphql-core's execute_fields does.
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gathered(results, awaitable_fields)

    @staticmethod
    def _attribute_value(source: Any, nested: tuple) -> Any:
        """The object a basic object field holds, None, or FALLBACK."""
        object_type, attribute, non_null, _ = nested
        value = getattr(source, attribute, _MISSING)
        if value is None:
            return FALLBACK if non_null else None
        if value is _MISSING or (object_type.is_type_of and not object_type.is_type_of(value, None)):
            return FALLBACK
        return value

    def _nested(self, value: Any, details: Any, path: Path, nested: tuple) -> Any:
        """A basic field of an object type: its selection executed on the attribute, errors
        handled as graphql-core's execute_field handles them."""
        object_type, _, _, field_type = nested
        grouped = self.collect_subfields(object_type, details)[0]
        try:
            completed = self.execute_fields(object_type, value, path, grouped, None)
        except Exception as raw_error:  # noqa: BLE001  (a non-null child's error bubbles here)
            self.handle_field_error(raw_error, field_type, details, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as raw_error:  # noqa: BLE001
                self.handle_field_error(raw_error, field_type, details, path)
                return None

        return await_completed()

    @staticmethod
    async def _gathered(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
        if len(awaitable_fields) == 1:
            name = awaitable_fields[0]
            results[name] = await results[name]
            return results
        awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
        return results
