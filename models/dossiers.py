"""Dossiers (hồ sơ), their event history and the per-agency daily code counters."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.procedures import TimeUnit


class Channel(StrEnum):
    """How the dossier reached the agency; the national portal codes these 1 / 2 / 3."""

    IN_PERSON = "IN_PERSON"
    ONLINE = "ONLINE"
    POSTAL = "POSTAL"


class DossierStatus(StrEnum):
    """Our statuses map one to one onto the portal's TrangThaiHoSo 1…10, in this order."""

    NEW = "NEW"
    RECEIVED = "RECEIVED"
    NOT_ACCEPTED = "NOT_ACCEPTED"
    IN_PROCESSING = "IN_PROCESSING"
    SUPPLEMENT_REQUESTED = "SUPPLEMENT_REQUESTED"
    PAYMENT_REQUESTED = "PAYMENT_REQUESTED"
    WITHDRAWN = "WITHDRAWN"
    STOPPED = "STOPPED"
    FINISHED = "FINISHED"
    RETURNED = "RETURNED"

    @property
    def national_code(self) -> int:
        return _NATIONAL_CODES[self]


# The portal's code of each status: its place in the order above (every write sets it).
_NATIONAL_CODES = {status: i for i, status in enumerate(DossierStatus, 1)}


class ApplicantKind(StrEnum):
    CITIZEN = "CITIZEN"
    ORGANIZATION = "ORGANIZATION"


class Timeliness(StrEnum):
    """Judgement of a dossier against its legal deadline (DOMAIN.md, the scorecard's rules)."""

    EARLY = "EARLY"
    ON_TIME = "ON_TIME"
    LATE = "LATE"
    PENDING = "PENDING"
    OVERDUE = "OVERDUE"


class Dossier(Model):
    """One application filed by a citizen or business for one procedure."""

    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=48, unique=True)
    procedure: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Procedure", related_name="dossiers", on_delete=fields.RESTRICT
    )
    procedure_id: int
    # The handling unit: competent to resolve the dossier, now. A reorganisation moves it
    # (and unit_path) to the successor; `received_unit` keeps the one it was received under.
    unit: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="dossiers", on_delete=fields.RESTRICT
    )
    unit_id: int
    # The receiving agency (its code starts the dossier code, Decree 118 Art. 28(2)(a)).
    agency: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Agency", related_name="dossiers", on_delete=fields.RESTRICT
    )
    agency_id: int
    # Copy of the handling unit's path so jurisdiction is a prefix filter on this table alone.
    unit_path = fields.CharField(max_length=128)
    # History: the unit the dossier was received under, never changed. Nullable only because
    # the column arrived after rows existed (migration 0012 fills it from unit_id).
    received_unit: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="dossiers_received", null=True,
        on_delete=fields.RESTRICT)
    received_unit_id: int | None
    # Ids of every unit version that has handled the dossier, oldest first, comma-separated
    # (the last is unit_id): the rollups count the dossier under each (resolvers/metrics/rollups.py).
    unit_history = fields.TextField(null=True)
    # The desk that received it (Decree 118 Art. 14(2): any public service centre of the
    # province), and the path that carries the desk's rights now (moved like unit_path).
    desk_unit: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="dossiers_at_desk", null=True,
        on_delete=fields.RESTRICT)
    desk_unit_id: int | None
    desk_path = fields.CharField(max_length=128, null=True)
    # A split left the dossier with no rule to follow: held by the nearest surviving ancestor
    # until an administrator assigns it to one of the successors (resolvers/units/assign.py).
    awaiting_assignment = fields.BooleanField(default=False, db_default=False)
    channel = fields.CharEnumField(Channel, max_length=16)
    status = fields.CharEnumField(DossierStatus, max_length=24)
    national_status_code = fields.SmallIntField()

    applicant_name = fields.CharField(max_length=255)
    applicant_kind = fields.CharEnumField(ApplicantKind, max_length=16)
    applicant_id_number = fields.CharField(max_length=32, null=True)
    applicant_phone = fields.CharField(max_length=32, null=True)
    applicant_address = fields.CharField(max_length=500, null=True)
    # Folded code and applicant name: diacritic- and case-insensitive search.
    search_text = fields.CharField(max_length=400)

    submitted_at = fields.DatetimeField()
    received_at = fields.DatetimeField(null=True)
    # The time limit of the procedure for this dossier's channel, fixed at reception, and when
    # the current count started: the reception moved into office hours, or a restart after a
    # supplement (Decree 118 Art. 19(5)). Null on rows from before they existed (migration 0011):
    # the procedure's in-person limit and `received_at` stand in.
    time_amount = fields.IntField(null=True)
    time_unit = fields.CharEnumField(TimeUnit, max_length=16, null=True)
    clock_started_at = fields.DatetimeField(null=True)
    # legal_due_at: the legal deadline, moved only by the clock rules (a supplement or a payment
    # that stops the clock); it judges timeliness.
    # due_at: the appointment given to the applicant; an apology letter moves it once.
    legal_due_at = fields.DatetimeField(null=True)
    due_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    returned_at = fields.DatetimeField(null=True)
    # The end of processing as the scorecard defines it (first end state).
    ended_at = fields.DatetimeField(null=True)
    timeliness = fields.CharEnumField(Timeliness, max_length=16, null=True)

    supplement_count = fields.SmallIntField(default=0)
    paused_at = fields.DatetimeField(null=True)
    extension_reason = fields.TextField(null=True)
    extended_at = fields.DatetimeField(null=True)

    fee = fields.BigIntField(default=0)
    paid_online = fields.BooleanField(default=False)
    paid_at = fields.DatetimeField(null=True)
    components_digitized = fields.BooleanField(default=False)
    result_electronic = fields.BooleanField(default=False)
    # What the 766 digitisation and publicity indicators count.
    # db_default: the columns arrived after rows existed (migration 0005).
    certified_copies_electronic = fields.BooleanField(default=False, db_default=False)
    reused_digitized_data = fields.BooleanField(default=False, db_default=False)
    synced_to_portal_at = fields.DatetimeField(null=True)
    # Received at the desk by Vietnam Post staff (nhân viên bưu điện tiếp nhận), and why a late
    # dossier was late (resolvers/dossiers/late.py): figures the provinces report beside 766.
    received_by_postal_staff = fields.BooleanField(default=False, db_default=False)
    late_cause = fields.CharField(max_length=16, null=True)
    late_cause_note = fields.CharField(max_length=1000, null=True)
    late_cause_set_by = fields.CharField(max_length=150, null=True)
    late_cause_set_at = fields.DatetimeField(null=True)
    # Working days from reception to the end of processing, fixed when processing ends.
    processing_days = fields.IntField(null=True)

    idempotency_key = fields.CharField(max_length=128, null=True, unique=True)
    # SHA-256 of the whole reception input: a retry must be the same request, not only the
    # same procedure and name (resolvers/dossiers/reception.py).
    idempotency_fingerprint = fields.CharField(max_length=64, null=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "dossiers"
        # Composite indexes for the list filters; the unit_path prefix index with
        # varchar_pattern_ops and the trigram search index are PostgreSQL-only (migration 0002).
        indexes = (
            Index(fields=("unit_path", "id"), name="dossier_unit_path_id"),
            Index(fields=("status", "unit_path"), name="dossier_status_path"),
            Index(fields=("procedure_id", "id"), name="dossier_procedure_id"),
            Index(fields=("received_at", "id"), name="dossier_received_id"),
            Index(fields=("channel", "id"), name="dossier_channel_id"),
            Index(fields=("ended_at", "legal_due_at"), name="dossier_open_due"),
            Index(fields=("unit_id", "id"), name="dossier_unit_id"),
            Index(fields=("desk_path", "id"), name="dossier_desk_path_id"),
            Index(fields=("awaiting_assignment", "id"), name="dossier_awaiting"),
            # orderBy: DUE (received is served by dossier_received_id, code by its unique index)
            Index(fields=("due_at", "id"), name="dossier_due_id"),
        )


class DossierEvent(Model):
    """One transition of a dossier: who, when, from which status to which, and why."""

    id = fields.BigIntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Dossier] = fields.ForeignKeyField(
        "models.Dossier", related_name="events", on_delete=fields.CASCADE
    )
    dossier_id: int
    at = fields.DatetimeField()
    action = fields.CharField(max_length=32)
    from_status = fields.CharEnumField(DossierStatus, max_length=24, null=True)
    to_status = fields.CharEnumField(DossierStatus, max_length=24)
    actor_username = fields.CharField(max_length=150)
    note = fields.TextField(null=True)

    class Meta:
        table = "dossier_events"
        indexes = (Index(fields=("dossier_id", "id"), name="dossier_event_dossier"),)


class DossierCodeCounter(Model):
    """Last sequence number used for an agency's dossier codes on one day."""

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Agency", related_name="code_counters", on_delete=fields.CASCADE
    )
    agency_id: int
    day = fields.DateField()
    last_sequence = fields.IntField(default=0)

    class Meta:
        table = "dossier_code_counters"
        unique_together = (("agency", "day"),)


class CalendarOverride(Model):
    """A day whose working status is set over the `holidays` package.

    A day off the package lacks (a swap, a new holiday) or a working day it would give off.
    """

    day = fields.DateField(primary_key=True)
    is_working_day = fields.BooleanField()
    note = fields.CharField(max_length=255, default="")  # the reason (API: `reason`)
    # The document that announced it, e.g. "Công văn 12729/VPCP-KGVX ngày 25/12/2025".
    source = fields.CharField(max_length=255, default="", db_default="")
    set_by = fields.CharField(max_length=150, default="", db_default="")
    set_at = fields.DatetimeField(null=True)

    class Meta:
        table = "calendar_overrides"
