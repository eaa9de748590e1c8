"""Identity: passwords, sessions and tokens, partner tokens, users, grants and policy."""

from __future__ import annotations

from resolvers.identity.admin import change_policy, create_user, grant_role, revoke_role
from resolvers.identity.partners import (
    IssuedToken,
    is_partner_token,
    issue_partner_token,
    partner_actor,
    revoke_partner_token,
)
from resolvers.identity.sessions import TokenPair, login, logout, refresh, user_actor
from resolvers.identity.viewer import RoleView, ViewerView, viewer

__all__ = [
    "IssuedToken", "RoleView", "TokenPair", "ViewerView", "change_policy", "create_user",
    "grant_role", "is_partner_token", "issue_partner_token", "login", "logout", "partner_actor",
    "refresh", "revoke_partner_token", "revoke_role", "user_actor", "viewer",
]
