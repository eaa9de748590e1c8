"""The one place where a caller's permission is decided."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import casbin

from models.errors import Forbidden
from models.scope import Scope
from policies.actor import Actor, ActorKind

HERE = Path(__file__).parent

# What a partner token's scope lets it do, as (object, action) → scope string.
PARTNER_SCOPES: dict[tuple[str, str], str] = {
    ("dossier", "read"): "dossier:read",
    ("dossier", "read_pii"): "dossier:read_pii",
    ("dossier", "receive"): "dossier:receive",
    ("dossier", "RETURN_RESULT"): "dossier:return",
    ("dossier", "CONFIRM_PAYMENT"): "payment:confirm",
    ("metrics", "read"): "metrics:read",
}


@lru_cache(maxsize=1)
def enforcer() -> casbin.Enforcer:
    """The role → (object, action) policy, loaded once from model.conf and policy.csv."""
    return casbin.Enforcer(str(HERE / "model.conf"), str(HERE / "policy.csv"))


def _public(obj: str, act: str) -> bool:
    return bool(enforcer().enforce("ANONYMOUS", obj, act))


def jurisdiction(actor: Actor, obj: str, act: str) -> Scope:
    """The unit subtrees where `actor` may do `act` on `obj`, for SQL filtering."""
    if actor.kind is ActorKind.SYSTEM or _public(obj, act):
        return Scope.everywhere()
    if actor.kind is ActorKind.PARTNER:
        scope = PARTNER_SCOPES.get((obj, act))
        if scope in actor.scopes and actor.partner_unit_path:
            return Scope.of([actor.partner_unit_path])
        return Scope(())
    e = enforcer()
    return Scope.of([g.unit_path for g in actor.grants if e.enforce(g.role, obj, act)])


def allows(actor: Actor, obj: str, act: str, unit_path: str | None = None) -> bool:
    """Whether `actor` may do `act` on `obj` at the unit `unit_path` (None: anywhere)."""
    scope = jurisdiction(actor, obj, act)
    if unit_path is None:
        return not scope.is_empty
    return scope.covers(unit_path)


def authorize(actor: Actor, obj: str, act: str, unit_path: str | None = None) -> None:
    """Raise Forbidden unless `actor` may do `act` on `obj` at `unit_path`."""
    if not allows(actor, obj, act, unit_path):
        raise Forbidden(f"not allowed to {act} {obj}", action=f"{obj}:{act}")
