"""Relay connections: one generic keyset `Connection[T]` for every list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Optional, TypeVar

import strawberry

from resolvers.pagination import Page

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: Optional[str]


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    """A page of a list, newest or lowest first as the list says, with opaque cursors."""

    edges: list[Edge[T]]
    page_info: PageInfo
    _page: strawberry.Private[Page[Any]]

    @classmethod
    def of(cls, page: Page[Any], node: Callable[[Any], T]) -> Any:
        edges = [Edge(cursor=c, node=node(item)) for c, item in zip(page.cursors, page.items,
                                                                    strict=True)]
        return cls(edges=edges, page_info=PageInfo(has_next_page=page.has_next,
                                                   end_cursor=page.end_cursor), _page=page)


@strawberry.type
class CountedConnection(Connection[T]):
    @strawberry.field(description="How many items the whole filtered list holds (one COUNT, "
                                  "run only when asked for).")
    async def total_count(self) -> int:
        return await self._page.total_count()
