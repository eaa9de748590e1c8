"""The PostgreSQL client of the ORM with a measured pool: how many connections are in use
and how long a query waited for one (`motcua_db_pool_*` on /metrics).

Used as the tortoise engine `models.pgclient` (config.py); everything else is tortoise's
asyncpg client unchanged.
"""

from __future__ import annotations

import time
from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient

from models import telemetry


class MeasuredPool(asyncpg.Pool):
    """asyncpg's pool, timing each acquisition and publishing its size after each change."""

    def __init__(self, *args: Any, label: str = "default", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label = label
        self._wait = telemetry.DB_POOL_WAIT.labels(pool=label)

    async def _acquire(self, timeout: Any) -> Any:
        started = time.perf_counter()
        try:
            return await super()._acquire(timeout)
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
        telemetry.DB_POOL.labels(pool=self.label, state="in_use").set(size - idle)
        telemetry.DB_POOL.labels(pool=self.label, state="idle").set(idle)
        telemetry.DB_POOL.labels(pool=self.label, state="max").set(self.get_max_size())


class MeasuredClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        # asyncpg.create_pool's own defaults, which Pool() itself does not have.
        defaults = dict(max_queries=50000, max_inactive_connection_lifetime=300.0, loop=None,
                        connection_class=asyncpg.connection.Connection, record_class=asyncpg.Record)
        pool = await MeasuredPool(None, label=self.connection_name, **(defaults | kwargs))
        pool.publish()
        return pool


client_class = MeasuredClient
