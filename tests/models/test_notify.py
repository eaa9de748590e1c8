"""The notification listener (models/notify.py) on a real PostgreSQL: what caches depend on
is always heard; a dossier's change is heard only while this process has a subscriber for
it, so a process without one is not woken by every write of every other process."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from models import notify

pytestmark = pytest.mark.postgres_only


class Counting(notify.Hub):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[notify.Event] = []

    def deliver(self, event: notify.Event) -> None:
        self.seen.append(event)
        super().deliver(event)


@pytest.fixture
async def heard(postgres_url):
    hub = Counting()
    listener = notify.Listener(postgres_url, target=hub)
    listener.start()
    await asyncio.wait_for(listener.connected.wait(), 10)
    sender = await asyncpg.connect(postgres_url.replace("postgres://", "postgresql://", 1))

    async def send(kind: str, **data: object) -> list[str]:
        """Announce as another process would; the kinds this hub then delivered."""
        before = len(hub.seen)
        payload = json.dumps({"k": kind, "o": "another-process", **data})
        await sender.execute("SELECT pg_notify($1, $2)", notify.channel_of(kind), payload)
        await asyncio.sleep(0.3)  # a notification crosses the server in well under that
        return [e.kind for e in hub.seen[before:]]

    try:
        yield hub, send, listener
    finally:
        await sender.close()
        await listener.stop()


async def test_what_caches_depend_on_is_always_heard(heard):
    hub, send, _ = heard
    assert await send("policy") == ["policy"]
    assert await send("calendar") == ["calendar"]
    assert hub.seen[-1].remote


async def test_a_dossiers_change_is_heard_only_while_someone_here_subscribes(heard):
    hub, send, listener = heard
    assert await send("dossier", code="A") == []  # nobody here wants it: not even woken
    inbox = hub.open({"dossier"})
    await asyncio.wait_for(hub.listening(inbox), 5)
    assert await send("dossier", code="B") == ["dossier"]
    assert (await inbox.get()).data["code"] == "B"
    second = hub.open({"dossier"})
    hub.close(inbox)
    assert await send("dossier", code="C") == ["dossier"]  # the other subscriber still wants it
    hub.close(second)
    hub.close(second)  # closing twice changes nothing
    for _ in range(100):  # the listener's task stops listening soon after the last one leaves
        if notify.channel_of("dossier") not in listener._channels:
            break
        await asyncio.sleep(0.02)
    assert await send("dossier", code="D") == []
    assert hub.streams == {}


async def test_a_subscriber_waits_for_a_listener_that_is_not_up_only_so_long():
    hub = Counting()
    listener = notify.Listener("postgresql://postgres@127.0.0.1:1/none", target=hub,
                               connect_timeout=0.2)
    listener.start()
    try:
        inbox = hub.open({"dossier"})
        await asyncio.wait_for(hub.listening(inbox, timeout=0.3), 2)  # returns; the gap follows
    finally:
        await listener.stop()
