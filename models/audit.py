"""The audit trail's storage: one row per recorded action."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.scope import plan_once


class AuditOutcome(StrEnum):
    ALLOWED = "ALLOWED"
    DENIED = "DENIED"
    ERROR = "ERROR"


class AuditEntry(Model):
    """Who did what to which object, with what outcome, and the changed fields old → new.

    Entries form a chain: `seq` numbers them without gaps and `hash` is an HMAC over the
    entry and the previous entry's hash (audit/chain.py), so any edit, deletion,
    insertion or reordering shows up in verification.

    On PostgreSQL the table is partitioned by month on `at` (migration 0013,
    models/partitions.py). A unique constraint there must include `at`, so the primary key
    is (id, at) and `seq` has a plain index: `id` stays unique because only its sequence
    fills it, `seq` because only the chain head's holder writes it, and verification reads
    every row and names a duplicate of either (what `unique` here still declares on SQLite).
    """

    id = fields.BigIntField(primary_key=True)
    seq = fields.BigIntField(null=True, unique=True)
    prev_hash = fields.CharField(max_length=64, null=True)
    hash = fields.CharField(max_length=64, null=True)
    at = fields.DatetimeField()
    actor_kind = fields.CharField(max_length=16)
    actor_username = fields.CharField(max_length=150, null=True)
    # The actor's roles and units at the time, e.g. "CLERK@20335" (or a partner's scopes).
    actor_roles = fields.CharField(max_length=500, null=True)
    action = fields.CharField(max_length=64)
    object_type = fields.CharField(max_length=64, null=True)
    object_id = fields.CharField(max_length=64, null=True)
    unit_path = fields.CharField(max_length=128, null=True)
    outcome = fields.CharEnumField(AuditOutcome, max_length=16)
    reason = fields.TextField(null=True)
    operation_name = fields.CharField(max_length=128, null=True)
    request_id = fields.CharField(max_length=64, null=True)
    client_address = fields.CharField(max_length=64, null=True)
    changes: fields.JSONField[dict[str, list[Any]] | None] = fields.JSONField(null=True)
    # A burst of identical refusals is kept as its first entry and one entry with the
    # count of the rest (audit/refusals.py); everything else happened once.
    occurrences = fields.IntField(default=1, db_default=1)
    # The lane (audit_chain_head.id) the entry is chained in: `seq` and `prev_hash` count
    # within it. Lane 1 is the chain as it was before lanes; a serving process on PostgreSQL
    # writes into a lane of its own (audit/chain.py).
    lane = fields.SmallIntField(default=1, db_default=1)

    class Meta:
        table = "audit_entries"
        indexes = (
            Index(fields=("object_type", "object_id", "id"), name="audit_object"),
            Index(fields=("at", "id"), name="audit_at"),
            Index(fields=("actor_username", "id"), name="audit_actor"),
            Index(fields=("unit_path", "id"), name="audit_unit_path"),
            # An action or an outcome that is rare (a policy change, a denial) must not walk
            # the whole trail back from its newest entry (issue 15, (e)).
            Index(fields=("action", "id"), name="audit_action"),
            Index(fields=("outcome", "id"), name="audit_outcome"),
        )


# The audit search sends its jurisdiction as one array of prefixes (models.scope.scoped_once).
plan_once(AuditEntry)


class AuditChainHead(Model):
    """A lane's last sealed entry: locked briefly by each writer, at the end of its
    transaction. `id` is the lane (1: the chain before lanes; console commands and tests write
    there). `head_mac` is an HMAC over (lane, last_seq, last_hash) with the audit key, so that
    someone who removes the last entries cannot point the head at the new last one
    (audit/chain.py). `holder` is the serving process that claimed the lane, until
    `held_until` (each of its seals moves it on); a lane whose time has passed is claimed by
    the next process that starts.

    `base_*` is where the chain in the database starts once months have been archived
    (detached partitions): entries up to `base_seq` left the database, `base_hash` is the
    last one's hash, `base_loose` the few archived entries sealed after it ({seq: hash}: an
    entry stamped just before midnight may be sealed after one stamped just after), all
    sealed by `base_mac` with the audit key (resolvers/audit_partitions.py)."""

    id = fields.IntField(primary_key=True)
    last_seq = fields.BigIntField(default=0)
    last_hash = fields.CharField(max_length=64, default="")
    head_mac = fields.CharField(max_length=64, default="", db_default="")
    base_seq = fields.BigIntField(default=0, db_default=0)
    base_hash = fields.CharField(max_length=64, default="", db_default="")
    base_loose: fields.JSONField[dict[str, str] | None] = fields.JSONField(null=True)
    base_mac = fields.CharField(max_length=64, default="", db_default="")
    holder = fields.CharField(max_length=128, null=True)
    held_until = fields.DatetimeField(null=True)

    class Meta:
        table = "audit_chain_head"
