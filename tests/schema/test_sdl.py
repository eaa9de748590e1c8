"""The committed SDL matches the code, so every API change shows up in review."""

from __future__ import annotations

from pathlib import Path

from schema import schema

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_is_up_to_date():
    assert SDL.read_text() == schema.as_str() + "\n", "run `make schema` and commit schema.graphql"
