"""Answers remembered per parsed document, between requests.

strawberry's ParserCache hands every request with the same query text the same DocumentNode
(and so the same field nodes), so what depends only on those objects (and a few plain
values) is worked out once: the limits' walks, validation, what a list field primes. Keys
hold the objects' ids; each entry keeps the objects themselves and is used only while they
are the very same objects (an id cannot be reused while its object is referenced here). A
document parsed anew for each request simply misses. Bounded: least recently used first out.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

MISSING: Any = object()


class NodeMemo:
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[tuple[object, ...], Any]] = OrderedDict()

    def get(self, objects: tuple[object, ...], extra: Hashable = ()) -> Any:
        """What was remembered for these very objects (and `extra`), or MISSING."""
        key = (tuple(map(id, objects)), extra)
        entry = self._entries.get(key)
        if entry is None or not all(a is b for a, b in zip(entry[0], objects, strict=True)):
            return MISSING
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, objects: tuple[object, ...], value: Any, extra: Hashable = ()) -> Any:
        self._entries[(tuple(map(id, objects)), extra)] = (objects, value)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value


__all__ = ["MISSING", "NodeMemo"]
