"""Administrative units as history: reading the tree as of a date, reorganisations (merge,
split, move, abolish, rename, recode) as audited operations, and the dossiers they move."""

from __future__ import annotations

from models import AdministrativeUnit as UnitRow
from models import Reorganization as ReorganizationRow
from models import SuccessionKind, UnitKind, UnitLevel
from resolvers.units.apply import StepReport, reorganize
from resolvers.units.assign import assign_dossier
from resolvers.units.history import (
    children,
    get_unit,
    last_day,
    list_reorganizations,
    list_units,
    predecessors,
    successors,
    today,
    with_history,
)
from resolvers.units.rows import PlanRow, make_row, parse_csv

__all__ = [
    "PlanRow", "ReorganizationRow", "StepReport", "SuccessionKind", "UnitKind", "UnitLevel",
    "UnitRow", "assign_dossier", "children", "get_unit", "last_day", "list_reorganizations",
    "list_units", "make_row", "parse_csv", "predecessors", "reorganize", "successors",
    "today", "with_history",
]
