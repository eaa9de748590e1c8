"""Partner agencies' tokens: opaque secrets shown once, scoped to actions and a unit subtree.

A token can do no more than its issuer: each scope must be an action the issuer may do at
the token's unit (an ADMIN who does not read personal data cannot hand `dossier:read_pii`
to a partner). The console operator (`app.py partners issue`) may issue any scope.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from audit import record
from models import PartnerToken
from models.errors import BadInput, Forbidden, NotFound, Unauthenticated
from policies import Actor, ActorKind, allows, authorize
from policies.guard import SCOPE_ACTIONS
from resolvers import clock, lookups, notifications, validation

PREFIX = "mcp_"
HASH = re.compile(r"^[0-9a-f]{64}$")
SCOPES = frozenset(SCOPE_ACTIONS)
MAX_DAYS = 366
# Writing last use on every request would turn each read into a write; once a minute is enough.
LAST_USE_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    token_id: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_partner_token(
    *, actor: Actor, partner_name: str, scopes: list[str], unit_code: str, expires_in_days: int,
    allowed_operations: list[str] | None = None,
) -> IssuedToken:
    """Create a token; its secret is in the answer and nowhere else."""
    name = validation.text(partner_name, field="partnerName", max_length=200) or ""
    unknown = sorted(set(scopes) - SCOPES)
    if unknown or not scopes:
        raise BadInput(f"scopes must be some of {', '.join(sorted(SCOPES))}; unknown: "
                       f"{', '.join(unknown) or 'none given'}", field="scopes")
    if not 1 <= expires_in_days <= MAX_DAYS:
        raise BadInput(f"expiresInDays must be between 1 and {MAX_DAYS}", field="expiresInDays")
    if allowed_operations is not None and (
            len(allowed_operations) > 200 or not all(HASH.match(h) for h in allowed_operations)):
        raise BadInput("allowedOperations must be up to 200 SHA-256 hex digests", field="allowedOperations")
    unit = await lookups.unit_by_code(unit_code)
    if unit is None:
        raise BadInput(f"unknown unit {unit_code!r}", field="unitCode")
    authorize(actor, "partner_token", "issue", unit.path)
    beyond = sorted(s for s in set(scopes) if not allows(actor, *SCOPE_ACTIONS[s], unit.path))
    if beyond:
        raise Forbidden(f"a token cannot do more than its issuer: you may not {', '.join(beyond)} "
                        f"at {unit.code}", field="scopes", audit=dict(
                            action="partner_token:issue", object_type="PartnerToken",
                            unit_path=unit.path))
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    async with in_transaction():
        await PartnerToken.create(
            id=token_id, partner_name=name, scopes=sorted(set(scopes)), unit=unit,
            secret_hash=_digest(secret), created_by=actor.name,
            allowed_operations=sorted(set(allowed_operations)) if allowed_operations else None,
            expires_at=clock.now() + timedelta(days=expires_in_days),
        )
        await record(actor=actor, action="partner_token:issue", object_type="PartnerToken",
                     object_id=token_id, unit_path=unit.path,
                     changes={"partner_name": [None, name], "scopes": [None, sorted(set(scopes))],
                              "token": [None, "***"]})
    return IssuedToken(token=f"{PREFIX}{token_id}.{secret}", token_id=token_id)


async def revoke_partner_token(*, actor: Actor, token_id: str) -> bool:
    token = await PartnerToken.get_or_none(id=token_id[:16]).select_related("unit")
    if token is None:
        raise NotFound(f"partner token {token_id!r} not found", field="tokenId")
    authorize(actor, "partner_token", "revoke", token.unit.path)
    async with in_transaction():
        await PartnerToken.filter(id=token.id).update(**clock.stored({"revoked_at": clock.now()}))
        await record(actor=actor, action="partner_token:revoke", object_type="PartnerToken",
                     object_id=token.id, unit_path=token.unit.path)
        await notifications.announce_ended("partner", token.id)
    return True


def is_partner_token(token: str) -> bool:
    return token.startswith(PREFIX)


async def partner_actor(token: str, *, request_id: str | None, client_address: str | None) -> Actor:
    """The partner behind a token; checked against the database on every request."""
    token_id, _, secret = token.removeprefix(PREFIX).partition(".")
    row = await PartnerToken.get_or_none(id=token_id[:16]).select_related("unit")
    now = clock.now()
    # A unit row removed behind the ORM's back leaves the token without a jurisdiction.
    if (row is None or not hmac.compare_digest(row.secret_hash, _digest(secret))
            or row.revoked_at is not None or row.expires_at <= now
            or getattr(row, "unit", None) is None):
        raise Unauthenticated("invalid, expired or revoked partner token")
    if row.last_used_at is None or now - row.last_used_at > LAST_USE_GRANULARITY:
        await PartnerToken.filter(id=row.id).update(**clock.stored({"last_used_at": now}))
    return Actor(kind=ActorKind.PARTNER, username=f"partner:{row.id}", scopes=frozenset(row.scopes),
                 partner_unit_path=row.unit.path, request_id=request_id,
                 client_address=client_address, extra={"partner": row.partner_name},
                 allowed_operations=frozenset(row.allowed_operations)
                 if row.allowed_operations else None)
