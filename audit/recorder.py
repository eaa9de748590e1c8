"""Writing audit entries. Called inside the write's transaction so both commit together."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from models.audit import AuditEntry, AuditOutcome
from policies.actor import Actor

# Never written in clear: the applicant's identifiers and any secret.
MASKED_FIELDS = frozenset(
    {"applicant_id_number", "applicant_phone", "applicant_address", "password", "token"}
)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [old, new]}, masked fields shown only as changed."""
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key in MASKED_FIELDS:
            changes[key] = ["***" if old is not None else None, "***" if new is not None else None]
        else:
            changes[key] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


async def record(
    *,
    actor: Actor,
    action: str,
    outcome: AuditOutcome = AuditOutcome.ALLOWED,
    object_type: str | None = None,
    object_id: str | None = None,
    unit_path: str | None = None,
    changes: dict[str, list[Any]] | None = None,
    reason: str | None = None,
    operation_name: str | None = None,
) -> AuditEntry:
    """Append one entry; inside a transaction it commits or rolls back with the write."""
    return await AuditEntry.create(
        at=datetime.now(UTC),
        actor_kind=actor.kind.value,
        actor_username=actor.username,
        action=action,
        object_type=object_type,
        object_id=object_id,
        unit_path=unit_path,
        outcome=outcome,
        reason=reason,
        operation_name=operation_name,
        request_id=actor.request_id,
        client_address=actor.client_address,
        changes=changes,
    )
