"""Reads from a streaming replica of PostgreSQL, for the reads that may lag behind.

A use case (or the route or operation that runs it) opts in with `reads_from_replica()`:
metrics, reports, audit search. Within it, the ORM's reads go to the `replica` connection,
as long as the replica is healthy (it answers, is a standby, and replays within the
configured lag) and no transaction is open (a read inside a transaction must see that
transaction's writes). Writes never go there: `db_for_write` always answers the primary,
and the audit trail writes on the primary's connection by name.

`ReplicaMonitor` asks the replica every two seconds; an unhealthy replica sends every read
back to the primary until it recovers, so a lost replica slows reports down but stops
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from models import telemetry

log = logging.getLogger("motcua.replica")

REPLICA = "replica"
CHECK_SECONDS = 2.0
# 0 when everything received is replayed; else the age of the last replayed transaction.
LAG = ("SELECT pg_is_in_recovery() AS standby, CASE WHEN pg_last_wal_receive_lsn() = "
       "pg_last_wal_replay_lsn() THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM now() - "
       "pg_last_xact_replay_timestamp()), 0) END::float8 AS lag")

_preferred: ContextVar[bool] = ContextVar("motcua_replica_reads", default=False)


class _State:
    healthy = False
    client: Any = None


def attach(connection: dict[str, Any]) -> None:
    """Make the replica's client (config.replica_connection) reachable as "replica"."""
    from models.pgclient import MeasuredClient

    client = MeasuredClient(connection_name=REPLICA, **connection["credentials"])
    connections._get_storage()[REPLICA] = client  # the shared storage, as tortoise's init does
    _State.client = client


async def detach() -> None:
    set_healthy(False)
    client, _State.client = _State.client, None
    if client is not None:
        connections.discard(REPLICA)
        with contextlib.suppress(Exception):
            await client.close()


def healthy() -> bool:
    return _State.healthy


def set_healthy(value: bool) -> None:
    """Set by the monitor (and by tests that drive it by hand)."""
    _State.healthy = value
    telemetry.REPLICA_UP.set(1 if value else 0)


@contextlib.contextmanager
def reads_from_replica() -> Iterator[None]:
    """Within this block, reads may be served by the replica (when there is a healthy one)."""
    token = _preferred.set(True)
    try:
        yield
    finally:
        _preferred.reset(token)


def serving() -> str:
    """Where a read made here now would go: "replica" or "default"."""
    return REPLICA if ReadRouter().db_for_read(None) else "default"


def reader() -> Any:
    """The connection for a raw read made here now (the replica's, or the primary's)."""
    return connections.get(serving())


class ReadRouter:
    """tortoise's router interface (config.py installs it when a replica is configured)."""

    def db_for_read(self, model: Any) -> str | None:
        if not (_preferred.get() and _State.healthy and _State.client is not None):
            return None
        if isinstance(connections.get("default"), TransactionalDBClient):
            return None  # inside a transaction: read what it wrote
        return REPLICA

    def db_for_write(self, model: Any) -> str | None:
        return None  # always the primary


class ReplicaMonitor:
    """Checks the replica's state and lag in the background and sets `healthy()`."""

    def __init__(self, max_lag: float, every: float = CHECK_SECONDS) -> None:
        self.max_lag, self.every = max_lag, every
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> bool:
        try:
            conn = connections.get(REPLICA)
            row = (await asyncio.wait_for(conn.execute_query_dict(LAG), self.every))[0]
        except Exception as error:
            if _State.healthy:
                log.warning("read replica unavailable (%s); reads go to the primary",
                            type(error).__name__)
            set_healthy(False)
            return False
        lag = float(row["lag"] or 0)
        telemetry.REPLICA_LAG.set(lag)
        ok = bool(row["standby"]) and lag <= self.max_lag
        if ok != _State.healthy:
            log.warning("read replica %s (standby=%s, lag %.1f s)",
                        "back in use" if ok else "out of use", row["standby"], lag)
        set_healthy(ok)
        return ok

    def start(self) -> None:
        async def loop() -> None:
            while True:
                await self.check()
                await asyncio.sleep(self.every)

        self._task = asyncio.create_task(loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        set_healthy(False)
