"""Plain inputs of the dossier use cases (the schema layer converts GraphQL inputs to these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from models.dossiers import ApplicantKind, Channel, DossierStatus


@dataclass(frozen=True)
class Applicant:
    name: str
    kind: ApplicantKind = ApplicantKind.CITIZEN
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Reception:
    procedure_code: str
    unit_code: str  # the handling unit: competent to resolve it, of the procedure's level
    channel: Channel
    applicant: Applicant
    received_at: datetime | None = None
    idempotency_key: str | None = None
    # None: digitised when filed online. The other two are what the 766 scorecard counts.
    components_digitized: bool | None = None
    certified_copies_electronic: bool = False
    reused_digitized_data: bool = False
    # True: found complete at the desk, received now (the clock starts). False: registered for
    # the desk to check (NEW): it then accepts, refuses or guides a supplement. None: True in
    # person and by post, False online (the desk accepts online filings: Decree 118 Art. 17(2)).
    accepted: bool | None = None
    # The receiving desk (any public service centre of the province, Decree 118 Art. 14(2));
    # None: the caller's own unit.
    desk_code: str | None = None
    # Received at the desk by Vietnam Post staff working there (nhân viên bưu điện tiếp nhận).
    received_by_postal_staff: bool = False


@dataclass(frozen=True)
class DossierFilter:
    unit_code: str | None = None
    status: tuple[DossierStatus, ...] = ()
    channel: Channel | None = None
    procedure_code: str | None = None
    received_from: datetime | date | None = None
    received_to: datetime | date | None = None
    overdue: bool | None = None
    search: str | None = None
    # Dossiers received at this desk (its clerks see them all; others within their reach).
    desk_code: str | None = None
    awaiting_assignment: bool | None = None
