"""Login and tokens, users and role grants, the policy, and partner tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry

from resolvers import identity
from resolvers.errors import DomainError
from schema.context import Info


@strawberry.type
class AuthPayload:
    access_token: str
    refresh_token: str
    expires_at: datetime


@strawberry.type
class UserPayload:
    username: str
    display_name: str


@strawberry.input
class CreateUserInput:
    username: str
    password: str
    display_name: str


@strawberry.input
class IssuePartnerTokenInput:
    partner_name: str
    scopes: list[str]
    unit_code: str
    expires_in_days: int = 90
    allowed_operations: Optional[list[str]] = strawberry.field(
        default=None, description="SHA-256 hex of the only documents the token may send.")


@strawberry.type
class PartnerTokenPayload:
    token: str = strawberry.field(description="The secret: shown once, only its hash is kept.")
    token_id: str


def _keys(info: Info):  # -> KeyRing
    if info.context.keys is None:
        raise DomainError("token signing is not configured")
    return info.context.keys


def _auth(pair: identity.TokenPair) -> AuthPayload:
    return AuthPayload(access_token=pair.access_token, refresh_token=pair.refresh_token,
                       expires_at=pair.expires_at)


@strawberry.type
class IdentityMutation:
    @strawberry.mutation
    async def login(self, info: Info, username: str, password: str) -> AuthPayload:
        return _auth(await identity.login(actor=info.context.actor, ring=_keys(info),
                                          username=username, password=password,
                                          backoff=info.context.login_backoff))

    @strawberry.mutation(description="Exchange a refresh token for a new pair (rotation).")
    async def refresh_token(self, info: Info, token: str) -> AuthPayload:
        return _auth(await identity.refresh(actor=info.context.actor, ring=_keys(info), token=token))

    @strawberry.mutation(description="End the caller's session and all its tokens.")
    async def logout(self, info: Info) -> bool:
        return await identity.logout(actor=info.context.actor)

    @strawberry.mutation
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        user = await identity.create_user(actor=info.context.actor, username=input.username,
                                          password=input.password, display_name=input.display_name)
        return UserPayload(username=user.username, display_name=user.display_name)

    @strawberry.mutation
    async def grant_role(self, info: Info, username: str, role: str, unit_code: str) -> bool:
        await identity.grant_role(actor=info.context.actor, username=username, role=role,
                                  unit_code=unit_code)
        return True

    @strawberry.mutation
    async def revoke_role(self, info: Info, username: str, role: str, unit_code: str) -> bool:
        await identity.revoke_role(actor=info.context.actor, username=username, role=role,
                                   unit_code=unit_code)
        return True

    @strawberry.mutation(description="Allow a role an action on an object type (policy edit).")
    async def add_policy_rule(self, info: Info, role: str, object: str, action: str) -> bool:
        await identity.change_policy(actor=info.context.actor, role=role, obj=object, act=action,
                                     allow=True)
        return True

    @strawberry.mutation
    async def remove_policy_rule(self, info: Info, role: str, object: str, action: str) -> bool:
        await identity.change_policy(actor=info.context.actor, role=role, obj=object, act=action,
                                     allow=False)
        return True

    @strawberry.mutation
    async def issue_partner_token(
        self, info: Info, input: IssuePartnerTokenInput
    ) -> PartnerTokenPayload:
        issued = await identity.issue_partner_token(
            actor=info.context.actor, partner_name=input.partner_name, scopes=input.scopes,
            unit_code=input.unit_code, expires_in_days=input.expires_in_days,
            allowed_operations=input.allowed_operations)
        return PartnerTokenPayload(token=issued.token, token_id=issued.token_id)

    @strawberry.mutation
    async def revoke_partner_token(self, info: Info, token_id: str) -> bool:
        return await identity.revoke_partner_token(actor=info.context.actor, token_id=token_id)


__all__ = ["IdentityMutation"]
