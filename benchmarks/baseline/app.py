"""The baseline's one route: POST /graphql with one of the bench's documents (by name)."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks.baseline import metrics, reads, trail, writes
from benchmarks.baseline.auth import Policy, Refused, authenticate

# operationName → (root field, is a read: the read writes its own audit entry)
OPERATIONS = {"Page": ("dossiers", True), "One": ("dossier", True), "Metrics": ("metrics", True),
              "Audit": ("auditLog", True), "Receive": ("receiveDossier", False),
              "Transition": ("transitionDossier", False)}


def _error(status: int, code: str, message: str) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(json.dumps(body), status_code=status, media_type="application/json")


def create_app(dsn: str, *, jwt_secret: str, audit_key: bytes, pool_size: int = 10) -> Starlette:
    policy = Policy()
    state: dict[str, asyncpg.Pool] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn.replace("postgres://", "postgresql://", 1),
                                                  min_size=1, max_size=pool_size)
        try:
            yield
        finally:
            await state["pool"].close()

    async def answer(conn, operation: str, variables: dict, caller) -> dict:  # noqa: ANN001
        v = variables
        if operation == "Page":
            return await reads.page(conn, policy, caller, int(v["first"]))
        if operation == "One":
            return await reads.one(conn, policy, caller, v["code"])
        if operation == "Audit":
            return await reads.audit_log(conn, policy, caller, v["actor"], int(v["first"]))
        if operation == "Metrics":
            return await metrics.metrics(conn, policy, caller, v["unit"], date.fromisoformat(v["from"]),
                                         date.fromisoformat(v["to"]))
        if operation == "Receive":
            return await writes.receive(conn, policy, caller, audit_key, v["input"])
        return await writes.transition(conn, policy, caller, audit_key, v["code"], v["action"])

    async def graphql(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            operation, variables = body["operationName"], body.get("variables") or {}
            root, is_read = OPERATIONS[operation]
        except (ValueError, KeyError, TypeError):
            return _error(400, "BAD_USER_INPUT", "the baseline answers the bench's documents only")
        async with state["pool"].acquire() as conn:
            try:
                caller = await authenticate(
                    conn, policy, request.headers.get("authorization"), jwt_secret,
                    client_address=request.client.host if request.client else None,
                    request_id=uuid.uuid4().hex)
            except Refused as refused:
                return _error(401, "UNAUTHENTICATED", str(refused))
            try:
                data = await answer(conn, operation, variables, caller)
            except NotImplementedError as missing:
                return _error(400, "BAD_USER_INPUT", str(missing))
            if is_read:
                await trail.read(conn, audit_key, trail.entry(caller, f"query:{root}", operation))
        # UTF-8 unescaped, as motcua's orjson writes it (same bytes).
        body = json.dumps({"data": data}, separators=(",", ":"), ensure_ascii=False)
        return Response(body, media_type="application/json")

    async def healthz(_: Request) -> Response:
        return Response('{"status":"ok"}', media_type="application/json")

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])], lifespan=lifespan)


def from_env() -> Starlette:
    """For uvicorn's factory mode: DATABASE_URL, JWT_SECRET, AUDIT_KEY, DB_POOL_SIZE."""
    return create_app(os.environ["DATABASE_URL"], jwt_secret=os.environ["JWT_SECRET"],
                      audit_key=os.environ["AUDIT_KEY"].encode(),
                      pool_size=int(os.environ.get("DB_POOL_SIZE", "10")))
