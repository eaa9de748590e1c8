"""Reads of whole model rows by statements whose text is built once per database.

The hot reads of every request (a page's procedures and units, one dossier by its code)
ask the same question with different values. Through the ORM each builds its SQL anew (a
query tree, filters resolved, pypika rendering): about a tenth of a one-dossier read's CPU
each (issue 15). Here the text is rendered once per database and statement shape, the values
are bound as parameters, and the rows become models through the model's own conversion, as
the ORM's executor makes them (`_init_from_db`), so callers get the same objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from tortoise import connections
from tortoise.models import Model

from models import dialect
from models.scope import Scope

M = TypeVar("M", bound=Model)


class Rows(Generic[M]):
    """`SELECT <every column> FROM <table> WHERE …` for one model; texts cached per shape."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self._texts: dict[tuple, str] = {}

    def _text(self, key: tuple, where: str) -> str:
        # Rendered at first use, not at import: relations add their id columns to the
        # model's fields only when the ORM starts.
        meta = self.model._meta
        columns = ", ".join(f'"{column}"' for column in sorted(meta.db_fields))
        sql = self._texts[key] = f'SELECT {columns} FROM "{meta.db_table}" WHERE {where}'
        return sql

    async def _run(self, shape: tuple, where: Any, values: list) -> list[M]:
        conn = connections.get("default")
        key = (dialect.is_postgres(conn), *shape)
        sql = self._texts.get(key)
        if sql is None:
            sql = self._text(key, where(conn))
        make = self.model._init_from_db
        return [make(**dict(row)) for row in (await conn.execute_query(sql, values))[1]]

    async def by_ids(self, ids: Sequence[int]) -> list[M]:
        """The rows whose id is among `ids` (in no particular order): the ids are one
        parameter, so the text is the same for every list."""
        return await self._run(("ids",), lambda conn: dialect.among(conn, "id", 1),
                               [dialect.ids(_conn(), ids)])

    async def one(self, column: str, value: object, scope: Scope | None = None,
                  scope_column: str = "unit_path") -> M | None:
        """The row whose `column` (a unique column) equals `value`, within `scope` (prefixes
        of `scope_column`, as models.scope.scoped filters); None if it is missing or outside."""
        prefixes = None if scope is None else scope.prefixes
        if prefixes is not None and not prefixes:
            return None

        def where(conn: Any) -> str:
            marks = dialect.marks(conn, 1 + len(prefixes or ()))
            condition = f'"{column}" = {marks[0]}'
            if prefixes:
                # Prefixes are matched literally: LIKE's metacharacters are escaped below.
                reach = " OR ".join(f"\"{scope_column}\" LIKE {m} ESCAPE '\\'" for m in marks[1:])
                condition += f" AND ({reach})"
            return condition

        values = [value, *(_like_prefix(p) for p in prefixes or ())]
        rows = await self._run(("one", column, scope_column, len(prefixes or ())), where, values)
        return rows[0] if rows else None


def _conn() -> Any:
    return connections.get("default")


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern matching the strings that start with `prefix`, taken literally."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


__all__ = ["Rows"]
