"""Carrying dossiers and feedback to the units that succeed theirs, in bulk SQL inside the
reorganisation's transaction.

Every dossier handled by an ended version goes to its successor (a merge, a rename, a move),
to the holder of an abolished unit, or, for a split, where the plan's rule sends it (the
applicant's address), else to the `default` part, else to the split unit's holder, flagged
`awaiting_assignment`. Its `unit_id`/`unit_path` (the jurisdiction key) and `desk_path` move;
`received_unit_id` and `desk_unit_id` stay (history); the new unit is appended to
`unit_history`, and the rollup counts the dossier under the new unit from the start.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from models import dialect
from models.text import fold
from resolvers.metrics import rollups
from resolvers.units.rows import PlanError, rule_terms
from resolvers.units.step import NewVersion, Split, Step

MOVES, DESKS, UNITS = "reorg_moves", "reorg_desks", "reorg_units"


@dataclass
class Moved:
    """What a step moved: per (from unit id, to unit id, awaiting) the dossiers and open ones."""

    dossiers: Counter[tuple[int, int, bool]] = field(default_factory=Counter)
    open: Counter[tuple[int, int, bool]] = field(default_factory=Counter)
    feedback: int = 0
    tokens: int = 0

    @property
    def total(self) -> int:
        return sum(self.dossiers.values())

    @property
    def awaiting(self) -> int:
        return sum(n for (_, _, waiting), n in self.dossiers.items() if waiting)


def _target(unit: Any) -> tuple[int, str]:
    """(id, path) of a created version or of a unit in force."""
    row = unit.row if isinstance(unit, NewVersion) else unit
    assert row is not None  # versions are created before anything moves
    return row.id, row.path


async def _tables(conn: BaseDBAsyncClient) -> None:
    await conn.execute_query(dialect.temporary_table(
        conn, MOVES, "dossier_id BIGINT PRIMARY KEY, from_unit_id INT NOT NULL, unit_id INT NOT "
        "NULL, unit_path VARCHAR(128) NOT NULL, awaiting BOOLEAN NOT NULL, desk_path VARCHAR(128)"))
    await conn.execute_query(dialect.temporary_table(
        conn, DESKS, "old_path VARCHAR(128) PRIMARY KEY, new_path VARCHAR(128) NOT NULL"))
    await conn.execute_query(dialect.temporary_table(
        conn, UNITS, "old_id INT PRIMARY KEY, new_id INT NOT NULL, new_path VARCHAR(128) NOT NULL"))
    for table in (MOVES, DESKS, UNITS):
        await conn.execute_query(f"DELETE FROM {table}")


def _place(split: Split, address: str | None) -> tuple[NewVersion | None, bool]:
    """Where the split's rule sends a dossier: (a part, False), or (None, True) to wait."""
    folded = fold(address or "")
    default = None
    for part, rule in split.parts:
        terms = rule_terms(rule)
        if terms and any(t in folded for t in terms):
            return part, False
        if rule == "default":
            default = part
    return default, default is None


async def _split_moves(conn: BaseDBAsyncClient, step: Step, split: Split,
                       desk_updates: list[tuple[str, int]], placed: dict[int, tuple[int, str]]) -> None:
    holder = step.holders.get(split.old.id)
    rows = await conn.execute_query_dict(
        "SELECT id, unit_id, desk_path, applicant_address FROM dossiers "
        f"WHERE unit_id = {dialect.mark(conn, 1)} OR desk_path = {dialect.mark(conn, 2)}",
        [split.old.id, split.old.path])
    default = next((part for part, rule in split.parts if rule == "default"), None)
    moves = []
    for row in rows:
        at_desk = row["desk_path"] == split.old.path
        if row["unit_id"] != split.old.id:  # only received here: the desk follows the default
            desk = default or holder
            if at_desk and desk is not None:
                desk_updates.append((_target(desk)[1], row["id"]))
            continue
        part, waiting = _place(split, row["applicant_address"])
        target = part or holder
        if target is None:
            raise PlanError(split.where[0], f"{split.old.code} is split and has no parent to hold "
                                            "its dossiers: give one part dossier_rule 'default'")
        unit_id, path = _target(target)
        # The desk moves in the same rewrite as the unit (see move_records).
        moves.append((row["id"], split.old.id, unit_id, path, waiting, path if at_desk else None))
        placed[row["id"]] = (unit_id, path)
    if moves:
        marks = ", ".join(dialect.mark(conn, i) for i in range(1, 7))
        await conn.execute_many(f"INSERT INTO {MOVES} VALUES ({marks})",
                                [list(m) for m in moves])


async def move_records(step: Step, carry_tokens: bool) -> Moved:
    """Move dossiers, feedback (and partner tokens when grants are carried) for one step."""
    conn = connections.get("default")
    await _tables(conn)
    m = [dialect.mark(conn, i) for i in range(1, 5)]
    singles: list[tuple[int, str, int, str, bool]] = []
    for old_id, successor in step.successor.items():
        singles.append((old_id, step.closed[old_id].path, *_target(successor), False))
    for old_id, unit in step.abolished.items():
        holder = step.holders.get(old_id)
        if holder is not None:
            singles.append((old_id, unit.path, *_target(holder), False))
    if singles:
        await conn.execute_many(f"INSERT INTO {UNITS} VALUES ({m[0]}, {m[1]}, {m[2]})",
                                [[old_id, new_id, new_path] for old_id, _, new_id, new_path, _ in singles])
        desks = [[old, new] for _, old, _, new, _ in singles if old != new]
        if desks:
            await conn.execute_many(f"INSERT INTO {DESKS} VALUES ({m[0]}, {m[1]})", desks)
        # In id order: the rows are rewritten in this order, and a table whose physical order
        # follows its ids keeps index-only scans of a jurisdiction cheap afterwards.
        await conn.execute_query(
            f"INSERT INTO {MOVES} SELECT d.id, u.old_id, u.new_id, u.new_path, false, NULL FROM dossiers d "
            f"JOIN {UNITS} u ON u.old_id = d.unit_id ORDER BY d.id")
    desk_updates: list[tuple[str, int]] = []
    placed: dict[int, tuple[int, str]] = {}
    for split in step.splits.values():
        await _split_moves(conn, step, split, desk_updates, placed)
    await _refuse_orphans(conn, step)
    await dialect.analyze(conn, MOVES)  # a temporary table has no statistics
    moved = await _count(conn)
    # The rollup first, from the rows as they are; then the rows.
    await rollups.carry(MOVES)
    # One rewrite of each moved row (every index of dossiers is updated with it): the desk
    # moves in the same statement; then the few rows whose desk moves but not their unit.
    new_desk = f"(SELECT k.new_path FROM {DESKS} k WHERE k.old_path = dossiers.desk_path)"
    # A hash join spilling to batches would rewrite the rows in a shuffled order.
    await dialect.set_local(conn, dialect.NO_HASH_JOIN)
    await conn.execute_query(
        f"UPDATE dossiers SET unit_id = r.unit_id, unit_path = r.unit_path, "
        "awaiting_assignment = r.awaiting, version = dossiers.version + 1, "
        "unit_history = COALESCE(dossiers.unit_history, CAST(dossiers.unit_id AS TEXT)) || ',' || "
        f"CAST(r.unit_id AS TEXT), desk_path = COALESCE(r.desk_path, {new_desk}, dossiers.desk_path) "
        f"FROM {MOVES} r WHERE dossiers.id = r.dossier_id")
    await dialect.set_local(conn, dialect.HASH_JOIN)
    await conn.execute_query(
        f"UPDATE dossiers SET desk_path = {new_desk} WHERE desk_path IN (SELECT old_path FROM {DESKS}) "
        f"AND NOT EXISTS (SELECT 1 FROM {MOVES} r WHERE r.dossier_id = dossiers.id)")
    if desk_updates:
        await conn.execute_many(f"UPDATE dossiers SET desk_path = {m[0]} WHERE id = {m[1]}",
                                [list(u) for u in desk_updates])
    moved.feedback = await _move_feedback(conn, step, singles, placed)
    if carry_tokens:
        moved.tokens = await _move_tokens(conn, step, singles)
    return moved


async def _move_tokens(conn: BaseDBAsyncClient, step: Step,
                       singles: list[tuple[int, str, int, str, bool]]) -> int:
    """Partner tokens follow a unit that continues (never up to an abolished unit's holder)."""
    m = [dialect.mark(conn, i) for i in range(1, 3)]
    count = 0
    for old_id, _, new_id, _, _ in singles:
        if old_id not in step.successor:
            continue
        rows = await conn.execute_query_dict(
            f"SELECT COUNT(*) AS n FROM partner_tokens WHERE unit_id = {m[0]}", [old_id])
        count += int(rows[0]["n"])
        await conn.execute_query(f"UPDATE partner_tokens SET unit_id = {m[0]} WHERE unit_id = {m[1]}",
                                 [new_id, old_id])
    return count


async def _refuse_orphans(conn: BaseDBAsyncClient, step: Step) -> None:
    """An abolished unit with dossiers needs a unit to take them over."""
    for old_id, unit in step.abolished.items():
        if step.holders.get(old_id) is not None:
            continue
        rows = await conn.execute_query_dict(
            f"SELECT COUNT(*) AS n FROM dossiers WHERE unit_id = {dialect.mark(conn, 1)}", [old_id])
        if rows[0]["n"]:
            where = next(r.where for r in step.rows if r.old_code == unit.code)
            raise PlanError(where, f"{unit.code} is abolished with {rows[0]['n']} dossiers and no "
                                   "parent to take them over: merge it into a unit instead")


async def _count(conn: BaseDBAsyncClient) -> Moved:
    moved = Moved()
    for row in await conn.execute_query_dict(
            f"SELECT r.from_unit_id AS f, r.unit_id AS t, r.awaiting AS w, COUNT(*) AS n, "
            f"SUM(CASE WHEN d.ended_at IS NULL THEN 1 ELSE 0 END) AS o FROM {MOVES} r "
            "JOIN dossiers d ON d.id = r.dossier_id GROUP BY r.from_unit_id, r.unit_id, r.awaiting"):
        key = (int(row["f"]), int(row["t"]), bool(row["w"]))
        moved.dossiers[key] += int(row["n"])
        moved.open[key] += int(row["o"] or 0)
    return moved


async def _move_feedback(conn: BaseDBAsyncClient, step: Step,
                         singles: list[tuple[int, str, int, str, bool]],
                         placed: dict[int, tuple[int, str]]) -> int:
    """Feedback follows its dossier; without one, the unit's successor, default part or holder."""
    m = [dialect.mark(conn, i) for i in range(1, 4)]
    count = 0
    for old_id, _, new_id, new_path, _ in singles:
        rows = await conn.execute_query_dict(
            f"SELECT COUNT(*) AS n FROM feedback WHERE unit_id = {m[0]}", [old_id])
        count += int(rows[0]["n"])
        await conn.execute_query(f"UPDATE feedback SET unit_id = {m[0]}, unit_path = {m[1]} "
                                 f"WHERE unit_id = {m[2]}", [new_id, new_path, old_id])
    for split in step.splits.values():
        default = next((part for part, rule in split.parts if rule == "default"), None)
        fallback = default or step.holders.get(split.old.id)
        for row in await conn.execute_query_dict(
                f"SELECT id, dossier_id FROM feedback WHERE unit_id = {m[0]}", [split.old.id]):
            target = placed.get(row["dossier_id"]) if row["dossier_id"] else None
            if target is None and fallback is not None:
                target = _target(fallback)
            if target is not None:
                await conn.execute_query(f"UPDATE feedback SET unit_id = {m[0]}, unit_path = {m[1]} "
                                         f"WHERE id = {m[2]}", [*target, row["id"]])
                count += 1
    return count
