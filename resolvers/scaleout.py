"""What a process runs beside its requests when it is one of many: the notification
listener (PostgreSQL) and the read replica's monitor (when there is a replica)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from models import notify
from models import replica as reads


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


@contextlib.asynccontextmanager
async def running(*, url: str, listen_url: str | None = None, replica: dict[str, Any] | None = None,
                  replica_max_lag: float = 30.0, connect_timeout: float = 5.0) -> AsyncIterator[None]:
    """Listen for changes (on SQLite every change is made in this process: nothing to do)
    and watch the replica, for as long as the block runs."""
    listener = None
    if is_postgres(url):
        listener = notify.Listener((listen_url or url).replace("asyncpg://", "postgresql://", 1),
                                   connect_timeout=connect_timeout)
        listener.start()
    monitor = None
    if replica is not None:
        reads.attach(replica)
        monitor = reads.ReplicaMonitor(replica_max_lag)
        await monitor.check()  # in use from the first request when it is healthy
        monitor.start()
    try:
        yield
    finally:
        if monitor is not None:
            await monitor.stop()
            await reads.detach()
        if listener is not None:
            await listener.stop()
