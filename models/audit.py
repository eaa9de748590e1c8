"""The audit trail's storage: one row per recorded action."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class AuditOutcome(StrEnum):
    ALLOWED = "ALLOWED"
    DENIED = "DENIED"
    ERROR = "ERROR"


class AuditEntry(Model):
    """Who did what to which object, with what outcome, and the changed fields old → new."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    actor_kind = fields.CharField(max_length=16)
    actor_username = fields.CharField(max_length=150, null=True)
    action = fields.CharField(max_length=64)
    object_type = fields.CharField(max_length=64, null=True)
    object_id = fields.CharField(max_length=64, null=True)
    unit_path = fields.CharField(max_length=128, null=True)
    outcome = fields.CharEnumField(AuditOutcome, max_length=16)
    reason = fields.TextField(null=True)
    operation_name = fields.CharField(max_length=128, null=True)
    request_id = fields.CharField(max_length=64, null=True)
    client_address = fields.CharField(max_length=64, null=True)
    changes = fields.JSONField(null=True)

    class Meta:
        table = "audit_entries"
        indexes = (
            Index(fields=("object_type", "object_id", "id"), name="audit_object"),
            Index(fields=("at", "id"), name="audit_at"),
        )
