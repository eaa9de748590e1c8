"""Administrative units and the procedure catalogue."""

from __future__ import annotations

from datetime import date
from typing import Optional

import strawberry

from resolvers import catalogue, timelimits, units
from resolvers.catalogue import OnlineLevel, ProcedureRow, UnitLevel, UnitRow
from resolvers.dossiers import Channel
from resolvers.timelimits import TimeLimit, TimeUnit
from resolvers.units import UnitKind
from schema.context import Info
from schema.deferred import column, later, made
from schema.pagination import Connection


@strawberry.type(description="One version of an administrative unit: its code, name, kind and "
                             "place in the tree hold from validFrom to validTo (codes are "
                             "re-used across reorganisations, so a code names a unit at a date).")
class AdministrativeUnit:
    code: str
    name: str
    level: UnitLevel
    kind: UnitKind
    valid_from: Optional[date] = strawberry.field(
        description="First day in force; null: since before our records.")
    valid_to: Optional[date] = strawberry.field(
        description="First day no longer in force; null: in force today.")
    _id: strawberry.Private[int]
    _parent_id: strawberry.Private[int | None]
    _as_of: strawberry.Private[date]

    @classmethod
    def from_row(cls, row: UnitRow, as_of: date | None = None) -> AdministrativeUnit:
        """`as_of`: the day its children are read at (default: its last day in force)."""
        return cls(code=row.code, name=row.name, level=row.level, kind=row.kind,
                   valid_from=row.valid_from, valid_to=row.valid_to, _id=row.id,
                   _parent_id=row.parent_id, _as_of=as_of or units.last_day(row))

    @strawberry.field
    async def parent(self, info: Info) -> Optional[AdministrativeUnit]:
        if self._parent_id is None:
            return None
        row = await info.context.loaders.unit.load(self._parent_id)
        return AdministrativeUnit.from_row(row, self._as_of) if row else None

    @strawberry.field(description="Its children in force on the day this unit was read at.")
    async def children(self, info: Info) -> list[AdministrativeUnit]:
        rows = await info.context.loaders.unit_children.load((self._id, self._as_of))
        return [AdministrativeUnit.from_row(r, self._as_of) for r in rows]

    @strawberry.field(description="The versions this one continues (all or part of).")
    async def predecessors(self, info: Info) -> list[AdministrativeUnit]:
        return [AdministrativeUnit.from_row(r) for r in
                await info.context.loaders.unit_predecessors.load(self._id)]

    @strawberry.field(description="The versions that continue this one (several for a split).")
    async def successors(self, info: Info) -> list[AdministrativeUnit]:
        return [AdministrativeUnit.from_row(r) for r in
                await info.context.loaders.unit_successors.load(self._id)]


@strawberry.type(description="A time limit: an amount in a unit, as the catalogue gives it.")
class ProcessingTime:
    amount: int = strawberry.field(description="0 with SAME_DAY.")
    unit: TimeUnit
    label: str = strawberry.field(description='As the catalogue writes it: "05 ngày làm việc".')

    @classmethod
    def of(cls, limit: TimeLimit) -> ProcessingTime:
        return cls(amount=limit.amount, unit=limit.unit, label=limit.label)


@strawberry.type(description="What a procedure asks of one channel: its time limit and fee.")
class ChannelTerms:
    channel: Channel
    processing_time: ProcessingTime
    fee: int = strawberry.field(description="Fees and charges (phí, lệ phí) in đồng.")


@strawberry.type(description="The catalogue facts the 766 PUBLICITY and online groups score "
                             "(updateProcedurePublication changes them).")
class ProcedurePublication:
    published_on_time: bool = strawberry.field(description="Published on time (công bố đúng hạn).")
    updated_on_time: bool = strawberry.field(description="Updated on time (cập nhật đúng hạn).")
    content_complete: bool = strawberry.field(description="Its published content is complete.")
    payable_online: bool = strawberry.field(description="Its fee can be paid online.")


@strawberry.type
class Procedure:
    code: str
    name: str
    field: str
    level: UnitLevel
    processing_days: int = strawberry.field(
        description="The in-person time limit in days (working or calendar days as "
                    "`processingTime.unit` says; 0 for the same day; hours rounded up to days).")
    online_level: OnlineLevel
    fee: int = strawberry.field(description="The in-person fee in đồng; `channels` has each channel's.")
    documents: list[str]
    processing_time: ProcessingTime = strawberry.field(description="The in-person time limit.")
    channels: list[ChannelTerms] = strawberry.field(
        description="Time limit and fee for each channel (in person, online, by post); the "
                    "dossier's deadline and fee follow its channel.")
    payment_pauses_clock: bool = strawberry.field(
        description="Sector law does not count the time the applicant takes to pay (land).")
    publication: ProcedurePublication = strawberry.field(
        description="Publication facts the 766 scorecard scores.")

    __getattr__ = later({
        **{name: column(name) for name in ("field", "level", "online_level",
                                           "payment_pauses_clock")},
        "processing_days": lambda row: _in_person(row).limit.days,
        "fee": lambda row: _in_person(row).fee,
        "processing_time": lambda row: ProcessingTime.of(_in_person(row).limit),
        "documents": lambda row: list(row.documents or []),
        "channels": lambda row: [
            ChannelTerms(channel=c, processing_time=ProcessingTime.of(t.limit), fee=t.fee)
            for c, t in ((c, timelimits.terms(row, c)) for c in Channel)],
        "publication": lambda row: ProcedurePublication(
            published_on_time=row.published_on_time, updated_on_time=row.updated_on_time,
            content_complete=row.content_complete, payable_online=row.payable_online),
    })

    @classmethod
    def from_row(cls, row: ProcedureRow) -> Procedure:
        """Code and name now, the other fields on their first read (schema/deferred.py): a
        page shows a dossier's procedure by its name, the terms of each channel are work."""
        return made(cls, row, {"code": row.code, "name": row.name})


def _in_person(row: ProcedureRow) -> timelimits.Terms:
    return timelimits.terms(row, Channel.IN_PERSON)


@strawberry.input
class ProcedureFilter:
    search: Optional[str] = None
    field: Optional[str] = None
    level: Optional[UnitLevel] = None
    online_level: Optional[OnlineLevel] = None


@strawberry.type
class ProcedureConnection(Connection[Procedure]):
    pass


@strawberry.type
class CatalogueQuery:
    @strawberry.field(description="Units under `parentCode`, or the provinces when omitted, as "
                                  "the tree stood on `asOf` (default: today).")
    async def administrative_units(
        self, info: Info, parent_code: Optional[str] = None, as_of: Optional[date] = None,
    ) -> list[AdministrativeUnit]:
        rows = await units.list_units(actor=info.context.actor, parent_code=parent_code,
                                      as_of=as_of)
        return [AdministrativeUnit.from_row(r, as_of) for r in rows]

    @strawberry.field(description="The unit with this code on `asOf` (default: today).")
    async def administrative_unit(
        self, info: Info, code: str, as_of: Optional[date] = None,
    ) -> Optional[AdministrativeUnit]:
        row = await units.get_unit(actor=info.context.actor, code=code, as_of=as_of)
        return AdministrativeUnit.from_row(row, as_of) if row else None

    @strawberry.field
    async def procedures(
        self, info: Info, filter: Optional[ProcedureFilter] = None,
        first: Optional[int] = None, after: Optional[str] = None,
    ) -> ProcedureConnection:
        flt = catalogue.ProcedureFilter(**vars(filter)) if filter else None
        page = await catalogue.list_procedures(actor=info.context.actor, flt=flt, first=first,
                                               after=after)
        return ProcedureConnection.of(page, Procedure.from_row)

    @strawberry.field
    async def procedure(self, info: Info, code: str) -> Optional[Procedure]:
        row = await catalogue.get_procedure(actor=info.context.actor, code=code)
        return Procedure.from_row(row) if row else None
