"""Limits on guessing the proof that an object is yours (an applicant's ID number to rate a
dossier, a complaint's secret to judge its answer), counted per object whoever guesses.

The public mutations that ask for a proof answer every failure the same way, so a guess
learns nothing but "no"; this bounds how many guesses one object gets. After
`free_attempts` failures on an object, each further failure starts a wait (base 60 s,
doubling, capped at a day) during which no proof for it is even checked, right or wrong.
Objects are keyed as the caller named them (the code typed), so a code that does not exist
is limited exactly like one that does: the limit itself reveals nothing. Counts live in the
rate limiter's store (Redis when configured, so every process shares them) and are forgotten
a day after the last failure.
"""

from __future__ import annotations

from policies.ratelimit import CounterStore, _digest


class ProofBackoff:
    """See the module docstring."""

    def __init__(self, store: CounterStore, *, free_attempts: int = 5, base_seconds: float = 60.0,
                 cap_seconds: float = 86_400, forget_seconds: float = 86_400) -> None:
        self._store = store
        self._free, self._base, self._cap = free_attempts, base_seconds, cap_seconds
        self._forget = forget_seconds

    @staticmethod
    def _key(kind: str, name: str) -> str:
        return f"proof:{kind}:" + _digest(name.strip().upper()[:128])

    async def check(self, kind: str, name: str) -> float:
        """Seconds before a proof for this object is checked again; 0: now."""
        return await self._store.ttl(self._key(kind, name) + ":wait")

    async def failed(self, kind: str, name: str) -> None:
        """Count one failed proof for the object and start the wait it earns."""
        key = self._key(kind, name)
        over = await self._store.incr_with_ttl(key + ":n", self._forget) - self._free
        if over >= 0:
            await self._store.incr_with_ttl(key + ":wait", min(self._cap, self._base * 2 ** min(over, 64)))
