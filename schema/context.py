"""The per-request context: the caller and this request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from strawberry.types import Info as StrawberryInfo

from models.scope import Scope
from policies import Actor
from policies.tokens import KeyRing
from schema.loaders import Loaders


@dataclass
class Context:
    actor: Actor
    keys: KeyRing | None = None  # signs login tokens; set by app.py from the settings
    loaders: Loaders = field(default_factory=Loaders)
    login_backoff: Any = None  # policies.ratelimit.LoginBackoff; None: no back-off (tests)
    # Where the caller may read personal data: computed once per request, not per dossier.
    pii_scope: Scope | None = None
    request: Any = None
    response: Any = None


Info: TypeAlias = StrawberryInfo[Context, None]
