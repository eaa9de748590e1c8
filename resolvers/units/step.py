"""What one step of a plan resolves to: the versions it ends and creates, and where the work
of the ended ones goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from models import AdministrativeUnit, SuccessionKind, UnitKind, UnitLevel
from resolvers.units.rows import PlanRow


@dataclass(eq=False)
class NewVersion:
    """A unit version the step creates."""

    code: str
    name: str
    level: UnitLevel
    kind: UnitKind
    where: tuple[str, ...]  # the rows that made it; () when it follows its parent
    predecessors: list[tuple[AdministrativeUnit, SuccessionKind]] = field(default_factory=list)
    parent: NewVersion | AdministrativeUnit | None = None
    path: str = ""
    row: AdministrativeUnit | None = None  # once created


@dataclass(eq=False)
class Split:
    old: AdministrativeUnit
    where: tuple[str, ...]
    parts: list[tuple[NewVersion, str | None]]  # (successor, its dossier_rule)


@dataclass(eq=False)
class Step:
    day: date
    rows: list[PlanRow]
    fingerprint: str
    closed: dict[int, AdministrativeUnit] = field(default_factory=dict)
    created: list[NewVersion] = field(default_factory=list)  # parents before children
    successor: dict[int, NewVersion] = field(default_factory=dict)  # old id → its one successor
    splits: dict[int, Split] = field(default_factory=dict)
    abolished: dict[int, AdministrativeUnit] = field(default_factory=dict)
    # old id (abolished or split) → the unit that takes what has no other place
    holders: dict[int, NewVersion | AdministrativeUnit | None] = field(default_factory=dict)
    absorbed: dict[int, str] = field(default_factory=dict)  # old id → new code it merges into
