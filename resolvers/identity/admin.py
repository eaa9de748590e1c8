"""Administration of users, role grants and the policy — every change audited and atomic."""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from audit import record
from models import CasbinRule, User
from models.errors import BadInput, Conflict, NotFound
from policies import Actor, authorize, store
from resolvers import lookups, validation
from resolvers.identity.passwords import hash_password

# Lower case only: role names are upper case, and a user named like a role would be
# that role in Casbin's g matcher.
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_:*]{0,63}$")
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


async def _grant_target(actor: Actor, username: str, role: str, unit_code: str, act: str):
    if role not in known_roles():
        raise BadInput(f"unknown role {role!r}; known: {', '.join(sorted(known_roles()))}",
                       field="role")
    unit = await lookups.unit_by_code(unit_code)
    if unit is None:
        raise BadInput(f"unknown unit {unit_code!r}", field="unitCode")
    authorize(actor, "role", act, unit.path)
    if not await User.exists(username=username):
        raise NotFound(f"user {username!r} not found", field="username")
    return unit, f"{unit.path}*"


async def grant_role(*, actor: Actor, username: str, role: str, unit_code: str) -> None:
    """Let `username` act as `role` at the unit and every unit below it."""
    unit, domain = await _grant_target(actor, username, role, unit_code, "grant")
    async with in_transaction():
        _, created = await CasbinRule.get_or_create(ptype="g", v0=username, v1=role, v2=domain)
        if created:
            await store.bump_revision()
        await record(actor=actor, action="role:grant", object_type="User", object_id=username,
                     unit_path=unit.path, changes={"role": [None, f"{role}@{unit.code}"]})
    await store.load()


async def revoke_role(*, actor: Actor, username: str, role: str, unit_code: str) -> None:
    unit, domain = await _grant_target(actor, username, role, unit_code, "revoke")
    async with in_transaction():
        deleted = await CasbinRule.filter(ptype="g", v0=username, v1=role, v2=domain).delete()
        if not deleted:
            raise NotFound(f"{username} does not hold {role} at {unit.code}", field="role")
        await store.bump_revision()
        await record(actor=actor, action="role:revoke", object_type="User", object_id=username,
                     unit_path=unit.path, changes={"role": [f"{role}@{unit.code}", None]})
    await store.load()


async def change_policy(*, actor: Actor, role: str, obj: str, act: str, allow: bool) -> None:
    """Add (allow) or remove a `p` rule: which role may do which action on which object."""
    authorize(actor, "policy", "edit")
    for field, value in (("role", role), ("object", obj), ("action", act)):
        if not NAME.match(value or ""):
            raise BadInput(f"{field} must be a short identifier", field=field)
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
                     object_type="Policy", object_id=rule[:64],
                     changes={"rule": [None, rule] if allow else [rule, None]})
    await store.load()
