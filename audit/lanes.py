"""Claiming a lane of the audit chain for this process, and keeping it (PostgreSQL).

Each serving process seals its entries into a lane of its own (audit/chain.py, issue 15):
nobody else moves that lane's head, so its guesses of where the lane ends are right and
several workers do not queue on one row. A lane is an `audit_chain_head` row; lane 1 is
the chain as it was before lanes and belongs to nobody (console commands and tests write
there). A claim names its holder (host and process id) and lasts `chain.LEASE` after the
holder's last seal or renewal: a process that stopped without a word (killed, its machine
lost) leaves its lane to the next process that starts, and lanes stay as few as the
processes that run at once. A process renews its claim while it is idle, and gives the lane
back when it stops cleanly; if it finds the lane taken over (the database was out of its
reach for longer than the lease), it claims another one rather than share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator

from tortoise import connections

from audit import chain
from audit.recorder import Actor, record
from models import dialect

log = logging.getLogger("motcua.audit")

RENEW_SECONDS = chain.LEASE_SECONDS / 3

# A lane whose claim has run out (or that this holder had before it restarted), the first.
_CLAIM = ("WITH free AS (SELECT id FROM audit_chain_head WHERE id > 1 AND (held_until IS NULL "
          "OR held_until < now() OR holder = $1) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) "
          f"UPDATE audit_chain_head h SET holder = $1, held_until = now() + interval '{chain.LEASE}' "
          "FROM free WHERE h.id = free.id RETURNING h.id")
_NEW_LANE = ("INSERT INTO audit_chain_head (id, last_seq, last_hash, head_mac, base_seq, "
             "base_hash, base_mac, holder, held_until) "
             f"VALUES ($1, 0, '', $2, 0, '', '', $3, now() + interval '{chain.LEASE}') "
             "ON CONFLICT (id) DO NOTHING RETURNING id")
_RENEW = (f"UPDATE audit_chain_head SET held_until = now() + interval '{chain.LEASE}' "
          "WHERE id = $1 AND holder = $2 RETURNING id")
# Given back at a clean stop: the next process to start takes it over at once (a rolling
# restart would otherwise open new lanes while the stopped ones' claims ran out).
_RELEASE = "UPDATE audit_chain_head SET held_until = NULL WHERE id = $1 AND holder = $2"


def holder() -> str:
    """This process, as a lane's holder: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def claim(name: str, *, actor: Actor) -> int:
    """Make this process seal into a lane of its own: one whose claim ran out, or a new one
    after the last, whose opening `actor` (the process: `system`) records in lane 1. Returns
    the lane; on SQLite (one writer at a time anyway) the process stays in lane 1."""
    conn = connections.get("default")
    if not dialect.is_postgres(conn):
        return 1
    rows = await conn.execute_query_dict(_CLAIM, [name])
    while not rows:  # every lane is held: open the next one (another process may race us)
        last = await conn.execute_query_dict("SELECT max(id) AS n FROM audit_chain_head")
        lane = (last[0]["n"] or 1) + 1
        rows = await conn.execute_query_dict(_NEW_LANE, [lane, chain.head_mac(0, "", lane), name])
        if rows:  # it changes how the trail is stored (as a partition made does): recorded
            chain.seal_into(1)
            await record(actor=actor, action=chain.LANE_OPENED, object_type="AuditLane",
                         object_id=str(lane), changes={"holder": [None, name]})
    chain.seal_into(rows[0]["id"])
    return chain.lane()


async def renew(name: str, *, actor: Actor) -> int:
    """Keep this process's claim while it seals nothing; a lane taken over meanwhile is left
    to its new holder and another one claimed. Returns the lane."""
    if chain.lane() == 1:
        return 1
    rows = await connections.get("default").execute_query_dict(_RENEW, [chain.lane(), name])
    if not rows:
        log.warning("audit lane %d was taken over by another process; claiming another",
                    chain.lane())
        return await claim(name, actor=actor)
    return chain.lane()


@contextlib.asynccontextmanager
async def owned(*, actor: Actor, period: float = RENEW_SECONDS) -> AsyncIterator[int]:
    """A lane of this process's own while the block runs (claimed on entry, renewed every
    `period` seconds); a failed renewal is logged and tried again next time."""
    name = holder()
    lane = await claim(name, actor=actor)

    async def loop() -> None:
        while True:
            await asyncio.sleep(period)
            try:
                await renew(name, actor=actor)
            except Exception:  # the database may be down: the lease outlives a short outage
                log.warning("could not renew this process's audit lane", exc_info=True)

    task = asyncio.create_task(loop()) if lane != 1 else None
    try:
        yield lane
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await release(name)


async def release(name: str) -> None:
    """Give this process's lane back (a clean stop: nothing more is sealed there); a failure
    only leaves the claim to run out."""
    lane = chain.lane()
    if lane == 1:
        return
    try:
        await connections.get("default").execute_query(_RELEASE, [lane, name])
    except Exception:
        log.warning("could not give audit lane %d back; its claim runs out by itself", lane,
                    exc_info=True)
    chain.seal_into(1)
