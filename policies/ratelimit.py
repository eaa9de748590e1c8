"""Rate limits (GCRA: a token bucket kept as one timestamp per key) and login backoff, in memory or Redis."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
T = TypeVar("T")

# Float sums of the timestamp drift by tiny amounts; a hit this close to its slot is not a violation.
TOLERANCE = 1e-4
MAX_USERNAME = 128  # longer input is not a real username; truncating bounds key size and hashing work

# GCRA: a key stores its "theoretical arrival time" (TAT). Each hit pushes it `window / limit` later; a hit is
# refused while that would put the TAT more than `window` ahead of now. Same arithmetic as MemoryRateLimiter;
# Redis's own clock is used so processes with different clocks agree, minus an epoch to keep floats precise.
_HIT_LUA = """
local t = redis.call('TIME')
local now = (tonumber(t[1]) - 1700000000) + tonumber(t[2]) / 1000000
local limit, window, tol = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local interval = window / limit
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local ahead = tat + interval - now
if ahead - window > tol then return {0, string.format('%.6f', ahead - window), 0} end
redis.call('SET', KEYS[1], string.format('%.17g', now + ahead), 'PX', math.max(1, math.ceil(ahead * 1000)))
return {1, '0', math.floor((window - ahead + tol) / interval)}
"""


@dataclass(frozen=True)
class Decision:
    """The outcome of one hit."""

    allowed: bool
    retry_after: float  # seconds until the next hit would be allowed (0 when allowed)
    remaining: int


@dataclass(frozen=True)
class Limits:
    """Configured limits, each per `window` seconds."""

    per_user: int = 600
    per_partner: int = 1200
    per_address: int = 300
    window: float = 60.0


class RateLimiter(Protocol):
    """Counts hits per key and decides whether one more is allowed."""

    async def hit(self, key: str, *, limit: int, window: float) -> Decision: ...
    async def reset(self, key: str) -> None: ...


class CounterStore(Protocol):
    """Expiring counters, the only storage LoginBackoff needs; both limiters provide it."""

    async def incr_with_ttl(self, key: str, ttl: float) -> int: ...
    async def ttl(self, key: str) -> float: ...
    async def delete(self, *keys: str) -> None: ...


def _check(limit: int, window: float) -> float:
    """Validate a limit and return the GCRA emission interval."""
    if limit < 1 or window <= 0:
        raise ValueError(f"need limit >= 1 and window > 0, got {limit=} {window=}")
    return window / limit


class MemoryRateLimiter:
    """In-process GCRA limiter and counter store; at most `max_keys` keys, least recently used evicted first.

    Eviction forgets a key's state (it starts fresh), the price of bounded memory under key churn.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        # key -> (value, expires_at); for limiter keys the value is the TAT, which is also the expiry.
        self._entries: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _get(self, key: str, now: float) -> tuple[float, float] | None:
        entry = self._entries.get(key)
        if entry is not None and entry[1] <= now:
            del self._entries[key]
            return None
        return entry

    def _put(self, key: str, value: float, expires_at: float) -> None:
        self._entries[key] = (value, expires_at)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_keys:
            self._entries.popitem(last=False)

    async def hit(self, key: str, *, limit: int, window: float) -> Decision:
        """Record one hit on `key` unless that exceeds `limit` per `window`."""
        interval = _check(limit, window)
        now, key = self._clock(), "hit:" + key
        entry = self._get(key, now)
        ahead = max(entry[0] if entry else now, now) + interval - now
        if ahead - window > TOLERANCE:
            return Decision(False, ahead - window, 0)
        self._put(key, now + ahead, now + ahead)
        remaining = math.floor((window - ahead + TOLERANCE) / interval)
        return Decision(True, 0.0, max(0, min(limit - 1, remaining)))

    async def reset(self, key: str) -> None:
        """Forget all hits on `key`."""
        self._entries.pop("hit:" + key, None)

    async def incr_with_ttl(self, key: str, ttl: float) -> int:
        """Increment a counter and (re)start its time to live."""
        now, key = self._clock(), "cnt:" + key
        entry = self._get(key, now)
        count = int(entry[0] if entry else 0) + 1
        self._put(key, count, now + ttl)
        return count

    async def ttl(self, key: str) -> float:
        """Seconds until the counter expires; 0 when absent."""
        now = self._clock()
        entry = self._get("cnt:" + key, now)
        return entry[1] - now if entry else 0.0

    async def delete(self, *keys: str) -> None:
        """Remove counters."""
        for key in keys:
            self._entries.pop("cnt:" + key, None)

    async def close(self) -> None:
        """Nothing to release; present so callers can close either backend."""


class RedisRateLimiter:
    """GCRA limiter and counter store in Redis, shared by all processes; each hit is one atomic Lua script.

    Rate limiting is protection, not correctness: when Redis is unreachable every call fails open (hits are
    allowed, counters read as empty), a warning is logged at most once a minute, and Redis is not asked again
    for `retry_seconds`, so an outage costs requests neither errors nor a connect timeout each.
    """

    def __init__(self, url: str, *, prefix: str = "motcua:rl:", timeout: float = 0.5,
                 retry_seconds: float = 5.0) -> None:
        # No retries: a limiter that waits out backoffs on a dead Redis would slow every request.
        self._redis = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout,
                                     retry=Retry(NoBackoff(), 0))
        self._prefix = prefix
        self._script = self._redis.register_script(_HIT_LUA)
        self._retry_seconds = retry_seconds
        self._down_until = 0.0
        self._warned_at = -math.inf

    async def _guard(self, call: Callable[[], Awaitable[T]], fallback: T) -> T:
        """Run a Redis call, failing open (and briefly skipping Redis) when it is unreachable."""
        now = time.monotonic()
        if now < self._down_until:
            return fallback
        try:
            return await call()
        except (RedisError, OSError) as error:
            self._down_until = now + self._retry_seconds
            if now - self._warned_at >= 60:
                self._warned_at = now
                log.warning("rate limiter: Redis unavailable, allowing requests (%s: %s)",
                            type(error).__name__, error)
            return fallback

    async def hit(self, key: str, *, limit: int, window: float) -> Decision:
        """Record one hit on `key` unless that exceeds `limit` per `window`."""
        _check(limit, window)
        args: list[int | str] = [limit, repr(float(window)), repr(TOLERANCE)]
        reply = await self._guard(lambda: self._script(keys=[self._prefix + "hit:" + key], args=args), None)
        if reply is None:
            return Decision(True, 0.0, limit - 1)
        allowed, excess, remaining = reply
        if not allowed:
            return Decision(False, float(excess), 0)
        return Decision(True, 0.0, max(0, min(limit - 1, int(remaining))))

    async def reset(self, key: str) -> None:
        """Forget all hits on `key`."""
        await self._guard(lambda: self._redis.delete(self._prefix + "hit:" + key), None)

    async def incr_with_ttl(self, key: str, ttl: float) -> int:
        """Increment a counter and (re)start its time to live, atomically (MULTI)."""
        async def call() -> int:
            async with self._redis.pipeline(transaction=True) as pipe:
                name = self._prefix + "cnt:" + key
                # redis types commands as awaitables; on a pipeline they return the pipeline.
                count, _ = await pipe.incr(name).pexpire(  # type: ignore[attr-defined]
                    name, max(1, math.ceil(ttl * 1000))).execute()
                return int(count)
        return await self._guard(call, 0)

    async def ttl(self, key: str) -> float:
        """Seconds until the counter expires; 0 when absent."""
        millis = await self._guard(lambda: self._redis.pttl(self._prefix + "cnt:" + key), -2)
        return max(0, millis) / 1000

    async def delete(self, *keys: str) -> None:
        """Remove counters."""
        await self._guard(lambda: self._redis.delete(*(self._prefix + "cnt:" + k for k in keys)), None)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()


def limiter_from_url(url: str | None) -> MemoryRateLimiter | RedisRateLimiter:
    """None or "" gives an in-process limiter; redis://, rediss:// or unix:// a shared Redis one."""
    if not url:
        return MemoryRateLimiter()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisRateLimiter(url)
    raise ValueError(f"unsupported rate limiter URL scheme: {url.split(':', 1)[0]!r}")


def _digest(*parts: str) -> str:
    """A fixed-size key fragment, so attacker-chosen names and addresses cannot shape keys."""
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class LoginBackoff:
    """Failed logins are counted three ways, each with its own threshold of free attempts:
    per (username, address) pair (5), per username from anywhere (20: distributed guessing),
    and per address whatever the username (10: password spraying, one password tried on many
    names). Past a threshold each further failure starts an exponentially growing wait (base
    1 s, doubling, capped at 15 min) during which that name or address may not try at all;
    a success clears only its pair.

    Counts are forgotten `forget_seconds` after the last failure (the address count sooner,
    `address_forget_seconds`: offices share one address behind NAT, and their typos should
    not pile up all day); the wait itself is a counter's time to live, so the store's clock
    (Redis's, in Redis) is the only clock. An unknown address (None) is one shared address:
    stricter, never looser.
    """

    def __init__(self, store: CounterStore, *, free_attempts: int = 5, user_free_attempts: int = 20,
                 address_free_attempts: int = 10, cap_seconds: float = 900, base_seconds: float = 1.0,
                 forget_seconds: float = 86_400, address_forget_seconds: float = 900) -> None:
        self._store = store
        self._free = {"pair": free_attempts, "user": user_free_attempts, "addr": address_free_attempts}
        self._forget = {"pair": forget_seconds, "user": forget_seconds, "addr": address_forget_seconds}
        self._cap = cap_seconds
        self._base = base_seconds

    @staticmethod
    def _scopes(username: str, address: str | None) -> dict[str, str]:
        user = username.strip().lower()[:MAX_USERNAME]
        return {"pair": "login:pair:" + _digest(user, address or "?"), "user": "login:user:" + _digest(user),
                "addr": "login:addr:" + _digest(address or "?")}

    async def check(self, username: str, address: str | None) -> float:
        """Seconds to wait before the next attempt; 0 means it may try now."""
        scopes = self._scopes(username, address)
        return max([await self._store.ttl(key + ":wait") for key in scopes.values()])

    async def failed(self, username: str, address: str | None) -> None:
        """Count a failed login and start the wait it earns."""
        for scope, key in self._scopes(username, address).items():
            over = await self._store.incr_with_ttl(key + ":n", self._forget[scope]) - self._free[scope]
            if over >= 0:
                # min() on the exponent first: 2 ** (huge) would overflow a float.
                delay = min(self._cap, self._base * 2 ** min(over, 64))
                await self._store.incr_with_ttl(key + ":wait", delay)

    async def succeeded(self, username: str, address: str | None) -> None:
        """Clear the pair's failures; the username-wide and address-wide counts decay on their own
        (a sprayer who knows one password must not be able to reset the address's count)."""
        key = self._scopes(username, address)["pair"]
        await self._store.delete(key + ":n", key + ":wait")
