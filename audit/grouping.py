"""Group commit for entries of their own (reads, refusals) on PostgreSQL.

Every read writes an entry sealed into the chain, and sealing locks the chain's head row
until commit: concurrent reads queued on that row, each with a transaction of its own
(BEGIN, lock, insert, COMMIT). Here the entries that arrive while a batch is being sealed
wait for the next batch, and one batch seals them all in one transaction: the lock, one
INSERT of every entry with the head moved, the commit. The guarantees stay: each entry is
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

from tortoise.transactions import in_transaction

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
        async with in_transaction() as conn:
            await seal_many(conn, [fields for fields, _ in batch])
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


def seal_sql(count: int) -> str:
    """Insert `count` entries and move the head, in one statement (PostgreSQL)."""
    width = len(chain.COLUMNS)
    rows = ", ".join(
        "(" + ", ".join(f"${n * width + i}::jsonb" if c == "changes" else f"${n * width + i}"
                        for i, c in enumerate(chain.COLUMNS, 1)) + ")"
        for n in range(count))
    last = count * width
    return (f"WITH entry AS (INSERT INTO audit_entries ({', '.join(chain.COLUMNS)}) VALUES {rows} "
            "RETURNING id) "
            f"UPDATE audit_chain_head SET last_seq = ${last + 1}, last_hash = ${last + 2}, "
            f"head_mac = ${last + 3} WHERE id = 1 RETURNING (SELECT count(*) FROM entry) AS n")


async def seal_many(conn: Any, entries: list[dict[str, Any]]) -> None:
    """Chain and insert `entries` in order, inside `conn`'s transaction (PostgreSQL)."""
    # The lock is held to the commit; the commit does not wait for the disk flush (reads and
    # refusals: durable within wal_writer_delay, 200 ms; entries of writes never come here).
    locked = (await conn.execute_query_dict(chain.LOCK_HEAD_RELAXED))[0]
    seq, previous = locked["last_seq"], locked["last_hash"]
    values: list[Any] = []
    for fields in entries:
        seq += 1
        sealed = {**fields, "seq": seq, "prev_hash": previous}
        sealed["hash"] = previous = chain.digest(sealed)
        sealed.setdefault("occurrences", 1)
        values += [chain.stored(name, sealed.get(name)) for name in chain.COLUMNS]
    await conn.execute_query_dict(seal_sql(len(entries)),
                                  [*values, seq, previous, chain.head_mac(seq, previous)])
