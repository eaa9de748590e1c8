"""Login, rotating refresh tokens, logout, and turning a bearer token into an Actor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise import connections
from tortoise.transactions import in_transaction

from audit import record
from models import Session, User, dialect
from models.errors import RateLimited, Unauthenticated
from policies import Actor, ActorKind, grants_of, tokens
from policies.ratelimit import LoginBackoff
from resolvers import clock, notifications
from resolvers.identity.passwords import hash_password, needs_rehash, verify_password

ACCESS_LIFETIME = timedelta(minutes=15)
REFRESH_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime


async def _pair(ring: tokens.KeyRing, user: User, session: Session,
                replaces: str | None = None) -> TokenPair | None:
    """New tokens for the session; with `replaces`, only if that refresh token is still the
    current one (compare-and-set: of two rotations of one token, exactly one gets a pair)."""
    access, claims = tokens.issue(ring, subject=user.username, token_type="access",
                                  lifetime=ACCESS_LIFETIME, family=session.id, now=clock.now())
    refresh, refresh_claims = tokens.issue(ring, subject=user.username, token_type="refresh",
                                           lifetime=REFRESH_LIFETIME, family=session.id,
                                           now=clock.now())
    current = Session.filter(id=session.id)
    if replaces is not None:
        current = current.filter(current_refresh_id=replaces, revoked_at__isnull=True)
    if not await current.update(current_refresh_id=refresh_claims.token_id):
        return None
    return TokenPair(access_token=access, refresh_token=refresh, expires_at=claims.expires_at)


def _login_refused(username: str, user: User | None) -> dict[str, str | None]:
    """What the trail records of a refused login (the layer above writes it): a known
    official's failures sit in their home unit, so only auditors there (and at the root) read
    them with the client address; a name nobody holds belongs to no unit (the root's). Only
    the trail differs: the answer is the same whether or not the name exists."""
    grants = grants_of(user.username) if user is not None else ()
    return {"action": "login", "object_type": "User", "object_id": username[:64],
            "unit_path": grants[0].unit_path if grants else None}


async def login(
    *, actor: Actor, ring: tokens.KeyRing, username: str, password: str,
    backoff: LoginBackoff | None = None,
) -> TokenPair:
    """Check the password and open a session; a failure says nothing more than that.
    After repeated failures for a name, an address or both, attempts must wait (exponential
    back-off, policies.ratelimit.LoginBackoff)."""
    user = await User.get_or_none(username=username[:150])
    refused = _login_refused(username, user)
    if backoff is not None and (wait := await backoff.check(username, actor.client_address)) > 0:
        raise RateLimited(f"too many failed logins; retry in {max(1, round(wait))} s",
                          retryAfter=max(1, round(wait)), audit=refused)
    ok = verify_password(user.password_hash if user else None, password[:1024])
    if not ok or user is None or not user.is_active:
        if backoff is not None:
            await backoff.failed(username, actor.client_address)
        raise Unauthenticated("invalid username or password", audit=refused)
    if backoff is not None:
        await backoff.succeeded(username, actor.client_address)
    async with in_transaction():
        if needs_rehash(user.password_hash):
            await User.filter(id=user.id).update(password_hash=hash_password(password))
        session = await Session.create(id=uuid.uuid4().hex, user=user, current_refresh_id="",
                                       expires_at=clock.now() + REFRESH_LIFETIME)
        pair = await _pair(ring, user, session)
        await record(actor=_as(user, actor), action="login", object_type="User",
                     object_id=user.username)
    assert pair is not None  # a new session has no rival rotation
    return pair


async def refresh(*, actor: Actor, ring: tokens.KeyRing, token: str) -> TokenPair:
    """Rotate: the old refresh token dies; presenting a dead one again revokes the session."""
    claims = tokens.verify(ring, token, token_type="refresh", now=clock.now())
    refused = {"action": "token:refresh", "object_type": "Session",
               "object_id": (claims.family or "")[:64]}
    session = await _live_session(claims.family)
    if session is None:
        raise Unauthenticated("session ended; log in again", audit=refused)
    async with in_transaction():
        pair = await _pair(ring, session.user, session, replaces=claims.token_id)
        if pair is not None:
            await record(actor=_as(session.user, actor), action="token:refresh",
                         object_type="Session", object_id=session.id)
    if pair is not None:
        return pair
    # Reuse of a rotated token (or a second rotation racing the first) means it leaked:
    # end the whole session. The revocation is a change of its own, recorded as such.
    async with in_transaction():
        revoked = await Session.filter(id=session.id, revoked_at__isnull=True).update(
            **clock.stored({"revoked_at": clock.now()}))
        if revoked:
            await record(actor=_as(session.user, actor), action="session:revoke",
                         object_type="Session", object_id=session.id,
                         reason="refresh token reused", changes={"revoked": [False, True]})
            await notifications.announce_ended("session", session.id)
    raise Unauthenticated("refresh token already used; session revoked", audit=refused)


async def logout(*, actor: Actor) -> bool:
    """End the caller's session: its access and refresh tokens stop working at once."""
    family = actor.extra.get("session")
    if actor.kind is not ActorKind.USER or not family:
        raise Unauthenticated("log in first")
    async with in_transaction():
        await Session.filter(id=family).update(**clock.stored({"revoked_at": clock.now()}))
        await record(actor=actor, action="logout", object_type="Session", object_id=family)
        await notifications.announce_ended("session", family)
    return True


async def user_actor(
    ring: tokens.KeyRing, token: str, *, request_id: str | None, client_address: str | None
) -> Actor:
    """The Actor behind an access token, or Unauthenticated (expired, revoked, forged…)."""
    claims = tokens.verify(ring, token, token_type="access", now=clock.now())
    if not claims.family or await _session_owner(claims.family) != claims.subject:
        raise Unauthenticated("token revoked")
    return Actor(kind=ActorKind.USER, username=claims.subject, grants=grants_of(claims.subject),
                 request_id=request_id, client_address=client_address,
                 extra={"session": claims.family})


async def _session_owner(family: str) -> str | None:
    """The username of a session that still stands (as `_live_session`), in one statement
    whose text is built once: every authenticated request asks it, and building the ORM's
    join cost a tenth of a one-dossier read's CPU (issue 15)."""
    conn = connections.get("default")
    rows = await conn.execute_query_dict(_OWNER_SQL.format(mark=dialect.mark(conn, 1)), [family])
    return rows[0]["username"] if rows else None


_OWNER_SQL = (f'SELECT u.username FROM "{Session._meta.db_table}" s '
              f'JOIN "{User._meta.db_table}" u ON u.id = s.user_id '
              "WHERE s.id = {mark} AND s.revoked_at IS NULL AND u.is_active")


async def _live_session(family: str | None) -> Session | None:
    """The session of a token family if it still stands: not revoked, and its user still there
    and active (a user row deleted behind the ORM's back leaves the session without one)."""
    session = await Session.get_or_none(id=family or "").select_related("user")
    if session is None or session.revoked_at is not None:
        return None
    user = getattr(session, "user", None)
    return session if user is not None and user.is_active else None


def _as(user: User, actor: Actor) -> Actor:
    return Actor(kind=ActorKind.USER, username=user.username, grants=grants_of(user.username),
                 request_id=actor.request_id, client_address=actor.client_address)
