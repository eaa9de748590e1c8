"""Executing a document: graphql-core's executor, with plain fields read without ceremony.

A page of 50 dossiers with their events is about 2,250 fields, and most of them are *basic*
strawberry fields: no resolver and no field extension, the value is the Python attribute.
graphql-core executes each one like any other field — a resolve info, strawberry's wrapper,
the awaitable check, completion through the NonNull/List/leaf dispatch — about 10 µs each,
most of a page's CPU (issue 15). This executor (strawberry's `execution_context_class`,
graphql-core's `executor_class`) reads

- a basic field of a scalar or enum type, or a list of them, with `getattr` and the type's
  own output coercion (enums through a table built once);
- a basic field of an object type, or a list of objects, by executing its selection on the
  attribute directly;
- a field whose strawberry metadata names a `PRIMED` reader (a relation the list's root field
  already read for the whole page, schema/loaders.py) by calling that reader with the request
  context, without building an `Info` or going through strawberry's resolver wrapper.

A selection whose every field is plain, down to its leaves, runs as one compiled function
(schema/compiled.py): a page's whole tree in one call, no loop or call per object.

Any field that is not plain, or whose value could complete differently (a null where the type
forbids it, a coercion that fails or answers null, a missing attribute, a relation that was
not primed, an `is_type_of` that refuses the value) is executed by graphql-core itself, so
errors keep their paths, messages and null propagation. A field is read once either way:
the plain reads have no side effects, and a field goes one way or the other, never both.
Resolvers (and so every permission check and audit in `resolvers/`) run as before; nothing
here decides what a caller may see — a primed reader answers only what its root field read
through the use case.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.compiled import Compiled, compile_plan, static

log = logging.getLogger("motcua.execution")

PRIMED = "motcua.primed"  # strawberry field metadata key: a reader (source, context) → value
NOT_PRIMED = object()  # what a primed reader answers when the value was not read beforehand
_NOT_PLAIN = object()  # "execute this field the ordinary way"
_MISSING = object()
_UNCOMPILED = object()
_BUILT_IN = (GraphQLString, GraphQLInt, GraphQLBoolean, GraphQLID)
_AS_IS = {"String": str, "Int": int, "Boolean": bool, "ID": str}
_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1

Reader = Callable[[Any], Any]

LEAF, OBJECT, OBJECTS = 1, 2, 3


def _strawberry_field(field_def: Any) -> Any:
    return (field_def.extensions or {}).get("strawberry-definition")


def _attribute(field_def: Any) -> str | None:
    """The attribute a basic strawberry field reads, or None when it is not one."""
    if not getattr(field_def.resolve, "_is_default", False):
        return None
    definition = _strawberry_field(field_def)
    if definition is None or definition.default_resolver is not getattr:
        return None
    return definition.python_name


def _enum_names(leaf_type: Any) -> tuple[type, dict[int, str]] | None:
    """A strawberry enum's Python class and, by member identity, its GraphQL name: members
    are singletons for the life of the process, and `id` costs no call into the enum (its
    hash and `.value` are Python-level, both on every read of a page's statuses)."""
    wrapped = getattr(leaf_type, "wrapped_cls", None)
    if not isinstance(leaf_type, GraphQLEnumType) or wrapped is None:
        return None
    names: dict[Any, str] = {}
    for name, value in leaf_type.values.items():
        names.setdefault(value.value, name)
    return wrapped, {id(member): names[member.value] for member in wrapped
                     if member.value in names}


def _coercion(leaf_type: Any) -> Callable[[Any], Any]:
    """The leaf type's output coercion; for an enum a table from member to name, built once
    (strawberry's enum type compares the value with each of its values in turn)."""
    enum_names = _enum_names(leaf_type)
    if enum_names is not None:
        wrapped, by_member = enum_names
        slow = leaf_type.coerce_output_value

        def enum(value: Any) -> Any:
            name = by_member.get(id(value))
            if name is not None and value.__class__ is wrapped:
                return name
            return slow(value)

        return enum
    return leaf_type.coerce_output_value


def leaf_shape(type_: Any) -> tuple[str, bool, Any] | None:
    """How compiled code may read a leaf inline: ("str", nullable, None) for String and ID,
    ("enum", nullable, (class, names by member id)) for a strawberry enum, ("scalar",
    nullable, its serialize) for one of our scalars (DateTime: a page has hundreds);
    None otherwise."""
    nullable = not isinstance(type_, GraphQLNonNull)
    inner = type_ if nullable else type_.of_type
    if inner in (GraphQLString, GraphQLID):
        return "str", nullable, None
    enum_names = _enum_names(inner)
    if enum_names is not None:
        return "enum", nullable, enum_names
    if isinstance(inner, GraphQLScalarType) and inner not in _BUILT_IN + (GraphQLFloat,):
        return "scalar", nullable, inner.coerce_output_value
    return None


def _leaf_reader(name: str, type_: Any) -> Reader | None:
    """A reader for a basic field of a leaf type or a list of leaves; None otherwise."""
    non_null = isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if non_null else type_
    if is_leaf_type(inner):
        coerce = _coercion(inner)
        # Values already in their output form pass as they are (what the built-in scalars'
        # coercion answers for them); anything else is coerced.
        same = _AS_IS.get(inner.name) if inner in _BUILT_IN else None

        def leaf(source: Any) -> Any:
            value = getattr(source, name, _MISSING)
            if same is not None and type(value) is same and (
                    same is not int or _MIN_INT <= value <= _MAX_INT):  # type: ignore[operator]
                return value
            if value is None:
                return _NOT_PLAIN if non_null else None
            if value is _MISSING:
                return _NOT_PLAIN
            try:
                coerced = coerce(value)
            except Exception:  # noqa: BLE001  (graphql-core reports it with its path)
                return _NOT_PLAIN
            return _NOT_PLAIN if coerced is None or coerced is Undefined else coerced

        return leaf
    if not isinstance(inner, GraphQLList):
        return None
    item = inner.of_type
    item_non_null = isinstance(item, GraphQLNonNull)
    item = item.of_type if item_non_null else item
    if not is_leaf_type(item):
        return None
    coerce_item = _coercion(item)

    def leaves(source: Any) -> Any:
        values = getattr(source, name, _MISSING)
        if values is None:
            return _NOT_PLAIN if non_null else None
        if not isinstance(values, (list, tuple)):
            return _NOT_PLAIN
        out: list[Any] = []
        try:
            for value in values:
                if value is None:
                    if item_non_null:
                        return _NOT_PLAIN
                    out.append(None)
                    continue
                coerced = coerce_item(value)
                if coerced is None or coerced is Undefined:
                    return _NOT_PLAIN
                out.append(coerced)
        except Exception:  # noqa: BLE001
            return _NOT_PLAIN
        return out

    return leaves


def _object_reader(field_def: Any) -> tuple[int, Callable[[Any, Any], Any], Any] | None:
    """(OBJECT or OBJECTS, a reader (source, context) → value or NOT_PRIMED, the object type)
    for a basic or primed field of an object type or a list of objects; None otherwise."""
    type_ = field_def.type
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    kind = OBJECT
    if isinstance(inner, GraphQLList):
        kind, inner = OBJECTS, inner.of_type
        inner = inner.of_type if isinstance(inner, GraphQLNonNull) else inner
    if not isinstance(inner, GraphQLObjectType):
        return None
    attribute = _attribute(field_def)
    if attribute is not None:
        return kind, lambda source, _context: getattr(source, attribute, NOT_PRIMED), inner
    definition = _strawberry_field(field_def)
    primed = definition.metadata.get(PRIMED) if definition is not None else None
    if primed is None or definition.extensions or getattr(definition, "permission_classes", None):
        return None
    return kind, primed, inner


class _Plan:
    """How to execute one selection on one object type: per response name, its field details,
    its kind (LEAF, OBJECT, OBJECTS or 0: ordinary), the reader, the object type and the
    field's type."""

    __slots__ = ("compiled", "leaves", "fields", "nodes", "plain", "schema")

    def __init__(self, schema: GraphQLSchema, parent_type: GraphQLObjectType,
                 grouped_field_set: dict) -> None:
        self.schema = schema
        self.nodes = [details[0].node for details in grouped_field_set.values()]
        self.fields: list[tuple[str, Any, int, Any, Any, Any]] = []
        # A leaf's attribute and how compiled code may read it inline (leaf_shape).
        self.leaves: list[tuple[str, Any] | None] = []
        for response_name, details in grouped_field_set.items():
            field_def = schema.get_field(parent_type, details[0].node.name.value)
            kind, object_type = 0, None
            reader: Callable[..., Any] | None = None
            attribute = None
            field_type = field_def.type if field_def is not None else None
            if field_def is not None:
                attribute = _attribute(field_def)
                reader = _leaf_reader(attribute, field_def.type) if attribute else None
                if reader is not None:
                    kind = LEAF
                else:
                    found = _object_reader(field_def)
                    if found is not None:
                        kind, reader, object_type = found
            self.fields.append((response_name, details, kind, reader, object_type, field_type))
            self.leaves.append((attribute, leaf_shape(field_type))
                               if kind == LEAF and attribute else None)
        self.plain = any(entry[2] for entry in self.fields)
        # The whole selection as one function (schema/compiled.py), made at first use.
        self.compiled: Compiled | None | object = _UNCOMPILED

    def serves(self, schema: GraphQLSchema, grouped_field_set: dict) -> bool:
        """Made for this selection of this schema: the same AST nodes (the parser cache
        shares them between requests)."""
        return schema is self.schema and len(self.nodes) == len(grouped_field_set) and all(
            node is details[0].node for node, details in zip(self.nodes, grouped_field_set.values(),
                                                              strict=True))


# Plans by schema, object type and the selection's first AST node identities; the plan keeps
# the schema and the nodes, so an id cannot be reused while the plan is cached. Bounded: a
# deployment has a few hundred distinct selections; clearing costs one planning each.
_PLANS: dict[tuple, _Plan] = {}
_PLANS_MAX = 4096


def plan_for(schema: GraphQLSchema, parent_type: GraphQLObjectType, grouped_field_set: dict) -> _Plan:
    key = (id(schema), parent_type.name,
           *(id(details[0].node) for details in grouped_field_set.values()))
    plan = _PLANS.get(key)
    if plan is not None and plan.serves(schema, grouped_field_set):
        return plan
    if len(_PLANS) >= _PLANS_MAX:
        _PLANS.clear()
    plan = _PLANS[key] = _Plan(schema, parent_type, grouped_field_set)
    return plan


# What a field completed to when it is done: checked before graphql-core's is_awaitable, which
# looks for `__await__` on each (a failed attribute lookup per object of a page).
_SETTLED = frozenset({dict, list, type(None)})


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with plain fields read directly (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # This execution's plans by the grouped field set's identity (graphql-core memoises
        # the set per selection, so every row of a page hands over the same one; it is kept
        # alive with its plan so that its id is not reused).
        self._plans: dict[int, tuple[dict, _Plan]] = {}

    def build_response(self, data):  # noqa: ANN001, ANN201
        """The result, and the executor's one reference cycle broken: graphql-core keeps its
        own bound methods (`async_helpers`), so an executor, and with it the request's context,
        loaders and every row they read, lived until the cyclic collector found them, which
        took about a twentieth of a page's CPU (issue 15). Built last: nothing executes after."""
        response = super().build_response(data)
        self.async_helpers = None
        return response

    def execute_fields(self, parent_type, source_value, path, grouped_field_set,  # noqa: ANN001, ANN201
                       position_context):
        mine = self._plans.get(id(grouped_field_set))
        if mine is None:
            mine = self._plans[id(grouped_field_set)] = (
                grouped_field_set, plan_for(self.schema, parent_type, grouped_field_set))
        plan = mine[1]
        if not plan.plain:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                          position_context)
        compiled = plan.compiled
        if compiled is _UNCOMPILED:
            compiled = self._compile(plan)
        if compiled is not None:
            done = compiled(source_value, self.context_value)
            if done is not None:
                return done
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        context = self.context_value
        try:
            for response_name, details, kind, reader, object_type, field_type in plan.fields:
                if kind == LEAF:
                    value = reader(source_value)
                    if value is not _NOT_PLAIN:
                        results[response_name] = value
                        continue
                field_path = Path(path, response_name, parent_type.name)
                result = _NOT_PLAIN
                if kind == OBJECT or kind == OBJECTS:
                    try:
                        value = reader(source_value, context)
                    except Exception:  # noqa: BLE001  (the resolver reports it with its path)
                        value = NOT_PRIMED
                    if value is None:
                        if not isinstance(field_type, GraphQLNonNull):
                            result = None
                    elif value is not NOT_PRIMED:
                        result = (self._object(value, object_type, field_type, details, field_path)
                                  if kind == OBJECT else
                                  self._objects(value, object_type, field_type, details,
                                                field_path))
                if result is _NOT_PLAIN:
                    result = self.execute_field(parent_type, source_value, details, field_path,
                                                position_context)
                    if result is Undefined:
                        continue
                results[response_name] = result
                if result.__class__ not in _SETTLED and is_awaitable(result):
                    awaitable_fields.append(response_name)
        except Exception:
            # A non-null field's error propagates to the parent; what other fields started
            # is settled, as graphql-core's execute_fields does.
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _gathered(results, awaitable_fields)

    def _compile(self, plan: _Plan) -> Compiled | None:
        """The plan's compiled function, or None when a field, or a field below, is not plain
        or the selections below depend on the variables (schema/compiled.py)."""
        details = [d for entry in plan.fields for d in entry[1]]
        compiled = None
        if all(d.defer_usage is None and d.fragment_variable_values is None for d in details) \
                and static([d.node for d in details], self.fragments):

            def nested(object_type: GraphQLObjectType, field_details: Any) -> Compiled | None:
                grouped = self.collect_subfields(object_type, field_details)[0]
                sub = plan_for(self.schema, object_type, grouped)
                if not sub.plain:
                    return None
                made = self._compile(sub) if sub.compiled is _UNCOMPILED else sub.compiled
                return cast("Compiled | None", made)

            try:
                compiled = compile_plan(plan.fields, plan.leaves, nested,
                                        (_NOT_PLAIN, NOT_PRIMED, LEAF, OBJECTS))
            except Exception:  # noqa: BLE001  (never a request's failure: the ordinary way)
                log.exception("the selection %s could not be compiled",
                              [entry[0] for entry in plan.fields])
                compiled = None
        plan.compiled = compiled
        return compiled

    def _object(self, value: Any, object_type: GraphQLObjectType, field_type: Any, details: Any,
                path: Path) -> Any:
        """A plain field of an object type: its selection executed on the value, errors handled
        as graphql-core's execute_field handles them; _NOT_PLAIN if the type refuses it."""
        if not _accepts(object_type, value):
            return _NOT_PLAIN
        grouped = self.collect_subfields(object_type, details)[0]
        try:
            completed = self.execute_fields(object_type, value, path, grouped, None)
        except Exception as raw_error:  # noqa: BLE001  (a non-null child's error bubbles here)
            self.handle_field_error(raw_error, field_type, details, path)
            return None
        return self._settled(completed, field_type, details, path)

    def _objects(self, values: Any, object_type: GraphQLObjectType, field_type: Any,
                 details: Any, path: Path) -> Any:
        """A plain field of a list of objects; _NOT_PLAIN unless every item is an object the
        type accepts (graphql-core then reports what is wrong, item by item)."""
        if not isinstance(values, (list, tuple)) or any(
                v is None or not _accepts(object_type, v) for v in values):
            return _NOT_PLAIN
        grouped = self.collect_subfields(object_type, details)[0]
        items: list[Any] = []
        pending: list[int] = []
        try:
            for index, value in enumerate(values):
                item = self.execute_fields(object_type, value, Path(path, index, None), grouped,
                                           None)
                if item.__class__ not in _SETTLED and self.is_awaitable(item):
                    pending.append(index)
                items.append(item)
        except Exception as raw_error:  # noqa: BLE001  (items are non-null objects here)
            if pending:
                self.settle_in_background([items[i] for i in pending])
            self.handle_field_error(raw_error, field_type, details, path)
            return None
        if not pending:
            return items

        async def awaited() -> list[Any]:
            done = await gather_with_cancel(*(items[i] for i in pending))
            for i, item in zip(pending, done, strict=True):
                items[i] = item
            return items

        return self._settled(awaited(), field_type, details, path)

    def _settled(self, completed: Any, field_type: Any, details: Any, path: Path) -> Any:
        if completed.__class__ in _SETTLED or not self.is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as raw_error:  # noqa: BLE001
                self.handle_field_error(raw_error, field_type, details, path)
                return None

        return await_completed()


def _accepts(object_type: GraphQLObjectType, value: Any) -> bool:
    """The type's `is_type_of` (strawberry's ignores the resolve info), when it has one."""
    is_type_of = object_type.is_type_of
    return is_type_of is None or bool(is_type_of(value, cast(Any, None)))


async def _gathered(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    if len(awaitable_fields) == 1:
        name = awaitable_fields[0]
        results[name] = await results[name]
        return results
    awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
    results.update(zip(awaitable_fields, awaited, strict=True))
    return results
