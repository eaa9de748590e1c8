"""Jurisdiction scopes: a set of unit-path prefixes turned into a SQL filter."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

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
