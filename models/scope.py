"""Jurisdiction scopes: a set of unit-path prefixes turned into a SQL filter."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TypeVar

from pypika_tortoise.context import SqlContext
from pypika_tortoise.terms import Criterion, Term, ValueWrapper
from tortoise.expressions import Q
from tortoise.filters import escape_like
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.dialect import is_postgres

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """Unit subtrees a caller may reach; `prefixes is None` means everywhere."""

    prefixes: tuple[str, ...] | None

    @classmethod
    def everywhere(cls) -> Scope:
        return cls(None)

    @classmethod
    def of(cls, paths: list[str] | tuple[str, ...]) -> Scope:
        """Minimal set of prefixes: a path under another one adds nothing."""
        kept: list[str] = []
        for path in sorted(set(paths), key=len):
            if not any(path.startswith(prefix) for prefix in kept):
                kept.append(path)
        return cls(tuple(sorted(kept)))

    @property
    def is_empty(self) -> bool:
        return self.prefixes == ()

    def covers(self, path: str) -> bool:
        return self.prefixes is None or any(path.startswith(p) for p in self.prefixes)

    def narrow(self, path: str) -> Scope:
        """This scope intersected with one subtree (e.g. a `unitCode` filter)."""
        if self.prefixes is None or self.covers(path):
            return Scope((path,))
        # Grants strictly below `path` stay; the rest of `path` is out of reach.
        return Scope(tuple(p for p in self.prefixes if p.startswith(path)))


def scoped(queryset: QuerySet[M], scope: Scope, column: str = "unit_path") -> QuerySet[M]:
    """Filter a queryset to the scope, in SQL (prefix LIKE on the materialised path)."""
    if scope.prefixes is None:
        return queryset
    if not scope.prefixes:
        return queryset.filter(id__lt=0)  # matches nothing, still a valid query
    clauses = [Q(**{f"{column}__startswith": prefix}) for prefix in scope.prefixes]
    return queryset.filter(reduce(or_, clauses))


class Patterns(Term):
    """LIKE patterns as one text[]: a single parameter, or an ARRAY literal when inlined."""

    def __init__(self, patterns: list[str]) -> None:
        super().__init__()
        self.patterns = patterns

    def get_sql(self, ctx: SqlContext) -> str:
        if ctx.parameterizer is None:  # .sql(params_inline=True): EXPLAIN in tests
            items = ",".join(ValueWrapper(p).get_sql(ctx) for p in self.patterns)
            return f"ARRAY[{items}]::text[]"
        return f"{ctx.parameterizer.create_param(self.patterns).get_sql(ctx)}::text[]"


class LikeAny(Criterion):
    def __init__(self, column: Term, patterns: Term) -> None:
        super().__init__()
        self.column, self.patterns = column, patterns

    def nodes_(self):  # noqa: ANN201 (pypika walks the tree to find the tables a query uses)
        yield self
        yield from self.column.nodes_()

    def get_sql(self, ctx: SqlContext) -> str:
        # The array through a scalar subquery: even a custom plan cannot see the patterns,
        # so it is estimated as the generic plan is, and PostgreSQL keeps the generic one
        # after its five trial runs (scoped_once).
        return f"{self.column.get_sql(ctx)} LIKE ANY((SELECT {self.patterns.get_sql(ctx)})::text[])"


UNDER_ANY = "__under_any"


def plan_once(model: type[Model], column: str = "unit_path") -> None:
    """Register `<column>__under_any` on `model`, for `scoped_once`."""
    model._meta._filters[column + UNDER_ANY] = {
        "field": column, "source_field": column,
        "operator": LikeAny}


def scoped_once(queryset: QuerySet[M], scope: Scope, column: str = "unit_path") -> QuerySet[M]:
    """`scoped`, with the prefixes sent as one array parameter on PostgreSQL
    (`column LIKE ANY($n::text[])`) so that the statement's plan does not depend on them.

    Why: with one `LIKE $n` per prefix PostgreSQL plans the statement anew on every execution
    (a custom plan can turn a literal prefix into an index range), and on a partitioned table
    of a few hundred thousand rows that planning costs more than running it (issue 15, (e):
    1.3 ms of planning against 0.2 ms of execution at 300,000 audit entries). The array, read
    through a scalar subquery, hides the prefixes from the planner even in a custom plan, so
    the generic plan costs the same and PostgreSQL keeps it after five runs. (As a bare
    `$n::text[]` a custom plan saw the prefixes, found them matching most rows, and costed
    the generic plan dearer under the LIMIT: PostgreSQL planned every search, 0.75 ms of
    planning for 0.15 ms of execution; at c=16 (e) 468 → 643 req/s with the generic plan,
    PostgreSQL's CPU per search 1.53 → 0.49 ms.) Use it where another filter (or the primary
    key) drives the plan, not where the prefix is the only way into an index (dossier lists:
    `scoped`). The model must have registered the filter (`plan_once`). SQLite has no LIKE
    ANY: `scoped` there.
    """
    if scope.prefixes is None or not scope.prefixes or not is_postgres(queryset.model._meta.db):
        return scoped(queryset, scope, column)
    patterns = [escape_like(prefix) + "%" for prefix in scope.prefixes]
    return queryset.filter(**{column + UNDER_ANY: Patterns(patterns)})
