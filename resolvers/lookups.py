"""Lookups by code that treat an impossible code as unknown (the ORM would raise on a value
longer than its column, which a caller would see as an internal error)."""

from __future__ import annotations

from typing import Any, cast

from tortoise.fields import CharField
from tortoise.models import Model

from models import AdministrativeUnit, Dossier, Procedure


def _fits(value: str | None, model: type[Model], column: str) -> bool:
    limit = cast("CharField[Any]", model._meta.fields_map[column]).max_length  # code columns only
    return isinstance(value, str) and 0 < len(value) <= limit


async def unit_by_code(code: str | None) -> AdministrativeUnit | None:
    if not _fits(code, AdministrativeUnit, "code"):
        return None
    return await AdministrativeUnit.get_or_none(code=code)


async def procedure_by_code(code: str | None) -> Procedure | None:
    return await Procedure.get_or_none(code=code) if _fits(code, Procedure, "code") else None


async def dossier_by_code(code: str | None) -> Dossier | None:
    return await Dossier.get_or_none(code=code) if _fits(code, Dossier, "code") else None
