"""The procedure catalogue (thủ tục hành chính)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.units import UnitLevel


class OnlineLevel(StrEnum):
    """Decree 42/2022 levels: fully online, partly online, or not online."""

    FULL = "FULL"
    PARTIAL = "PARTIAL"
    NONE = "NONE"


class Procedure(Model):
    """A published procedure, e.g. `1.001193` birth registration."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=500)
    field = fields.CharField(max_length=200, db_index=True)
    level = fields.CharEnumField(UnitLevel, max_length=16)
    processing_days = fields.IntField()
    fee = fields.BigIntField(default=0)
    online_level = fields.CharEnumField(OnlineLevel, max_length=16, default=OnlineLevel.NONE)
    documents: fields.JSONField[list[str]] = fields.JSONField(default=list)
    # Publicity and online-payment indicators of the 766 scorecard.
    # db_default: the columns arrived after rows existed (migration 0005).
    payable_online = fields.BooleanField(default=False, db_default=False)
    published_on_time = fields.BooleanField(default=True, db_default=True)
    updated_on_time = fields.BooleanField(default=True, db_default=True)
    content_complete = fields.BooleanField(default=True, db_default=True)
    search_text = fields.CharField(max_length=600, default="")

    class Meta:
        table = "procedures"
