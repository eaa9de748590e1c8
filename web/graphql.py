"""`/graphql`: strawberry's ASGI app behind the edge, with the checks only GraphQL needs.

The edge has already authenticated the caller and charged one request. Here: the body must
be JSON (not nested beyond the parser's depth, no unpaired surrogates) holding one GraphQL
request or a batch of at most `limits.batch` (each further operation of a batch is charged
too), a persisted-operations token may send only its listed documents,
and the operations of a batch run one after another (strawberry would run them
concurrently, and two refresh-token rotations in one batch must not race).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.asgi import GraphQL

from policies import Actor, ActorKind
from schema.context import Context
from web.edge import Refusal
from web.gate import Gate
from web.ide import GraphiQLPage

# A JSON escape of a UTF-16 surrogate: only then can a decoded string hold an unpaired one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _json(raw: bytes | str) -> Any:
    """JSON from the caller, or a 400 Refusal: not UTF-8 (RFC 8259; Python's parser would
    let encoded surrogates through), malformed, nested beyond the parser's depth
    (RecursionError), or holding an unpaired surrogate, which is no text at all and which
    nothing downstream (the database, the audit trail) could store."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise Refusal(400, "BAD_USER_INPUT", "the body is not a GraphQL JSON request in UTF-8") \
            from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise Refusal(400, "BAD_USER_INPUT", "a string holds an unpaired surrogate "
                          "(\\ud800-\\udfff): it is not Unicode text") from None
    return data


def _documents(body: bytes) -> list[dict] | None:
    data = _json(body)
    items = data if isinstance(data, list) else [data]
    return items if items and all(isinstance(i, dict) for i in items) else None


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


class GraphQLEndpoint(GraphQL):
    """Strawberry's ASGI app; see the module docstring."""

    def __init__(self, *args: Any, gate: Gate, retry_after: int = 5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate, self.retry_after = gate, retry_after
        self.ide = GraphiQLPage()

    def encode_json(self, data: object) -> bytes:
        """The answer as compact UTF-8 JSON (orjson: several times faster than json.dumps)."""
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from this server's own files, with sign-in and the examples (web/ide.py)."""
        return HTMLResponse(self.ide.html, headers=self.ide.headers)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        state = scope.setdefault("state", {})
        actor: Actor = state.get("actor") or Actor(kind=ActorKind.ANONYMOUS)
        if scope["method"] == "POST":
            body = await _read_body(receive)
            documents = _documents(body)
            if documents is None:
                raise Refusal(400, "BAD_USER_INPUT", "the body is not a GraphQL JSON request")
            if len(documents) > self.gate.limits.batch:
                raise Refusal(400, "QUERY_TOO_COMPLEX",
                              f"at most {self.gate.limits.batch} operations in a batch")
            await self.gate.charge(actor, len(documents) - 1)
            receive = _replay(body)
        else:  # GET carries its one document in the query string
            params = Request(scope).query_params
            if "variables" in params:
                _json(params["variables"])  # strawberry would parse it without these checks
            documents = [{"query": params.get("query")}]
        if actor.allowed_operations is not None:
            for document in documents:
                digest = hashlib.sha256(str(document.get("query") or "").encode()).hexdigest()
                if digest not in actor.allowed_operations:
                    raise Refusal(403, "FORBIDDEN", "this token may send persisted operations only")
        http = Request(scope, receive)
        try:
            response = await self.run(http)
        except HTTPException as refused:  # strawberry's own: a mutation over GET, a bad method
            code = "BAD_USER_INPUT" if refused.status_code < 500 else "INTERNAL_SERVER_ERROR"
            raise Refusal(refused.status_code, code, refused.reason) from None
        await response(scope, receive, send)

    async def execute_operation(self, request: Any, request_adapter: Any, request_data: Any,
                                context: Any, root_value: Any, sub_response: Any) -> Any:
        if not isinstance(request_data, list):
            return await super().execute_operation(request, request_adapter, request_data,
                                                   context, root_value, sub_response)
        # One after another: a batch is a convenience, not a way to race a compare-and-set.
        return [await super(GraphQLEndpoint, self).execute_operation(
                    request, request_adapter, data, context, root_value, sub_response)
                for data in request_data]

    async def get_context(self, request: Any, response: Any = None) -> Context:  # type: ignore[override]
        state = request.scope.get("state", {})
        actor = state.get("actor") or Actor(kind=ActorKind.ANONYMOUS,
                                            request_id=state.get("request_id"))
        return Context(actor=actor, keys=self.gate.keys, request=request, response=response,
                       login_backoff=self.gate.backoff, proofs=self.gate.proofs,
                       retry_after=self.retry_after)
