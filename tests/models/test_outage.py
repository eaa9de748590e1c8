"""Which failures mean "the database is unavailable" (503) and which are bugs (500)."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
from tortoise.exceptions import DBConnectionError, IntegrityError, OperationalError

from models.errors import BadInput
from models.outage import is_outage


def wrapped(inner: BaseException, outer: type[Exception] = OperationalError) -> Exception:
    try:
        raise outer(inner) from inner
    except Exception as error:
        return error


@pytest.mark.parametrize("error", [
    ConnectionRefusedError(111, "refused"), ConnectionResetError(104, "reset"), TimeoutError(),
    DBConnectionError("cannot connect"), asyncpg.exceptions.ConnectionDoesNotExistError("gone"),
    asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
    asyncpg.exceptions.AdminShutdownError("terminating connection"),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.TooManyConnectionsError("too many clients"),
    asyncpg.exceptions.LockNotAvailableError("lock timeout"),
    sqlite3.OperationalError("database is locked"),
    wrapped(ConnectionResetError(104, "reset")),
    wrapped(asyncpg.exceptions.QueryCanceledError("timeout")),
])
def test_unavailable_database_is_an_outage(error):
    assert is_outage(error)


@pytest.mark.parametrize("error", [
    RuntimeError("bug"), BadInput("bad"), IntegrityError("duplicate key"),
    asyncpg.exceptions.UndefinedColumnError("no such column"),
    sqlite3.OperationalError("no such table: dossiers"), FileNotFoundError("x"),
    wrapped(KeyError("x")), None,
])
def test_other_failures_are_not_outages(error):
    assert not is_outage(error)
