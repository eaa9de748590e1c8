"""Facts the 766 scorecard's figures need besides the dossiers: a unit's yearly targets, and
the procedures a unit resolves under delegation (thủ tục được ủy quyền)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class LateCause(StrEnum):
    """Why a dossier was late, as the provinces report it: chủ quan (the agency's own fault)
    or khách quan (beyond its control)."""

    SUBJECTIVE = "SUBJECTIVE"
    OBJECTIVE = "OBJECTIVE"


class UnitTarget(Model):
    """A unit's target for one year and one scorecard indicator, as a percentage (chỉ tiêu),
    e.g. Bạch Thông district digitising 40 % of its results in 2024."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="targets", on_delete=fields.CASCADE)
    unit_id: int
    year = fields.SmallIntField()
    indicator = fields.CharField(max_length=64)
    value = fields.FloatField()
    set_by = fields.CharField(max_length=150)
    set_at = fields.DatetimeField()

    class Meta:
        table = "unit_targets"
        unique_together = (("unit", "year", "indicator"),)


class ProcedureDelegation(Model):
    """A procedure a unit resolves under delegation (ủy quyền) from the authority competent
    for it, e.g. the provincial People's Committee delegating 59 procedures to departments."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="delegations", on_delete=fields.CASCADE)
    unit_id: int
    procedure: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Procedure", related_name="delegations", on_delete=fields.CASCADE)
    procedure_id: int
    # Who delegated it and by which decision, as written ("UBND tỉnh", "Quyết định 123/QĐ-UBND").
    delegated_by = fields.CharField(max_length=255)
    document = fields.CharField(max_length=255, default="")
    set_by = fields.CharField(max_length=150)
    set_at = fields.DatetimeField()

    class Meta:
        table = "procedure_delegations"
        unique_together = (("unit", "procedure"),)
