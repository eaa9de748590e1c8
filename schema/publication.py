"""Catalogue facts through the API: publication facts, delegated procedures, and the
reception figures (postal staff, delegated procedures) of a unit and period."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional

import strawberry

from resolvers import figures, publication
from resolvers.catalogue import OnlineLevel
from schema.catalogue import Procedure
from schema.context import Info


@strawberry.input(description="The publication facts to change; an omitted one stays.")
class ProcedurePublicationInput:
    published_on_time: Optional[bool] = strawberry.field(
        default=None, description="Published on time (công bố đúng hạn).")
    updated_on_time: Optional[bool] = strawberry.field(
        default=None, description="Updated on time (cập nhật đúng hạn).")
    content_complete: Optional[bool] = strawberry.field(
        default=None, description="Its published content is complete.")
    online_level: Optional[OnlineLevel] = strawberry.field(
        default=None, description="Online service level (Decree 42/2022).")
    payable_online: Optional[bool] = strawberry.field(
        default=None, description="Its fee can be paid online (only a procedure with a fee).")


@strawberry.type(description="A procedure a unit resolves under delegation (thủ tục được ủy "
                             "quyền) from the authority competent for it.")
class ProcedureDelegation:
    unit_code: str
    procedure_code: str
    delegated_by: str = strawberry.field(description="The delegating authority, as written.")
    document: str = strawberry.field(description="The delegating decision, as written.")


@strawberry.type(description="Dossiers received in the period by a unit's subtree.")
class ReceptionFigures:
    received: int = strawberry.field(description="All dossiers received in the period.")
    by_postal_staff: int = strawberry.field(
        description="Received at a desk by Vietnam Post staff (nhân viên bưu điện tiếp nhận).")
    delegated_procedures: int = strawberry.field(
        description="Procedures the subtree's units resolve under delegation (one per unit "
                    "and procedure).")
    received_for_delegated: int = strawberry.field(
        description="Dossiers received for those procedures at those units.")


@strawberry.type
class PublicationQuery:
    @strawberry.field(description="Reception figures of a unit's subtree for [from, to] (local "
                                  "days, inclusive); needs metrics:read.")
    async def reception_figures(
        self, info: Info, unit_code: str, from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
    ) -> ReceptionFigures:
        f = await figures.reception_figures(actor=info.context.actor, unit_code=unit_code,
                                            first=from_, last=to)
        return ReceptionFigures(received=f.received, by_postal_staff=f.by_postal_staff,
                                delegated_procedures=f.delegated_procedures,
                                received_for_delegated=f.received_for_delegated)


@strawberry.type
class PublicationMutation:
    @strawberry.mutation(description="Change a procedure's publication facts (system "
                                     "administrators: the catalogue is national).")
    async def update_procedure_publication(
        self, info: Info, code: str, input: ProcedurePublicationInput,
    ) -> Procedure:
        row = await publication.update_publication(
            actor=info.context.actor, code=code, facts=publication.Publication(**vars(input)))
        return Procedure.from_row(row)

    @strawberry.mutation(description="Record that a unit resolves a procedure under delegation "
                                     "(delegated: false removes it); ADMIN of the unit or above.")
    async def set_procedure_delegation(
        self, info: Info, unit_code: str, procedure_code: str, delegated: bool,
        delegated_by: Optional[str] = None, document: Optional[str] = None,
    ) -> Optional[ProcedureDelegation]:
        row = await publication.set_delegation(
            actor=info.context.actor, unit_code=unit_code, procedure_code=procedure_code,
            delegated=delegated, delegated_by=delegated_by, document=document)
        if row is None:
            return None
        return ProcedureDelegation(unit_code=unit_code, procedure_code=procedure_code,
                                   delegated_by=row.delegated_by, document=row.document)
