"""Administrative units as history, and the agencies in them.

A row of `administrative_units` is one *version* of a unit: its code, name, kind, parent and
path hold from `valid_from` (inclusive; NULL: since before our records) to `valid_to`
(exclusive; NULL: still in force). A reorganisation never edits a version: it ends the old
ones (sets `valid_to`, the only column it ever changes) and creates new ones linked to them
by `UnitSuccession` rows. Codes are re-used across time (20341 was Phường An Mỹ until
1 July 2025 and is Phường Tam Kỳ since), so a code names a unit only *as of a date*; the
units in force at any one time have distinct codes and paths (partial unique indexes, and on
PostgreSQL exclusion constraints over the validity period, migration 0012).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from tortoise import fields
from tortoise.expressions import Q
from tortoise.indexes import Index
from tortoise.models import Model


class UnitLevel(StrEnum):
    PROVINCE = "PROVINCE"
    DISTRICT = "DISTRICT"
    COMMUNE = "COMMUNE"

    @property
    def depth(self) -> int:
        return list(UnitLevel).index(self)


class UnitKind(StrEnum):
    """The kinds of the national code list (Decision 124/2004 and 19/2025/QĐ-TTg)."""

    PROVINCE = "PROVINCE"  # tỉnh
    CITY = "CITY"  # thành phố trực thuộc trung ương
    DISTRICT = "DISTRICT"  # huyện (until 1 July 2025)
    URBAN_DISTRICT = "URBAN_DISTRICT"  # quận
    TOWN = "TOWN"  # thị xã
    PROVINCIAL_CITY = "PROVINCIAL_CITY"  # thành phố thuộc tỉnh / thuộc thành phố trung ương
    COMMUNE = "COMMUNE"  # xã
    WARD = "WARD"  # phường
    TOWNSHIP = "TOWNSHIP"  # thị trấn (until 1 July 2025)
    SPECIAL_ZONE = "SPECIAL_ZONE"  # đặc khu (from 1 July 2025)

    @property
    def level(self) -> UnitLevel:
        return KIND_LEVEL[self]


KIND_LEVEL = {
    UnitKind.PROVINCE: UnitLevel.PROVINCE, UnitKind.CITY: UnitLevel.PROVINCE,
    UnitKind.DISTRICT: UnitLevel.DISTRICT, UnitKind.URBAN_DISTRICT: UnitLevel.DISTRICT,
    UnitKind.TOWN: UnitLevel.DISTRICT, UnitKind.PROVINCIAL_CITY: UnitLevel.DISTRICT,
    UnitKind.COMMUNE: UnitLevel.COMMUNE, UnitKind.WARD: UnitLevel.COMMUNE,
    UnitKind.TOWNSHIP: UnitLevel.COMMUNE, UnitKind.SPECIAL_ZONE: UnitLevel.COMMUNE,
}
# The word a unit's official name starts with, per level ("Thành phố" is a city at province
# level and a provincial city below it).
NAME_PREFIXES = {
    UnitLevel.PROVINCE: (("Tỉnh ", UnitKind.PROVINCE), ("Thành phố ", UnitKind.CITY)),
    UnitLevel.DISTRICT: (("Huyện ", UnitKind.DISTRICT), ("Quận ", UnitKind.URBAN_DISTRICT),
                         ("Thị xã ", UnitKind.TOWN), ("Thành phố ", UnitKind.PROVINCIAL_CITY)),
    UnitLevel.COMMUNE: (("Xã ", UnitKind.COMMUNE), ("Phường ", UnitKind.WARD),
                        ("Thị trấn ", UnitKind.TOWNSHIP), ("Đặc khu ", UnitKind.SPECIAL_ZONE)),
}


def kind_from_name(name: str, level: UnitLevel) -> UnitKind | None:
    """The kind an official name announces at a level ("Phường Tam Kỳ" → WARD), if any."""
    for prefix, kind in NAME_PREFIXES[level]:
        if name.startswith(prefix):
            return kind
    return None


def unit_path(parent_path: str | None, code: str) -> str:
    """Materialised path with a trailing slash, so that `/49/` never prefixes `/490/`."""
    return f"{parent_path or '/'}{code}/"


def valid_on(day: date) -> Q:
    """Versions in force on `day`."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class AdministrativeUnit(Model):
    """One version of a province, district or commune with its official statistical code."""

    id = fields.IntField(primary_key=True)
    # Unique among the versions in force at any one time, not across time (see the module).
    code = fields.CharField(max_length=16)
    name = fields.CharField(max_length=200)
    level = fields.CharEnumField(UnitLevel, max_length=16)
    # db_default: the column arrived after rows existed; migration 0012 derives it from names.
    kind = fields.CharEnumField(UnitKind, max_length=16, db_default=UnitKind.COMMUNE.value)
    parent: fields.ForeignKeyNullableRelation[AdministrativeUnit] = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None
    # The jurisdiction key: a subtree is one prefix query on this column. A successor may
    # keep its predecessor's path (Cà Mau, /96/, before and after 2025).
    path = fields.CharField(max_length=128)
    valid_from = fields.DateField(null=True)
    valid_to = fields.DateField(null=True)

    class Meta:
        table = "administrative_units"
        indexes = (Index(fields=("code", "valid_from"), name="unit_code_from"),
                   Index(fields=("parent_id", "code"), name="unit_parent_code"))

    def in_force_on(self, day: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day < self.valid_to))

    @property
    def is_live(self) -> bool:
        return self.valid_to is None


class Agency(Model):
    """An office that receives and handles dossiers, e.g. a commune People's Committee. Each
    unit version has its own: `UB20341` of Phường An Mỹ and of Phường Tam Kỳ are two offices."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32)
    name = fields.CharField(max_length=255)
    unit: fields.ForeignKeyRelation[AdministrativeUnit] = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="agencies", on_delete=fields.RESTRICT
    )
    unit_id: int

    class Meta:
        table = "agencies"
        unique_together = (("unit", "code"),)


class SuccessionKind(StrEnum):
    CONTINUED = "CONTINUED"  # one to one: renamed, recoded, moved, or re-versioned with its parent
    MERGED = "MERGED"  # one of several predecessors of the same successor
    SPLIT = "SPLIT"  # one of several successors of the same predecessor (a part went there)
    ABSORBED = "ABSORBED"  # abolished; the successor took over its dossiers and duties


class Reorganization(Model):
    """One audited change of the tree, effective from a date (one step of a plan)."""

    id = fields.IntField(primary_key=True)
    effective_date = fields.DateField()
    reference = fields.CharField(max_length=255, default="")
    # SHA-256 of the normalised rows: the same step applied again changes nothing.
    fingerprint = fields.CharField(max_length=64, unique=True)
    rows: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    summary: fields.JSONField[dict[str, int]] = fields.JSONField(default=dict)
    carry_grants = fields.BooleanField(default=False)
    applied_by = fields.CharField(max_length=150)
    applied_at = fields.DatetimeField()

    class Meta:
        table = "reorganizations"


class UnitSuccession(Model):
    """`successor` continues (part of) `predecessor` from the reorganisation's date."""

    id = fields.IntField(primary_key=True)
    reorganization: fields.ForeignKeyRelation[Reorganization] = fields.ForeignKeyField(
        "models.Reorganization", related_name="successions", on_delete=fields.RESTRICT)
    reorganization_id: int
    predecessor: fields.ForeignKeyRelation[AdministrativeUnit] = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="successions_out", on_delete=fields.RESTRICT)
    predecessor_id: int
    successor: fields.ForeignKeyRelation[AdministrativeUnit] = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="successions_in", on_delete=fields.RESTRICT)
    successor_id: int
    kind = fields.CharEnumField(SuccessionKind, max_length=16)

    class Meta:
        table = "unit_successions"
        unique_together = (("predecessor", "successor"),)
        indexes = (Index(fields=("successor_id",), name="succession_successor"),)
