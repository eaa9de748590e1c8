"""Two operation-level extensions (no per-field hooks, see PITFALLS):

- `Observed` leaves each operation's name, type and error codes in the request's state,
  where the HTTP layer logs and counts them once the request ends (web/observe.py);
- `LagTolerantReads` runs a query whose root fields all tolerate the replica's lag
  (`REPLICA_FIELDS`) with reads from the replica (resolvers/reads.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, get_operation_ast
from strawberry.extensions import SchemaExtension

from resolvers import reads

REPLICA_FIELDS = frozenset({"metrics", "auditLog"})


def _operation(execution: Any) -> Any:
    document = execution.graphql_document
    return get_operation_ast(document, execution.operation_name) if document else None


def _codes(execution: Any) -> list[str]:
    errors: list[GraphQLError] = list(execution.pre_execution_errors or [])
    if execution.result is not None and execution.result.errors:
        errors += [e for e in execution.result.errors if e not in errors]
    return [str((e.extensions or {}).get("code") or "INTERNAL_SERVER_ERROR") for e in errors]


class Observed(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        try:
            yield
        finally:
            execution = self.execution_context
            request = getattr(execution.context, "request", None)
            state = getattr(request, "scope", {}).get("state") if request is not None else None
            if state is not None:
                operation = _operation(execution)
                state.setdefault("operations", []).append({
                    "name": execution.operation_name,
                    "type": operation.operation.value if operation is not None else None,
                    "codes": _codes(execution)})


class LagTolerantReads(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        operation = _operation(self.execution_context)
        roots = {s.name.value for s in operation.selection_set.selections
                 if isinstance(s, FieldNode)} if operation is not None else set()
        if operation is None or operation.operation.value != "query" or not roots \
                or not roots <= REPLICA_FIELDS:
            yield
            return
        with reads.reads_from_replica():
            yield
