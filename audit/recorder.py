"""Writing audit entries. Called inside the write's transaction so both commit together."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Protocol

from audit.chain import append
from models import telemetry
from models.audit import AuditOutcome


class Grant(Protocol):
    """A role held at a unit (read-only, so policies' frozen Grant dataclass matches)."""

    @property
    def role(self) -> str: ...
    @property
    def unit_code(self) -> str: ...
    @property
    def unit_path(self) -> str: ...


class Actor(Protocol):
    """What the trail records of a caller (policies.Actor has these; audit sits below it)."""

    @property
    def kind(self) -> Any: ...
    @property
    def username(self) -> str | None: ...
    @property
    def grants(self) -> tuple[Grant, ...]: ...
    @property
    def scopes(self) -> frozenset[str]: ...
    @property
    def partner_unit_path(self) -> str | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def client_address(self) -> str | None: ...


# Never written in clear: the applicant's identifiers and any secret.
MASKED_FIELDS = frozenset(
    {"applicant_id_number", "applicant_phone", "applicant_address", "password", "token"}
)


# Entries written during the current request, so the operation-level entry can be left out
# when the use case already recorded the action itself (a list: shared by child tasks).
_written: ContextVar[list[int] | None] = ContextVar("audit_written", default=None)
_operation: ContextVar[Callable[[], str | None] | None] = ContextVar("audit_operation", default=None)


def start_request(operation_name: Callable[[], str | None] | None = None) -> list[int]:
    """Begin counting this request's entries; `operation_name` is asked when an entry is
    written (the name is known only once the document is parsed). Returns the counter."""
    counter = [0]
    _written.set(counter)
    _operation.set(operation_name)
    return counter


def now() -> datetime:
    """The entry's time (one place, so a test can move it)."""
    return datetime.now(UTC)


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
    occurrences: int = 1,
) -> None:
    """Append one entry; inside a transaction it commits or rolls back with the write."""
    counter = _written.get()
    if counter is not None:
        counter[0] += 1
    await append(dict(
        at=now(),
        actor_kind=_kind(actor),
        actor_username=actor.username,
        actor_roles=roles_of(actor),
        action=action[:64],
        object_type=object_type,
        object_id=object_id[:64] if object_id else None,
        # Entries about no unit (logins, catalogue reads) sit in the actor's own unit.
        unit_path=unit_path or home_path(actor),
        outcome=outcome,
        reason=reason,
        operation_name=(operation_name or _current_operation() or "")[:128] or None,
        request_id=actor.request_id,
        client_address=actor.client_address,
        changes=changes,
        occurrences=occurrences,
    ))
    telemetry.AUDIT_ENTRIES.labels(outcome=_plain(outcome)).inc()


def _current_operation() -> str | None:
    getter = _operation.get()
    return getter() if getter else None


def roles_of(actor: Actor) -> str | None:
    """"CLERK@20335, LEADER@502" for users; scopes and jurisdiction for partners."""
    if _kind(actor) == "PARTNER":
        return f"{' '.join(sorted(actor.scopes))} @{actor.partner_unit_path}"[:500]
    return ", ".join(f"{g.role}@{g.unit_code}" for g in actor.grants)[:500] or None


def _kind(actor: Actor) -> str:
    return getattr(actor.kind, "value", actor.kind)


def home_path(actor: Actor) -> str | None:
    if _kind(actor) == "PARTNER":
        return actor.partner_unit_path
    return actor.grants[0].unit_path if actor.grants else None
