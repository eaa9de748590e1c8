"""A step as the lines an administrator reads before and after applying it."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from resolvers.units.step import NewVersion, Step

if TYPE_CHECKING:
    from resolvers.units.grants import GrantChanges
    from resolvers.units.moves import Moved


def _label(unit: Any) -> str:
    return f"{unit.code} {unit.name}"


def _where(lines: tuple[str, ...]) -> str:
    return f"  [{', '.join(lines)}]" if lines else ""


def describe(step: Step, moved: Moved, grants: GrantChanges) -> list[str]:
    """Human-readable lines: what begins, what ends, where the dossiers and grants go."""
    ids: dict[int, str] = {u.id: _label(u) for u in step.closed.values()}
    for version in step.created:
        if version.row is not None:
            ids[version.row.id] = _label(version)
    for holder in step.holders.values():
        row = holder.row if isinstance(holder, NewVersion) else holder
        if row is not None:
            ids.setdefault(row.id, _label(row))
    lines = [f"Reorganisation effective {step.day}: {len(step.rows)} rows; "
             f"{len(step.closed)} unit versions end, {len(step.created)} begin."]
    followers = []
    for version in step.created:
        parent = f" under {version.parent.code}" if version.parent is not None else ""
        if not version.where:
            followers.append(version.code)
            continue
        preds = ", ".join(_label(p) for p, _ in version.predecessors) or "new"
        lines.append(f"  + {_label(version)} ({version.kind.value}){parent} ← {preds}"
                     f"{_where(version.where)}")
    if followers:
        lines.append(f"  ~ {len(followers)} units follow their parent to its new version: "
                     f"{', '.join(sorted(followers))}")
    out: Counter[int] = Counter()
    for (source, _, _), count in sorted(moved.dossiers.items()):
        out[source] += count
    for unit_id, unit in step.abolished.items():
        holder = step.holders.get(unit_id)
        to = f"{out[unit_id]} dossiers to {_label(holder)}" if holder is not None else "no dossiers"
        lines.append(f"  - {_label(unit)} abolished: {to}")
    for unit_id, split in step.splits.items():
        parts = ", ".join(f"{p.code}{' (' + rule + ')' if rule else ''}" for p, rule in split.parts)
        shares = [f"{n} → {ids.get(t, t)}{' awaiting assignment' if w else ''}"
                  for (s, t, w), n in sorted(moved.dossiers.items()) if s == unit_id]
        lines.append(f"  ÷ {_label(split.old)} split into {parts}: "
                     f"{'; '.join(shares) or 'no dossiers'}")
    lines.append(f"  dossiers: {moved.total} moved ({sum(moved.open.values())} open), "
                 f"{moved.awaiting} await assignment; feedback: {moved.feedback} moved; "
                 f"partner tokens: {moved.tokens} moved")
    for removed in grants.removed:
        lines.append(f"  grant removed: {removed}")
    for added in grants.added:
        lines.append(f"  grant carried: {added}")
    return lines
