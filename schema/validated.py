"""Validation remembered per parsed document (schema/memo.py), in place of strawberry's
ValidationCache.

strawberry's cache is an lru_cache over (schema, document, rules): every lookup hashes the
whole document tree, node by node, which cost as much as a twentieth of a one-dossier read
(issue 15). The parser cache already hands back the same document object for the same text,
so the document's identity is the key; the answer (the errors, or none) is the same as
validating again: it depends on the schema, the document and the rules only.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from schema.memo import MISSING, NodeMemo

_VALIDATED = NodeMemo()


class ValidatedOnce(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document, schema = execution.graphql_document, execution.schema._schema
        if document is not None:
            rules = tuple(execution.validation_rules)
            errors = _VALIDATED.get((document, schema), rules)
            if errors is MISSING:
                errors = _VALIDATED.put((document, schema),
                                        validate_document(schema, document, rules), rules)
            execution.pre_execution_errors = errors
        yield


__all__ = ["ValidatedOnce"]
