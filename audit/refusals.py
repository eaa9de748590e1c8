"""Refusals and failures, recorded so that a flood cannot grow the trail without limit.

A refusal is written at once the first time; identical ones from the same caller (same
identity, address, action, object, outcome and error code) within `window` seconds are
only counted, and written as one entry carrying the count (`occurrences`) when the burst
ends: at the next identical refusal after the window, at the periodic `flush()` the app
runs, or at shutdown. So a burst of 25 identical refusals is two entries, the first and
"24 more like it". Callers rate-limit before they get here.

The counts live in this process (each worker counts its own bursts); at most `max_keys`
bursts are tracked, the oldest written out first when more arrive.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from audit.recorder import Actor, home_path, record
from models.audit import AuditOutcome

log = logging.getLogger("motcua.audit")


@dataclass
class _Burst:
    entry: dict[str, Any]
    actor: Actor
    started: float
    repeats: int = 0
    last_at: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class Bursts:
    """Counts identical refusals; see the module docstring."""

    def __init__(self, *, window: float = 60.0, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window, self.max_keys, self._clock = window, max_keys, clock
        self._bursts: OrderedDict[tuple, _Burst] = OrderedDict()
        self._lock = asyncio.Lock()

    def configure(self, *, window: float) -> None:
        self.window = window

    async def refuse(
        self, *, actor: Actor, action: str, outcome: AuditOutcome, reason: str | None,
        code: str | None = None, object_type: str | None = None, object_id: str | None = None,
        unit_path: str | None = None, operation_name: str | None = None,
    ) -> None:
        """Record one refusal (DENIED) or failure (ERROR), or count it into its burst."""
        entry: dict[str, Any] = dict(
            action=action, outcome=outcome, reason=reason, object_type=object_type,
            object_id=object_id, unit_path=unit_path, operation_name=operation_name)
        key = (getattr(actor.kind, "value", actor.kind), actor.username, actor.client_address,
               action, object_type, object_id, unit_path or home_path(actor), outcome, code)
        now = self._clock()
        due: list[_Burst] = []
        async with self._lock:
            burst = self._bursts.get(key)
            if burst is not None and now - burst.started <= self.window:
                burst.repeats += 1
                burst.last_at = now
                return
            if burst is not None:  # the earlier burst is over: write its count first
                due.append(self._bursts.pop(key))
            self._bursts[key] = _Burst(entry=entry, actor=actor, started=now, last_at=now)
            while len(self._bursts) > self.max_keys:
                due.append(self._bursts.popitem(last=False)[1])
        await self._write_counts(due)
        await record(actor=actor, **entry)

    async def flush(self, *, everything: bool = False) -> int:
        """Write the counts of bursts whose window has passed (all of them with
        `everything`); returns how many entries were written."""
        now = self._clock()
        async with self._lock:
            keys = [k for k, b in self._bursts.items()
                    if everything or now - b.started > self.window]
            due = [self._bursts.pop(k) for k in keys]
        return await self._write_counts(due)

    async def _write_counts(self, bursts: list[_Burst]) -> int:
        written = 0
        for burst in bursts:
            if not burst.repeats:
                continue
            seconds = max(0, round(burst.last_at - burst.started))
            reason = (f"{burst.entry['reason'] or ''} ({burst.repeats} more like it "
                      f"within {seconds} s)").strip()[:500]
            try:
                await record(actor=burst.actor, **{**burst.entry, "reason": reason},
                             occurrences=burst.repeats)
                written += 1
            except Exception:  # a count lost is logged; the first of the burst is in the trail
                log.exception("could not write the count of %d refusals", burst.repeats)
        return written

    def reset(self) -> None:
        """Forget every burst without writing it (tests start each database afresh)."""
        self._bursts.clear()

    def __len__(self) -> int:
        return len(self._bursts)


# The process's bursts; app.py sets the window from AUDIT_BURST_SECONDS and flushes it.
bursts = Bursts()
