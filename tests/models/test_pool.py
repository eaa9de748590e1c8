"""The connection pool hands connections to waiters in the order they came (models/pgclient.py).

A request keeps its connection to the end (one_connection), so with more requests than
connections some wait; asyncpg's own queue let a newcomer take a released connection before
the waiter it was meant for, which then queued again: waits of seconds at c=16 (issue 15).
"""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest

from models.pgclient import MeasuredPool

pytestmark = pytest.mark.postgres_only


async def one_connection_pool() -> MeasuredPool:
    url = os.environ["TEST_DATABASE_URL"].rstrip("/")
    return await MeasuredPool(url, label="fairness", min_size=1, max_size=1, max_queries=50000,
                              max_inactive_connection_lifetime=300.0, loop=None,
                              connection_class=asyncpg.connection.Connection,
                              record_class=asyncpg.Record)


async def test_connections_go_to_waiters_in_the_order_they_came(db):
    pool = await one_connection_pool()
    served: list[str] = []

    async def wait_then_hold(name: str) -> None:
        connection = await pool.acquire()
        served.append(name)
        await asyncio.sleep(0.01)
        await pool.release(connection)

    try:
        # given the only connection taken, and two requests waiting for it
        first = await pool.acquire()
        waiting = [asyncio.ensure_future(wait_then_hold(name)) for name in ("w1", "w2")]
        await asyncio.sleep(0.05)
        # when it is given back, and a newcomer asks for one in the same instant: its first
        # step is scheduled just before the connection goes back into asyncpg's queue, so
        # it runs before the woken waiter does
        queue = pool._queue
        tasks = list(waiting)

        def put_with_a_newcomer(holder) -> None:  # noqa: ANN001
            del queue.put_nowait  # once
            tasks.append(asyncio.ensure_future(wait_then_hold("newcomer")))
            queue.put_nowait(holder)

        queue.put_nowait = put_with_a_newcomer
        await pool.release(first)
        await asyncio.gather(*tasks)
        # then the waiters are served first, in the order they came
        assert served == ["w1", "w2", "newcomer"]
    finally:
        await pool.close()


async def test_a_timeout_covers_the_wait_in_line(db):
    pool = await one_connection_pool()
    try:
        # given the only connection taken, and a request first in line waiting without limit
        held = await pool.acquire()
        first = asyncio.ensure_future(pool.acquire())
        await asyncio.sleep(0.05)
        # when another asks with a timeout, behind it in line
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(pool.acquire(timeout=0.1), 5)
        # then it gives up after its own timeout, not after the wait of the one before it
        assert asyncio.get_running_loop().time() - started < 1
        await pool.release(held)
        await pool.release(await first)
    finally:
        pool.terminate()  # a failed assertion leaves connections out: close would wait
