"""Turning exceptions into GraphQL errors with a stable `extensions.code`.

Domain errors (bad input, not found, forbidden, conflict) are shown as they are, with the
field they name; an unreachable database is SERVICE_UNAVAILABLE and makes the HTTP answer
503 with `Retry-After`; anything unexpected is masked to a request id and logged.
"""

from __future__ import annotations

import logging
import re
import uuid

from graphql import GraphQLError

from resolvers.errors import DomainError, is_outage, is_unchecked_input
from schema.messages import language, translate

log = logging.getLogger("motcua.errors")

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def _classify(error: GraphQLError, request_id: str, hide_suggestions: bool = False) -> bool:
    """Set the error's code in place; True when it says the database is unavailable."""
    original = error.original_error
    if is_outage(original):
        log.warning("request %s: database unavailable (%s)", request_id, type(original).__name__)
        error.message = "the database is unavailable; retry later"
        error.extensions = {"code": "SERVICE_UNAVAILABLE", "requestId": request_id}
        error.original_error = None
        return True
    if is_unchecked_input(original):
        error.message = "a value is too long or malformed"
        error.extensions = {"code": "BAD_USER_INPUT"}
        log.warning("request %s: unchecked input reached the ORM: %s", request_id, original)
    elif isinstance(original, DomainError):
        extensions: dict[str, object] = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        extensions.update({k: v for k, v in original.extra.items()
                           if k not in ("field", "action", "audit")})
        error.message, error.extensions = original.message, extensions
    elif original is None or isinstance(original, GraphQLError):
        # Parse, validation and variable-coercion errors: the client's document is wrong.
        code = "QUERY_TOO_COMPLEX" if "Document contains more than" in error.message \
            else "BAD_USER_INPUT"
        error.extensions = {"code": code, **(error.extensions or {})}
        if hide_suggestions:  # suggestions would reveal the schema with introspection off
            error.message = _SUGGESTION.sub("", error.message)
    else:
        log.error("request %s failed", request_id, exc_info=original)
        error.message = f"internal error; request id {request_id}"
        error.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        error.original_error = None  # nothing of it may reach the response
    return False


def classify_errors(errors: list[GraphQLError], context: object, *,
                    hide_suggestions: bool = False) -> None:
    """Give each error its code; called by the schema's `process_errors` for every error,
    including parse errors that strawberry raises before any extension hook sees them."""
    actor = getattr(context, "actor", None)
    request_id = getattr(actor, "request_id", None) or uuid.uuid4().hex
    request = getattr(context, "request", None)
    lang = language(request.headers.get("accept-language") if request is not None else None)
    outage = False
    for error in errors:
        outage = _classify(error, request_id, hide_suggestions) or outage
        error.message = translate(error.message, lang)  # the words only; codes never change
        _let_go(error)
    response = getattr(context, "response", None)
    if outage and response is not None:
        wait = getattr(context, "retry_after", 5)
        response.status_code = 503
        response.headers["Retry-After"] = str(wait)


def _let_go(error: BaseException) -> None:
    """Drop the tracebacks of an error and of what caused it, once it is classified (and, if
    internal, logged with its traceback above): a traceback's frames hold the request's
    objects, among them the error itself, a reference cycle that kept the whole request alive
    until the cyclic collector ran (issue 15). The response needs only the messages."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = None
        pending += [current.__cause__, current.__context__, getattr(current, "original_error", None)]

