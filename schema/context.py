"""The per-request context: the caller and this request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from strawberry.types import Info as StrawberryInfo

from policies import Actor
from policies.tokens import KeyRing
from schema.loaders import Loaders


@dataclass
class Context:
    actor: Actor
    keys: KeyRing | None = None  # signs login tokens; set by the endpoint from the settings
    loaders: Loaders = field(default_factory=Loaders)
    login_backoff: Any = None  # policies.ratelimit.LoginBackoff; None: no back-off (tests)
    proofs: Any = None  # policies.proofs.ProofBackoff: failed proofs per dossier; None: no limit
    request: Any = None
    response: Any = None  # strawberry's sub-response: status and headers of the HTTP answer
    retry_after: int = 5  # seconds a 503 asks the client to wait
    # A WebSocket connection: the `connection_init` payload and the connection's own id.
    connection_params: Any = None
    connection_id: str | None = None


Info: TypeAlias = StrawberryInfo[Context, None]
