"""What a list field primes: the names selected below it, read from the document's nodes."""

from __future__ import annotations

from types import SimpleNamespace

from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse

from schema import loaders
from schema.loaders import selected_below


def _info(text: str) -> SimpleNamespace:
    document = parse(text)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    return SimpleNamespace(_raw_info=SimpleNamespace(field_nodes=[root], fragments=fragments))


PAGE = """query { dossiers { edges { node { code ...Rel ... on Dossier { events { at } } } } } }
fragment Rel on Dossier { first: procedure { code } unit { ...Named } }
fragment Named on AdministrativeUnit { name ...Rel }"""


def test_names_through_fragments_inline_fragments_and_aliases():
    names = selected_below(_info(PAGE))
    # aliases name the field they select; a fragment spread within itself is walked once
    assert {"edges", "node", "code", "procedure", "unit", "name", "events", "at"} <= names
    assert "first" not in names and "Rel" not in names


def test_a_relation_not_selected_is_not_named():
    names = selected_below(_info("{ dossiers { edges { node { code unit { code } } } } }"))
    assert "procedure" not in names and "events" not in names and "unit" in names


def test_remembered_per_node_and_walked_once(monkeypatch):
    info = _info(PAGE)
    walks = []
    real = loaders._names_below
    monkeypatch.setattr(loaders, "_names_below", lambda *a: walks.append(1) or real(*a))
    first = selected_below(info)
    assert selected_below(info) == first and len(walks) == 1
    # Another document (the same text parsed again: new nodes) is walked for itself.
    other = _info("{ dossiers { edges { node { code } } } }")
    assert "procedure" not in selected_below(other) and len(walks) == 2
