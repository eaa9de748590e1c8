"""Announcements delivered as the LISTEN connection delivers another process's, for the tests
of what each process keeps (the calendar, procedures and units)."""

from __future__ import annotations

import asyncio
from typing import Any

from models import notify


async def heard(kind: str, data: dict[str, Any] | None = None) -> None:
    """Deliver a remote announcement of `kind` and let its handlers run."""
    notify.hub.deliver(notify.Event(kind, data or {}, remote=True))
    await settled()


async def settled() -> None:
    """Let the handlers of what was delivered run (the hub runs them as tasks of their own)."""
    for _ in range(3):
        await asyncio.sleep(0)
