"""Liveness and readiness, for load balancers and orchestrators (no caller, no audit: a probe
every few seconds would otherwise fill the trail with nothing)."""

from __future__ import annotations

import asyncio

from models.outage import is_outage
from models.readiness import Readiness, readiness

READY_TIMEOUT = 1.5  # seconds: a probe gets an answer well within 2 s, even from a frozen database


async def ready(timeout: float = READY_TIMEOUT) -> Readiness:
    """Readiness, or not ready with the reason when the database is down, slow or frozen."""
    try:
        return await asyncio.wait_for(readiness(), timeout)
    except TimeoutError:
        return Readiness(False, {"database": f"no answer within {timeout} s"})
    except Exception as error:
        if not is_outage(error):
            raise
        return Readiness(False, {"database": f"unavailable ({type(error).__name__})"})
