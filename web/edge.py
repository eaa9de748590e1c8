"""The one HTTP edge, in front of every route (GraphQL, downloads, health, and any added later).

For each request, in this order: a request id (returned in `X-Request-Id`), the caller
(anonymous, or the user or partner behind a valid token: a token sent but not valid is
401), one rate-limit hit for that caller (429 with `Retry-After`), the rule that a
persisted-operations token may call only the routes that check its documents, JSON-only
bodies (415) within the size limit (413), then the route. Whatever the route raises is
answered here as JSON: a `Refusal` with its status, a DomainError with the status of its
code, an unreachable or timed-out database with 503 and `Retry-After`, anything else with
500 and the request id only. Security headers go on every response (a header the route
set itself, such as a page's Content-Security-Policy, is kept instead of the default).

A WebSocket upgrade is admitted by the same rules before it is accepted (request id, a
token in its headers if any, one rate-limit hit, the persisted-operations rule); a refusal
is an HTTP answer to the handshake (429 with `Retry-After`, 401, …) where the server can
send one, else a close with 1008. The socket's own authentication is `connection_init`
(web/subscriptions.py).

Refusals are written to the audit trail here (audit/__init__.py says who writes what), after
the rate limit and through `audit.bursts`, so refused traffic cannot flood the trail.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from audit import bursts
from policies import Actor, ActorKind
from resolvers.audit_log import AuditOutcome
from resolvers.errors import DomainError, Unauthenticated, is_outage
from resolvers.reads import one_connection
from schema.messages import language, translate
from web.gate import Gate, authenticate

log = logging.getLogger("motcua.edge")

# A request id from a trusted proxy is kept if it looks like one: it lands in logs, the audit
# trail and spreadsheets, so nothing that could be a formula or a control character.
REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
STATUS_OF = {"BAD_USER_INPUT": 400, "UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404,
             "CONFLICT": 409, "RATE_LIMITED": 429, "QUERY_TOO_COMPLEX": 400,
             "SERVICE_UNAVAILABLE": 503, "INTERNAL_SERVER_ERROR": 500}
BODY_METHODS = ("POST", "PUT", "PATCH")


class Refusal(Exception):
    """A request refused by the edge or a route, answered as one JSON error."""

    def __init__(self, status: int, code: str, message: str, *,
                 headers: dict[str, str] | None = None, audited: bool = True,
                 action: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.audited = audited  # False: not worth an entry (an unknown path)
        # What the trail calls the refused action: the use case's ("audit:export") when it
        # said, else the HTTP status ("http:429"); and the object, when known.
        self.action = action or f"http:{status}"
        self.audit: dict[str, Any] = {}


def error_body(code: str, message: str, **extensions: Any) -> bytes:
    """The body of every failure outside GraphQL, shaped like a GraphQL error."""
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]},
                      ensure_ascii=False).encode()


class _TooLarge(Exception):
    pass


@dataclass(frozen=True)
class TrustedProxies:
    """Peers whose X-Forwarded-For and X-Request-Id are believed (TRUSTED_PROXIES)."""

    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def of(cls, items: tuple[str, ...]) -> TrustedProxies:
        return cls(tuple(ipaddress.ip_network(i, strict=False) for i in items))

    def __contains__(self, host: str | None) -> bool:
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)


class ForwardedFor(ProxyHeadersMiddleware):
    """uvicorn's X-Forwarded-For handling (only from trusted proxies), remembering the peer
    that connected, so the edge can tell whether a proxy sent the request id."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("client"):
            scope.setdefault("state", {})["peer"] = scope["client"][0]
        await super().__call__(scope, receive, send)


class Edge:
    """Pure ASGI middleware; see the module docstring."""

    def __init__(self, app: Any, *, gate: Gate, headers: dict[str, str], retry_after: int = 5,
                 proxies: TrustedProxies = TrustedProxies(),
                 persisted_paths: tuple[str, ...] = ("/graphql",)) -> None:
        self.app, self.gate, self.retry_after = app, gate, retry_after
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.proxies, self.persisted_paths = proxies, persisted_paths

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        request_id = self._request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["path"] = scope.get("path", "")
        state["accept_language"] = Headers(scope=scope).get("accept-language")
        started = False

        async def respond(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                own = message.get("headers", [])
                # A route's own header wins (a page's CSP, a file's Cache-Control).
                named = {name.lower() for name, _ in own}
                message["headers"] = [*own, *(h for h in self.headers if h[0] not in named),
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        actor: Actor | None = None
        # One database connection for the whole request, the refusal's audit entry included.
        async with one_connection():
            try:
                actor = await self._admit(scope, state, request_id)
                await self.app(scope, self._limited(scope, receive), respond)
            except Exception as failure:  # every failure becomes one JSON answer
                if started:
                    log.exception("request %s failed after its response started", request_id)
                    return
                await self._answer(failure, actor or state.get("anonymous"), state, respond)

    async def _websocket(self, scope: Any, receive: Any, send: Any) -> None:
        request_id = self._request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["path"] = scope.get("path", "")
        state["accept_language"] = Headers(scope=scope).get("accept-language")
        accepted = False

        async def respond(message: dict) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept":
                accepted = True
                message["headers"] = [*message.get("headers", []), *self.headers,
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        actor: Actor | None = None
        try:
            actor = await self._admit(scope, state, request_id)
            await self.app(scope, receive, respond)
        except Exception as failure:
            if accepted:
                log.exception("request %s failed after its socket was accepted", request_id)
                return
            headers = [*self.headers, (b"x-request-id", request_id.encode())]
            await self._answer(failure, actor or state.get("anonymous"), state,
                               _denial(scope, send, headers))

    def _request_id(self, scope: Any) -> str:
        client = scope.get("client")
        peer = scope.get("state", {}).get("peer") or (client[0] if client else None)
        given = Headers(scope=scope).get("x-request-id", "")
        if given and peer in self.proxies and REQUEST_ID.match(given):
            return given
        return uuid.uuid4().hex

    async def _admit(self, scope: Any, state: dict, request_id: str) -> Actor:
        """Who is calling, counted against their rate; refusals raise Refusal."""
        headers = Headers(scope=scope)
        client = scope["client"][0] if scope.get("client") else None
        state["anonymous"] = Actor(kind=ActorKind.ANONYMOUS, request_id=request_id,
                                   client_address=client)
        try:
            actor = await authenticate(headers.get("authorization"), self.gate.keys,
                                       request_id=request_id, client_address=client,
                                       scrape_token=self.gate.scrape_token)
        except Unauthenticated as failure:
            # A bad token is charged to the address, so guessing tokens is rate-limited too.
            await self.gate.charge(state["anonymous"])
            raise Refusal(401, "UNAUTHENTICATED", failure.message,
                          headers={"WWW-Authenticate": "Bearer"}) from None
        await self.gate.charge(actor)
        state["actor"] = actor
        if actor.allowed_operations is not None and scope["path"] not in self.persisted_paths:
            raise Refusal(403, "FORBIDDEN", "this token may send persisted operations only")
        if scope.get("method") in BODY_METHODS:
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                # Form posts would skip the CORS preflight: only JSON is accepted.
                raise Refusal(415, "BAD_USER_INPUT", f"{scope['method']} takes application/json")
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.gate.limits.body_bytes:
                raise Refusal(413, "BAD_USER_INPUT", "request body too large")
        return actor

    def _limited(self, scope: Any, receive: Any) -> Any:
        """`receive` that stops a body as soon as it passes the limit, declared or not."""
        limit, size = self.gate.limits.body_bytes, 0

        async def limited() -> dict:
            nonlocal size
            message = await receive()
            size += len(message.get("body", b""))
            if size > limit:
                raise Refusal(413, "BAD_USER_INPUT", "request body too large")
            return message

        return limited

    async def _answer(self, failure: Exception, actor: Actor | None, state: dict,
                      send: Any) -> None:
        request_id = state["request_id"]
        refusal = self._refusal(failure, request_id)
        state["error_code"] = refusal.code  # for the request's log line and metrics
        if refusal.audited and actor is not None and refusal.code != "SERVICE_UNAVAILABLE":
            outcome = AuditOutcome.ERROR if refusal.status >= 500 else AuditOutcome.DENIED
            # A route names its own action (`report:weekly`); else the refusal says what it was.
            action = state.get("audit_action") or refusal.action
            # Without a more precise object, the route refused is what the entry is about.
            target = refusal.audit if refusal.audit.get("object_type") else {
                "object_type": "Route", "object_id": state["path"][:64]}
            try:
                await bursts.refuse(actor=actor, action=action, outcome=outcome,
                                    reason=refusal.message[:500], code=refusal.code,
                                    object_type=target.get("object_type"),
                                    object_id=target.get("object_id"),
                                    unit_path=refusal.audit.get("unit_path"))
            except Exception as error:  # the refusal stands; the trail's failure is logged
                log.error("request %s: refusal not recorded (%s)", request_id, error)
                if is_outage(error):
                    refusal = self._refusal(error, request_id)
        state["error_code"] = refusal.code
        extras = {"requestId": request_id} if refusal.status >= 500 else {}
        lang = language(state.get("accept_language"))
        body = error_body(refusal.code, translate(refusal.message, lang), **extras)
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode()),
                   *((k.lower().encode(), v.encode()) for k, v in refusal.headers.items())]
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _refusal(self, failure: Exception, request_id: str) -> Refusal:
        if isinstance(failure, Refusal):
            return failure
        if is_outage(failure):
            log.warning("request %s: database unavailable (%s: %s)", request_id,
                        type(failure).__name__, failure)
            return Refusal(503, "SERVICE_UNAVAILABLE",
                           f"the database is unavailable; retry in {self.retry_after} s",
                           headers={"Retry-After": str(self.retry_after)})
        if isinstance(failure, DomainError):
            extra = {"Retry-After": str(failure.extra["retryAfter"])} \
                if "retryAfter" in failure.extra else {}
            given = failure.extra.get("audit")
            hint: dict[str, Any] = given if isinstance(given, dict) else {}
            refusal = Refusal(STATUS_OF.get(failure.code, 400), failure.code, failure.message,
                              headers=extra, action=hint.get("action"))
            refusal.audit = hint
            return refusal
        log.error("request %s failed", request_id, exc_info=failure)
        return Refusal(500, "INTERNAL_SERVER_ERROR", f"internal error; request id {request_id}")


def _denial(scope: Any, send: Any, headers: list[tuple[bytes, bytes]]) -> Any:
    """`send` for refusing a WebSocket handshake with an HTTP answer (the ASGI extension
    `websocket.http.response`), or with a close (1008) where the server lacks it."""
    supported = "websocket.http.response" in scope.get("extensions", {})

    async def deny(message: dict) -> None:
        if supported:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send({**message, "type": "websocket." + message["type"]})
        elif message["type"] == "http.response.start":
            await send({"type": "websocket.close", "code": 1008})

    return deny
