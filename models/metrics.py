"""Stored facts for the metrics: per-unit daily rollups and citizens' feedback."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

# Counters of unit_daily_stats, in the order the rollup code adds them.
# received_*: dossiers received that day (properties of the dossier, whenever they become true)
# resolved_*: dossiers whose processing ended that day
ROLLUP_COUNTERS = (
    "received", "received_in_person", "received_online", "received_postal",
    "received_with_fee", "paid_online", "components_digitized", "certified_copies_electronic",
    "reused_digitized_data", "synced_to_portal",
    "resolved", "resolved_early", "resolved_on_time", "resolved_late", "processing_days_sum",
    "results_electronic", "fallen_due", "fallen_due_ended",
)
# fallen_due: dossiers whose legal deadline passed the day before (counted on the day after
# the deadline's day); fallen_due_ended: of those, the ones ended by that day (counted on the
# later of that day and the day processing ended). Summed up to a day E, their difference is
# the number of dossiers open and past their deadline at the end of E: the progress group of
# the scorecard judges open dossiers so, from the rollup alone (resolvers/metrics/scorecard.py).


class RollupCounters(Model):
    """The counters both rollups keep (names as in ROLLUP_COUNTERS)."""

    received = fields.IntField(default=0)
    received_in_person = fields.IntField(default=0)
    received_online = fields.IntField(default=0)
    received_postal = fields.IntField(default=0)
    received_with_fee = fields.IntField(default=0)
    paid_online = fields.IntField(default=0)
    components_digitized = fields.IntField(default=0)
    certified_copies_electronic = fields.IntField(default=0)
    reused_digitized_data = fields.IntField(default=0)
    synced_to_portal = fields.IntField(default=0)
    resolved = fields.IntField(default=0)
    resolved_early = fields.IntField(default=0)
    resolved_on_time = fields.IntField(default=0)
    resolved_late = fields.IntField(default=0)
    processing_days_sum = fields.BigIntField(default=0)
    results_electronic = fields.IntField(default=0)
    fallen_due = fields.IntField(default=0, db_default=0)
    fallen_due_ended = fields.IntField(default=0, db_default=0)

    class Meta:
        abstract = True


class UnitDailyStats(RollupCounters):
    """Counters per unit and local day, kept in the transaction of every change they count."""

    id = fields.BigIntField(primary_key=True)
    unit: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="daily_stats", on_delete=fields.CASCADE
    )
    unit_id: int
    unit_path = fields.CharField(max_length=128)
    day = fields.DateField()

    class Meta:
        table = "unit_daily_stats"
        unique_together = (("unit", "day"),)
        indexes = (Index(fields=("unit_path", "day"), name="unit_daily_path_day"),)


class UnitProcedureMonthlyStats(RollupCounters):
    """The same counters per unit, procedure and month (for breakdowns by procedure and
    field: a daily table with a procedure dimension would be almost as large as the rows)."""

    id = fields.BigIntField(primary_key=True)
    unit: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="procedure_monthly_stats", on_delete=fields.CASCADE
    )
    unit_id: int
    procedure: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Procedure", related_name="monthly_stats", on_delete=fields.CASCADE
    )
    procedure_id: int
    unit_path = fields.CharField(max_length=128)
    month = fields.DateField()  # the first day of the month

    class Meta:
        table = "unit_procedure_monthly_stats"
        unique_together = (("unit", "procedure", "month"),)
        indexes = (Index(fields=("unit_path", "month"), name="unit_proc_month_path"),)


class FeedbackKind(StrEnum):
    COMPLAINT = "COMPLAINT"  # phản ánh, kiến nghị: handled within 15 working days
    RATING = "RATING"  # the applicant's satisfaction with how a dossier was handled


class Satisfaction(StrEnum):
    """The three levels the national portal asks ("rất hài lòng / hài lòng / không hài lòng")."""

    VERY_SATISFIED = "VERY_SATISFIED"
    SATISFIED = "SATISFIED"
    NOT_SATISFIED = "NOT_SATISFIED"


def satisfaction_of_rating(rating: int) -> Satisfaction:
    """The level of an old 1–5 rating (migration 0014 maps the stored ones the same way)."""
    if rating >= 5:
        return Satisfaction.VERY_SATISFIED
    return Satisfaction.SATISFIED if rating == 4 else Satisfaction.NOT_SATISFIED


class Feedback(Model):
    """A citizen's complaint or rating, tied to a unit and optionally a dossier."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(FeedbackKind, max_length=16)
    unit: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="feedback", on_delete=fields.RESTRICT
    )
    unit_id: int
    # Like a dossier's: the responsible unit now (moved by reorganisations) and its path.
    unit_path = fields.CharField(max_length=128)
    # History: the unit the feedback was submitted about (migration 0012 fills it).
    received_unit: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="feedback_received", null=True,
        on_delete=fields.RESTRICT)
    received_unit_id: int | None
    dossier: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Dossier", related_name="feedback", null=True, on_delete=fields.SET_NULL
    )
    dossier_id: int | None
    content = fields.TextField(default="")
    submitted_at = fields.DatetimeField()
    due_at = fields.DatetimeField(null=True)
    handled_at = fields.DatetimeField(null=True)
    response = fields.TextField(null=True)
    # The citizen's verdict on the handling of a complaint (None until asked).
    satisfied = fields.BooleanField(null=True)
    # 1–5 for a RATING given by an old client (kept as given); `satisfaction` is the level
    # every RATING has (5 → very satisfied, 4 → satisfied, 1–3 → not satisfied).
    rating = fields.SmallIntField(null=True)
    satisfaction = fields.CharEnumField(Satisfaction, max_length=16, null=True)
    # SHA-256 of the secret given to the complainant once; needed to record satisfaction.
    secret_hash = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "feedback"
        indexes = (Index(fields=("unit_path", "submitted_at"), name="feedback_path_submitted"),)
