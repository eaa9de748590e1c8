"""The tree a report is made on: a unit's subtree as it stood on the last day of the period.

A period before a reorganisation is reported on the tree then in force, a later one on the
new tree, and a period spanning it on the new tree: each dossier counts under the version
that handled it on that day (rollups.py keeps a dossier's figures under every version it
passed through, so reading the versions in force on one day counts each dossier once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tortoise import connections
from tortoise.expressions import Q

from models import AdministrativeUnit, Dossier, dialect, valid_on
from resolvers.metrics.rollups import history_of


@dataclass(frozen=True)
class Tree:
    path: str
    as_of: date  # the day whose versions are read
    live: bool  # the unit is in force today: "now" counts and current feedback apply


def in_force_sql(alias: str, path_mark: str, day_mark: str) -> str:
    """The versions `alias` under a path and in force on a day, as a SQL condition."""
    return (f"{alias}.path LIKE {path_mark} AND ({alias}.valid_from IS NULL OR "
            f"{alias}.valid_from <= {day_mark}) AND ({alias}.valid_to IS NULL OR "
            f"{alias}.valid_to > {day_mark})")


async def unchanged_since(tree: Tree) -> bool:
    """No version under the path began or ended after `as_of`: the dossiers under it then are
    those under it now, and a prefix filter on dossiers.unit_path reads them exactly."""
    conn = connections.get("default")
    marks = dialect.marks(conn, 2)
    rows = await conn.execute_query_dict(
        f"SELECT COUNT(*) AS n FROM administrative_units WHERE path LIKE {marks[0]} AND "
        f"(valid_from > {marks[1]} OR (valid_to IS NOT NULL AND valid_to > {marks[1]}))",
        [tree.path + "%", tree.as_of])
    return int(rows[0]["n"]) == 0


async def versions(tree: Tree) -> set[int]:
    """Ids of the versions in force on `as_of` under the path."""
    rows = await AdministrativeUnit.filter(valid_on(tree.as_of), path__startswith=tree.path) \
        .values_list("id", flat=True)
    return {int(str(i)) for i in rows}


async def dossiers_handled_then(tree: Tree, start: datetime, end: datetime) -> list[Dossier]:
    """Dossiers received or ended in [start, end) that a version of the tree handled: for the
    edges of a period on a tree that changed since (a few weeks of rows)."""
    ids = await versions(tree)
    rows = await Dossier.filter(Q(received_at__gte=start, received_at__lt=end)
                                | Q(ended_at__gte=start, ended_at__lt=end))
    return [d for d in rows if ids.intersection(history_of(d))]
