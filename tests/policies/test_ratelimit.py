"""Rate limiter and login backoff, in memory (fake clock) and in a real Redis (skipped when unreachable)."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass

import pytest
import redis
from redis.asyncio import Redis

from policies.ratelimit import (
    Limits,
    LoginBackoff,
    MemoryRateLimiter,
    RedisRateLimiter,
    limiter_from_url,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DEAD_URL = "redis://127.0.0.1:1"  # nothing listens on port 1: connection refused at once


@functools.cache
def redis_reachable() -> bool:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


needs_redis = pytest.mark.skipif("not redis_reachable()", reason=f"Redis not reachable at {REDIS_URL}")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Backend:
    limiter: MemoryRateLimiter | RedisRateLimiter
    advance: Callable[[float], Awaitable[None]]  # let time pass: the fake clock, or really sleep for Redis
    prefix: str = ""


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A prefix of this test's own; its keys are deleted afterwards (sync, so async fixtures can use it)."""
    if not redis_reachable():
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    prefix = f"motcua:test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param == "memory":
        clock = FakeClock()

        async def tick(seconds: float) -> None:
            clock.now += seconds

        yield Backend(MemoryRateLimiter(clock=clock), tick)
        return
    prefix = request.getfixturevalue("redis_prefix")
    limiter = RedisRateLimiter(REDIS_URL, prefix=prefix)
    yield Backend(limiter, asyncio.sleep, prefix)
    await limiter.close()


async def test_allows_limit_then_refuses_with_retry_after(backend: Backend) -> None:
    decisions = [await backend.limiter.hit("k", limit=3, window=60) for _ in range(3)]
    assert [(d.allowed, d.retry_after, d.remaining) for d in decisions] == [(True, 0, 2), (True, 0, 1),
                                                                             (True, 0, 0)]
    refused = await backend.limiter.hit("k", limit=3, window=60)
    assert not refused.allowed and refused.remaining == 0
    assert 19 < refused.retry_after <= 20  # one slot (window / limit) frees up first
    again = await backend.limiter.hit("k", limit=3, window=60)
    assert not again.allowed and again.retry_after <= refused.retry_after  # refusals do not consume


async def test_recovers_after_the_window(backend: Backend) -> None:
    window = 0.3
    for _ in range(3):
        assert (await backend.limiter.hit("k", limit=3, window=window)).allowed
    refused = await backend.limiter.hit("k", limit=3, window=window)
    assert not refused.allowed
    await backend.advance(refused.retry_after + 0.02)
    assert (await backend.limiter.hit("k", limit=3, window=window)).allowed  # one slot back
    assert not (await backend.limiter.hit("k", limit=3, window=window)).allowed
    await backend.advance(window + 0.05)
    decisions = [await backend.limiter.hit("k", limit=3, window=window) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]


async def test_large_limits_are_exact(backend: Backend) -> None:
    # 600 slots of 11.666… s sum to the window; rounding drift must not refuse the last one. (A long window
    # because real time passes in Redis; an inexact slot length because that is where drift shows.)
    decisions = [await backend.limiter.hit("k", limit=Limits().per_user, window=7000) for _ in range(601)]
    assert all(d.allowed for d in decisions[:600]) and not decisions[600].allowed
    assert decisions[599].remaining == 0


async def test_keys_are_independent_and_reset(backend: Backend) -> None:
    assert (await backend.limiter.hit("a", limit=1, window=60)).allowed
    assert not (await backend.limiter.hit("a", limit=1, window=60)).allowed
    assert (await backend.limiter.hit("b", limit=1, window=60)).allowed
    await backend.limiter.reset("a")
    assert (await backend.limiter.hit("a", limit=1, window=60)).allowed
    assert not (await backend.limiter.hit("b", limit=1, window=60)).allowed


@pytest.mark.parametrize(("limit", "window"), [(0, 60), (-1, 60), (5, 0)])
async def test_rejects_nonsense_limits(backend: Backend, limit: int, window: float) -> None:
    with pytest.raises(ValueError):
        await backend.limiter.hit("k", limit=limit, window=window)


async def test_memory_stays_bounded() -> None:
    clock = FakeClock()
    limiter = MemoryRateLimiter(clock=clock, max_keys=10)
    for i in range(1000):
        await limiter.hit(f"k{i}", limit=1, window=60)
    assert len(limiter) == 10
    assert not (await limiter.hit("k999", limit=1, window=60)).allowed  # recent keys keep their state
    assert (await limiter.hit("k0", limit=1, window=60)).allowed  # the least recently used was evicted


async def test_memory_drops_expired_state() -> None:
    clock = FakeClock()
    limiter = MemoryRateLimiter(clock=clock)
    await limiter.hit("k", limit=2, window=10)
    await limiter.incr_with_ttl("c", 5)
    clock.now += 10
    assert await limiter.ttl("c") == 0
    assert (await limiter.hit("k", limit=2, window=10)).remaining == 1
    assert len(limiter) == 1


@needs_redis
async def test_redis_keys_expire_by_themselves(redis_prefix: str) -> None:
    limiter = RedisRateLimiter(REDIS_URL, prefix=redis_prefix)
    client = Redis.from_url(REDIS_URL)
    try:
        await limiter.hit("k", limit=10, window=60)
        await limiter.incr_with_ttl("c", 30)
        assert 0 < await client.pttl(redis_prefix + "hit:k") <= 6000  # the TAT's lead: one slot of 6 s
        assert 0 < await client.pttl(redis_prefix + "cnt:c") <= 30_000
    finally:
        await client.aclose()
        await limiter.close()


@needs_redis
async def test_two_redis_limiters_share_state(redis_prefix: str) -> None:
    first = RedisRateLimiter(REDIS_URL, prefix=redis_prefix)
    second = RedisRateLimiter(REDIS_URL, prefix=redis_prefix)  # a second process, in effect
    try:
        results = await asyncio.gather(*(lim.hit("k", limit=10, window=60) for lim in [first, second] * 10))
        assert sum(d.allowed for d in results) == 10  # atomic: concurrent hits from both count exactly once
        await first.reset("k")
        assert (await second.hit("k", limit=10, window=60)).allowed
    finally:
        await first.close()
        await second.close()


async def test_redis_unreachable_fails_open_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisRateLimiter(DEAD_URL, timeout=0.2)
    backoff = LoginBackoff(limiter)
    started = time.monotonic()
    try:
        with caplog.at_level(logging.WARNING, logger="policies.ratelimit"):
            decisions = [await limiter.hit("k", limit=1, window=60) for _ in range(5)]
            await backoff.failed("alice", "10.0.0.1")
            assert await backoff.check("alice", "10.0.0.1") == 0
            await backoff.succeeded("alice", "10.0.0.1")
            await limiter.reset("k")
    finally:
        await limiter.close()
    assert all(d.allowed for d in decisions)
    assert time.monotonic() - started < 2
    assert len([r for r in caplog.records if "Redis unavailable" in r.getMessage()]) == 1


async def test_limiter_from_url() -> None:
    assert isinstance(limiter_from_url(None), MemoryRateLimiter)
    assert isinstance(limiter_from_url(""), MemoryRateLimiter)
    shared = limiter_from_url("redis://127.0.0.1:6379/0")
    assert isinstance(shared, RedisRateLimiter)
    await shared.close()  # constructing does not connect; closing must still be clean
    with pytest.raises(ValueError):
        limiter_from_url("memcached://127.0.0.1")


# Login backoff: `backend.limiter` doubles as the counter store.

async def test_backoff_free_attempts_then_doubling_capped(backend: Backend) -> None:
    backoff = LoginBackoff(backend.limiter)
    for _ in range(4):
        await backoff.failed("alice", "10.0.0.1")
        assert await backoff.check("alice", "10.0.0.1") == 0
    waits = []
    for _ in range(13):  # a caller that ignores the wait still only lengthens it
        await backoff.failed("alice", "10.0.0.1")
        waits.append(await backoff.check("alice", "10.0.0.1"))
    expected = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    # Redis counts the wait down in real time between `failed` and `check`: on a loaded
    # machine a tenth of a second passes (7.87 s was seen for 8); still far from the next step.
    assert waits == pytest.approx(expected, abs=0.5)


async def test_backoff_wait_elapses(backend: Backend) -> None:
    backoff = LoginBackoff(backend.limiter, base_seconds=0.1)
    for _ in range(5):
        await backoff.failed("alice", "10.0.0.1")
    assert await backoff.check("alice", "10.0.0.1") == pytest.approx(0.1, abs=0.02)
    await backend.advance(0.12)
    assert await backoff.check("alice", "10.0.0.1") == 0
    await backoff.failed("alice", "10.0.0.1")  # the count is remembered: the next wait is longer
    assert await backoff.check("alice", "10.0.0.1") == pytest.approx(0.2, abs=0.02)


async def test_backoff_success_clears_the_pair(backend: Backend) -> None:
    backoff = LoginBackoff(backend.limiter, address_free_attempts=100)  # the pair alone
    for _ in range(7):
        await backoff.failed("alice", "10.0.0.1")
    assert await backoff.check("alice", "10.0.0.1") > 0
    await backoff.succeeded("alice", "10.0.0.1")
    assert await backoff.check("alice", "10.0.0.1") == 0
    for _ in range(4):
        await backoff.failed("alice", "10.0.0.1")
    assert await backoff.check("alice", "10.0.0.1") == 0  # five free attempts again


async def test_backoff_other_address_until_username_threshold(backend: Backend) -> None:
    backoff = LoginBackoff(backend.limiter, user_free_attempts=20)
    for _ in range(5):
        await backoff.failed("alice", "10.0.0.1")
    assert await backoff.check("alice", "10.0.0.1") > 0
    assert await backoff.check("alice", "10.0.0.2") == 0
    assert await backoff.check("bob", "10.0.0.1") == 0
    for i in range(14):  # distributed guessing: 4 tries each from many addresses, 19 in all
        await backoff.failed("alice", f"10.1.0.{i // 4}")
    assert await backoff.check("alice", "10.2.0.1") == 0
    await backoff.failed("alice", "10.1.9.9")  # the 20th failure for the username
    assert await backoff.check("alice", "10.2.0.1") == pytest.approx(1, abs=0.05)


async def test_backoff_normalises_and_hashes_names(backend: Backend) -> None:
    backoff = LoginBackoff(backend.limiter)
    for _ in range(5):
        await backoff.failed("  Alice ", None)
    assert await backoff.check("ALICE", None) > 0  # case-insensitive; unknown address is one address
    evil = "x*\r\n:" * 1000
    for _ in range(5):
        await backoff.failed(evil, "1.2.3.4\r\nFLUSHALL")
    assert await backoff.check(evil[:128] + "different tail", "1.2.3.4\r\nFLUSHALL") > 0  # truncated
    if backend.prefix:
        client = Redis.from_url(REDIS_URL, decode_responses=True)
        try:
            keys = [key async for key in client.scan_iter(match=backend.prefix + "*")]
        finally:
            await client.aclose()
        pattern = re.compile(re.escape(backend.prefix) + r"cnt:login:(pair|user|addr):[0-9a-f]{32}:(n|wait)")
        assert keys and all(pattern.fullmatch(key) for key in keys)


async def test_backoff_counts_failures_per_address_whatever_the_name(backend: Backend) -> None:
    # password spraying: one password tried on many names from one address
    backoff = LoginBackoff(backend.limiter)
    for i in range(9):
        await backoff.failed(f"official{i}", "10.0.0.9")
        assert await backoff.check(f"official{i + 1}", "10.0.0.9") == 0
    await backoff.failed("official9", "10.0.0.9")  # the tenth failure from the address
    assert await backoff.check("someone.else", "10.0.0.9") == pytest.approx(1, abs=0.05)
    assert await backoff.check("someone.else", "10.0.0.10") == 0
    await backoff.succeeded("official0", "10.0.0.9")  # one right password does not reset it
    assert await backoff.check("someone.else", "10.0.0.9") > 0


async def test_backoff_forgets_an_addresss_failures_sooner(backend: Backend) -> None:
    backoff = LoginBackoff(backend.limiter, address_forget_seconds=0.2, base_seconds=0.05)
    for i in range(10):
        await backoff.failed(f"official{i}", "10.0.0.9")
    await backend.advance(0.25)
    await backoff.failed("official10", "10.0.0.9")  # counted afresh: the first of ten again
    assert await backoff.check("official11", "10.0.0.9") == 0
