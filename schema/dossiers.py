"""Dossier types, the dossier queries and the lifecycle mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Optional

import strawberry

from resolvers import audit_log
from resolvers import dossiers as use_cases
from resolvers.dossiers import ApplicantKind, Channel, DossierAction, DossierStatus, Timeliness
from resolvers.dossiers.queries import DossierOrder as UseCaseOrder
from resolvers.dossiers.queries import DossierOrderField, SortDirection
from resolvers.lifecycle import allowed_actions
from resolvers.timelimits import TimeLimit, TimeUnit
from schema.audit import AuditEntry
from schema.catalogue import AdministrativeUnit, Procedure, ProcessingTime
from schema.context import Info
from schema.deferred import column, later, made
from schema.execution import NOT_PRIMED, PRIMED
from schema.late_cause import DossierLateCause
from schema.loaders import Loaders, selected_below
from schema.pagination import CountedConnection


@strawberry.type(description="The applicant (người nộp hồ sơ); identifiers are masked unless "
                             "you may read personal data at the dossier's unit.")
class Applicant:
    # Served from the presenter's ApplicantView as it is (`Dossier.of`): an interface
    # here would give the type an is_type_of that refuses it (tests read every field).
    name: str
    kind: ApplicantKind
    id_number: Optional[str]
    phone: Optional[str]
    address: Optional[str]


@strawberry.type
class Actor:
    username: str


@strawberry.type(description="One step of a dossier's life: who moved it, when, and why.")
class DossierEvent:
    # Served from the loader's EventRecord as it is (resolvers/loaders.py: it has these
    # fields): no interface here, for the same reason as Applicant's.
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
    _received_unit_id: strawberry.Private[int]
    _desk_unit_id: strawberry.Private[int]

    # A list page primed these relations (schema/loaders.py): the executor reads them through
    # the PRIMED readers below (schema/execution.py), without a task or an Info per row; any
    # other caller (one dossier, a mutation's answer) goes through the DataLoader.
    @strawberry.field(metadata={PRIMED: lambda d, context: d._primed_procedure(context.loaders)})
    def procedure(self, info: Info) -> Procedure:
        made = self._primed_procedure(info.context.loaders)
        return self._load_procedure(info) if made is NOT_PRIMED else made  # type: ignore[return-value]

    def _primed_procedure(self, loaders: Loaders) -> Procedure | object:
        return _made(loaders, "procedure", self._procedure_id, loaders.primed_procedures,
                     Procedure.from_row)

    async def _load_procedure(self, info: Info) -> Procedure:
        row = await info.context.loaders.procedure.load(self._procedure_id)
        assert row is not None  # a foreign key
        return Procedure.from_row(row)

    def _unit(self, info: Info, unit_id: int) -> AdministrativeUnit:
        made = _primed_unit(info.context.loaders, unit_id)
        return self._load_unit(info, unit_id) if made is NOT_PRIMED else made  # type: ignore[return-value]

    async def _load_unit(self, info: Info, unit_id: int) -> AdministrativeUnit:
        row = await info.context.loaders.unit.load(unit_id)
        assert row is not None  # a foreign key
        return AdministrativeUnit.from_row(row)

    @strawberry.field(description="The handling unit: competent to resolve the dossier now "
                                  "(the successor of the unit it was received under).",
                      metadata={PRIMED: lambda d, context: _primed_unit(context.loaders, d._unit_id)})
    def unit(self, info: Info) -> AdministrativeUnit:
        return self._unit(info, self._unit_id)

    @strawberry.field(description="The unit the dossier was received under, as it was then.",
                      metadata={PRIMED: lambda d, context: _primed_unit(context.loaders,
                                                                        d._received_unit_id)})
    def received_unit(self, info: Info) -> AdministrativeUnit:
        return self._unit(info, self._received_unit_id)

    @strawberry.field(description="The one-stop desk that received it (Decree 118: any public "
                                  "service centre of the province); it returns the result.",
                      metadata={PRIMED: lambda d, context: _primed_unit(context.loaders,
                                                                        d._desk_unit_id)})
    def desk(self, info: Info) -> AdministrativeUnit:
        return self._unit(info, self._desk_unit_id)

    @staticmethod
    def common(view: use_cases.DossierView) -> dict:
        row = view.row
        return dict(
            code=row.code, channel=row.channel, status=row.status,
            national_status_code=row.national_status_code, received_at=row.received_at,
            due_at=row.due_at, finished_at=row.finished_at, returned_at=row.returned_at,
            timeliness=view.timeliness, _procedure_id=row.procedure_id, _unit_id=row.unit_id,
            _received_unit_id=row.received_unit_id or row.unit_id,
            _desk_unit_id=row.desk_unit_id or row.unit_id,
        )


@strawberry.type(description="The public view of a dossier: status and dates, no personal data.")
class DossierTracking(DossierBase):
    @classmethod
    def of(cls, view: use_cases.DossierView) -> DossierTracking:
        return cls(**DossierBase.common(view))


def _time_limit(row: use_cases.DossierRow) -> ProcessingTime | None:
    if row.time_amount is None or row.time_unit is None:
        return None
    return ProcessingTime.of(TimeLimit(row.time_amount, TimeUnit(row.time_unit)))


# Dossier's fields beyond those set by `Dossier.of`, each computed from the row on its first
# read (schema/deferred.py).
_LATER: dict[str, Any] = {
    **{name: column(name) for name in (
        "submitted_at", "legal_due_at", "clock_started_at", "paused_at", "fee", "paid_online",
        "supplement_count", "extension_reason", "result_electronic", "synced_to_portal_at",
        "awaiting_assignment", "version", "received_by_postal_staff")},
    "time_limit": _time_limit,
    "allowed_actions": lambda row: allowed_actions(DossierStatus(row.status),
                                                   row.received_at is not None),
    "late_cause": DossierLateCause.of,
}


@strawberry.type(description="A dossier (hồ sơ): one application for one procedure.")
class Dossier(DossierBase):
    submitted_at: datetime
    legal_due_at: Optional[datetime] = strawberry.field(
        description="The legal deadline that judges timeliness; the apology letter moves only dueAt.")
    clock_started_at: Optional[datetime] = strawberry.field(
        description="When the current count started: the reception moved into office hours, "
                    "or the complete dossier's return after a supplement request (restart).")
    paused_at: Optional[datetime] = strawberry.field(
        description="Since when the clock is stopped (a supplement, or a payment that stops it).")
    time_limit: Optional[ProcessingTime] = strawberry.field(
        description="The time limit of the procedure for this dossier's channel, fixed at reception.")
    allowed_actions: list[DossierAction] = strawberry.field(
        description="The lifecycle actions open in this status (your role may hold fewer).")
    applicant: Applicant
    fee: int
    paid_online: bool
    supplement_count: int
    extension_reason: Optional[str]
    result_electronic: bool
    synced_to_portal_at: Optional[datetime]
    awaiting_assignment: bool = strawberry.field(
        description="A split left it without a rule: its holder waits for an administrator's "
                    "assignDossier.")
    received_by_postal_staff: bool = strawberry.field(
        description="Received at the desk by Vietnam Post staff (nhân viên bưu điện tiếp nhận).")
    late_cause: Optional[DossierLateCause] = strawberry.field(
        description="Why it was late, once recorded (setLateCause); null otherwise.")
    version: int
    _id: strawberry.Private[int]
    _unit_path: strawberry.Private[str]
    _row: strawberry.Private[use_cases.DossierRow]
    __getattr__ = later(_LATER)

    @classmethod
    def of(cls, view: use_cases.DossierView) -> Dossier:
        """The dossier as shown: the fields it shares with the tracking view and the
        applicant now, the others (`_LATER`) on their first read (schema/deferred.py)."""
        row = view.row
        # The applicant is the presenter's view as it is: it has the type's fields (the type
        # has no is_type_of), so no schema object is made per dossier.
        assert view.applicant is not None  # full views always carry the applicant
        return made(cls, row, {**DossierBase.common(view), "_id": row.id,
                               "_unit_path": row.unit_path, "_row": row,
                               "applicant": view.applicant})

    @strawberry.field(description="The dossier's audit entries (needs audit:read at its unit).")
    async def history(self, info: Info) -> list[AuditEntry]:
        rows = await audit_log.dossier_history(actor=info.context.actor, code=self.code,
                                               unit_path=self._unit_path)
        return [AuditEntry.from_row(r) for r in rows]

    @strawberry.field(description="Every unit version that has handled it, oldest first: the "
                                  "unit it was received under, then its successors.")
    async def handling_history(self, info: Info) -> list[AdministrativeUnit]:
        rows = await info.context.loaders.unit.load_many(use_cases.handled_by(self._row))
        return [AdministrativeUnit.from_row(r) for r in rows if r is not None]

    @strawberry.field(metadata={PRIMED: lambda d, context: d._primed_events(context.loaders)})
    def events(self, info: Info) -> list[DossierEvent]:
        primed = self._primed_events(info.context.loaders)
        return self._load_events(info) if primed is NOT_PRIMED else primed  # type: ignore[return-value]

    def _primed_events(self, loaders: Loaders) -> list[DossierEvent] | object:
        rows = loaders.primed_events.get(self._id)
        return NOT_PRIMED if rows is None else rows

    async def _load_events(self, info: Info) -> list[DossierEvent]:
        # the loader's records serve as the type's objects (see DossierEvent)
        return await info.context.loaders.events.load(self._id)  # type: ignore[return-value]


def _primed_unit(loaders: Loaders, unit_id: int) -> AdministrativeUnit | object:
    return _made(loaders, "unit", unit_id, loaders.primed_units, AdministrativeUnit.from_row)


def _made(loaders: Loaders, kind: str, key: int, primed: dict, make: Any) -> Any:
    """The schema object of a primed row, made once per request and shared by the rows of a
    page; NOT_PRIMED when the page did not read that row."""
    made = loaders.made.get((kind, key))
    if made is None:
        row = primed.get(key)
        if row is None:
            return NOT_PRIMED
        made = loaders.made[(kind, key)] = make(row)
    return made


@strawberry.input
class DossierFilter:
    unit_code: Optional[str] = None
    status: Optional[list[DossierStatus]] = None
    channel: Optional[Channel] = None
    procedure_code: Optional[str] = None
    received_from: Optional[datetime] = strawberry.field(
        default=None, description="From this instant; a plain date: from that local day.")
    received_to: Optional[datetime] = strawberry.field(
        default=None, description="Before this instant; a plain date: to the end of that local day.")
    overdue: Optional[bool] = None
    search: Optional[str] = None
    desk_code: Optional[str] = strawberry.field(
        default=None, description="Received at this desk (its clerks see all it received).")
    awaiting_assignment: Optional[bool] = None

    def to_use_case(self) -> use_cases.DossierFilter:
        values = vars(self) | {"status": tuple(self.status or ())}
        return use_cases.DossierFilter(**values)


@strawberry.type
class DossierConnection(CountedConnection[Dossier]):
    pass


@strawberry.enum(name="DossierOrderField",
                description="What `dossiers` can be sorted by (sắp xếp hồ sơ theo).")
class OrderField(Enum):
    RECEIVED = strawberry.enum_value(
        "RECEIVED", description="When it was received (receivedAt); one not yet received sorts "
                                "after every received one ascending, before them descending.")
    DUE = strawberry.enum_value(
        "DUE", description="The appointment (dueAt); one without sorts after every dated one "
                           "ascending, before them descending.")
    CODE = strawberry.enum_value("CODE", description="The dossier code (mã hồ sơ).")


@strawberry.enum(name="SortDirection", description="Ascending or descending (tăng dần / giảm dần).")
class Direction(Enum):
    ASC = strawberry.enum_value("ASC", description="Ascending: oldest, earliest or lowest first.")
    DESC = strawberry.enum_value("DESC", description="Descending: newest, latest or highest first.")


@strawberry.input(description="The order of a dossier list; ties are broken by the dossier's "
                              "id in the same direction. Keep it for every page: a cursor "
                              "belongs to its order.")
class DossierOrder:
    field: OrderField = strawberry.field(description="The sort key.")
    direction: Direction = strawberry.field(default=Direction.DESC,
                                            description="Default: descending.")

    def to_use_case(self) -> UseCaseOrder:
        return UseCaseOrder(field=DossierOrderField(self.field.value),
                            direction=SortDirection(self.direction.value))


async def _prime(info: Info, rows: list) -> None:
    """The relations the query selects below this field, read for all `rows` at once."""
    await info.context.loaders.prime_dossiers(rows, selected_below(info))


@strawberry.type
class DossierQuery:
    @strawberry.field(description="Dossiers in your jurisdiction, newest first (last received "
                                  "into the system), or in `orderBy`.")
    async def dossiers(
        self, info: Info, filter: Optional[DossierFilter] = None,
        first: Optional[int] = None, after: Optional[str] = None,
        order_by: Annotated[Optional[DossierOrder], strawberry.argument(
            description="Sort by received, due or code, ascending or descending; pages "
                        "follow with `after` in the same order.")] = None,
    ) -> DossierConnection:
        page = await use_cases.list_dossiers(
            actor=info.context.actor, flt=filter.to_use_case() if filter else None,
            first=first, after=after, order=order_by.to_use_case() if order_by else None,
        )
        await _prime(info, [view.row for view in page.items])
        return DossierConnection.of(page, Dossier.of)

    @strawberry.field(description="One dossier; null when missing or outside your jurisdiction.")
    async def dossier(self, info: Info, code: str) -> Optional[Dossier]:
        view = await use_cases.get_dossier(actor=info.context.actor, code=code)
        if view is None:
            return None
        info.context.loaders.know(view.related)
        await _prime(info, [view.row])
        return Dossier.of(view)

    @strawberry.field(description="Public status of one dossier by its code; no personal data.")
    async def track_dossier(self, info: Info, code: str) -> Optional[DossierTracking]:
        view = await use_cases.track_dossier(actor=info.context.actor, code=code)
        return DossierTracking.of(view) if view else None


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
    unit_code: str = strawberry.field(
        description="The handling unit, competent to resolve it (of the procedure's level).")
    channel: Channel
    applicant: ApplicantInput
    received_at: Optional[datetime] = None
    idempotency_key: Optional[str] = strawberry.field(
        default=None, description="A retry with the same key and the same input returns the "
                                  "first dossier; with a different input it is a CONFLICT.")
    digitized_components: Optional[bool] = strawberry.field(
        default=None, description="The dossier's components were digitised at reception "
                                  "(số hóa thành phần hồ sơ); default: true when filed online.")
    electronic_certified_copies: bool = strawberry.field(
        default=False, description="Certified copies were electronic (bản sao điện tử).")
    reused_data: bool = strawberry.field(
        default=False, description="Data already digitised was re-used instead of asked for again.")
    accepted: Optional[bool] = strawberry.field(
        default=None, description="true: checked complete at the desk and received now (status "
                                  "RECEIVED, the clock starts). false: registered for the desk to "
                                  "check (NEW): it then ACCEPTs, REFUSEs or GUIDE_SUPPLEMENTs it. "
                                  "Default: true in person and by post; online dossiers are always "
                                  "accepted afterwards.")
    desk_code: Optional[str] = strawberry.field(
        default=None, description="The receiving desk: any public service centre of the "
                                  "province (Decree 118); default: your own unit.")
    received_by_postal_staff: bool = strawberry.field(
        default=False, description="Received at the desk by Vietnam Post staff working there "
                                   "(nhân viên bưu điện tiếp nhận); not for online filings.")

    def to_use_case(self) -> use_cases.Reception:
        return use_cases.Reception(
            procedure_code=self.procedure_code, unit_code=self.unit_code, channel=self.channel,
            applicant=use_cases.Applicant(**vars(self.applicant)), received_at=self.received_at,
            idempotency_key=self.idempotency_key, components_digitized=self.digitized_components,
            certified_copies_electronic=self.electronic_certified_copies,
            reused_digitized_data=self.reused_data, accepted=self.accepted,
            desk_code=self.desk_code, received_by_postal_staff=self.received_by_postal_staff)


@strawberry.type
class DossierPayload:
    dossier: Dossier


def payload(info: Info, row: use_cases.DossierRow) -> DossierPayload:
    return DossierPayload(dossier=Dossier.of(use_cases.present(info.context.actor, row)))


@strawberry.type
class DossierMutation:
    @strawberry.mutation(description="Receive a dossier at a one-stop desk (tiếp nhận hồ sơ).")
    async def receive_dossier(self, info: Info, input: ReceiveDossierInput) -> DossierPayload:
        row = await use_cases.receive_dossier(actor=info.context.actor,
                                              reception=input.to_use_case())
        return payload(info, row)

    @strawberry.mutation(description="Move a dossier through its lifecycle; `resultElectronic` "
                                     "goes with FINISH (the result was issued electronically). "
                                     "REFUSE, GUIDE_SUPPLEMENT and REQUEST_SUPPLEMENT need the "
                                     "reason in `note` (it is what the applicant is told).")
    async def transition_dossier(
        self, info: Info, code: str, action: DossierAction, note: Optional[str] = None,
        expected_version: Optional[int] = None, result_electronic: Optional[bool] = None,
    ) -> DossierPayload:
        row = await use_cases.transition_dossier(
            actor=info.context.actor, code=code, action=action, note=note,
            expected_version=expected_version, result_electronic=result_electronic,
        )
        return payload(info, row)

    @strawberry.mutation(description="The apology letter: a new appointment, once per dossier, at "
                                     "the latest the day before the appointment and not while a "
                                     "supplement is outstanding (Decree 118/2025 Art. 19(6)).")
    async def extend_dossier(
        self, info: Info, code: str, new_due_at: datetime, reason: str,
        expected_version: Optional[int] = None,
    ) -> DossierPayload:
        row = await use_cases.extend_dossier(
            actor=info.context.actor, code=code, new_due_at=new_due_at, reason=reason,
            expected_version=expected_version,
        )
        return payload(info, row)

    @strawberry.mutation(description="Record that the dossier was synchronised to the national "
                                     "public service portal (once; later calls change nothing).")
    async def record_portal_sync(self, info: Info, code: str) -> DossierPayload:
        row = await use_cases.record_portal_sync(actor=info.context.actor, code=code)
        return payload(info, row)
