"""Telling "the database is unreachable or too slow" apart from every other failure.

Such failures are the operator's problem, not the caller's: the HTTP edge answers them with
503 and `Retry-After`, and the service recovers by itself when the database returns
(the driver's pool opens new connections on the next request).
"""

from __future__ import annotations

import sqlite3

import asyncpg
from tortoise.exceptions import DBConnectionError

# SQLSTATE classes and codes that mean "not now" rather than "not this": connection
# exceptions (08), operator intervention such as shutdown or a statement timeout (57),
# insufficient resources (53) and a lock that could not be taken in time (55P03).
_UNAVAILABLE_STATES = ("08", "57", "53", "55P03")
_SQLITE_BUSY = ("database is locked", "unable to open database file", "disk I/O error")


def is_outage(error: BaseException | None) -> bool:
    """True when `error` (or anything in its cause chain) says the database is unavailable."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (DBConnectionError, ConnectionError, TimeoutError,
                              asyncpg.InterfaceError)):
            return True
        if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
            return True  # refused, reset, unreachable host
        if isinstance(error, asyncpg.PostgresError):
            state = getattr(error, "sqlstate", "") or ""
            if state.startswith(_UNAVAILABLE_STATES):
                return True
        if isinstance(error, sqlite3.OperationalError) and str(error).startswith(_SQLITE_BUSY):
            return True
        # Tortoise wraps driver errors as `OperationalError(exc) from exc`; follow explicit
        # causes only (an implicit __context__ may be an unrelated error handled earlier).
        wrapped = error.args[0] if error.args and isinstance(error.args[0], BaseException) else None
        error = error.__cause__ or wrapped
    return False
