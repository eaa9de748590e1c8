"""The HTTP edge of the schema: who is calling, how often, and with what body.

Everything here runs before strawberry parses a document, and refuses cheaply: a body over
the limit, a POST that is not JSON, a batch too large, a partner sending a document outside
its allow-list, a caller over its rate, a token that is not valid (401).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from strawberry.asgi import GraphQL

from models.errors import RateLimited, Unauthenticated
from policies import ANONYMOUS, Actor, ActorKind, store
from policies.ratelimit import Limits, LoginBackoff, RateLimiter
from policies.tokens import KeyRing
from resolvers import identity
from schema.context import Context
from schema.limits import QueryLimits


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A failure outside GraphQL, in the same shape as a GraphQL error."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]},
                        status_code=status, headers=headers)


def unauthenticated(message: str) -> JSONResponse:
    return error(401, "UNAUTHENTICATED", message, {"WWW-Authenticate": "Bearer"})


async def authenticate(request: Request, keys: KeyRing) -> Actor:
    """The caller: anonymous without a token, else the token's user or partner. A token
    that is sent but not valid raises Unauthenticated (HTTP 401)."""
    request_id = (request.headers.get("x-request-id") or uuid.uuid4().hex)[:64]
    client = request.client.host if request.client else None
    header = request.headers.get("authorization")
    if header is None:
        return Actor(kind=ANONYMOUS.kind, request_id=request_id, client_address=client)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization must be 'Bearer <token>'")
    await store.refresh()
    token = token.strip()
    if identity.is_partner_token(token):
        return await identity.partner_actor(token, request_id=request_id, client_address=client)
    return await identity.user_actor(keys, token, request_id=request_id, client_address=client)


@dataclass(frozen=True)
class Edge:
    """What the edge needs: keys, limits, and the shared limiter."""

    keys: KeyRing
    limits: QueryLimits
    rates: Limits
    limiter: RateLimiter
    backoff: LoginBackoff


def rate_key(actor: Actor) -> tuple[str, int]:
    """Users and partners are limited by identity (offices share one address behind NAT),
    anonymous callers by address."""
    if actor.kind is ActorKind.PARTNER:
        return f"partner:{actor.username}", 0
    if actor.kind is ActorKind.USER:
        return f"user:{actor.username}", 1
    return f"addr:{actor.client_address}", 2


async def _read_body(receive: Any, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes `limit` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _documents(body: bytes) -> list[dict] | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    items = data if isinstance(data, list) else [data]
    return items if all(isinstance(i, dict) for i in items) else None


class GraphQLEndpoint(GraphQL):
    """Strawberry's ASGI app behind the edge checks."""

    def __init__(self, *args: Any, edge: Edge, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.edge = edge

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        refusal, receive = await self._check(scope, receive)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def _check(self, scope: Any, receive: Any) -> tuple[JSONResponse | None, Any]:
        request = Request(scope)
        documents: list[dict] = []
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                # Form posts would skip the CORS preflight: only JSON is accepted.
                return error(415, "BAD_USER_INPUT", "POST /graphql takes application/json"), receive
            declared = request.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.edge.limits.body_bytes:
                return error(413, "BAD_USER_INPUT", "request body too large"), receive
            body = await _read_body(receive, self.edge.limits.body_bytes)
            if body is None:
                return error(413, "BAD_USER_INPUT", "request body too large"), receive
            parsed = _documents(body)
            if parsed is None:
                return error(400, "BAD_USER_INPUT", "the body is not a GraphQL JSON request"), receive
            if len(parsed) > self.edge.limits.batch:
                return error(400, "QUERY_TOO_COMPLEX",
                             f"at most {self.edge.limits.batch} operations in a batch"), receive
            documents = parsed
            receive = _replay(body)
        else:  # GET carries its document in the query string (queries only; strawberry refuses mutations)
            documents = [{"query": request.query_params.get("query")}]
        try:
            actor = await authenticate(request, self.edge.keys)
        except Unauthenticated as failure:
            return unauthenticated(failure.message), receive
        key, kind = rate_key(actor)
        limit = (self.edge.rates.per_partner, self.edge.rates.per_user, self.edge.rates.per_address)[kind]
        decision = await self.edge.limiter.hit(key, limit=limit, window=self.edge.rates.window)
        if not decision.allowed:
            wait = max(1, round(decision.retry_after))
            return error(429, "RATE_LIMITED", f"too many requests; retry in {wait} s",
                         {"Retry-After": str(wait)}), receive
        if actor.allowed_operations is not None:
            for document in documents:
                digest = hashlib.sha256(str(document.get("query") or "").encode()).hexdigest()
                if digest not in actor.allowed_operations:
                    return error(403, "FORBIDDEN", "this token may send persisted operations only"), receive
        scope.setdefault("state", {})["actor"] = actor
        return None, receive

    async def get_context(self, request: Any, response: Any = None) -> Context:
        actor = getattr(request.state, "actor", None) or ANONYMOUS
        return Context(actor=actor, keys=self.edge.keys, request=request, response=response,
                       login_backoff=self.edge.backoff)


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


__all__ = ["Edge", "GraphQLEndpoint", "RateLimited", "authenticate", "error", "unauthenticated"]
