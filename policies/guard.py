"""The one place where a caller's permission is decided.

Units form one tree under the root `/`. A grant at a unit holds for its subtree; a grant at
the root holds everywhere and is the only kind that reaches what belongs to no unit: the
policy itself, and audit entries tied to no unit. So a province's ADMIN (`/49/`) runs its
province and nothing else, and the system administrator is an ADMIN granted at `/`.
"""

from __future__ import annotations

from models.errors import Forbidden
from models.scope import Scope
from policies.actor import ROOT, Actor, ActorKind, Grant
from policies.store import decide, groupings_of

# What a partner token's scope lets it do, as (object, action) → scope string.
PARTNER_SCOPES: dict[tuple[str, str], str] = {
    ("dossier", "read"): "dossier:read",
    ("dossier", "read_pii"): "dossier:read_pii",
    ("dossier", "receive"): "dossier:receive",
    ("dossier", "RETURN_RESULT"): "dossier:return",
    ("dossier", "CONFIRM_PAYMENT"): "payment:confirm",
    ("metrics", "read"): "metrics:read",
    ("dossier", "sync"): "dossier:sync",
}
# The other way round: what each scope lets a token do, so an issuer can be checked to hold it.
SCOPE_ACTIONS: dict[str, tuple[str, str]] = {scope: pair for pair, scope in PARTNER_SCOPES.items()}


# The most ANONYMOUS can ever be given: the public pages. A rule giving it anything else is
# refused when written (resolvers.identity.change_policy) and ignored if found in the table:
# personal data, dossier lists and the trail are never public, whoever edits the policy.
PUBLIC_ACTIONS = frozenset({
    ("procedure", "read"), ("unit", "read"), ("dossier", "track"), ("feedback", "submit"),
    ("feedback", "rate"), ("calendar", "read"),
})


def _public(obj: str, act: str) -> bool:
    return (obj, act) in PUBLIC_ACTIONS and decide("ANONYMOUS", ROOT, obj, act)


def grants_of(username: str) -> tuple[Grant, ...]:
    """A user's role grants, from the enforcer's `g` rules (`/49/502/*` → unit 502; `/*` → the
    root, written `/`)."""
    grants = []
    for _, role, domain in groupings_of(username):
        path = domain.removesuffix("*")
        code = path.rstrip("/").rsplit("/", 1)[-1] or ROOT
        grants.append(Grant(role=role, unit_code=code, unit_path=path))
    return tuple(sorted(grants, key=lambda g: (g.unit_path, g.role)))


def jurisdiction(actor: Actor, obj: str, act: str) -> Scope:
    """The unit subtrees where `actor` may do `act` on `obj`, for SQL filtering."""
    if actor.kind is ActorKind.SYSTEM or _public(obj, act):
        return Scope.everywhere()
    if actor.kind is ActorKind.PARTNER:
        scope = PARTNER_SCOPES.get((obj, act))
        if scope in actor.scopes and actor.partner_unit_path:
            return Scope.of([actor.partner_unit_path])
        return Scope(())
    # A role name is its own subject in the g matcher, so this asks "may ROLE do it here?".
    return Scope.of([g.unit_path for g in actor.grants if decide(g.role, g.unit_path, obj, act)])


def allows(actor: Actor, obj: str, act: str, unit_path: str | None = None) -> bool:
    """Whether `actor` may do `act` on `obj` at the unit `unit_path` (None: anywhere)."""
    scope = jurisdiction(actor, obj, act)
    if unit_path is None:
        return not scope.is_empty
    return scope.covers(unit_path)


def authorize(actor: Actor, obj: str, act: str, unit_path: str | None = None, *,
              object_id: str | None = None) -> None:
    """Raise Forbidden unless `actor` may do `act` on `obj` at `unit_path`; the error carries
    what the audit trail records of the refusal (the layer above writes it)."""
    if not allows(actor, obj, act, unit_path):
        raise Forbidden(f"not allowed to {act} {obj}", action=f"{obj}:{act}", audit=dict(
            action=f"{obj}:{act}", object_type=obj.capitalize() if object_id else None,
            object_id=object_id, unit_path=unit_path))
