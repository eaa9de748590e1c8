"""Administration of users, role grants and the policy — every change audited and atomic.

Grants are made at a unit by someone who may grant there (a province's ADMIN in its
province); a grant at the root `/` (system-level) only by someone granted at the root. The
policy is global, so it belongs to the root too: only a system-level ADMIN (or the console
operator) edits it, and no edit can make anything beyond the public pages anonymous.
"""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from audit import record
from models import CasbinRule, User
from models.errors import BadInput, Conflict, NotFound
from policies import PUBLIC_ACTIONS, ROOT, Actor, authorize, store
from resolvers import lookups, validation
from resolvers.identity.passwords import hash_password

# Lower case only: role names are upper case, and a user named like a role would be
# that role in Casbin's g matcher.
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_:*]{0,63}$")
# Role names are upper case (user names are lower case: the two never meet in the g matcher).
ROLE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 128


def known_roles() -> set[str]:
    return {rule[0] for rule in store.enforcer().get_policy()} - {"ANONYMOUS"}


async def create_user(*, actor: Actor, username: str, password: str, display_name: str) -> User:
    """A new official account; roles are granted separately."""
    authorize(actor, "user", "create")
    if not USERNAME.match(username or ""):
        raise BadInput("username must be 3–64 lower-case letters, digits, '.', '_' or '-'",
                       field="username")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise BadInput(f"password must be {MIN_PASSWORD}–{MAX_PASSWORD} characters", field="password")
    name = validation.text(display_name, field="displayName", max_length=200) or ""
    try:
        async with in_transaction():
            user = await User.create(username=username, display_name=name,
                                     password_hash=hash_password(password))
            await record(actor=actor, action="user:create", object_type="User", object_id=username,
                         changes={"username": [None, username], "display_name": [None, name],
                                  "password": [None, "***"]})
    except IntegrityError:
        raise Conflict(f"user {username!r} already exists", field="username") from None
    return user


async def _grant_target(actor: Actor, username: str, role: str, unit_code: str,
                        act: str) -> tuple[str, str]:
    """The (path, code) of the grant's unit, once the caller may `act` on roles there; the
    unit code `/` is the root (a system-level grant)."""
    if role not in known_roles():
        raise BadInput(f"unknown role {role!r}; known: {', '.join(sorted(known_roles()))}",
                       field="role")
    if unit_code == ROOT:
        path, code = ROOT, ROOT
    else:
        unit = await lookups.unit_by_code(unit_code)
        if unit is None:
            raise BadInput(f"unknown unit {unit_code!r}", field="unitCode")
        path, code = unit.path, unit.code
    authorize(actor, "role", act, path)
    if not await User.exists(username=username):
        raise NotFound(f"user {username!r} not found", field="username")
    return path, code


async def grant_role(*, actor: Actor, username: str, role: str, unit_code: str) -> None:
    """Let `username` act as `role` at the unit and every unit below it (`/`: everywhere)."""
    path, code = await _grant_target(actor, username, role, unit_code, "grant")
    async with in_transaction():
        _, created = await CasbinRule.get_or_create(ptype="g", v0=username, v1=role, v2=f"{path}*")
        if created:
            await store.bump_revision()
        await record(actor=actor, action="role:grant", object_type="User", object_id=username,
                     unit_path=path, changes={"role": [None, f"{role}@{code}"]})
    await store.load()


async def revoke_role(*, actor: Actor, username: str, role: str, unit_code: str) -> None:
    path, code = await _grant_target(actor, username, role, unit_code, "revoke")
    async with in_transaction():
        deleted = await CasbinRule.filter(ptype="g", v0=username, v1=role, v2=f"{path}*").delete()
        if not deleted:
            raise NotFound(f"{username} does not hold {role} at {code}", field="role")
        await store.bump_revision()
        await record(actor=actor, action="role:revoke", object_type="User", object_id=username,
                     unit_path=path, changes={"role": [f"{role}@{code}", None]})
    await store.load()


async def change_policy(*, actor: Actor, role: str, obj: str, act: str, allow: bool) -> None:
    """Add (allow) or remove a `p` rule: which role may do which action on which object.
    The policy holds in every province, so only a grant at the root may change it."""
    authorize(actor, "policy", "edit", ROOT)
    if not ROLE.match(role or ""):
        raise BadInput("role must be an upper-case role name such as CLERK", field="role")
    for field, value in (("object", obj), ("action", act)):
        if not NAME.match(value or ""):
            raise BadInput(f"{field} must be a short identifier", field=field)
    if allow and role == "ANONYMOUS" and (obj, act) not in PUBLIC_ACTIONS:
        public = ", ".join(f"{o}:{a}" for o, a in sorted(PUBLIC_ACTIONS))
        raise BadInput(f"anonymous callers may only be given the public actions ({public})",
                       field="action")
    async with in_transaction():
        if allow:
            _, changed = await CasbinRule.get_or_create(ptype="p", v0=role, v1=obj, v2=act)
        else:
            changed = bool(await CasbinRule.filter(ptype="p", v0=role, v1=obj, v2=act).delete())
        if not changed:
            raise Conflict("the policy already says so", field="action")
        await store.bump_revision()
        rule = f"{role}, {obj}, {act}"
        await record(actor=actor, action="policy:" + ("add" if allow else "remove"),
                     object_type="Policy", object_id=rule[:64], unit_path=ROOT,
                     changes={"rule": [None, rule] if allow else [rule, None]})
    await store.load()
