"""DataLoaders, created fresh for every request so no cache is shared between callers."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from resolvers import loaders, units


class Loaders:
    """One loader per relation that nested fields follow."""

    def __init__(self) -> None:
        self.procedure = DataLoader(load_fn=loaders.procedures)
        self.unit = DataLoader(load_fn=loaders.units)
        self.agency = DataLoader(load_fn=loaders.agencies)
        self.unit_children = DataLoader(load_fn=units.children)
        self.unit_predecessors = DataLoader(load_fn=units.predecessors)
        self.unit_successors = DataLoader(load_fn=units.successors)
        self.events = DataLoader(load_fn=loaders.events)
