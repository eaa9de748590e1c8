"""Recording what happened to each GraphQL operation (the rule is in audit/__init__.py).

- a query: one entry, ALLOWED, or the outcome and reason of its first failure;
- a mutation: nothing when every root field succeeded (each use case recorded its change
  in its own transaction), else one entry per failed root field, named by the use case's
  refusal (`dossier:ACCEPT` on a dossier) when it said, else by the field
  (`mutation:transitionDossier`);
- a subscription: nothing when its use case recorded the subscribe and unsubscribe, else
  its refusal or failure like a query's;
- a document refused before execution (unparsable, invalid, over a limit): one entry.

Refusals and failures go through `audit.bursts`. If the trail cannot be written, the
operation's data is withheld: no entry, no answer.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, get_operation_ast
from strawberry.extensions import SchemaExtension

from audit import bursts, record, start_request
from resolvers.audit_log import AuditOutcome
from resolvers.errors import DomainError, Forbidden, RateLimited, Unauthenticated, is_outage

log = logging.getLogger("motcua.audit")
_DENIALS = (Forbidden, Unauthenticated, RateLimited)


def _operation(execution: Any) -> OperationDefinitionNode | None:
    document = execution.graphql_document
    return get_operation_ast(document, execution.operation_name) if document else None


def _roots(operation: OperationDefinitionNode) -> list[str]:
    return sorted({s.name.value for s in operation.selection_set.selections
                   if isinstance(s, FieldNode)})


def _errors(execution: Any) -> list[GraphQLError]:
    errors = list(execution.pre_execution_errors or [])
    if execution.result and execution.result.errors:
        errors += [e for e in execution.result.errors if e not in errors]
    return errors


def _judged(error: GraphQLError) -> tuple[AuditOutcome, str, str | None, dict[str, Any]]:
    """Outcome, reason, error code and the use case's audit hint of one error."""
    original = error.original_error
    outcome = AuditOutcome.DENIED if isinstance(original, _DENIALS) else AuditOutcome.ERROR
    code = (error.extensions or {}).get("code")
    hint = original.extra.get("audit") if isinstance(original, DomainError) else None
    if isinstance(original, DomainError) or original is None:
        reason = error.message[:500]
    else:
        reason = "internal error"
    if code == "QUERY_TOO_COMPLEX":
        outcome = AuditOutcome.DENIED
    return outcome, reason, code, hint if isinstance(hint, dict) else {}


class AuditOperations(SchemaExtension):
    """See the module docstring."""

    async def on_operation(self) -> AsyncIterator[None]:
        execution = self.execution_context
        written = start_request(lambda: execution.operation_name)
        try:
            yield
        except GraphQLError as refusal:
            # Refused before execution by an extension (a limit): still an action.
            await self._write(self._refused(refusal))
            raise
        actor = getattr(execution.context, "actor", None)
        if actor is None:
            return
        if any((e.extensions or {}).get("code") == "SERVICE_UNAVAILABLE" for e in _errors(execution)):
            return  # the database is not answering: an entry could not be written either
        try:
            await self._write(self._entries(execution, actor, written[0]))
        except Exception as failure:  # the trail must be complete: refuse to answer without it
            log.exception("audit write failed for request %s", actor.request_id)
            self._withhold(execution, actor, failure)

    def _entries(self, execution: Any, actor: Any, written: int) -> list[dict[str, Any]]:
        operation = _operation(execution)
        errors = _errors(execution)
        base = dict(actor=actor, operation_name=execution.operation_name)
        if operation is None:
            outcome, reason, code, _ = _judged(errors[0]) if errors else (
                AuditOutcome.ERROR, "no operation", None, {})
            return [dict(base, action="graphql:invalid", outcome=outcome, reason=reason, code=code)]
        kind = operation.operation.value
        if kind != "mutation" or not errors:
            if kind in ("mutation", "subscription") and written:
                return []  # every root field succeeded and recorded its own change
            action = f"{kind}:{','.join(_roots(operation))}"
            if not errors:
                return [dict(base, action=action, outcome=AuditOutcome.ALLOWED)]
            outcome, reason, code, _ = _judged(errors[0])
            return [dict(base, action=action, outcome=outcome, reason=reason, code=code)]
        entries, seen = [], set()
        for error in errors:
            root = str(error.path[0]) if error.path else None
            if root in seen:
                continue
            seen.add(root)
            outcome, reason, code, hint = _judged(error)
            entries.append(dict(base, action=hint.get("action") or f"mutation:{root or 'invalid'}",
                                outcome=outcome, reason=reason, code=code,
                                object_type=hint.get("object_type"), object_id=hint.get("object_id"),
                                unit_path=hint.get("unit_path")))
        return entries

    def _refused(self, refusal: GraphQLError) -> list[dict[str, Any]]:
        actor = getattr(self.execution_context.context, "actor", None)
        if actor is None:
            return []
        limited = (refusal.extensions or {}).get("code") == "QUERY_TOO_COMPLEX" or \
            "Document contains more than" in refusal.message
        return [dict(actor=actor, action="graphql:refused", reason=refusal.message[:500],
                     outcome=AuditOutcome.DENIED if limited else AuditOutcome.ERROR,
                     code="QUERY_TOO_COMPLEX" if limited else "BAD_USER_INPUT",
                     operation_name=self.execution_context.operation_name)]

    @staticmethod
    async def _write(entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            if entry["outcome"] is AuditOutcome.ALLOWED:
                await record(**{k: v for k, v in entry.items() if k != "code"})
            else:
                await bursts.refuse(**entry)

    @staticmethod
    def _withhold(execution: Any, actor: Any, failure: Exception) -> None:
        if execution.result is None:
            return
        outage = is_outage(failure)
        code = "SERVICE_UNAVAILABLE" if outage else "INTERNAL_SERVER_ERROR"
        execution.result.data = None
        execution.result.errors = [GraphQLError(
            f"audit trail unavailable; request id {actor.request_id}",
            extensions={"code": code, "requestId": actor.request_id})]
        response = getattr(execution.context, "response", None)
        if outage and response is not None:
            response.status_code = 503
            response.headers["Retry-After"] = str(getattr(execution.context, "retry_after", 5))
