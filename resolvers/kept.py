"""Reference rows (procedures, administrative units and their agencies) kept in each process.

Every page of dossiers shows each one's procedure and unit: two statements per page, a
tenth of its CPU with their round trips and models; every reception looks up its unit,
procedure and agency by code (issue 15). The catalogue and the tree of units change a few
times a year. A process keeps the rows it read, for at most RECHECK_SECONDS; a change made
through the API is announced in its transaction (`catalogue`,
`announce_catalogue_change`) and every process drops what it kept at the commit (this one at
once, the others through NOTIFY); a gap in the notification stream drops it too. A row
written behind the API's back (SQL by hand, the demo seed in another process) shows within
RECHECK_SECONDS. Inside a transaction nothing kept is used and nothing read is kept (it sees
its own uncommitted changes, which no one else may), nor is a row read while a change was
announced.

The rows are the ORM's models, shared by the requests that read them within the second:
nothing may change them in place (they are read for display, and writes go through
statements, never through these objects).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from time import monotonic
from typing import Generic, TypeVar

from tortoise import Model, connections
from tortoise.backends.base.client import TransactionalDBClient

from models import notify
from models.rows import Rows
from resolvers.deadlines import RECHECK_SECONDS

M = TypeVar("M", bound=Model)
CATALOGUE_CHANGED = "catalogue"


class Kept(Generic[M]):
    """One table's rows as last read, by id and by the keys of lookups (module docstring)."""

    def __init__(self, rows: Rows[M]) -> None:
        self.rows = rows
        self.kept: dict[int, M] = {}
        self.found: dict[tuple, M] = {}  # rows found by another key (a code), by that key
        self.since = 0.0  # when the oldest row kept was read
        self.generation = 0  # moves with every change announced

    async def by_ids(self, ids: Sequence[int]) -> dict[int, M]:
        """The rows of these ids that exist, by id."""
        if _in_transaction():  # it sees its own changes: read, and keep nothing
            return {row.pk: row for row in await self.rows.by_ids(list(ids))}
        self._expire()
        kept = self.kept
        found = {i: kept[i] for i in ids if i in kept}
        missing = [i for i in ids if i not in found]
        if missing:
            keep = self._keeper()
            for row in await self.rows.by_ids(missing):
                found[row.pk] = row
                if keep():
                    self.kept[row.pk] = row
        return found

    async def one(self, key: tuple, read: Callable[[], Awaitable[M | None]]) -> M | None:
        """The row `read()` finds for `key` (a lookup by code, say), kept as rows by id are;
        a lookup that finds nothing is asked again next time (the row may be made meanwhile)."""
        if _in_transaction():
            return await read()
        self._expire()
        row = self.found.get(key)
        if row is None:
            keep = self._keeper()
            row = await read()
            if row is not None and keep():
                self.found[key] = row
        return row

    def _expire(self) -> None:
        if monotonic() - self.since >= RECHECK_SECONDS:
            self.kept, self.found, self.since = {}, {}, monotonic()

    def _keeper(self) -> Callable[[], bool]:
        """Whether what is about to be read may be kept, asked once it is read: not if a
        change was announced meanwhile."""
        generation = self.generation
        return lambda: generation == self.generation

    def forget(self) -> None:
        self.kept, self.found, self.since = {}, {}, 0.0
        self.generation += 1


def _in_transaction() -> bool:
    return isinstance(connections.get("default"), TransactionalDBClient)


def forget_catalogue() -> None:
    """Read the procedures and units again at their next use (a change was announced)."""
    for table in KEPT:
        table.forget()


async def announce_catalogue_change() -> None:
    """Call in the transaction that changed procedures or units: at its commit every
    process (this one at once, the others through NOTIFY) reads them again."""
    await notify.publish(CATALOGUE_CHANGED)


async def _announced(event: notify.Event) -> None:
    forget_catalogue()  # its own change, another process's, or a gap in the stream


KEPT: list[Kept] = []


def kept(rows: Rows[M]) -> Kept[M]:
    table = Kept(rows)
    KEPT.append(table)
    return table


notify.hub.on(CATALOGUE_CHANGED, _announced)
