"""The audit trail's monthly partitions (PostgreSQL): made ahead of time, listed, archived.

Partitions for the current month and the next `AHEAD_MONTHS` are made by `app.py migrate`,
by every process at start-up and every six hours after (`upkeep`), and by the operator
(`app.py audit partitions --months N`); all of them idempotently. Entries of a month that had
no partition yet wait in the DEFAULT partition and move into their month's partition when it
is made (models/partitions.py). SQLite keeps one table: every call here does nothing there.

Making a partition and archiving one change how the trail is stored, so each is an entry
of the trail, by `system`: the actor every console command and background task records as
(the operator at the console, or the process itself), and the actor no policy edit can give
or take away. An inspector reading the trail then sees when its storage changed and, for an
archived month, what left the database and where the chain now starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from audit import chain, record
from models import AuditChainHead, partitions
from models.errors import BadInput, Conflict, NotFound
from models.partitions import Partition
from policies import ROOT, SYSTEM, Actor, authorize
from resolvers import clock

log = logging.getLogger("motcua.audit")

AHEAD_MONTHS = 3
MAX_AHEAD = 120
UPKEEP_SECONDS = 6 * 3600.0
# Past this many archived entries sealed after the boundary something is wrong (normally a
# few, stamped before midnight and sealed after): refuse rather than carry them in the seal.
MAX_LOOSE = 10_000


@dataclass(frozen=True)
class Created:
    name: str
    moved: int  # entries taken over from the DEFAULT partition


@dataclass(frozen=True)
class Archived:
    name: str
    entries: int
    first_seq: int | None  # in lane 1 (seqs count within a lane)
    last_seq: int | None
    archived_through: int
    lanes: int = 1  # the lanes that had entries in the month


async def _lock(tx: BaseDBAsyncClient, *, patient: bool) -> list[AuditChainHead]:
    """Hold every lane's head first: every audit writer takes its lane's before it inserts,
    so writers queue there rather than deadlock against the partition DDL's lock on the
    table. They queue for as long as the DDL waits for readers of the table to finish, hence
    a short lock timeout (the upkeep retries; the operator runs the command again)."""
    await tx.execute_script(f"SET LOCAL lock_timeout = '{'5s' if patient else '2s'}'"
                            + ("; SET LOCAL statement_timeout = 0" if patient else ""))
    await tx.execute_query(chain.LOCK_LANES)
    return list(await AuditChainHead.all().order_by("id").using_db(tx))


async def keep_partitions(*, actor: Actor, months: int = AHEAD_MONTHS,
                          patient: bool = False) -> list[Created]:
    """Make the partitions of the current month and the next `months`, and of every month
    with entries waiting in the DEFAULT partition; each one made is recorded. `patient`
    (the operator's command) waits longer for locks and lets a large move run."""
    authorize(actor, "audit", "partitions", ROOT)
    if not 0 <= months <= MAX_AHEAD:
        raise BadInput(f"months must be between 0 and {MAX_AHEAD}", field="months")
    conn = connections.get("default")
    if not await partitions.is_partitioned(conn):
        return []
    current = partitions.month_of(clock.now())
    wanted = {partitions.add_months(current, n) for n in range(months + 1)}
    attached = {p.month for p in await partitions.listing(conn) if p.attached}
    wanted = (wanted - attached) | set(await partitions.months_in_default(conn))
    made = []
    for month in sorted(wanted):  # one transaction each: a slow move holds up no other month
        async with in_transaction() as tx:
            await _lock(tx, patient=patient)
            try:
                moved = await partitions.create(tx, month)
            except partitions.PartitionError as problem:
                raise Conflict(str(problem), field="months") from None
            if moved is None:
                continue  # another process made it first
            name = partitions.name_of(month)
            low, high = partitions.bounds(month)
            changes: dict[str, list[object]] = {"range": [None, f"{low} – {high}"]}
            if moved:
                changes["moved_from_default"] = [None, moved]
            await record(actor=actor, action="audit:partition", object_type="AuditPartition",
                         object_id=name, changes=changes)
        made.append(Created(name, moved))
    return made


async def list_partitions(*, actor: Actor) -> list[Partition]:
    """The monthly partitions (attached, or detached and waiting to be dropped) and the DEFAULT
    partition; nothing on SQLite."""
    authorize(actor, "audit", "partitions", ROOT)
    conn = connections.get("default")
    return await partitions.listing(conn) if await partitions.is_partitioned(conn) else []


async def archive_month(*, actor: Actor, month: date) -> Archived:
    """Detach the oldest month's partition for archiving and move the chain's sealed start
    past it, after verifying the whole chain (an altered trail is never archived). The
    detached table keeps its rows and stays read-only until the operator dumps and drops it."""
    authorize(actor, "audit", "archive", ROOT)
    conn = connections.get("default")
    if not await partitions.is_partitioned(conn):
        raise Conflict("the trail is one table on this database: there is no month to archive",
                       field="month")
    month = month.replace(day=1)
    if month >= partitions.month_of(clock.now()):
        raise BadInput("only a month before the current one can be archived", field="month")
    attached = sorted(p.month for p in await partitions.listing(conn) if p.attached and p.month)
    if month not in attached:
        raise NotFound(f"no attached partition holds {month:%Y-%m}", field="month")
    if attached[0] != month:
        raise Conflict(f"archive the oldest month first ({attached[0]:%Y-%m})", field="month")
    if any(m <= month for m in await partitions.months_in_default(conn)):
        raise Conflict("entries of that month or before wait in the DEFAULT partition: run "
                       "`app.py audit partitions` first", field="month")
    checked = await chain.verify()
    if not checked.ok:
        raise Conflict(f"the trail does not verify ({checked.problem}): nothing is archived "
                       "until that is explained", field="month")
    name = partitions.name_of(month)
    async with in_transaction() as tx:
        heads = await _lock(tx, patient=True)
        stats = (await tx.execute_query_dict(
            "SELECT COUNT(*) AS n, MIN(seq) FILTER (WHERE lane = 1) AS low, "
            f"MAX(seq) FILTER (WHERE lane = 1) AS high, COUNT(DISTINCT lane) AS lanes FROM {name}"
        ))[0]
        await partitions.detach(tx, month)
        before = after = 0
        for head in heads:  # each lane's start moves past what it had in the month
            base = await _archive_lane(tx, head, name)
            before, after = before + (head.base_seq or 0), after + base.seq
        await record(actor=actor, action="audit:archive", object_type="AuditPartition",
                     object_id=name, changes={
                         "attached": [True, False], "entries": [stats["n"], None],
                         "archived_through": [before, after]})
    return Archived(name, stats["n"], stats["low"], stats["high"], after, stats["lanes"])


async def _archive_lane(tx: BaseDBAsyncClient, head: AuditChainHead, name: str) -> chain.Base:
    """Move the start of `head`'s lane past its entries in the detached partition `name`:
    the last archived entry before the first one left, and those archived after it."""
    base = chain.base_of(head)
    if base is None:
        raise Conflict("the chain's archived start was altered", field="month")
    lane = head.id
    first_left = (await tx.execute_query_dict(
        "SELECT MIN(seq) AS s FROM audit_entries WHERE lane = $1", [lane]))[0]["s"]
    through = first_left - 1 if first_left is not None else head.last_seq
    hashes = {**base.loose, base.seq: base.hash, **{row["seq"]: row["hash"] for row in
              await tx.execute_query_dict(
                  f"SELECT seq, hash FROM {name} WHERE lane = $1 AND seq >= $2", [lane, through])}}
    loose = {seq: digest for seq, digest in hashes.items() if seq > through}
    if through not in hashes or len(loose) > MAX_LOOSE:
        raise Conflict(f"the archived entries do not end where the trail resumes (seq "
                       f"{through + 1}): nothing is archived", field="month")
    moved = chain.Base(through, hashes[through], loose, lane)
    await chain.set_base(moved)
    return moved


@contextlib.asynccontextmanager
async def upkeep(*, period: float = UPKEEP_SECONDS) -> AsyncIterator[None]:
    """Keep the next months' partitions made while the block runs (at once, then every
    `period` seconds); a failure is logged and retried next time (the DEFAULT partition
    holds the entries meanwhile)."""

    async def loop() -> None:
        while True:
            try:
                for made in await keep_partitions(actor=SYSTEM):
                    log.info("made audit partition %s (%d entries moved in)", made.name, made.moved)
            except Exception:
                log.warning("could not make the audit trail's next partitions; "
                            "`app.py audit partitions` does it", exc_info=True)
            await asyncio.sleep(period)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
