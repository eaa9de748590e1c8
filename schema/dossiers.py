"""Dossier types, the dossier queries and the lifecycle mutations."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry

from models import Dossier as DossierRow
from models.dossiers import ApplicantKind, Channel, DossierStatus, Timeliness
from policies import jurisdiction
from resolvers import audit_log, clock
from resolvers import dossiers as use_cases
from resolvers.deadlines import current_timeliness
from resolvers.lifecycle import DossierAction
from schema.audit import AuditEntry
from schema.catalogue import AdministrativeUnit, Procedure
from schema.context import Info
from schema.pagination import PageInfo


def _mask(value: str | None, keep: int = 3) -> str | None:
    """Show only the last digits, enough for a clerk to confirm with the applicant."""
    if value is None:
        return None
    return "*" * max(len(value) - keep, 0) + value[-keep:]


@strawberry.type
class Applicant:
    name: str
    kind: ApplicantKind
    id_number: Optional[str]
    phone: Optional[str]
    address: Optional[str]


@strawberry.type
class Actor:
    username: str


@strawberry.type
class DossierEvent:
    at: datetime
    action: str
    from_status: Optional[DossierStatus]
    to_status: DossierStatus
    actor: Actor
    note: Optional[str]


@strawberry.type
class DossierBase:
    """Fields shared by the full dossier and its public tracking view."""

    code: str
    channel: Channel
    status: DossierStatus
    national_status_code: int
    received_at: Optional[datetime]
    due_at: Optional[datetime]
    finished_at: Optional[datetime]
    returned_at: Optional[datetime]
    timeliness: Timeliness
    _procedure_id: strawberry.Private[int]
    _unit_id: strawberry.Private[int]

    @strawberry.field
    async def procedure(self, info: Info) -> Procedure:
        return Procedure.from_row(await info.context.loaders.procedure.load(self._procedure_id))

    @strawberry.field
    async def unit(self, info: Info) -> AdministrativeUnit:
        return AdministrativeUnit.from_row(await info.context.loaders.unit.load(self._unit_id))

    @staticmethod
    def common(row: DossierRow) -> dict:
        return dict(
            code=row.code, channel=row.channel, status=row.status,
            national_status_code=row.national_status_code, received_at=row.received_at,
            due_at=row.due_at, finished_at=row.finished_at, returned_at=row.returned_at,
            timeliness=current_timeliness(row, clock.now()),
            _procedure_id=row.procedure_id, _unit_id=row.unit_id,
        )


@strawberry.type(description="The public view of a dossier: status and dates, no personal data.")
class DossierTracking(DossierBase):
    @classmethod
    def from_row(cls, row: DossierRow) -> DossierTracking:
        return cls(**DossierBase.common(row))


@strawberry.type
class Dossier(DossierBase):
    submitted_at: datetime
    legal_due_at: Optional[datetime]
    applicant: Applicant
    fee: int
    paid_online: bool
    supplement_count: int
    extension_reason: Optional[str]
    version: int
    _id: strawberry.Private[int]
    _unit_path: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: DossierRow, info: Info) -> Dossier:
        pii = _pii_visible(info, row.unit_path)
        applicant = Applicant(
            name=row.applicant_name, kind=row.applicant_kind,
            id_number=row.applicant_id_number if pii else _mask(row.applicant_id_number),
            phone=row.applicant_phone if pii else _mask(row.applicant_phone),
            address=row.applicant_address if pii else (row.applicant_address and "***"),
        )
        return cls(
            **DossierBase.common(row), submitted_at=row.submitted_at,
            legal_due_at=row.legal_due_at, applicant=applicant, fee=row.fee,
            paid_online=row.paid_online, supplement_count=row.supplement_count,
            extension_reason=row.extension_reason, version=row.version, _id=row.id,
            _unit_path=row.unit_path,
        )

    @strawberry.field(description="The dossier's audit entries (needs audit:read at its unit).")
    async def history(self, info: Info) -> list[AuditEntry]:
        rows = await audit_log.dossier_history(actor=info.context.actor, code=self.code,
                                               unit_path=self._unit_path)
        return [AuditEntry.from_row(r) for r in rows]

    @strawberry.field
    async def events(self, info: Info) -> list[DossierEvent]:
        rows = await info.context.loaders.events.load(self._id)
        return [
            DossierEvent(at=e.at, action=e.action, from_status=e.from_status,
                         to_status=e.to_status, actor=Actor(username=e.actor_username),
                         note=e.note)
            for e in rows
        ]


def _pii_visible(info: Info, unit_path: str) -> bool:
    context = info.context
    if context.pii_scope is None:
        context.pii_scope = jurisdiction(context.actor, "dossier", "read_pii")
    return context.pii_scope.covers(unit_path)


@strawberry.input
class DossierFilter:
    unit_code: Optional[str] = None
    status: Optional[list[DossierStatus]] = None
    channel: Optional[Channel] = None
    procedure_code: Optional[str] = None
    received_from: Optional[datetime] = None
    received_to: Optional[datetime] = None
    overdue: Optional[bool] = None
    search: Optional[str] = None

    def to_use_case(self) -> use_cases.DossierFilter:
        values = vars(self) | {"status": tuple(self.status or ())}
        return use_cases.DossierFilter(**values)


@strawberry.type
class DossierEdge:
    cursor: str
    node: Dossier


@strawberry.type
class DossierConnection:
    edges: list[DossierEdge]
    page_info: PageInfo
    _page: strawberry.Private[use_cases.DossierPage]

    @strawberry.field(description="Matching dossiers in the caller's jurisdiction (one COUNT).")
    async def total_count(self) -> int:
        return await self._page.count()


@strawberry.type
class DossierQuery:
    @strawberry.field
    async def dossiers(
        self, info: Info, filter: Optional[DossierFilter] = None,
        first: Optional[int] = None, after: Optional[str] = None,
    ) -> DossierConnection:
        page = await use_cases.list_dossiers(
            actor=info.context.actor, flt=filter.to_use_case() if filter else None,
            first=first, after=after,
        )
        edges = [DossierEdge(cursor=use_cases.cursor_of(r), node=Dossier.from_row(r, info))
                 for r in page.rows]
        end = edges[-1].cursor if edges else None
        return DossierConnection(
            edges=edges, page_info=PageInfo(has_next_page=page.has_next, end_cursor=end),
            _page=page,
        )

    @strawberry.field(description="One dossier; null when missing or outside your jurisdiction.")
    async def dossier(self, info: Info, code: str) -> Optional[Dossier]:
        row = await use_cases.get_dossier(actor=info.context.actor, code=code)
        return Dossier.from_row(row, info) if row else None

    @strawberry.field(description="Public status of one dossier by its code; no personal data.")
    async def track_dossier(self, info: Info, code: str) -> Optional[DossierTracking]:
        row = await use_cases.track_dossier(actor=info.context.actor, code=code)
        return DossierTracking.from_row(row) if row else None


@strawberry.input
class ApplicantInput:
    name: str
    kind: ApplicantKind = ApplicantKind.CITIZEN
    id_number: Optional[str] = None
    phone: Optional[str] = None
    address: Optional[str] = None


@strawberry.input
class ReceiveDossierInput:
    procedure_code: str
    unit_code: str
    channel: Channel
    applicant: ApplicantInput
    received_at: Optional[datetime] = None
    idempotency_key: Optional[str] = None


@strawberry.type
class DossierPayload:
    dossier: Dossier


@strawberry.type
class DossierMutation:
    @strawberry.mutation
    async def receive_dossier(self, info: Info, input: ReceiveDossierInput) -> DossierPayload:
        reception = use_cases.Reception(
            **(vars(input) | {"applicant": use_cases.Applicant(**vars(input.applicant))})
        )
        row = await use_cases.receive_dossier(actor=info.context.actor, reception=reception)
        return DossierPayload(dossier=Dossier.from_row(row, info))

    @strawberry.mutation
    async def transition_dossier(
        self, info: Info, code: str, action: DossierAction, note: Optional[str] = None,
        expected_version: Optional[int] = None,
    ) -> DossierPayload:
        row = await use_cases.transition_dossier(
            actor=info.context.actor, code=code, action=action, note=note,
            expected_version=expected_version,
        )
        return DossierPayload(dossier=Dossier.from_row(row, info))

    @strawberry.mutation(description="The apology letter: a new appointment, once per dossier.")
    async def extend_dossier(
        self, info: Info, code: str, new_due_at: datetime, reason: str,
        expected_version: Optional[int] = None,
    ) -> DossierPayload:
        row = await use_cases.extend_dossier(
            actor=info.context.actor, code=code, new_due_at=new_due_at, reason=reason,
            expected_version=expected_version,
        )
        return DossierPayload(dossier=Dossier.from_row(row, info))
