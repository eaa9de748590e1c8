"""The chained audit entry of every request, sealed as audit/chain.py seals it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from audit import chain
from benchmarks.baseline.auth import Caller

LOCK_HEAD = chain.LOCK_HEAD
# The very statement motcua seals with (entry and head, the head's own seal included).
SEAL = chain.seal_sql(1)
MASKED = frozenset({"applicant_id_number", "applicant_phone", "applicant_address", "password", "token"})


def digest(key: bytes, fields: dict[str, Any]) -> str:
    chain.configure(key)
    return chain.digest(fields)


def entry(caller: Caller, action: str, operation: str | None, *, object_type: str | None = None,
          object_id: str | None = None, unit_path: str | None = None,
          changes: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    return dict(at=datetime.now(UTC), actor_kind="USER", actor_username=caller.username,
                actor_roles=caller.roles, action=action[:64], object_type=object_type,
                object_id=object_id, unit_path=unit_path or caller.home_path, outcome="ALLOWED",
                reason=None, operation_name=(operation or "")[:128] or None,
                request_id=caller.request_id, client_address=caller.client_address, changes=changes)


async def seal(conn, key: bytes, fields: dict[str, Any]) -> None:  # noqa: ANN001
    """Inside the caller's transaction: lock the head, insert the entry and move the head."""
    head = await conn.fetchrow(LOCK_HEAD)
    fields = {**fields, "seq": head["last_seq"] + 1, "prev_hash": head["last_hash"]}
    fields["hash"] = digest(key, fields)
    fields["occurrences"] = 1
    fields["lane"] = 1
    changes = fields["changes"]
    fields["changes"] = None if changes is None else json.dumps(changes, separators=(",", ":"),
                                                                 default=str)
    await conn.fetchrow(SEAL, *(fields[c] for c in chain.COLUMNS), fields["seq"], fields["hash"],
                        chain.head_mac(fields["seq"], fields["hash"]))


async def read(conn, key: bytes, fields: dict[str, Any]) -> None:  # noqa: ANN001
    """A read's entry in a transaction of its own that need not wait for the disk flush."""
    async with conn.transaction():
        await conn.execute("SET LOCAL synchronous_commit TO off")
        await seal(conn, key, fields)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in MASKED:
            changes[name] = ["***" if old is not None else None, "***" if new is not None else None]
        else:
            changes[name] = [old, new]
    return changes
