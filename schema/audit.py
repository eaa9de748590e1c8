"""Recording every GraphQL operation, and the inspectors' audit queries."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Optional

import strawberry
from graphql import FieldNode, GraphQLError, get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON

from audit import record, start_request
from models.audit import AuditOutcome
from models.errors import DomainError, Forbidden, Unauthenticated
from resolvers import audit_log
from schema.context import Info
from schema.pagination import PageInfo

log = logging.getLogger("motcua.audit")
AuditOutcomeEnum = strawberry.enum(AuditOutcome, name="AuditOutcome")


def _summary(execution) -> tuple[str, AuditOutcome, str | None]:  # noqa: ANN001
    """The action name (`query:dossiers,me`), the outcome and the reason of a failure."""
    document = execution.graphql_document
    operation = get_operation_ast(document, execution.operation_name) if document else None
    if operation is None:
        action = "graphql:invalid"
    else:
        roots = sorted({s.name.value for s in operation.selection_set.selections
                        if isinstance(s, FieldNode)})
        action = f"{operation.operation.value}:{','.join(roots)}"
    errors = list(execution.pre_execution_errors or [])
    if execution.result and execution.result.errors:
        errors += [e for e in execution.result.errors if e not in errors]
    if not errors:
        return action, AuditOutcome.ALLOWED, None
    denied = [e for e in errors if isinstance(e.original_error, (Forbidden, Unauthenticated))]
    first = (denied or errors)[0]
    outcome = AuditOutcome.DENIED if denied else AuditOutcome.ERROR
    if isinstance(first.original_error, DomainError) or first.original_error is None:
        return action, outcome, first.message[:500]
    return action, outcome, "internal error"


class AuditOperations(SchemaExtension):
    """One entry per operation, written before the response leaves; no entry, no answer."""

    async def on_operation(self) -> AsyncIterator[None]:
        execution = self.execution_context
        written = start_request(lambda: execution.operation_name)
        try:
            yield
        except GraphQLError as refusal:
            # Refused before execution (a limit, an unparsable document): still an action.
            await self._refused(refusal)
            raise
        execution = self.execution_context
        actor = getattr(execution.context, "actor", None)
        if actor is None:
            return
        action, outcome, reason = _summary(execution)
        if outcome is AuditOutcome.ALLOWED and written[0] and action.startswith("mutation:"):
            return  # the use case recorded the action, with its changes, in its transaction
        try:
            await record(actor=actor, action=action, outcome=outcome, reason=reason,
                         operation_name=execution.operation_name)
        except Exception:  # the trail must be complete: refuse to answer without it
            log.exception("audit write failed for request %s", actor.request_id)
            if execution.result is not None:
                execution.result.data = None
                execution.result.errors = [GraphQLError(
                    f"audit trail unavailable; request id {actor.request_id}",
                    extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": actor.request_id})]


    async def _refused(self, refusal: GraphQLError) -> None:
        actor = getattr(self.execution_context.context, "actor", None)
        if actor is None:
            return
        limited = (refusal.extensions or {}).get("code") == "QUERY_TOO_COMPLEX" or \
            "Document contains more than" in refusal.message
        await record(actor=actor, action="graphql:refused",
                     outcome=AuditOutcome.DENIED if limited else AuditOutcome.ERROR,
                     reason=refusal.message[:500])


@strawberry.type
class AuditActor:
    kind: str
    username: Optional[str]
    roles: Optional[str]


@strawberry.type
class AuditEntry:
    id: int
    seq: Optional[int]
    at: datetime
    actor: AuditActor
    action: str
    object_type: Optional[str]
    object_id: Optional[str]
    unit_path: Optional[str]
    outcome: AuditOutcome
    reason: Optional[str]
    operation_name: Optional[str]
    request_id: Optional[str]
    client_address: Optional[str]
    changes: Optional[JSON]

    @classmethod
    def from_row(cls, row) -> AuditEntry:  # noqa: ANN001
        return cls(id=row.id, seq=row.seq, at=row.at,
                   actor=AuditActor(kind=row.actor_kind, username=row.actor_username,
                                    roles=row.actor_roles),
                   action=row.action, object_type=row.object_type, object_id=row.object_id,
                   unit_path=row.unit_path, outcome=row.outcome, reason=row.reason,
                   operation_name=row.operation_name, request_id=row.request_id,
                   client_address=row.client_address, changes=row.changes)


@strawberry.input
class AuditFilter:
    actor: Optional[str] = None
    action: Optional[str] = None
    object_type: Optional[str] = None
    object_id: Optional[str] = None
    unit_code: Optional[str] = None
    outcome: Optional[AuditOutcome] = None
    at_from: Optional[datetime] = strawberry.field(default=None, name="from")
    at_to: Optional[datetime] = strawberry.field(default=None, name="to")

    def to_use_case(self) -> audit_log.AuditFilter:
        return audit_log.AuditFilter(**vars(self))


@strawberry.type
class AuditEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditConnection:
    edges: list[AuditEdge]
    page_info: PageInfo


@strawberry.type
class AuditVerification:
    ok: bool
    checked: int
    first_bad_id: Optional[int]
    problem: Optional[str]


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The audit trail in your jurisdiction, newest first.")
    async def audit_log(
        self, info: Info, filter: Optional[AuditFilter] = None, first: Optional[int] = None,
        after: Optional[str] = None,
    ) -> AuditConnection:
        rows, has_next = await audit_log.list_entries(
            actor=info.context.actor, flt=filter.to_use_case() if filter else None,
            first=first, after=after)
        edges = [AuditEdge(cursor=audit_log.cursor_of(r), node=AuditEntry.from_row(r))
                 for r in rows]
        return AuditConnection(edges=edges, page_info=PageInfo(
            has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="Check the hash chain; names the first bad entry.")
    async def verify_audit_trail(self, info: Info) -> AuditVerification:
        result = await audit_log.verify_trail(actor=info.context.actor)
        return AuditVerification(ok=result.ok, checked=result.checked,
                                 first_bad_id=result.first_bad_id, problem=result.problem)
