"""Keyset pages: one generic `Page[T]` for every list, and opaque cursors.

A cursor is base64 of `<kind>:<key>`, checked on the way back in; a page is the rows after
the cursor's key in the list's order, one more fetched to know whether another page follows.
Keysets, not offsets: the lists (dossiers, the audit trail) are large and grow at the top.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from tortoise.queryset import QuerySet

from models.errors import BadInput
from models.making import fetch
from resolvers import validation

T = TypeVar("T")
U = TypeVar("U")


def encode(kind: str, key: int | str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def _decode(cursor: str, kind: str, field: str) -> str:
    try:
        prefix, _, key = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeError):
        raise BadInput(f"{field} is not a valid cursor", field=field) from None
    if prefix != kind:
        raise BadInput(f"{field} is not a valid cursor", field=field)
    return key


def decode_int(cursor: str | None, *, kind: str, field: str = "after") -> int | None:
    """The integer key of a cursor of this kind, or BAD_USER_INPUT."""
    if cursor is None:
        return None
    try:
        return int(_decode(cursor, kind, field))
    except ValueError:
        raise BadInput(f"{field} is not a valid cursor", field=field) from None


def decode_str(cursor: str | None, *, kind: str, field: str = "after") -> str | None:
    return None if cursor is None else _decode(cursor, kind, field)


@dataclass
class Page(Generic[T]):
    """One page of a list: its items with their cursors, whether more follow, and (only if
    asked for) the total count of the whole filtered list."""

    items: list[T]
    cursors: list[str]
    has_next: bool
    _count: Callable[[], Awaitable[int]] | None = field(default=None, repr=False)

    async def total_count(self) -> int:
        return await self._count() if self._count else len(self.items)

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None

    def map(self, present: Callable[[list[T]], list[U]]) -> Page[U]:
        """The same page with its items presented (masked, converted) in one call."""
        return Page(present(self.items), self.cursors, self.has_next, self._count)


async def keyset(
    query: QuerySet[Any], *, kind: str, key: str, descending: bool, first: int | None,
    after: str | None,
) -> Page[Any]:
    """One page of `query` ordered by its unique `key` column (the cursor's key)."""
    size = validation.page_size(first)
    after_key = (decode_str if key == "code" else decode_int)(after, kind=kind)
    page = query
    if after_key is not None:
        page = page.filter(**{f"{key}__{'lt' if descending else 'gt'}": after_key})
    rows = await fetch(page.order_by(f"-{key}" if descending else key).limit(size + 1))
    return _paged(rows, size, kind, key, query.count)


async def newest_first(
    read: Callable[[int | None, int], Awaitable[list[Any]]], *, kind: str, first: int | None,
    after: str | None, count: Callable[[], Awaitable[int]],
) -> Page[Any]:
    """As `keyset` by `id`, newest first, with the rows read by `read(below, limit)` (a
    statement whose text is built once: models.rows.Rows.newest)."""
    size = validation.page_size(first)
    rows = await read(decode_int(after, kind=kind), size + 1)
    return _paged(rows, size, kind, "id", count)


def _paged(rows: list[Any], size: int, kind: str, key: str,
           count: Callable[[], Awaitable[int]]) -> Page[Any]:
    shown = rows[:size]
    return Page(shown, [encode(kind, getattr(r, key)) for r in shown], len(rows) > size, count)
