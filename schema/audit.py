"""The inspectors' audit queries: the trail in their jurisdiction and its verification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

import strawberry
from strawberry.scalars import JSON

from resolvers import audit_log
from resolvers.audit_log import AuditOutcome
from schema.context import Info
from schema.pagination import Connection

AuditOutcomeEnum = strawberry.enum(AuditOutcome, name="AuditOutcome")


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
    occurrences: int = strawberry.field(description="How many identical refusals this entry "
                                                    "stands for (a burst is counted, not repeated).")

    @classmethod
    def from_row(cls, row) -> AuditEntry:  # noqa: ANN001
        return cls(id=row.id, seq=row.seq, at=row.at,
                   actor=AuditActor(kind=row.actor_kind, username=row.actor_username,
                                    roles=row.actor_roles),
                   action=row.action, object_type=row.object_type, object_id=row.object_id,
                   unit_path=row.unit_path, outcome=row.outcome, reason=row.reason,
                   operation_name=row.operation_name, request_id=row.request_id,
                   client_address=row.client_address, changes=row.changes,
                   occurrences=row.occurrences)


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
class AuditConnection(Connection[AuditEntry]):
    pass


@strawberry.type
class AuditVerification:
    ok: bool
    checked: int
    first_bad_id: Optional[int]
    problem: Optional[str]
    checkpoint: Optional[str] = strawberry.field(description=(
        "When the chain is intact: `<seq>:<hash>` of its last entry (of each lane's last, "
        "`<lane>/<seq>:<hash>` outside lane 1, joined by commas, when several processes write "
        "it). Keep it outside this system and pass it as `expected` next time: the chain must "
        "still contain it."))
    archived_through: Optional[int] = strawberry.field(default=None, description=(
        "Where the archived months end (months detached from the database after a "
        "verification, docs/operations.md): entries up to this seq were archived when the "
        "chain has one lane; with several, each lane's last archived seq added up. The chain "
        "was checked from their sealed end."))


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The audit trail in your jurisdiction, newest first.")
    async def audit_log(
        self, info: Info, filter: Optional[AuditFilter] = None, first: Optional[int] = None,
        after: Optional[str] = None,
    ) -> AuditConnection:
        page = await audit_log.list_entries(
            actor=info.context.actor, flt=filter.to_use_case() if filter else None,
            first=first, after=after)
        return AuditConnection.of(page, AuditEntry.from_row)

    @strawberry.field(description="The actions recorded in your part of the trail, sorted: "
                                  "the values `auditLog(filter: {action})` can match.")
    async def audit_actions(self, info: Info) -> list[str]:
        return await audit_log.list_actions(actor=info.context.actor)

    @strawberry.field(description="Check the hash chain; names the first bad entry.")
    async def verify_audit_trail(
        self, info: Info,
        expected: Annotated[Optional[str], strawberry.argument(description=(
            "A checkpoint from an earlier verification that must still be in the chain."))] = None,
    ) -> AuditVerification:
        result = await audit_log.verify_trail(actor=info.context.actor, expected=expected)
        return AuditVerification(ok=result.ok, checked=result.checked,
                                 first_bad_id=result.first_bad_id, problem=result.problem,
                                 checkpoint=str(result.checkpoint) if result.checkpoint else None,
                                 archived_through=result.archived_through or None)
