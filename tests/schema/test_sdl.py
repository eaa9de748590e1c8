"""The committed SDL matches the code, so every API change shows up in review."""

from __future__ import annotations

from pathlib import Path

from schema import schema

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_is_up_to_date():
    assert SDL.read_text() == schema.as_str() + "\n", "run `make schema` and commit schema.graphql"


def test_every_type_field_argument_and_value_is_described():
    """Frontend teams read the schema in GraphiQL: nothing in it may be left bare."""
    from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

    bare = []
    for name, kind in schema._schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not kind.description:
            bare.append(name)
        if isinstance(kind, (GraphQLObjectType, GraphQLInputObjectType)):
            for field_name, field in kind.fields.items():
                bare += [f"{name}.{field_name}"] if not field.description else []
                bare += [f"{name}.{field_name}({a})" for a, arg in getattr(field, "args", {}).items()
                         if not arg.description]
        if isinstance(kind, GraphQLEnumType):
            bare += [f"{name}.{v}" for v, value in kind.values.items() if not value.description]
    assert bare == []
