"""Schema objects whose costlier fields are computed on their first read.

A list page makes a schema object per row and reads the few fields the document selects: a
page of 50 dossiers selecting ten of forty fields computed every dossier's allowed actions,
time limit and late cause, and every procedure's terms for each channel (issue 15). An
object made with `made(cls, source, now)` holds the fields given `now`; any other field is
computed from `source` by its entry in the class's table (`later(table)` as its
`__getattr__`, which Python calls only for attributes not set yet) and kept. A field reads
the same value whenever it is read; an object built through its constructor has every field
set and never reaches the table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
SOURCE = "_source"


def made(cls: type[T], source: Any, now: Mapping[str, Any]) -> T:
    """An instance of a strawberry type with the fields `now` set, the others later."""
    instance = cls.__new__(cls)
    instance.__dict__.update(now)
    instance.__dict__[SOURCE] = source
    return instance


def later(table: Mapping[str, Callable[[Any], Any]]) -> Callable[[Any, str], Any]:
    """A `__getattr__` computing a field of `table` from the object's source, once."""

    def __getattr__(self: Any, name: str) -> Any:  # noqa: N807
        make = table.get(name)
        source = self.__dict__.get(SOURCE)
        if make is None or source is None:
            raise AttributeError(name)
        value = self.__dict__[name] = make(source)
        return value

    return __getattr__


def column(name: str) -> Callable[[Any], Any]:
    """A table entry reading a row attribute of the same name."""
    return lambda row: getattr(row, name)
