"""`/graphql` over WebSocket: subscriptions only, graphql-transport-ws only, behind the edge.

The edge has admitted the upgrade (request id, a rate-limit hit for the address). Here:

- `connection_init` must carry `{"authorization": "Bearer <token>"}` (a user's access token
  or a partner token); a missing or invalid one closes the socket with 4403, recorded like
  every refusal. Nothing else is accepted before it, and it must come within WS_INIT_TIMEOUT
  (4408).
- Each `subscribe` counts against the caller's rate limit and must be a subscription
  (queries and mutations go over HTTP, where the body limits and batch rules apply); a
  partner restricted to persisted operations may send only those documents.
- The token's expiry (4401 "token expired") and its revocation on any node (4401 "token
  revoked") end the connection; the token is checked again after a database gap and every
  SUBSCRIPTION_RECHECK seconds as the fallback.
- The schema's query limits and its audit extension apply as to any operation. At shutdown
  uvicorn closes sockets with 1012 (service restart) after the in-flight requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from datetime import timedelta
from typing import Any

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)

from audit import bursts
from policies import Actor, ActorKind, tokens
from resolvers import clock, notifications
from resolvers.audit_log import AuditOutcome
from resolvers.errors import DomainError, is_outage
from schema.context import Context
from web import metrics
from web.gate import Gate, authenticate

log = logging.getLogger("motcua.subscriptions")
EXPIRED, REVOKED, UNAVAILABLE = 4401, 4401, 1013


async def _refuse(actor: Actor, code: str, reason: str, *, action: str) -> None:
    try:
        await bursts.refuse(actor=actor, action=action, outcome=AuditOutcome.DENIED, reason=reason[:500],
                            code=code, object_type="Route", object_id="/graphql")
    except Exception as error:  # the refusal stands; the trail's failure is logged
        log.error("request %s: refusal not recorded (%s)", actor.request_id, error)


class Handler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with the checks of the HTTP edge applied to each `subscribe`."""

    async def handle_subscribe(self, message: Any) -> None:
        if not self.connection_acknowledged:
            return await super().handle_subscribe(message)  # closes 4401
        context = self.context
        view: Any = self.view
        payload = message.get("payload") or {}
        problem = await view.refusal(context.actor, str(payload.get("query") or ""),
                                     payload.get("operationName"))
        if problem is not None:
            code, text = problem
            await _refuse(context.actor, code, text, action=f"ws:{code}")
            error = GraphQLError(text, extensions={"code": code})
            refused: Any = {"id": message["id"], "type": "error", "payload": [error.formatted]}
            await self.send_message(refused)
            return None
        metrics.SUBSCRIPTIONS.inc()
        await super().handle_subscribe(message)
        operation = self.operations.get(message["id"])
        if operation is not None and operation.task is not None:
            operation.task.add_done_callback(lambda _: metrics.SUBSCRIPTIONS.dec())
        else:
            metrics.SUBSCRIPTIONS.dec()
        return None


    async def _send_result_stream(self, operation: Any, result_source: Any) -> None:
        try:
            await super()._send_result_stream(operation, result_source)
        except GraphQLError as refused:
            # An extension refused the document before execution (a query limit): strawberry
            # lets that escape a stream; answer it as the operation's error, as over HTTP.
            code = (refused.extensions or {}).get("code") or "BAD_USER_INPUT"
            error = GraphQLError(refused.message, extensions={"code": code})
            await operation.send_operation_message({"id": operation.id, "type": "error",
                                                    "payload": [error.formatted]})


class SubscriptionEndpoint(GraphQL):
    """Strawberry's ASGI app for WebSocket scopes; see the module docstring."""

    graphql_transport_ws_handler_class = Handler  # type: ignore[assignment]  # our Context

    def __init__(self, schema: Any, *, gate: Gate, retry_after: int, init_timeout: float,
                 recheck: float, per_connection: int, allowed_origins: tuple[str, ...] = ()) -> None:
        super().__init__(schema, graphql_ide=None, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
                         connection_init_wait_timeout=timedelta(seconds=init_timeout),
                         max_subscriptions_per_connection=per_connection + 1,
                         allowed_origins=list(allowed_origins))
        self.gate, self.retry_after, self.recheck = gate, retry_after, recheck

    async def refusal(self, actor: Actor, query: str, operation_name: Any) -> tuple[str, str] | None:
        """Why a `subscribe` message is refused (code, message), or None."""
        try:
            await self.gate.charge(actor)
        except DomainError as limited:
            return limited.code, limited.message
        if len(query.encode()) > self.gate.limits.body_bytes:
            return "BAD_USER_INPUT", "the document is too large"
        if actor.allowed_operations is not None and \
                hashlib.sha256(query.encode()).hexdigest() not in actor.allowed_operations:
            return "FORBIDDEN", "this token may send persisted operations only"
        try:
            document = parse(query, max_tokens=self.gate.limits.tokens)
            operation = get_operation_ast(document, operation_name if isinstance(operation_name, str)
                                          else None)
        except GraphQLError:
            return None  # the schema reports syntax errors (and closes with 4400)
        if operation is not None and operation.operation is not OperationType.SUBSCRIPTION:
            return "BAD_USER_INPUT", "only subscriptions go over WebSocket; send queries and " \
                                     "mutations with HTTP POST"
        return None

    async def get_context(self, request: Any, response: Any = None) -> Context:  # type: ignore[override]
        state = request.scope.get("state", {})
        actor = state.get("anonymous") or Actor(kind=ActorKind.ANONYMOUS,
                                                request_id=state.get("request_id"))
        return Context(actor=actor, keys=self.gate.keys, request=request, response=response,
                       retry_after=self.retry_after, connection_id=uuid.uuid4().hex)

    async def on_ws_connect(self, context: Context) -> Any:  # type: ignore[override]
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("authorization") or params.get("Authorization")
        anonymous = context.actor
        if not isinstance(header, str) or not header:
            await _refuse(anonymous, "UNAUTHENTICATED", "connection_init needs an authorization "
                          "token", action="ws:4403")
            raise ConnectionRejectionError()
        try:
            actor = await authenticate(header, self.gate.keys, request_id=anonymous.request_id,
                                       client_address=anonymous.client_address,
                                       scrape_token=None)
        except DomainError as refused:
            await self.gate.charge(anonymous)
            await _refuse(anonymous, refused.code, refused.message, action="ws:4403")
            raise ConnectionRejectionError() from None
        except Exception as error:
            if not is_outage(error):
                raise
            await context.request.close(UNAVAILABLE, "the database is unavailable; retry later")
            raise ConnectionRejectionError() from None
        context.actor = actor
        context.request.scope.setdefault("state", {})["actor"] = actor
        watch = Watch(self, context, header.partition(" ")[2].strip())
        watch.start()
        return None


class Watch:
    """Ends a connection when its token expires or is revoked (see the module docstring)."""

    def __init__(self, view: SubscriptionEndpoint, context: Context, token: str) -> None:
        self.view, self.context, self.token = view, context, token
        actor = context.actor
        self.revocations = {("session", actor.extra.get("session")),
                            ("partner", (actor.username or "").removeprefix("partner:"))}

    def _expires_in(self) -> float | None:
        if self.context.actor.kind is not ActorKind.USER:
            return None
        try:
            claims = tokens.verify(self.view.gate.keys, self.token, token_type="access", now=clock.now())
        except DomainError:
            return 0.0
        return max(0.0, claims.expires_at.timestamp() - clock.now().timestamp())

    def start(self) -> None:
        task = asyncio.create_task(self._run())
        websocket: WebSocket = self.context.request
        websocket.scope.setdefault("state", {})["watch"] = task  # kept alive with the socket

    async def _run(self) -> None:
        inbox = notifications.revocations()
        try:
            reason = await self._wait(inbox)
        finally:
            notifications.stop(inbox)
        websocket: WebSocket = self.context.request
        if websocket.application_state is WebSocketState.CONNECTED:
            log.info("closing a subscription connection: %s", reason)
            with contextlib.suppress(Exception):
                await websocket.close(EXPIRED, reason)

    async def _wait(self, inbox: notifications.Inbox) -> str:
        next_check = time.monotonic() + self.view.recheck
        while True:
            expires = self._expires_in()
            if expires is not None and expires <= 0:
                return "token expired"
            timeout = min(x for x in (expires, next_check - time.monotonic()) if x is not None)
            try:
                event = await asyncio.wait_for(inbox.get(), max(0.01, timeout))
            except TimeoutError:
                event = None
            if event is not None and event.kind != notifications.GAP:
                if (event.kind, event.data.get("id")) in self.revocations:
                    return "token revoked"
                continue
            if event is None and time.monotonic() < next_check:
                continue  # the expiry timer: checked at the top
            next_check = time.monotonic() + self.view.recheck
            if not await self._still_valid():
                return "token revoked"

    async def _still_valid(self) -> bool:
        actor = self.context.actor
        try:
            await authenticate(f"Bearer {self.token}", self.view.gate.keys, request_id=actor.request_id,
                               client_address=actor.client_address, scrape_token=None)
        except DomainError:
            return False
        except Exception as error:  # the database is down: decide when it is back
            return is_outage(error)
        return True
