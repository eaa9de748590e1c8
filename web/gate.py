"""Who is calling and how often: what the edge and the GraphQL endpoint both need."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from policies import Actor, ActorKind, store
from policies.proofs import ProofBackoff
from policies.ratelimit import Limits, LoginBackoff, RateLimiter
from policies.tokens import KeyRing
from resolvers import identity
from resolvers.errors import RateLimited, Unauthenticated
from schema.limits import QueryLimits


async def authenticate(header: str | None, keys: KeyRing, *, request_id: str | None,
                       client_address: str | None, scrape_token: str | None = None) -> Actor:
    """The caller: anonymous without a token, else the token's user or partner. A token
    that is sent but not valid raises Unauthenticated (HTTP 401). The metrics scraper's
    token (METRICS_TOKEN) makes an anonymous caller marked as the scraper: it opens
    `/metrics` and nothing else."""
    if header is None:
        return Actor(kind=ActorKind.ANONYMOUS, request_id=request_id, client_address=client_address)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization must be 'Bearer <token>'")
    token = token.strip()
    if scrape_token and hmac.compare_digest(token.encode(), scrape_token.encode()):
        return Actor(kind=ActorKind.ANONYMOUS, request_id=request_id, client_address=client_address,
                     extra={"scraper": "yes"})
    await store.refresh()
    if identity.is_partner_token(token):
        return await identity.partner_actor(token, request_id=request_id,
                                            client_address=client_address)
    return await identity.user_actor(keys, token, request_id=request_id,
                                     client_address=client_address)


def rate_key(actor: Actor) -> tuple[str, int]:
    """Users and partners are limited by identity (offices share one address behind NAT),
    anonymous callers by address."""
    if actor.kind is ActorKind.PARTNER:
        return f"partner:{actor.username}", 0
    if actor.kind is ActorKind.USER:
        return f"user:{actor.username}", 1
    return f"addr:{actor.client_address}", 2


@dataclass(frozen=True)
class Gate:
    """Keys, limits and the shared limiter (in memory, or Redis across processes)."""

    keys: KeyRing
    limits: QueryLimits
    rates: Limits
    limiter: RateLimiter
    backoff: LoginBackoff
    proofs: ProofBackoff
    scrape_token: str | None = None

    async def charge(self, actor: Actor, hits: int = 1) -> None:
        """Count `hits` requests (a batch counts each operation); RateLimited when over."""
        key, kind = rate_key(actor)
        limit = (self.rates.per_partner, self.rates.per_user, self.rates.per_address)[kind]
        for _ in range(hits):
            decision = await self.limiter.hit(key, limit=limit, window=self.rates.window)
            if not decision.allowed:
                wait = max(1, round(decision.retry_after))
                raise RateLimited(f"too many requests; retry in {wait} s", retryAfter=wait)
