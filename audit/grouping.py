"""Group commit for entries of their own (reads, refusals) on PostgreSQL.

Every read writes an entry sealed into the chain, and sealing locks the chain's head row
until commit: concurrent reads queued on that row, each with a transaction of its own
(BEGIN, lock, insert, COMMIT). Here the entries that arrive while a batch is being sealed
wait for the next batch, and one batch seals them all in one statement committed by itself
(audit/chain.py `seal_own`): the lock, one INSERT of every entry and the head moved, with no
BEGIN or COMMIT of its own; when the head was not where the worker expected, in a
transaction (lock, then seal after the head). The guarantees stay: each entry is
chained to the one before it and sealed with the key, the head row moves with them in the
same statement, and a request is answered only after its own entry is committed (its
`append` returns when the batch holding it has committed, or raises what the batch raised).

The batch is written by one of the waiting requests (the first to find no batch under way),
in its own task, on its own connection: no background task, no extra connection.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from audit import chain

MAX_BATCH = 200  # × 17 parameters, far below PostgreSQL's 32,767


class _Group:
    def __init__(self) -> None:
        self.pending: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self.sealing: asyncio.Future[None] | None = None  # done when the batch under way ends


# One group per event loop (tests run each on a loop of its own).
_groups: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Group] = weakref.WeakKeyDictionary()


def _group() -> _Group:
    loop = asyncio.get_running_loop()
    group = _groups.get(loop)
    if group is None:
        group = _groups[loop] = _Group()
    return group


async def append(fields: dict[str, Any]) -> None:
    """Seal `fields` into the chain with the entries that wait with it; return once committed."""
    group = _group()
    loop = asyncio.get_running_loop()
    mine: asyncio.Future[None] = loop.create_future()
    group.pending.append((fields, mine))
    while not mine.done():
        if group.sealing is not None:
            await asyncio.wait((mine, group.sealing), return_when=asyncio.FIRST_COMPLETED)
            continue
        batch, group.pending = group.pending[:MAX_BATCH], group.pending[MAX_BATCH:]
        group.sealing = loop.create_future()
        try:
            # Shielded: were this request cancelled, the others' entries are still written.
            await asyncio.shield(asyncio.ensure_future(_seal_all(batch)))
        finally:
            sealing, group.sealing = group.sealing, None
            sealing.set_result(None)
    mine.result()


async def _seal_all(batch: list[tuple[dict[str, Any], asyncio.Future[None]]]) -> None:
    try:
        await chain.seal_own([fields for fields, _ in batch])
    except BaseException as error:
        for _, waiting in batch:
            if not waiting.done():
                waiting.set_exception(error)
                waiting.add_done_callback(_retrieved)  # a cancelled waiter need not see it
        raise
    for _, waiting in batch:
        if not waiting.done():
            waiting.set_result(None)


def _retrieved(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
