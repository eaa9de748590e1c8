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


class TimeUnit(StrEnum):
    """How a time limit is counted; the national catalogue's `processingTimeUnit` (WORKING_DAY,
    DAY, HOUR) plus its same-day rule. The arithmetic and its legal basis: resolvers/timelimits.py
    and docs/deadlines.md."""

    WORKING_DAYS = "WORKING_DAYS"  # ngày làm việc
    CALENDAR_DAYS = "CALENDAR_DAYS"  # ngày
    WORKING_HOURS = "WORKING_HOURS"  # giờ làm việc
    HOURS = "HOURS"  # giờ
    SAME_DAY = "SAME_DAY"  # trong ngày; nhận sau giờ chốt (15 giờ) thì ngày làm việc tiếp theo


class Procedure(Model):
    """A published procedure, e.g. `1.001193` birth registration."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=500)
    field = fields.CharField(max_length=200, db_index=True)
    level = fields.CharEnumField(UnitLevel, max_length=16)
    # The in-person time limit: `processing_days` is its amount (the name predates units; API.md's
    # processingDays) and `time_unit` its unit. `fee` is the in-person fee, in đồng.
    processing_days = fields.IntField()
    time_unit = fields.CharEnumField(TimeUnit, max_length=16, default=TimeUnit.WORKING_DAYS,
                                     db_default=TimeUnit.WORKING_DAYS.value)
    fee = fields.BigIntField(default=0)
    # Where another channel differs from in person, e.g. {"ONLINE": {"fee": 7000}} or
    # {"POSTAL": {"amount": 15, "unit": "WORKING_DAYS"}}; a channel not named, or a key not
    # given, is as in person (resolvers/timelimits.py::terms).
    channel_terms: fields.JSONField[dict[str, dict[str, object]]] = fields.JSONField(null=True)
    # Sector law excludes the time the applicant takes to pay (land registration: "không tính
    # thời gian thực hiện nghĩa vụ tài chính"), so a payment request stops the clock.
    payment_pauses_clock = fields.BooleanField(default=False, db_default=False)
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
