"""Reads of whole model rows by statements whose text is built once per database.

The hot reads of every request (a page's procedures and units, one dossier by its code)
ask the same question with different values. Through the ORM each builds its SQL anew (a
query tree, filters resolved, pypika rendering): about a tenth of a one-dossier read's CPU
each (issue 15). Here the text is rendered once per database and statement shape, the values
are bound as parameters, and the rows become the ORM's models (models/making.py), so callers
get the same objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Generic, TypeVar

from tortoise import connections
from tortoise.models import Model

from models import dialect
from models.making import maker
from models.scope import Scope

M = TypeVar("M", bound=Model)


class Rows(Generic[M]):
    """`SELECT <every column> FROM <table> WHERE …` for one model, optionally with the rows
    its foreign keys name joined in (`joined`: model field → related model); texts cached
    per shape."""

    def __init__(self, model: type[M], joined: dict[str, type[Model]] | None = None) -> None:
        self.model, self.joined = model, dict(joined or {})
        self._texts: dict[tuple, str] = {}

    def _text(self, key: tuple, where: str) -> str:
        # Rendered at first use, not at import: relations add their id columns to the
        # model's fields only when the ORM starts.
        meta = self.model._meta
        columns = [f't."{column}"' for column in sorted(meta.db_fields)]
        joins = []
        for i, (name, related) in enumerate(self.joined.items()):
            columns += [f'r{i}."{column}" AS "r{i}.{column}"' for column in sorted(related._meta.db_fields)]
            key_column = meta.fields_map[name].source_field
            joins.append(f'LEFT JOIN "{related._meta.db_table}" r{i} ON r{i}."id" = t."{key_column}"')
        sql = self._texts[key] = (f'SELECT {", ".join(columns)} FROM "{meta.db_table}" t '
                                  f'{" ".join(joins)} WHERE {where}')
        return sql

    async def _fetch(self, shape: tuple, where: Any, values: list) -> list[Any]:
        conn = connections.get("default")
        key = (dialect.is_postgres(conn), *shape)
        sql = self._texts.get(key)
        if sql is None:
            sql = self._text(key, where(conn))
        return (await conn.execute_query(sql, values))[1]

    async def _run(self, shape: tuple, where: Any, values: list) -> list[M]:
        make = maker(self.model)
        return [make(row) for row in await self._fetch(shape, where, values)]

    async def by_ids(self, ids: Sequence[int]) -> list[M]:
        """The rows whose id is among `ids` (in no particular order): the ids are one
        parameter, so the text is the same for every list."""
        return await self._run(("ids",), lambda conn: dialect.among(conn, "t.id", 1),
                               [dialect.ids(_conn(), ids)])

    async def one(self, column: str, value: object, scope: Scope | None = None,
                  scope_column: str = "unit_path") -> M | None:
        """The row whose `column` (a unique column) equals `value`, within `scope` (prefixes
        of `scope_column`, as models.scope.scoped filters); None if it is missing or outside."""
        found = await self._one(column, value, scope, scope_column)
        return None if found is None else maker(self.model)(found)

    async def one_joined(self, column: str, value: object, scope: Scope | None = None,
                         scope_column: str = "unit_path") -> tuple[M, list[Model]] | None:
        """As `one`, with the rows its `joined` relations name (those that exist), read by
        the same statement."""
        found = await self._one(column, value, scope, scope_column)
        if found is None:
            return None
        own: dict[str, Any] = {}
        related: list[dict[str, Any]] = [{} for _ in self.joined]
        for name, cell in found.items():
            alias, dot, column_name = name.partition(".")  # "r1.code": the second relation's
            if dot:
                related[int(alias[1:])][column_name] = cell
            else:
                own[name] = cell
        rows = [maker(model)(columns)
                for model, columns in zip(self.joined.values(), related, strict=True)
                if columns.get("id") is not None]  # a relation left empty (a null key)
        return maker(self.model)(own), rows

    async def newest(self, scope: Scope, below: int | None, limit: int,
                     scope_column: str = "unit_path") -> list[M]:
        """At most `limit` rows within `scope` (prefixes of `scope_column`, as
        models.scope.scoped filters), highest id first, ids below `below` when given: a
        keyset page of a list without filters, the list every official opens."""
        prefixes = scope.prefixes
        if prefixes is not None and not prefixes:
            return []

        values: list[Any] = [*(_like_prefix(p) for p in prefixes or ())]
        if below is not None:
            values.append(below)
        values.append(limit)

        def where(conn: Any) -> str:
            marks = dialect.marks(conn, len(values))
            tests = ["TRUE"]
            if prefixes:
                tests.append(_within(scope_column, marks[:len(prefixes)]))
            if below is not None:
                tests.append(f"t.id < {marks[-2]}")
            return f"{' AND '.join(tests)} ORDER BY t.id DESC LIMIT {marks[-1]}"

        shape = ("newest", scope_column, len(prefixes or ()), below is None)
        return await self._run(shape, where, values)

    async def first(self, column: str, value: object) -> M | None:
        """The row with the lowest id among those whose `column` equals `value`."""
        def where(conn: Any) -> str:
            return f't."{column}" = {dialect.mark(conn, 1)} ORDER BY t.id LIMIT 1'

        rows = await self._fetch(("first", column), where, [value])
        return maker(self.model)(rows[0]) if rows else None

    async def in_force(self, column: str, value: object, day: date) -> M | None:
        """The version whose `column` equals `value` among those in force on `day` (a unit:
        `valid_from`, `valid_to`, as models.units.valid_on); None if none is."""
        def where(conn: Any) -> str:
            m = dialect.marks(conn, 2)
            return f't."{column}" = {m[0]} AND {_in_force(m[1])} ORDER BY t.id LIMIT 1'

        rows = await self._fetch(("in_force", column), where,
                                 [value, dialect.date_value(_conn(), day)])
        return maker(self.model)(rows[0]) if rows else None

    async def in_force_under(self, column: str, prefix: str, day: date) -> list[M]:
        """The versions in force on `day` whose `column` starts with `prefix` (taken
        literally): a unit's subtree as it stood that day."""
        def where(conn: Any) -> str:
            m = dialect.marks(conn, 2)
            return f"{_within(column, m[:1])} AND {_in_force(m[1])}"

        return await self._run(("in_force_under", column), where,
                               [_like_prefix(prefix), dialect.date_value(_conn(), day)])

    async def _one(self, column: str, value: object, scope: Scope | None,
                   scope_column: str) -> dict | None:
        prefixes = None if scope is None else scope.prefixes
        if prefixes is not None and not prefixes:
            return None

        def where(conn: Any) -> str:
            marks = dialect.marks(conn, 1 + len(prefixes or ()))
            condition = f't."{column}" = {marks[0]}'
            if prefixes:
                # Prefixes are matched literally: LIKE's metacharacters are escaped below.
                condition += f" AND {_within(scope_column, marks[1:])}"
            return condition

        values = [value, *(_like_prefix(p) for p in prefixes or ())]
        rows = await self._fetch(("one", column, scope_column, len(prefixes or ())), where, values)
        return dict(rows[0]) if rows else None


def _conn() -> Any:
    return connections.get("default")


def _within(column: str, marks: Sequence[str]) -> str:
    """The condition that `column` starts with one of the prefixes bound at `marks` (each
    given by `_like_prefix`, so they are matched literally)."""
    return "(" + " OR ".join(f"t.\"{column}\" LIKE {m} ESCAPE '\\'" for m in marks) + ")"


def _in_force(day_mark: str) -> str:
    """The condition that the row is a version in force on the day bound at `day_mark`
    (as models.units.valid_on)."""
    return (f"(t.valid_from IS NULL OR t.valid_from <= {day_mark}) "
            f"AND (t.valid_to IS NULL OR t.valid_to > {day_mark})")


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern matching the strings that start with `prefix`, taken literally."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


__all__ = ["Rows"]
