"""Who may do what where: the caller, the Casbin policy and jurisdiction scopes."""

from __future__ import annotations

from policies.actor import ANONYMOUS, ROOT, SYSTEM, Actor, ActorKind, Grant
from policies.guard import PUBLIC_ACTIONS, allows, authorize, grants_of, jurisdiction

__all__ = [
    "ANONYMOUS", "PUBLIC_ACTIONS", "ROOT", "SYSTEM", "Actor", "ActorKind", "Grant", "allows",
    "authorize", "grants_of", "jurisdiction",
]
