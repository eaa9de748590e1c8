"""Dossiers as a caller may see them: personal data masked unless the caller may read it
at the dossier's unit, and the timeliness judged now. Decided here, once per request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.models import Model

from models import Dossier, DossierEvent
from models.dossiers import ApplicantKind, Timeliness
from models.scope import Scope
from policies import Actor, jurisdiction
from resolvers import clock
from resolvers.deadlines import current_timeliness


def mask(value: str | None, keep: int = 3) -> str | None:
    """Show only the last digits, enough for a clerk to confirm with the applicant."""
    if value is None:
        return None
    return "*" * max(len(value) - keep, 0) + value[-keep:]


# Not frozen: a frozen dataclass sets each field through object.__setattr__, and a page
# makes two views per row (1.4 % of its CPU). Nothing changes a view once it is made.
@dataclass(slots=True)
class ApplicantView:
    """What a caller may see of the applicant; the schema's Applicant type reads it as is."""

    name: str
    kind: ApplicantKind
    id_number: str | None
    phone: str | None
    address: str | None


@dataclass(slots=True)  # not frozen either (see ApplicantView)
class DossierView:
    """A dossier row with what this caller may see of its applicant, judged at `now`."""

    row: Dossier
    applicant: ApplicantView | None  # None in the public tracking view
    timeliness: Timeliness
    # Rows its relations name (procedure, units) when the read brought them along.
    related: tuple[Model, ...] = ()


class Presenter:
    """Turns rows into views for one caller; the personal-data scope is computed once."""

    def __init__(self, actor: Actor, now: datetime | None = None) -> None:
        self.actor, self.now = actor, now or clock.now()
        self._pii: Scope | None = None

    def _applicant(self, row: Dossier) -> ApplicantView:
        if self._pii is None:
            self._pii = jurisdiction(self.actor, "dossier", "read_pii")
        clear = self._pii.covers(row.unit_path)
        kind = row.applicant_kind  # the model's member already, unless built by hand
        return ApplicantView(
            name=row.applicant_name,
            kind=kind if kind.__class__ is ApplicantKind else ApplicantKind(kind),
            id_number=row.applicant_id_number if clear else mask(row.applicant_id_number),
            phone=row.applicant_phone if clear else mask(row.applicant_phone),
            address=row.applicant_address if clear else (row.applicant_address and "***"),
        )

    def full(self, rows: list[Dossier]) -> list[DossierView]:
        return [DossierView(r, self._applicant(r), current_timeliness(r, self.now)) for r in rows]

    def public(self, row: Dossier) -> DossierView:
        """The tracking view: status and dates, no personal data at all."""
        return DossierView(row, None, current_timeliness(row, self.now))


def present(actor: Actor, row: Dossier) -> DossierView:
    """One dossier for `actor` (after a write, or a lookup by code)."""
    return Presenter(actor).full([row])[0]


__all__ = ["ApplicantView", "DossierEvent", "DossierView", "Presenter", "mask", "present"]
