"""Writes held back until the transaction's next statement that must answer (PostgreSQL).

A change of a dossier writes rows whose answers nobody reads: its event, the rollup
counters, the notification to other workers, and the compare-and-set update itself, whose
only answer is whether it changed one row. Sent one by one each is a round trip inside the
transaction, with the dossier's row lock held and the worker waiting (issue 15: a complete
path sent 46 statements). Inside `held.transaction()`, `execute()` keeps them, and the next
statement that must answer carries them as common table expressions: the audit chain's head
lock, which every write takes at its end (audit/chain.py). What nothing carried is sent at
the end of the block, before the commit.

The carrier reads every held write in its WHERE, so PostgreSQL runs them before it takes
the head's lock: rows are locked in the same order as by a transaction that sends them one
by one (its writes, then the head), so the two cannot deadlock. A held write may be
*guarded*: it must change at least one row (the dossier's update checks the version it
read). The carrying statement then answers only if it did (`EXISTS`), and the guard's error
is raised otherwise; the transaction rolls back everything carried with it.

A transition holds its block `alone` (see `transaction`): on PostgreSQL no transaction is
opened at all, and the one statement that carries the writes commits by itself.

Rules for a writer (tests/models/test_held.py and tests/audit/test_speculation.py exercise
them; nothing enforces them at run time): every held statement is numbered
from `$1`; the statements of one block must not change the same row twice (PostgreSQL runs
the CTEs of one statement on one snapshot, and an upsert cannot touch a row twice); a held
SELECT (`pg_notify`) is marked `answers`, so the carrying statement reads it and it runs; no
savepoint (a nested `in_transaction()`) inside a block: a write held there would outlive
the savepoint's rollback. A block opened inside another transaction holds nothing (tortoise
gives it a connection of its own wrapping), and neither does another task.

On SQLite (in-process: no round trips to save) and outside `transaction()`, `execute()`
runs the statement at once, and a guard is checked on its row count.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models import dialect

_MARK = re.compile(r"\$(\d+)")


@dataclass(frozen=True)
class Write:
    sql: str
    params: list[Any]
    guard: Exception | None = None
    answers: bool = False  # a SELECT: read by the carrying statement, or it would not run


@dataclass
class Carried:
    """Held writes as the carrying statement's CTEs, its parameters numbered first."""

    writes: list[Write] = field(default_factory=list)
    prefix: str = ""  # "WITH held0 AS (…), …" (then the carrier's own CTEs, comma-joined)
    params: list[Any] = field(default_factory=list)
    reads: str = ""  # ", (SELECT count(*) FROM heldN)" for the answering ones
    # " AND EXISTS (SELECT 1 FROM heldN)" for the guarded ones, " AND (SELECT count(*) FROM
    # heldN) >= 0" (always true: it makes the write run first) for the others
    guards: str = ""
    alone: bool = False  # one statement committed by itself: see `transaction(alone=True)`
    in_block: bool = False  # taken in a `transaction()` block (else: a plain transaction)

    @property
    def guarded(self) -> str:
        """A boolean expression: every guarded write changed a row."""
        return f"TRUE{self.guards}"

    def with_(self, *ctes: str) -> str:
        """The statement's WITH clause: the held writes, then the carrier's own `ctes`."""
        parts = [self.prefix, *ctes] if self.prefix else list(ctes)
        return f"WITH {', '.join(parts)} " if parts else ""

    def failure(self) -> Exception:
        """The error to raise when the carrying statement did not answer (a guard failed)."""
        return next((w.guard for w in self.writes if w.guard is not None),
                    RuntimeError("the audit chain's head row is missing (run app.py migrate)"))


@dataclass
class _Pending:
    """The writes held in one transaction, kept with its connection and its task: a task
    started inside the block copies the context, and must neither hold writes for the block
    nor carry the block's (it sends its own at once)."""

    conn: BaseDBAsyncClient
    task: asyncio.Task[Any] | None
    alone: bool = False
    writes: list[Write] = field(default_factory=list)
    after: list[Callable[[], None]] = field(default_factory=list)  # once it is committed


_pending: ContextVar[_Pending | None] = ContextVar("held_writes", default=None)


def _mine(conn: BaseDBAsyncClient) -> _Pending | None:
    pending = _pending.get()
    if pending is None or pending.conn is not conn or pending.task is not asyncio.current_task():
        return None
    return pending


@asynccontextmanager
async def transaction(*, alone: bool = False) -> AsyncIterator[BaseDBAsyncClient]:
    """`in_transaction()`, with writes held for the statement that must answer.

    `alone`: on PostgreSQL no transaction is opened at all. The block's writes must all be
    held (reads may be sent), and the answering statement that carries them (the audit seal)
    is sent on its own and commits by itself: no BEGIN, no COMMIT, and no lock held while the
    process is busy elsewhere. That statement must commit whole or not at all: it calls
    `motcua_expect` (migration 0017), which aborts it when a guard failed or its own
    expectation did not hold, and `refusal()` tells which. Outside a transaction only;
    inside one (or on SQLite) it is an ordinary block."""
    conn = connections.get("default")
    if alone and dialect.is_postgres(conn) and not isinstance(conn, TransactionalDBClient):
        pending = _Pending(conn, asyncio.current_task(), alone=True)
        token = _pending.set(pending)
        try:
            yield conn
            await _flush(conn)
        finally:
            _pending.reset(token)
        for callback in pending.after:
            callback()
        return
    async with in_transaction() as conn:
        if not dialect.is_postgres(conn):
            yield conn
            return
        token = _pending.set(_Pending(conn, asyncio.current_task()))
        try:
            yield conn
            await _flush(conn)
        finally:
            _pending.reset(token)


async def execute(sql: str, params: list[Any], *, guard: Exception | None = None,
                  answers: bool = False) -> None:
    """Send a write, or hold it for the next answering statement of this transaction."""
    conn = connections.get("default")
    pending = _mine(conn)
    if pending is not None:
        pending.writes.append(Write(sql, list(params), guard, answers))
        return
    count, _ = await conn.execute_query(sql, list(params))
    if guard is not None and count < 1:
        raise guard


async def update(model: type[Model], where: dict[str, Any], values: dict[str, Any], *,
                 increment: tuple[str, ...] = (), guard: Exception | None = None) -> None:
    """`UPDATE model SET values, each of increment = itself + 1 WHERE where` (equalities),
    sent or held like `execute`, each value converted by its field as the ORM would. The
    statement's text is built once per table and set of columns: a dossier's change sends
    the same few shapes, and building them through the ORM's query builder was 4 % of a
    write path's CPU (issue 15). Outside a block, the ORM's own update (and SQLite's)."""
    conn = connections.get("default")
    if _mine(conn) is None:
        changes = {**values, **{name: F(name) + 1 for name in increment}}
        if await model.filter(**where).update(**changes) < 1 and guard is not None:
            raise guard
        return
    fields_map = model._meta.fields_map
    params = [fields_map[name].to_db_value(value, model)
              for name, value in (*values.items(), *where.items())]
    await execute(_update_sql(model, tuple(values), increment, tuple(where)), params, guard=guard)


@functools.lru_cache(maxsize=64)
def _update_sql(model: type[Model], columns: tuple[str, ...], increment: tuple[str, ...],
                where: tuple[str, ...]) -> str:
    def column(name: str) -> str:
        return _quoted(model._meta.fields_map[name].source_field or name)

    sets = [f"{column(name)} = ${i}" for i, name in enumerate(columns, 1)]
    sets += [f"{column(name)} = {column(name)} + 1" for name in increment]
    tests = [f"{column(name)} = ${i}" for i, name in enumerate(where, len(columns) + 1)]
    return f'UPDATE "{model._meta.db_table}" SET {", ".join(sets)} WHERE {" AND ".join(tests)}'


async def insert(model: type[Model], **values: Any) -> None:
    """A row whose key nobody reads (a dossier's event): held like `execute`, with each value
    converted by its field as the ORM would; outside a block, the ORM's own create."""
    conn = connections.get("default")
    if _mine(conn) is None:
        await model.create(**values)
        return
    fields_map = model._meta.fields_map
    columns = [fields_map[name].source_field or name for name in values]
    params = [fields_map[name].to_db_value(value, model) for name, value in values.items()]
    marks = ", ".join(f"${i}" for i in range(1, len(params) + 1))
    await execute(f'INSERT INTO "{model._meta.db_table}" ({", ".join(map(_quoted, columns))}) '
                  f"VALUES ({marks})", params)


def _quoted(column: str) -> str:
    return f'"{column}"'


def after(conn: BaseDBAsyncClient, callback: Callable[[], None]) -> bool:
    """Run `callback` once the `alone` block of `conn` has committed (False: no such block)."""
    pending = _mine(conn)
    if pending is None or not pending.alone:
        return False
    pending.after.append(callback)
    return True


def alone(conn: BaseDBAsyncClient) -> bool:
    """Whether `conn` is in an `alone` block: its answering statement commits by itself."""
    pending = _mine(conn)
    return pending is not None and pending.alone


GUARD_FAILED, NOT_EXPECTED = "MC001", "MC002"  # motcua_expect's SQLSTATEs (migration 0017)


def refusal(error: BaseException) -> str | None:
    """GUARD_FAILED or NOT_EXPECTED when `error` is `motcua_expect` aborting a statement."""
    for candidate in (error, error.__cause__):
        state = getattr(candidate, "sqlstate", None)
        if state in (GUARD_FAILED, NOT_EXPECTED):
            return str(state)
    return None


def take(conn: BaseDBAsyncClient) -> Carried:
    """The writes held in `conn`'s transaction, for a statement about to be sent on it (none
    outside `transaction()`)."""
    pending = _mine(conn)
    if pending is None or not pending.writes:
        return Carried(in_block=pending is not None, alone=pending is not None and pending.alone)
    writes, pending.writes = pending.writes, []
    carried = Carried(writes=writes, alone=pending.alone, in_block=True)
    ctes, reads, guards = [], [], []
    for i, write in enumerate(writes):
        sql = renumber(write.sql, len(carried.params))
        if write.answers:
            reads.append(f", (SELECT count(*) FROM held{i})")
        else:
            # Read in the carrier's WHERE, so PostgreSQL runs every held write before it
            # takes the head's lock (a data-modifying CTE nobody reads runs at the very end):
            # rows are locked in the order a transaction sending them one by one would take
            # them, and not while the whole province waits for the head.
            sql += " RETURNING 1"
            guards.append(f" AND EXISTS (SELECT 1 FROM held{i})" if write.guard is not None
                          else f" AND (SELECT count(*) FROM held{i}) >= 0")
        ctes.append(f"held{i} AS ({sql})")
        carried.params += write.params
    carried.prefix = ", ".join(ctes)
    carried.reads, carried.guards = "".join(reads), "".join(guards)
    return carried


@functools.lru_cache(maxsize=512)
def renumber(sql: str, offset: int) -> str:
    """A statement's own marks moved after `offset` parameters carried before them. The
    held statements of a kind repeat with the same text at the same place (their values are
    parameters), so each is renumbered once: 2 % of a write path's CPU in py-spy."""
    return _MARK.sub(lambda m: f"${int(m.group(1)) + offset}", sql)


async def _flush(conn: BaseDBAsyncClient) -> None:
    """What no statement carried, in one statement before the commit."""
    carried = take(conn)
    if not carried.writes:
        return
    if carried.alone:
        try:
            await conn.execute_query_dict(
                f"{carried.with_()}SELECT motcua_expect({carried.guarded}, TRUE){carried.reads}",
                carried.params)
        except Exception as error:
            if refusal(error) == GUARD_FAILED:
                raise carried.failure() from None
            raise
        return
    rows = await conn.execute_query_dict(
        f"{carried.with_()}SELECT 1 AS answered{carried.reads} WHERE TRUE{carried.guards}",
        carried.params)
    if not rows:
        raise carried.failure()


__all__ = ["GUARD_FAILED", "NOT_EXPECTED", "Carried", "after", "alone", "execute", "insert",
           "refusal", "renumber", "take", "transaction", "update"]
