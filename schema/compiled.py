"""A plain selection written out as one Python function: a page's whole tree in one call.

schema/execution.py reads a plain field without graphql-core's ceremony, but still one field
at a time through a generic loop, and one `execute_fields` call per object: a page of 50
dossiers with their events is about a thousand objects and two thousand fields, and that
loop was a quarter of the page's CPU (issue 15). `compile_plan` writes a plan whose every
field is plain — a leaf read by its reader, or an object (or a list of objects) whose own
selection compiles too — as straight-line code that builds the result dict, nesting the
objects' code by calling their own compiled functions.

The compiled function answers the complete result, or None as soon as anything is not plain
(a reader answers NOT_PLAIN, a relation was not primed, a null where the type forbids it, a
value the type's `is_type_of` refuses): the caller then executes that object the ordinary
way, which reports the error with its path and propagates nulls as graphql-core does. Every
read here is side-effect free (schema/execution.py), so a field read twice, once here and
once by the ordinary way, answers the same.

A selection is compiled once per plan (the plan is cached by the document's AST nodes), so
the sub-selections it nests must not depend on the variables: a plan whose sub-selections
carry a directive (`@skip`, `@include`, `@defer`…) is not compiled.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, GraphQLNonNull, InlineFragmentNode
from graphql.pyutils import Undefined

Compiled = Callable[[Any, Any], "dict[str, Any] | None"]


def static(nodes: list[Any], fragments: dict[str, Any]) -> bool:
    """No directive anywhere in these fields' selections (through fragments): collecting
    them answers the same whatever the variables."""
    todo = [node.selection_set for node in nodes if node.selection_set is not None]
    seen: set[str] = set()
    while todo:
        for selection in todo.pop().selections:
            if selection.directives:
                return False
            if isinstance(selection, (FieldNode, InlineFragmentNode)):
                if selection.selection_set is not None:
                    todo.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                # graphql-core keeps a definition with its variables' signature
                fragment = getattr(fragments.get(name), "definition", None)
                if fragment is None or fragment.directives or fragment.variable_definitions:
                    return False
                if name not in seen:
                    seen.add(name)
                    todo.append(fragment.selection_set)
    return True


def compile_plan(fields: list[tuple], leaves: list[tuple[str, Any] | None],
                 nested: Callable[[Any, Any], Compiled | None],
                 marks: tuple[Any, Any, int, int]) -> Compiled | None:
    """The plan's fields as one function (source, context) → result dict or None; None when a
    field is not plain. `leaves` are the leaves' (attribute, execution.leaf_shape);
    `nested(object_type, details)` answers the compiled function of an object field's
    selection (or None).
    `marks` are execution.py's (_NOT_PLAIN, NOT_PRIMED, LEAF, OBJECTS) sentinels and kinds."""
    not_plain, not_primed, leaf_kind, objects_kind = marks
    names: dict[str, Any] = {"NP": not_plain, "NPR": not_primed}
    # Any exception (a reader's, a property's) hands the object to the ordinary way too.
    lines = ["def compiled(source, context):", "  try:", "    out = {}"]
    for i, (response_name, details, kind, reader, object_type, field_type) in enumerate(fields):
        key = repr(response_name)
        names[f"r{i}"] = reader
        if kind == leaf_kind:
            lines += _leaf(i, key, leaves[i], names)
            continue
        if not kind:
            return None
        inner = nested(object_type, details)
        if inner is None:
            return None
        names[f"c{i}"] = inner
        accepts = object_type.is_type_of
        check = ""
        if accepts is not None:
            names[f"a{i}"] = accepts
            check = f"not a{i}({'item' if kind == objects_kind else 'v'}, None) or "
        lines += [f"    v = r{i}(source, context)", "    if v is None:"]
        lines += (["        return None"] if isinstance(field_type, GraphQLNonNull)
                  else [f"        out[{key}] = None"])
        lines += ["    elif v is NPR:", "        return None"]
        if kind == objects_kind:
            lines += ["    elif v.__class__ is not list and v.__class__ is not tuple:",
                      "        return None", "    else:", "        items = []",
                      "        for item in v:", f"            if item is None or {check}"
                      f"(d := c{i}(item, context)) is None:", "                return None",
                      "            items.append(d)", f"        out[{key}] = items"]
        else:
            lines += [f"    elif {check}(d := c{i}(v, context)) is None:", "        return None",
                      "    else:", f"        out[{key}] = d"]
    lines += ["    return out", "  except Exception:", "    return None"]
    exec("\n".join(lines), names)  # noqa: S102  (our own text: names are repr()'d)
    return names["compiled"]


def _leaf(i: int, key: str, leaf: tuple[str, Any] | None, names: dict[str, Any]) -> list[str]:
    """A leaf's lines: a string or an enum member read inline (the attribute, its class, the
    enum's name by member id), anything else, or anything unexpected, through its reader."""
    through_reader = [f"v = r{i}(source)", "if v is NP:", "    return None"]
    attribute, shape = leaf if leaf is not None else ("", None)
    if shape is None or not attribute.isidentifier() or keyword.iskeyword(attribute):
        lines = through_reader
    else:
        form, nullable, extra = shape
        lines = [f"v = source.{attribute}"]
        if form == "scalar":  # the scalar's own serialize, its refusals the reader's
            names[f"s{i}"], names["UNDEFINED"] = extra, Undefined
            lines += ["if v is not None:", f"    v = s{i}(v)",
                      "    if v is None or v is UNDEFINED:", "        return None"]
            if not nullable:
                lines += ["else:", "    return None"]
            return [f"    {line}" for line in [*lines, f"out[{key}] = v"]]
        if form == "str":
            test = "v.__class__ is not str"
        else:
            names[f"w{i}"], names[f"e{i}"] = extra
            lines.append(f"n = e{i}.get(id(v))")
            test = f"n is None or v.__class__ is not w{i}"
        if nullable:
            test = f"v is not None and ({test})"
        lines += [f"if {test}:", *(f"    {line}" for line in through_reader)]
        if form == "enum":
            lines += ["else:", "    v = n if v is not None else None" if nullable else "    v = n"]
    return [f"    {line}" for line in [*lines, f"out[{key}] = v"]]


__all__ = ["Compiled", "compile_plan", "static"]
