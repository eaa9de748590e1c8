"""Turning exceptions into GraphQL errors with a stable `extensions.code`.

Domain errors (bad input, not found, forbidden, conflict) are shown as they are, with
the field they name; anything unexpected is masked to a request id and logged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from models.errors import DomainError

log = logging.getLogger("motcua.errors")


def _classify(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        extensions = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        extensions.update({k: v for k, v in original.extra.items() if k != "field"})
        return GraphQLError(original.message, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path,
                            original_error=original, extensions=extensions)
    if original is None or isinstance(original, GraphQLError):
        # Parse, validation and variable-coercion errors: the client's document is wrong.
        code = (error.extensions or {}).get("code", "BAD_USER_INPUT")
        error.extensions = {**(error.extensions or {}), "code": code}
        return error
    log.error("request %s failed", request_id, exc_info=original)
    return GraphQLError(
        f"internal error; request id {request_id}", nodes=error.nodes, path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


class ErrorCodes(SchemaExtension):
    """Give every error a code from API.md; hide internals behind the request id."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if not result or not result.errors:
            return
        context = self.execution_context.context
        actor = getattr(context, "actor", None)
        request_id = getattr(actor, "request_id", None) or uuid.uuid4().hex
        result.errors = [_classify(e, request_id) for e in result.errors]
