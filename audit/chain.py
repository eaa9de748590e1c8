"""Sealing entries into a keyed hash chain, and verifying it.

Each entry's hash is HMAC-SHA256(key, previous hash + the entry's canonical fields). The
key is configuration, not data: someone who can rewrite the table still cannot forge a
chain that verifies. A writer locks the chain head only at the end of its transaction
(the audit entry is its last statement), so concurrent requests wait for each other only
for the commit, not for their whole duration.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from models.audit import AuditChainHead, AuditEntry

DEVELOPMENT_KEY = b"motcua-development-audit-key"
CHAINED = ("seq", "prev_hash", "at", "actor_kind", "actor_username", "actor_roles", "action",
           "object_type", "object_id", "unit_path", "outcome", "reason", "operation_name",
           "request_id", "client_address", "changes")


class _Key:
    value: bytes = DEVELOPMENT_KEY


def configure(key: bytes) -> None:
    """Set the HMAC key (app.py reads it from AUDIT_KEY)."""
    _Key.value = key


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def digest(fields: dict[str, Any]) -> str:
    """The entry's hash over its chained fields (prev_hash included)."""
    values = [_canonical(fields.get(name)) for name in CHAINED]
    # `occurrences` arrived after entries existed: it is sealed only when it is not 1, so
    # entries sealed before it verify unchanged and a count cannot be altered unseen.
    if (fields.get("occurrences") or 1) != 1:
        values.append(["occurrences", fields["occurrences"]])
    payload = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                         default=str)
    return hmac.new(_Key.value, payload.encode(), hashlib.sha256).hexdigest()


async def ensure_head() -> None:
    """Create the chain head row once (migrate and test setup call this)."""
    await AuditChainHead.get_or_create(id=1, defaults={"last_seq": 0, "last_hash": ""})


COLUMNS = ("seq", "prev_hash", "hash", *CHAINED[2:], "occurrences")
# PostgreSQL: insert the entry and move the head in one round trip.
POSTGRES_SEAL = (
    f"WITH entry AS (INSERT INTO audit_entries ({', '.join(COLUMNS)}) VALUES "
    f"({', '.join(f'${i}::jsonb' if c == 'changes' else f'${i}' for i, c in enumerate(COLUMNS, 1))}) "
    "RETURNING id) "
    "UPDATE audit_chain_head SET last_seq = $1, last_hash = $3 WHERE id = 1 "
    "RETURNING (SELECT id FROM entry) AS id"
)
LOCK_HEAD = "SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE"


async def append(fields: dict[str, Any]) -> None:
    """Insert one sealed entry; inside the caller's transaction it commits with the write."""
    conn = connections.get("default")
    if isinstance(conn, TransactionalDBClient):
        await _seal(conn, fields)  # no savepoint: the caller's transaction is enough
        return
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "postgres":
            # An entry of its own (a read, a denial) need not wait for the disk flush: it is
            # visible at once and in order, and durable within wal_writer_delay (200 ms).
            # Entries of writes commit with the write, synchronously.
            await conn.execute_script("SET LOCAL synchronous_commit TO off")
        await _seal(conn, fields)


async def _seal(conn: BaseDBAsyncClient, fields: dict[str, Any]) -> None:
    # The row lock on the head is held until commit: writers queue here, at their very end.
    if conn.capabilities.dialect != "postgres":
        head = await AuditChainHead.select_for_update().get(id=1)
        fields = {**fields, "seq": head.last_seq + 1, "prev_hash": head.last_hash}
        fields["hash"] = digest(fields)
        await AuditEntry.create(**fields)
        await AuditChainHead.filter(id=1).update(last_seq=fields["seq"], last_hash=fields["hash"])
        return
    # Raw SQL on the hot path: the audit entry is on every request (see benchmarks/).
    locked = (await conn.execute_query_dict(LOCK_HEAD))[0]
    fields = {**fields, "seq": locked["last_seq"] + 1, "prev_hash": locked["last_hash"]}
    fields["hash"] = digest(fields)
    fields.setdefault("occurrences", 1)
    values = [_stored(name, fields.get(name)) for name in COLUMNS]
    await conn.execute_query_dict(POSTGRES_SEAL, values)


def _stored(name: str, value: Any) -> Any:
    if name == "changes":
        return None if value is None else json.dumps(value, separators=(",", ":"), default=str)
    return value.value if hasattr(value, "value") else value


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_id: int | None
    problem: str | None = None


async def verify(batch: int = 2000) -> Verification:
    """Walk the chain in order; name the first entry that was altered, removed or inserted."""
    head = await AuditChainHead.get_or_none(id=1)
    expected_seq, previous, checked, last_id = 1, "", 0, 0
    while True:
        rows = await AuditEntry.filter(id__gt=last_id).order_by("id").limit(batch)
        if not rows:
            break
        for row in rows:
            last_id = row.id
            fields = {name: getattr(row, name) for name in (*CHAINED, "occurrences")}
            if row.seq is None or row.seq != expected_seq:
                problem = "an entry is missing before it" if (row.seq or 0) > expected_seq else (
                    "it is outside the chain or out of order")
                return Verification(False, checked, row.id, f"entry {row.id}: {problem}")
            if row.prev_hash != previous or row.hash != digest(fields):
                return Verification(False, checked, row.id, f"entry {row.id} was altered")
            previous, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    # Entries sealed after the head was read were walked and checked like the rest: only a
    # head past the last entry found means entries were cut from the end.
    if head is not None and head.last_seq > expected_seq - 1:
        return Verification(False, checked, None,
                            f"the last {head.last_seq - expected_seq + 1} entries were removed")
    return Verification(True, checked, None)
