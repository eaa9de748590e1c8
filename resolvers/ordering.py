"""Keyset pages in an order other than the id's: a sort column, then the id to break ties.

The cursor is `<kind>:<value>|<id>` (base64), the kind naming the list, the column and the
direction, so that a cursor is never applied to a page in another order. The sort columns
may be NULL (a dossier not yet received has no `received_at`, nor a due date): a missing
value sorts as the largest, as PostgreSQL sorts NULLs by default, so that its plain btree
index on (column, id) serves both directions; SQLite, which sorts NULLs as the smallest, is
told the same order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet

from models import dialect
from models.errors import BadInput
from models.making import fetch
from resolvers import validation
from resolvers.pagination import Page, _decode, encode


def _key(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _parse(text: str, *, temporal: bool, field: str) -> Any:
    if text == "":
        return None
    if not temporal:
        return text
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{field} is not a valid cursor", field=field) from None


def cursor_kind(list_kind: str, column: str, descending: bool) -> str:
    return f"{list_kind}.{column}.{'desc' if descending else 'asc'}"


def decode(cursor: str | None, *, kind: str, temporal: bool,
           field: str = "after") -> tuple[Any, int] | None:
    """(value, id) of a cursor of exactly this kind (list, column, direction)."""
    if cursor is None:
        return None
    key = _decode(cursor, kind, field)
    value, bar, ident = key.rpartition("|")
    if not bar or not ident.isdigit():
        raise BadInput(f"{field} is not a valid cursor", field=field)
    return _parse(value, temporal=temporal, field=field), int(ident)


def _after(column: str, value: Any, ident: int, descending: bool, unique: bool) -> Q:
    """The rows after (value, ident) in the order, a missing value being the largest."""
    tie = "lt" if descending else "gt"
    if unique:  # a unique, non-null column: its value alone is the key
        return _q({f"{column}__{tie}": value})
    if value is None:
        same = _q({f"{column}__isnull": True, f"id__{tie}": ident})
        # Descending, the missing values come first: every present one follows them.
        return same | _q({f"{column}__isnull": False}) if descending else same
    beyond = _q({f"{column}__{tie}": value}) | _q({column: value, f"id__{tie}": ident})
    # Ascending, the missing values come last: they follow every present one.
    return beyond if descending else beyond | _q({f"{column}__isnull": True})


def _q(conditions: dict[str, Any]) -> Q:
    return Q(**conditions)


def _ordered(query: QuerySet[Any], column: str, descending: bool, unique: bool) -> QuerySet[Any]:
    sign = "-" if descending else ""
    if unique:
        return query.order_by(f"{sign}{column}")
    missing = dialect.missing_last(connections.get("default"), column)
    if missing is not None:  # a missing value sorts as the largest on both databases
        query = query.annotate(_missing=RawSQL(missing))
        return query.order_by(f"{sign}_missing", f"{sign}{column}", f"{sign}id")
    return query.order_by(f"{sign}{column}", f"{sign}id")


async def keyset_by(
    query: QuerySet[Any], *, kind: str, column: str, descending: bool, first: int | None,
    after: str | None, temporal: bool = True, unique: bool = False,
) -> Page[Any]:
    """One page of `query` in the order of `column` (then id), after the cursor `after`."""
    size = validation.page_size(first)
    cursor = decode(after, kind=kind, temporal=temporal)
    page = query
    if cursor is not None:
        page = page.filter(_after(column, cursor[0], cursor[1], descending, unique))
    rows = await fetch(_ordered(page, column, descending, unique).limit(size + 1))
    shown = rows[:size]
    cursors = [encode(kind, f"{_key(getattr(r, column))}|{r.id}") for r in shown]
    return Page(shown, cursors, len(rows) > size, query.count)
