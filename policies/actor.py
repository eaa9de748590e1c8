"""The caller of a request, as the policies see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# The root of the unit tree: a grant here holds everywhere, and over what belongs to no unit.
ROOT = "/"


class ActorKind(StrEnum):
    ANONYMOUS = "ANONYMOUS"
    USER = "USER"
    PARTNER = "PARTNER"
    SYSTEM = "SYSTEM"


@dataclass(frozen=True)
class Grant:
    """A role held at a unit, and so at every unit below it (`unit_path` is its subtree)."""

    role: str
    unit_code: str
    unit_path: str


@dataclass(frozen=True)
class Actor:
    """Who is calling: identity, role grants (users) or scopes and jurisdiction (partners)."""

    kind: ActorKind
    username: str | None = None
    grants: tuple[Grant, ...] = ()
    scopes: frozenset[str] = frozenset()
    partner_unit_path: str | None = None
    # For a partner limited to persisted operations: SHA-256 hex of the allowed documents.
    allowed_operations: frozenset[str] | None = None
    request_id: str | None = None
    client_address: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        """The name written into histories and the audit trail."""
        return self.username or self.kind.value.lower()


ANONYMOUS = Actor(kind=ActorKind.ANONYMOUS)
# Used by the command line (migrate, seed): an operator at the console of the server.
SYSTEM = Actor(kind=ActorKind.SYSTEM, username="system")
