"""Change notifications between processes and nodes: PostgreSQL LISTEN/NOTIFY, or in-process.

`publish(kind, **data)` is called inside the transaction that made the change. On
PostgreSQL it is one statement, `SELECT pg_notify('motcua', payload)`, on the transaction's
own connection: the server delivers it to every listening process when (and only if) the
transaction commits. In this process the event is delivered after the commit too, without
waiting for the round trip (the listener drops its own echo). On SQLite (one process) that
local delivery is all there is.

Each process keeps one `Listener`: a dedicated asyncpg connection (not from the pool: LISTEN
is session state, which a pgbouncer in transaction mode does not keep) that reconnects after
the database restarts and then delivers a `gap` event, so that whoever depends on the
stream (subscriptions, the policy cache) knows it may have missed events and reloads.

Events are small dicts: `kind` plus a few fields; never personal data.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from models import dialect, held, telemetry

log = logging.getLogger("motcua.notify")

CHANNEL = "motcua"
# This process's mark on what it sends, so that the listener skips its own echo.
ORIGIN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
GAP = "gap"
HEALTH_SECONDS = 5.0  # how often the listening connection is asked whether it still answers
MAX_PAYLOAD = 7900  # NOTIFY's limit is 8000 bytes

Handler = Callable[["Event"], Awaitable[None]]


@dataclass(frozen=True)
class Event:
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    remote: bool = False  # from another process (through the database)


class Inbox:
    """One consumer's queue of events (a subscription); bounded: when it overflows the
    oldest events are dropped and the consumer gets a `gap` instead."""

    def __init__(self, kinds: frozenset[str], size: int = 256) -> None:
        self.kinds = kinds | {GAP}
        self.queue: asyncio.Queue[Event] = asyncio.Queue(size)

    def put(self, event: Event) -> None:
        if event.kind not in self.kinds:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(Event(GAP, {"reason": "overflow"}))

    async def get(self) -> Event:
        return await self.queue.get()


class Hub:
    """In-process fan-out: inboxes (subscriptions) and handlers (caches) by kind."""

    def __init__(self) -> None:
        self.inboxes: set[Inbox] = set()
        self.handlers: dict[str, list[Handler]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def on(self, kind: str, handler: Handler) -> None:
        """Run `handler(event)` for every event of `kind` (and for every `gap`)."""
        self.handlers.setdefault(kind, []).append(handler)

    def open(self, kinds: set[str] | frozenset[str]) -> Inbox:
        inbox = Inbox(frozenset(kinds))
        self.inboxes.add(inbox)
        return inbox

    def close(self, inbox: Inbox) -> None:
        self.inboxes.discard(inbox)

    def deliver(self, event: Event) -> None:
        telemetry.NOTIFY_EVENTS.labels(kind=event.kind,
                                       origin="remote" if event.remote else "local").inc()
        for inbox in list(self.inboxes):
            inbox.put(event)
        handlers = self.handlers.get(event.kind, [])
        if event.kind == GAP:  # everyone who caches anything must look again
            handlers = [h for hs in self.handlers.values() for h in hs]
        for handler in handlers:
            task = asyncio.get_running_loop().create_task(self._run(handler, event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _run(handler: Handler, event: Event) -> None:
        _leave_transactions()
        try:
            await handler(event)
        except Exception:  # a failed reload is retried by the periodic check
            log.warning("handler for %s events failed", event.kind, exc_info=True)


hub = Hub()


def _leave_transactions() -> None:
    """In a handler's own task: use the pools, not the transaction whose commit announced
    the event (the task inherited its context, and the transaction's connection is being
    handed back to the pool)."""
    with contextlib.suppress(Exception):  # no ORM in this context: nothing to leave
        storage = connections._copy_storage()
        if any(isinstance(c, TransactionalDBClient) for c in storage.values()):
            connections._set_storage({name: _base(c) for name, c in storage.items()})


def _base(conn: Any) -> Any:
    while isinstance(conn, TransactionalDBClient):
        conn = conn._parent
    return conn


def _root(conn: Any) -> Any:
    """The outermost transaction of a (possibly nested) transaction client."""
    while isinstance(getattr(conn, "_parent", None), TransactionalDBClient):
        conn = conn._parent
    return conn


def _after_commit(conn: Any, event: Event) -> None:
    """Deliver `event` in this process once the outermost transaction commits (not on
    rollback): the transaction object's own `commit` is wrapped, once."""
    root = _root(conn)
    pending: list[Event] | None = getattr(root, "_motcua_events", None)
    if pending is None:
        pending = []
        root._motcua_events = pending
        commit = root.commit

        async def commit_then_deliver() -> None:
            await commit()
            for item in pending:
                hub.deliver(item)

        root.commit = commit_then_deliver
    pending.append(event)


async def publish(kind: str, **data: Any) -> None:
    """Announce a change; inside a transaction it is announced only if that commits."""
    event = Event(kind, data)
    conn = connections.get("default")
    if dialect.is_postgres(conn):  # other workers and nodes hear it through NOTIFY
        payload = json.dumps({"k": kind, "o": ORIGIN, **data}, separators=(",", ":"), default=str)
        if len(payload.encode()) > MAX_PAYLOAD:
            raise ValueError(f"{kind} notification too large")
        # Held for the transaction's next answering statement (models/held.py) when it can be.
        await held.execute("SELECT pg_notify($1, $2)", [CHANNEL, payload], answers=True)
    if isinstance(conn, TransactionalDBClient):
        _after_commit(conn, event)
    elif not held.after(conn, lambda: hub.deliver(event)):  # (a write committed by itself)
        hub.deliver(event)


def _decode(payload: str) -> Event | None:
    try:
        data = json.loads(payload)
        kind = data.pop("k")
        origin = data.pop("o", None)
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("ignored a malformed notification")
        return None
    if origin == ORIGIN:
        return None  # delivered locally at commit already
    return Event(str(kind), data, remote=True)


class Listener:
    """LISTEN on a connection of its own; reconnects with back-off and reports a `gap`."""

    def __init__(self, dsn: str, *, target: Hub = hub, connect_timeout: float = 5.0,
                 health_seconds: float = HEALTH_SECONDS) -> None:
        self.dsn = dsn.replace("postgres://", "postgresql://", 1)
        self.target, self.connect_timeout, self.health_seconds = target, connect_timeout, health_seconds
        self.connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        delay, first = 0.1, True
        while True:
            try:
                await self._listen(first)
                first = False
                delay = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("notification listener: %s: %s; retrying in %.1f s",
                            type(error).__name__, error, delay)
            self.connected.clear()
            telemetry.NOTIFY_UP.set(0)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def _listen(self, first: bool) -> None:
        conn = await asyncpg.connect(self.dsn, timeout=self.connect_timeout)
        # Payloads, and None when the connection is lost.
        received: asyncio.Queue[str | None] = asyncio.Queue()
        try:
            conn.add_termination_listener(lambda _: received.put_nowait(None))
            await conn.add_listener(CHANNEL, lambda _c, _p, _ch, payload: received.put_nowait(payload))
            self.connected.set()
            telemetry.NOTIFY_UP.set(1)
            if not first:
                telemetry.NOTIFY_RECONNECTS.inc()
                log.info("notification listener reconnected; announcing a gap")
                self.target.deliver(Event(GAP, {"reason": "reconnected"}))
            while True:
                try:
                    payload = await asyncio.wait_for(received.get(), self.health_seconds)
                except TimeoutError:
                    # No traffic: make sure the server still answers (a frozen network
                    # would otherwise keep this connection "open" forever).
                    await conn.fetchval("SELECT 1", timeout=self.health_seconds)
                    continue
                if payload is None:
                    return
                event = _decode(payload)
                if event is not None:
                    self.target.deliver(event)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 1.0)
            if not conn.is_closed():
                conn.terminate()
