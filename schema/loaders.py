"""DataLoaders, created fresh for every request so no cache is shared between callers, and
the relations of a list page primed in one batch each.

A page of 50 dossiers asking for procedure, unit and events made graphql-core run 150 async
fields, each a task awaiting a DataLoader (half the CPU of a page, issue 15). The list's root
field now primes those relations for the whole page (one statement each, only those the
query selects), and the fields answer synchronously from what was primed; a field whose row
was not primed (one dossier, a mutation's answer) still goes through its DataLoader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode
from strawberry.dataloader import DataLoader

from resolvers import loaders, units
from schema.memo import MISSING, NodeMemo

# The dossier fields that follow a relation, and the row columns holding its key.
UNIT_FIELDS = {"unit": "unit_id", "receivedUnit": "received_unit_id", "desk": "desk_unit_id"}


class Loaders:
    """One loader per relation that nested fields follow, and what a list page primed."""

    def __init__(self) -> None:
        self.procedure = DataLoader(load_fn=loaders.procedures)
        self.unit = DataLoader(load_fn=loaders.units)
        self.agency = DataLoader(load_fn=loaders.agencies)
        self.unit_children = DataLoader(load_fn=units.children)
        self.unit_predecessors = DataLoader(load_fn=units.predecessors)
        self.unit_successors = DataLoader(load_fn=units.successors)
        self.events = DataLoader(load_fn=loaders.events)
        # id → row (and dossier id → its events), read for a whole page at once.
        self.primed_procedures: dict[int, Any] = {}
        self.primed_units: dict[int, Any] = {}
        self.primed_events: dict[int, list[Any]] = {}
        # id → the schema object made of it, shared by the rows of a page.
        self.made: dict[tuple[str, int], Any] = {}

    def know(self, rows: Iterable[Any]) -> None:
        """Rows a read already brought along (a dossier's procedure and units): primed as
        if read for the page."""
        procedures, units_ = loaders.by_relation(rows)
        self.primed_procedures = procedures | self.primed_procedures
        self.primed_units = units_ | self.primed_units

    async def prime_dossiers(self, rows: Sequence[Any], wanted: frozenset[str]) -> None:
        """Read the relations `wanted` (field names) of these dossier rows, one batch each."""
        if not rows:
            return
        if "procedure" in wanted:
            await _prime(self.primed_procedures, loaders.procedures,
                         (r.procedure_id for r in rows))
        unit_ids = [getattr(r, column) or r.unit_id
                    for name, column in UNIT_FIELDS.items() if name in wanted for r in rows]
        if unit_ids:
            await _prime(self.primed_units, loaders.units, unit_ids)
        if "events" in wanted:
            ids = [r.id for r in rows if r.id not in self.primed_events]
            if ids:
                self.primed_events.update(zip(ids, await loaders.events(ids), strict=True))


async def _prime(primed: dict[int, Any], load: Any, keys: Iterable[int]) -> None:
    missing = sorted(set(keys) - primed.keys())
    if missing:
        primed.update(zip(missing, await load(missing), strict=True))


def selected_below(info: Any) -> frozenset[str]:
    """Every field name selected anywhere below this field, through fragments too: a name
    selected at any depth is primed (priming too much costs little).

    Read from the document's own nodes and remembered per field node: the parser cache hands
    the same nodes back for the same query text, so a page's request walks nothing. (Through
    strawberry's `selected_fields` this built a tree of selections on every request, a
    twentieth of a one-dossier read.) `_raw_info` is the Info's graphql-core resolve info."""
    raw = info._raw_info
    nodes = tuple(raw.field_nodes)
    names = _SELECTED.get(nodes)
    if names is MISSING:
        names = _SELECTED.put(nodes, _names_below(nodes, raw.fragments))
    return names


_SELECTED = NodeMemo(1024)


def _names_below(nodes: Iterable[FieldNode], fragments: dict[str, Any]) -> frozenset[str]:
    names: set[str] = set()
    spread: set[str] = set()
    todo = [node.selection_set for node in nodes if node.selection_set is not None]
    while todo:
        for selection in todo.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
                if selection.selection_set is not None:
                    todo.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                todo.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in spread and name in fragments:  # each fragment once (cycles)
                    spread.add(name)
                    todo.append(fragments[name].selection_set)
    return frozenset(names)
