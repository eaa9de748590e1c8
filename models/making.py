"""Models made from the driver's rows as the ORM makes them, minus conversions already done.

tortoise's `Model._init_from_db` converts every instant (the driver's aware UTC datetime is
moved into the ORM's own UTC zone object: the same instant, a new object) and every enum
column (the enum's call) of every row. A page of 50 dossiers has about 600 instants and 300
enum values: about a tenth of the page's CPU (issue 15). `maker(Model)` makes the same
models (the same attributes, the same state flags, values equal to the ORM's) with each
value converted only when the driver has not done it already:

- an instant that is already an aware datetime (PostgreSQL's timestamptz) is kept; SQLite's
  text still goes through the field's own conversion;
- an enum value is looked up among the enum's members; anything else takes the field's
  conversion (which raises as it would);
- a plain column whose value already has the field's type is kept.

`fetch(queryset)` runs a plain queryset (filters, order, limit: what the list pages build)
and makes its rows so; any other queryset (related rows, prefetches, `only`, annotations)
is awaited as usual. tests/models/test_rows.py checks the models equal the ORM's on both
databases, state flags included, so an ORM upgrade that changes how models are made fails
there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from tortoise.fields.data import DatetimeField
from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)
_MAKERS: dict[tuple[type, type], Callable[[Mapping[str, Any]], Any]] = {}


def maker(model: type[M]) -> Callable[[Mapping[str, Any]], M]:
    """The model's maker, built at first use (the ORM sets its fields up when it starts).
    One per database driver: which columns the driver already converts (the ORM's "native"
    fields: dates on asyncpg, not on SQLite) depends on it, and a process may start the ORM
    again on another database (tests, tools)."""
    key = (model, model._meta.db.executor_class)
    made = _MAKERS.get(key)
    if made is None:
        made = _MAKERS[key] = _build(model)
    return made


def _build(model: type[M]) -> Callable[[Mapping[str, Any]], M]:
    meta = model._meta
    custom_pk = meta.db_pk_column not in meta.generated_db_fields
    # The maker is written out as one function: each attribute one item of a dict display,
    # a plain column's type checked inline. A loop over the columns with a call per value
    # cost 1.75 times as much (issue 15: 408 against 230 µs for a page's 50 dossiers).
    names: dict[str, Any] = {"new": model.__new__, "model": model, "put": object.__setattr__}
    items = ["'_partial': False", "'_saved_in_db': True", f"'_custom_generated_pk': {custom_pk}",
             "'_await_when_save': {}"]
    for key, attr, _ in meta.db_native_fields:
        items.append(f"{attr!r}: row[{key!r}]")
    for i, (key, attr, field) in enumerate(meta.db_default_fields):
        names[f"t{i}"] = field.field_type
        items.append(f"{attr!r}: v if (v := row[{key!r}]) is None or type(v) is t{i} else t{i}(v)")
    for i, (key, attr, field) in enumerate(meta.db_complex_fields):
        # converter()'s shortcuts written inline (a call per value was a tenth of the maker)
        names[f"c{i}"], names["datetime"] = field.to_python_value, datetime
        members = _members(field)
        if members is not None:
            names[f"k{i}"] = members
            value = f"k{i}.get(v) or c{i}(v)"
        elif isinstance(field, DatetimeField):
            value = f"v if type(v) is datetime and v.tzinfo is not None else c{i}(v)"
        else:
            value = f"c{i}(v)"
        items.append(f"{attr!r}: None if (v := row[{key!r}]) is None else {value}")
    source = (f"def make(row):\n    made = new(model)\n"
              f"    put(made, '__dict__', {{{', '.join(items)}}})\n    return made\n")
    exec(compile(source, f"<maker of {model.__name__}>", "exec"), names)  # noqa: S102
    return names["make"]


def _members(field: Any) -> dict[Any, Any] | None:
    """An enum column's members by their stored value; None for any other column."""
    members = getattr(field, "enum_type", None)
    return None if members is None else {member.value: member for member in members}


def converter(field: Any) -> Callable[[Any], Any]:
    """The field's conversion of a value read (not None), skipped where the driver did it:
    the maker's shortcuts, as a call (the events loader's columns)."""
    to_python = field.to_python_value
    known = _members(field)
    if known is not None:
        return lambda value: known.get(value) or to_python(value)
    if isinstance(field, DatetimeField):
        return lambda value: value if type(value) is datetime and value.tzinfo is not None \
            else to_python(value)
    return to_python


def _plain(queryset: QuerySet[Any]) -> bool:
    return not (queryset._select_related or queryset._prefetch_map or queryset._fields_for_select
                or queryset._annotations or queryset._single)


async def fetch(queryset: QuerySet[M]) -> list[M]:
    """The models of a plain queryset, made by `maker`; any other is awaited as usual. The
    ORM still chooses the database (a replica for reads that may lag) and builds the SQL."""
    if not _plain(queryset):
        return await queryset
    queryset._choose_db_if_not_chosen(queryset._select_for_update)
    queryset._make_query()
    sql, values = queryset.query.get_parameterized_sql()
    make = maker(queryset.model)
    return [make(row) for row in (await queryset._db.execute_query(sql, values))[1]]


__all__ = ["converter", "fetch", "maker"]
