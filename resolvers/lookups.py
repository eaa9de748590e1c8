"""Lookups by code that treat an impossible code as unknown (the ORM would raise on a value
longer than its column, which a caller would see as an internal error)."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from tortoise.fields import CharField
from tortoise.models import Model

from models import AdministrativeUnit, Agency, Dossier, Procedure
from models.rows import Rows
from models.scope import Scope
from resolvers import clock
from resolvers.kept import kept

# Read on every request (a dossier, its procedure): statements whose text is built once.
DOSSIERS, PROCEDURES = Rows(Dossier), Rows(Procedure)
# A dossier shown to a caller, with the rows its procedure and unit fields show.
DOSSIERS_SHOWN = Rows(Dossier, joined={"procedure": Procedure, "unit": AdministrativeUnit,
                                       "received_unit": AdministrativeUnit,
                                       "desk_unit": AdministrativeUnit})

# A unit by its code at a date (metrics, receptions, filters by unit).
UNITS = Rows(AdministrativeUnit)
# The receiving agency of a desk (every reception).
AGENCIES = Rows(Agency)
# Kept by each process (resolvers/kept.py): the lookups by code below and the pages'
# procedures and units (resolvers/loaders.py).
KEPT_PROCEDURES, KEPT_UNITS, KEPT_AGENCIES = kept(PROCEDURES), kept(UNITS), kept(AGENCIES)

# A dossier about to change, with its procedure (its time limit and payment rules): read by
# one statement, as the step may need it only once the dossier is known.
DOSSIERS_CHANGED = Rows(Dossier, joined={"procedure": Procedure})


def _fits(value: str | None, model: type[Model], column: str) -> bool:
    limit = cast("CharField[Any]", model._meta.fields_map[column]).max_length  # code columns only
    return isinstance(value, str) and 0 < len(value) <= limit


async def unit_by_code(code: str | None, on: date | None = None) -> AdministrativeUnit | None:
    """The unit with this code in force on `on` (default: today in Vietnam). Codes are
    re-used across reorganisations, so a code alone names a unit only at a date."""
    if not _fits(code, AdministrativeUnit, "code"):
        return None
    day = on or clock.local_date(clock.now())
    return await KEPT_UNITS.one(("code", code, day), lambda: UNITS.in_force("code", code, day))


async def live_unit_by_path(path: str | None) -> AdministrativeUnit | None:
    """The unit in force now with this path (a grant's or a token's domain)."""
    if not _fits(path, AdministrativeUnit, "path"):
        return None
    return await AdministrativeUnit.filter(path=path, valid_to__isnull=True).first()


async def procedure_by_code(code: str | None) -> Procedure | None:
    if not _fits(code, Procedure, "code"):
        return None
    return await KEPT_PROCEDURES.one(("code", code), lambda: PROCEDURES.one("code", code))


async def agency_of(unit_id: int) -> Agency | None:
    """The unit's receiving agency (the first, when it has several)."""
    return await KEPT_AGENCIES.one(("unit", unit_id), lambda: AGENCIES.first("unit_id", unit_id))


def fits_code(code: str | None) -> bool:
    """Whether `code` could be a dossier's code (else it is unknown, not an error)."""
    return _fits(code, Dossier, "code")


async def dossier_by_code(code: str | None, scope: Scope | None = None) -> Dossier | None:
    """The dossier with this code; with `scope`, only if its unit is within it."""
    return await DOSSIERS.one("code", code, scope) if fits_code(code) else None


async def dossier_with_procedure(code: str | None) -> tuple[Dossier, Procedure] | None:
    """The dossier with this code and its procedure, by one statement."""
    found = await DOSSIERS_CHANGED.one_joined("code", code) if fits_code(code) else None
    if found is None:
        return None
    dossier, (procedure,) = found  # the procedure is a required foreign key
    return dossier, cast(Procedure, procedure)
