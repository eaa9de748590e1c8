"""The PostgreSQL client of the ORM with a measured pool: how many connections are in use
and how long a query waited for one (`motcua_db_pool_*` on /metrics), and one connection per
HTTP request.

Used as the tortoise engine `models.pgclient` (config.py). Tortoise takes a pool connection
per statement outside a transaction, and giving it back costs a round trip (asyncpg resets
it); a page made 6 such resets of 16 statements (issue 15). Within `one_connection()` (the
edge opens it around every HTTP request) the first statement takes a connection and keeps
it: every later statement and transaction of the request uses the same one, statements of
concurrent tasks (DataLoaders) one after another, and it goes back to the pool once, at the
end. While a transaction holds it, a concurrent statement outside that transaction takes a
pool connection of its own, as before (it must not see uncommitted writes, nor wait on
them). Everything else is tortoise's asyncpg client unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    PoolConnectionWrapper,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError

from models import telemetry


class MeasuredPool(asyncpg.Pool):
    """asyncpg's pool, timing each acquisition and publishing its size after each change."""

    def __init__(self, *args: Any, label: str = "default", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label = label
        self._wait = telemetry.DB_POOL_WAIT.labels(pool=label)
        # The gauges' series, looked up once (publish runs twice per request).
        self._in_use, self._idle, self._max = (telemetry.DB_POOL.labels(pool=label, state=state)
                                               for state in ("in_use", "idle", "max"))
        # Connections go to waiters in the order they came. asyncpg's pool hands a released
        # connection to its first waiter, but one that asks meanwhile takes it first, and
        # the waiter goes back to the end of the queue: with more requests than connections
        # (each request keeps one, see one_connection) a few waited seconds while others
        # passed them (issue 15: pool waits up to 5 s at c=16 with 10 connections).
        self._line = asyncio.Lock()

    async def _acquire(self, timeout: Any) -> Any:
        started = time.perf_counter()
        try:
            # The caller's timeout covers the wait in line too (None: no limit).
            async with asyncio.timeout(timeout), self._line:  # only the first in line waits
                return await super()._acquire(None)           # on asyncpg's queue
        finally:
            self._wait.observe(time.perf_counter() - started)
            self.publish()

    async def release(self, connection: Any, *, timeout: Any = None) -> None:
        try:
            await super().release(connection, timeout=timeout)
        finally:
            self.publish()

    def publish(self) -> None:
        size, idle = self.get_size(), self.get_idle_size()
        self._in_use.set(size - idle)
        self._idle.set(idle)
        self._max.set(self.get_max_size())


class _Held:
    """A request's connection of one client: taken at its first statement, kept to the end."""

    __slots__ = ("connection", "lock", "in_transaction", "closed")

    def __init__(self) -> None:
        self.connection: Any = None
        self.lock = asyncio.Lock()  # one statement at a time on the connection
        self.in_transaction = False
        self.closed = False  # the request ended: late statements use the pool

    async def take(self, client: Any) -> Any:
        """The held connection (taken from the pool the first time); call with the lock held."""
        if self.connection is not None and self.connection.is_closed():
            await _give_back(client, self.connection)  # lost (the server went away): a new one
            self.connection = None
        if self.connection is None:
            self.connection = await client._pool.acquire()
        return self.connection


class _Request:
    __slots__ = ("held", "ended")

    def __init__(self) -> None:
        self.held: dict[Any, _Held] = {}  # client → its held connection
        self.ended = False


_request: ContextVar[_Request | None] = ContextVar("motcua_one_connection", default=None)


def _held_by(client: AsyncpgDBClient) -> _Held | None:
    request = _request.get()
    if request is None or request.ended:
        return None
    entry = request.held.get(client)
    if entry is None:
        entry = request.held[client] = _Held()
    return None if entry.closed else entry


async def _give_back(client: Any, connection: Any) -> None:
    if client._pool is not None:
        with contextlib.suppress(Exception):  # a broken connection is the pool's to replace
            await client._pool.release(connection)


@contextlib.asynccontextmanager
async def one_connection() -> AsyncIterator[None]:
    """Within this block (one HTTP request), each client uses at most one connection."""
    request = _Request()
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)
        request.ended = True
        for client, entry in list(request.held.items()):
            async with entry.lock:  # a statement of a task still running finishes first
                entry.closed = True
                if entry.connection is not None and not entry.in_transaction:
                    connection, entry.connection = entry.connection, None
                    await _give_back(client, connection)
            # (a transaction still open gives the connection back when it ends)


class _HeldConnection:
    """Like tortoise's PoolConnectionWrapper, on the request's held connection."""

    __slots__ = ("client", "held", "spare")

    def __init__(self, client: MeasuredClient, held: _Held) -> None:
        self.client, self.held = client, held
        self.spare: PoolConnectionWrapper | None = None

    async def __aenter__(self) -> Any:
        await self.client.ensure_pool()
        await self.held.lock.acquire()
        if self.held.in_transaction or self.held.closed:  # taken meanwhile: a pool connection
            self.held.lock.release()
            self.spare = PoolConnectionWrapper(self.client, self.client._pool_init_lock)
            return await self.spare.__aenter__()
        try:
            return await self.held.take(self.client)
        except BaseException:
            self.held.lock.release()
            raise

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        if self.spare is not None:
            await self.spare.__aexit__(exc_type, exc_val, exc_tb)
        else:
            self.held.lock.release()


class _HeldTransaction(TransactionContextPooled):
    """Like tortoise's pooled transaction, on the request's held connection when it is free."""

    def __init__(self, client: TransactionWrapper, pool_init_lock: asyncio.Lock,
                 held: _Held) -> None:
        super().__init__(client, pool_init_lock)
        self.held: _Held | None = held

    async def __aenter__(self) -> Any:
        await self.ensure_connection()
        held = self.held
        assert held is not None
        async with held.lock:
            if held.in_transaction or held.closed:
                self.held = None
            else:
                connection = await held.take(self.client._parent)
                held.in_transaction = True
        if self.held is None:
            return await super().__aenter__()
        self.client._connection = connection
        self.token = get_connections().set(self.connection_name, self.client)
        try:
            await self.client.begin()
        except BaseException:
            held.in_transaction = False
            get_connections().reset(self.token)
            raise
        return self.client

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        held = self.held
        if held is None:
            await super().__aexit__(exc_type, exc_val, exc_tb)
            return
        try:
            if not self.client._finalized:
                if exc_type:
                    if exc_type is not TransactionManagementError:
                        await self.client.rollback()
                else:
                    await self.client.commit()
        finally:
            held.in_transaction = False
            get_connections().reset(self.token)
            if held.closed and held.connection is not None:  # the request ended meanwhile
                connection, held.connection = held.connection, None
                await _give_back(self.client._parent, connection)


async def _reset(connection: asyncpg.Connection) -> None:
    """A connection given back costs no round trip unless it needs one: motcua changes
    settings only with SET LOCAL, holds no advisory locks and LISTENs on a connection of its
    own (models/notify.py), so asyncpg's reset (unlock all, CLOSE ALL, UNLISTEN *, RESET ALL)
    is needed only when a transaction was left open."""
    if connection.is_in_transaction():
        await connection.reset()


class MeasuredClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        # asyncpg.create_pool's own defaults, which Pool() itself does not have.
        defaults = dict(max_queries=50000, max_inactive_connection_lifetime=300.0, loop=None,
                        connection_class=asyncpg.connection.Connection, record_class=asyncpg.Record,
                        reset=_reset)
        pool = await MeasuredPool(None, label=self.connection_name, **(defaults | kwargs))
        pool.publish()
        return pool

    async def ensure_pool(self) -> None:
        if not self._pool:
            async with self._pool_init_lock:  # as tortoise's wrapper does
                if not self._pool:
                    await self.create_connection(with_db=True)

    def acquire_connection(self) -> Any:
        held = _held_by(self)
        if held is None or held.in_transaction:
            return super().acquire_connection()
        return _HeldConnection(self, held)

    def _in_transaction(self) -> TransactionContext:
        held = _held_by(self)
        if held is None or held.in_transaction:
            return super()._in_transaction()
        return _HeldTransaction(TransactionWrapper(self), self._pool_init_lock, held)


client_class = MeasuredClient
