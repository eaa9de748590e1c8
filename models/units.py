"""Administrative units (province → district → commune) and the agencies in them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class UnitLevel(StrEnum):
    PROVINCE = "PROVINCE"
    DISTRICT = "DISTRICT"
    COMMUNE = "COMMUNE"


def unit_path(parent_path: str | None, code: str) -> str:
    """Materialised path with a trailing slash, so that `/49/` never prefixes `/490/`."""
    return f"{parent_path or '/'}{code}/"


class AdministrativeUnit(Model):
    """A province, district or commune with its official statistical code."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    name = fields.CharField(max_length=200)
    level = fields.CharEnumField(UnitLevel, max_length=16)
    parent: fields.ForeignKeyNullableRelation[AdministrativeUnit] = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None
    # The jurisdiction key: a subtree is one prefix query on this column.
    path = fields.CharField(max_length=128, unique=True)

    class Meta:
        table = "administrative_units"


class Agency(Model):
    """An office that receives and handles dossiers, e.g. a commune People's Committee."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=255)
    unit: fields.ForeignKeyRelation[AdministrativeUnit] = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="agencies", on_delete=fields.RESTRICT
    )
    unit_id: int

    class Meta:
        table = "agencies"
