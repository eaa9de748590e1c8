"""The chained audit entry of every request, sealed as audit/chain.py seals it."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from benchmarks.baseline.auth import Caller

CHAINED = ("seq", "prev_hash", "at", "actor_kind", "actor_username", "actor_roles", "action",
           "object_type", "object_id", "unit_path", "outcome", "reason", "operation_name",
           "request_id", "client_address", "changes")
COLUMNS = ("seq", "prev_hash", "hash", *CHAINED[2:], "occurrences")
LOCK_HEAD = "SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE"
SEAL = (
    f"WITH entry AS (INSERT INTO audit_entries ({', '.join(COLUMNS)}) VALUES "
    f"({', '.join(f'${i}::jsonb' if c == 'changes' else f'${i}' for i, c in enumerate(COLUMNS, 1))}) "
    "RETURNING id) "
    "UPDATE audit_chain_head SET last_seq = $1, last_hash = $3 WHERE id = 1 "
    "RETURNING (SELECT id FROM entry) AS id"
)
MASKED = frozenset({"applicant_id_number", "applicant_phone", "applicant_address", "password", "token"})


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def digest(key: bytes, fields: dict[str, Any]) -> str:
    values = [_canonical(fields.get(name)) for name in CHAINED]
    payload = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


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
    changes = fields["changes"]
    fields["changes"] = None if changes is None else json.dumps(changes, separators=(",", ":"),
                                                                 default=str)
    await conn.fetchrow(SEAL, *(fields[c] for c in COLUMNS))


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
