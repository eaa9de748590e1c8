"""Who can call: users, their login sessions, partner tokens, and the Casbin rules."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class User(Model):
    """An official who logs in with a password (argon2id hash only)."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=150, unique=True)
    display_name = fields.CharField(max_length=200)
    password_hash = fields.CharField(max_length=255)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"


class Session(Model):
    """One login: the family of its rotating refresh tokens. Logout or reuse revokes it all."""

    id = fields.CharField(max_length=32, primary_key=True)  # the token family id
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    # Only the newest refresh token of the family is valid; presenting an older one is reuse.
    current_refresh_id = fields.CharField(max_length=32)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sessions"


class PartnerToken(Model):
    """A partner agency's token with scopes and a jurisdiction (only the secret's hash is kept)."""

    id = fields.CharField(max_length=16, primary_key=True)  # public token id
    partner_name = fields.CharField(max_length=200)
    scopes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    unit: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.AdministrativeUnit", related_name="partner_tokens", on_delete=fields.RESTRICT
    )
    unit_id: int
    secret_hash = fields.CharField(max_length=64)
    created_by = fields.CharField(max_length=150)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    # SHA-256 of the only query texts this token may send (None: any operation).
    allowed_operations: fields.JSONField[list[str] | None] = fields.JSONField(null=True)

    class Meta:
        table = "partner_tokens"


class CasbinRule(Model):
    """One Casbin policy line: `p, role, object, action` or `g, user, role, domain`."""

    id = fields.IntField(primary_key=True)
    ptype = fields.CharField(max_length=8)
    v0 = fields.CharField(max_length=150)
    v1 = fields.CharField(max_length=150)
    v2 = fields.CharField(max_length=150, default="")

    class Meta:
        table = "casbin_rules"
        unique_together = (("ptype", "v0", "v1", "v2"),)
        indexes = (Index(fields=("ptype", "v0"), name="casbin_rule_subject"),)


class PolicyRevision(Model):
    """A counter bumped with every policy change, so other processes know to reload."""

    id = fields.IntField(primary_key=True)
    revision = fields.IntField(default=0)

    class Meta:
        table = "policy_revision"
