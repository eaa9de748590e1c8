"""Around the edge: time each request (or WebSocket connection) and, when it ends, write its
one log line and count it in the Prometheus metrics (web/logs.py, web/metrics.py say what).

The edge leaves what it knows in the scope's state (request id, caller, a refusal's code);
the GraphQL schema adds each operation's name, type and error codes (schema/observe.py).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from web import metrics

log = logging.getLogger("motcua.request")
CODES_BY_STATUS = {400: "BAD_USER_INPUT", 401: "UNAUTHENTICATED", 403: "FORBIDDEN",
                   404: "NOT_FOUND", 405: "BAD_USER_INPUT", 409: "CONFLICT", 413: "BAD_USER_INPUT",
                   415: "BAD_USER_INPUT", 429: "RATE_LIMITED", 503: "SERVICE_UNAVAILABLE"}


def _caller(actor: Any) -> tuple[str, str | None, str]:
    """(id, home unit code, kind) of the caller; a user name or partner id, never a person's data."""
    if actor is None:
        return "anonymous", None, "ANONYMOUS"
    kind = getattr(actor.kind, "value", str(actor.kind))
    unit = actor.grants[0].unit_code if actor.grants else None
    if unit is None and actor.partner_unit_path:
        unit = actor.partner_unit_path.rstrip("/").rsplit("/", 1)[-1]
    return actor.username or kind.lower(), unit, kind


class Observe:
    """Pure ASGI middleware, outermost but for the proxy-header and CORS handling."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": None, "close": None}
        websocket = scope["type"] == "websocket"

        async def watch(message: dict) -> None:
            kind = message["type"]
            if kind in ("http.response.start", "websocket.http.response.start"):
                seen["status"] = message["status"]
            elif kind == "websocket.accept":
                seen["status"] = 101
                metrics.CONNECTIONS.inc()
            elif kind == "websocket.close":
                seen["close"] = message.get("code", 1000)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if websocket and seen["status"] == 101:
                metrics.CONNECTIONS.dec()
            self._done(scope, seen, time.perf_counter() - started)

    def _done(self, scope: Any, seen: dict[str, Any], seconds: float) -> None:
        state = scope.get("state", {})
        route = getattr(scope.get("route"), "path", None) or "_unmatched"
        status = seen["status"] or (500 if scope["type"] == "http" else None)
        operations = state.get("operations") or []
        refused = state.get("error_code") or (CODES_BY_STATUS.get(status) if status else None)
        if status and status >= 500 and not refused:
            refused = "INTERNAL_SERVER_ERROR"
        outcomes = []
        for op in operations:
            for code in op["codes"]:
                metrics.GRAPHQL_ERRORS.labels(code=code).inc()
            outcomes.append((metrics.operation_label(op["name"], op["type"]),
                             refused or (op["codes"][0] if op["codes"] else "OK")))
        if not outcomes:
            outcomes = [("_" + scope["type"], refused or "OK")]
        for operation, outcome in outcomes:
            counted, timed = metrics.request_series(route, operation, outcome)
            counted.inc()
            timed.observe(seconds)
        actor = state.get("actor") or state.get("anonymous")
        caller, unit, kind = _caller(actor)
        if any(outcome == "RATE_LIMITED" for _, outcome in outcomes):
            limited = {"USER": "user", "PARTNER": "partner"}.get(kind, "address")
            metrics.RATE_LIMITED.labels(caller=limited).inc()
        fields = {
            "request_id": state.get("request_id"), "method": scope.get("method", "WEBSOCKET"),
            "route": route, "status": status, "close_code": seen["close"],
            "operation": ",".join(op["name"] or "-" for op in operations) or None,
            "operation_type": ",".join(sorted({op["type"] for op in operations if op["type"]})) or None,
            "actor": caller, "actor_kind": kind, "unit": unit,
            "outcome": outcomes[0][1], "duration_ms": round(seconds * 1000, 2),
        }
        log.info("request", extra={"fields": {k: v for k, v in fields.items() if v is not None}})
