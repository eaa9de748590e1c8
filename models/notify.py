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

Two kinds of traffic, two kinds of channel. What caches depend on (the policy, sessions and
partner tokens, the calendar) is rare and every process needs it: channel `motcua`, always
listened. A dossier's change is announced with every write and only a process with an open
subscription needs it: channel `motcua_dossier` (`STREAMED`), listened only while this
process has an inbox for it. Before, every process woke up for every write of every other
process (0.14 ms of CPU each, measured with two idle workers beside a busy one: a tenth of
the busy worker's core at 95 paths/s; issue 15).

Events are small dicts: `kind` plus a few fields; never personal data.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from models import dialect, held, telemetry

log = logging.getLogger("motcua.notify")

CHANNEL = "motcua"
# Kinds announced on a channel of their own, listened only while someone here wants them.
STREAMED = frozenset({"dossier"})
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
        self.streams: dict[str, int] = {}  # open inboxes per STREAMED kind
        self.listener: Listener | None = None  # the one feeding this hub from PostgreSQL

    def on(self, kind: str, handler: Handler) -> None:
        """Run `handler(event)` for every event of `kind` (and for every `gap`)."""
        self.handlers.setdefault(kind, []).append(handler)

    def open(self, kinds: set[str] | frozenset[str]) -> Inbox:
        """An inbox for `kinds` (and gaps). A STREAMED kind reaches it from other processes
        once `listening()` has returned."""
        inbox = Inbox(frozenset(kinds))
        self.inboxes.add(inbox)
        for kind in inbox.kinds & STREAMED:
            self.streams[kind] = self.streams.get(kind, 0) + 1
        self._streams_changed()
        return inbox

    def close(self, inbox: Inbox) -> None:
        if inbox not in self.inboxes:
            return
        self.inboxes.discard(inbox)
        for kind in inbox.kinds & STREAMED:
            self.streams[kind] -= 1
            if not self.streams[kind]:
                del self.streams[kind]
        self._streams_changed()

    def channels(self) -> set[str]:
        """The channels this process must listen on now."""
        return {CHANNEL, *(channel_of(kind) for kind in self.streams)}

    def _streams_changed(self) -> None:
        if self.listener is not None:
            self.listener.resync()

    async def listening(self, inbox: Inbox, timeout: float = 5.0) -> None:
        """Return once the listener hears the inbox's channels (at once without one: SQLite,
        or a process that only changes things). A listener that is reconnecting is waited
        for up to `timeout`; the gap it announces when it is back covers the wait."""
        if self.listener is not None:
            wanted = {channel_of(kind) for kind in inbox.kinds & STREAMED}
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.listener.hears(wanted), timeout)

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


def channel_of(kind: str) -> str:
    return f"{CHANNEL}_{kind}" if kind in STREAMED else CHANNEL


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
        # The transaction's own method by its function and the transaction by a weak
        # reference: a wrapper holding the bound method would make a reference cycle
        # (transaction → wrapper → method → transaction) that only the cyclic collector
        # frees, and the transaction with everything it holds would outlive the request.
        commit = type(root).commit
        transaction = weakref.ref(root)

        async def commit_then_deliver() -> None:
            await commit(transaction())
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
        await held.execute("SELECT pg_notify($1, $2)", [channel_of(kind), payload], answers=True)
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
    """LISTEN on a connection of its own; reconnects with back-off and reports a `gap`.

    Notifications are delivered by the driver's callback as they arrive (no task or timer
    per notification); the listener's own task wakes only to change what it listens to, to
    notice a lost connection, and to ask an idle connection whether it still answers."""

    def __init__(self, dsn: str, *, target: Hub = hub, connect_timeout: float = 5.0,
                 health_seconds: float = HEALTH_SECONDS) -> None:
        self.dsn = dsn.replace("postgres://", "postgresql://", 1)
        self.target, self.connect_timeout, self.health_seconds = target, connect_timeout, health_seconds
        self.connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()  # the channels wanted changed, or the connection was lost
        self._lost = False
        self._heard = 0.0  # when the connection last delivered something
        self._channels: set[str] = set()  # listened on the current connection
        self._synced = asyncio.Condition()

    def start(self) -> None:
        self.target.listener = self
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self.target.listener is self:
            self.target.listener = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def resync(self) -> None:
        """The hub's wanted channels changed: listen accordingly (from the listener's task)."""
        self._wake.set()

    async def hears(self, channels: set[str]) -> None:
        """Return once every one of `channels` is listened on."""
        async with self._synced:
            await self._synced.wait_for(lambda: channels <= self._channels)

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
            self._channels = set()
            telemetry.NOTIFY_UP.set(0)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _received(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self._heard = asyncio.get_running_loop().time()
        try:
            event = _decode(payload)
            if event is not None:
                self.target.deliver(event)
        except Exception:  # one bad notification must not stop the others
            log.warning("a notification could not be delivered", exc_info=True)

    def _gone(self, _conn: Any) -> None:
        self._lost = True
        self._wake.set()

    async def _sync(self, conn: asyncpg.Connection) -> None:
        wanted = self.target.channels()
        for channel in wanted - self._channels:
            await conn.add_listener(channel, self._received)
            self._channels.add(channel)
        for channel in self._channels - wanted:
            await conn.remove_listener(channel, self._received)
            self._channels.discard(channel)
        async with self._synced:
            self._synced.notify_all()

    async def _listen(self, first: bool) -> None:
        conn = await asyncpg.connect(self.dsn, timeout=self.connect_timeout)
        self._lost, self._channels = False, set()
        try:
            conn.add_termination_listener(self._gone)
            await self._sync(conn)
            self.connected.set()
            telemetry.NOTIFY_UP.set(1)
            if not first:
                telemetry.NOTIFY_RECONNECTS.inc()
                log.info("notification listener reconnected; announcing a gap")
                self.target.deliver(Event(GAP, {"reason": "reconnected"}))
            loop = asyncio.get_running_loop()
            self._heard = loop.time()
            while True:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.health_seconds)
                except TimeoutError:
                    if loop.time() - self._heard >= self.health_seconds:
                        # No traffic: make sure the server still answers (a frozen network
                        # would otherwise keep this connection "open" forever).
                        await conn.fetchval("SELECT 1", timeout=self.health_seconds)
                        self._heard = loop.time()
                    continue
                self._wake.clear()
                if self._lost or conn.is_closed():
                    return
                await self._sync(conn)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 1.0)
            if not conn.is_closed():
                conn.terminate()
