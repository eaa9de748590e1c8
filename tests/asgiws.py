"""A WebSocket client for the ASGI app in the test's own event loop (httpx's transport has
none), speaking to the app as uvicorn does, including the `websocket.http.response`
extension with which a handshake is refused by an HTTP answer."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import httpx

PROTOCOL = "graphql-transport-ws"


class Closed(Exception):
    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"closed {code} {reason}")
        self.code, self.reason = code, reason


class Handshake:
    """The answer to the upgrade: 101 when accepted, else the refusal's status and body."""

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes = b"",
                 close_code: int | None = None) -> None:
        self.status_code, self.close_code = status, close_code
        self.headers = httpx.Headers([(k.decode(), v.decode()) for k, v in headers])
        self.content = body

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self) -> Any:
        return json.loads(self.content)


class Socket:
    """`async with Socket(app, "/graphql", headers) as ws:` then `ws.handshake`, `send`, `receive`."""

    def __init__(self, app: Any, path: str, headers: dict[str, str] | None = None, *,
                 subprotocols: tuple[str, ...] = (PROTOCOL,), client: str = "127.0.0.1") -> None:
        raw = [(b"host", b"test"), *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items())]
        self.scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws",
                      "http_version": "1.1", "path": path, "raw_path": path.encode(),
                      "query_string": b"", "root_path": "", "headers": raw,
                      "client": (client, 50000), "server": ("test", 80),
                      "subprotocols": list(subprotocols), "state": {},
                      "extensions": {"websocket.http.response": {}}}
        self.app = app
        self.inbound: asyncio.Queue[dict] = asyncio.Queue()
        self.outbound: asyncio.Queue[dict] = asyncio.Queue()
        self.handshake: Handshake | None = None
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> Socket:
        await self.inbound.put({"type": "websocket.connect"})
        self.task = asyncio.create_task(self.app(self.scope, self.inbound.get, self.outbound.put))
        first = await self._next()
        if first["type"] == "websocket.accept":
            self.handshake = Handshake(101, first.get("headers", []))
        elif first["type"] == "websocket.close":
            self.handshake = Handshake(403, [], close_code=first.get("code"))
        else:
            assert first["type"] == "websocket.http.response.start", first
            body = b""
            while True:
                part = await self._next()
                body += part.get("body", b"")
                if not part.get("more_body"):
                    break
            self.handshake = Handshake(first["status"], first.get("headers", []), body)
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.inbound.put({"type": "websocket.disconnect", "code": 1000})
        if self.task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self.task, 5)

    async def _next(self, timeout: float = 5.0) -> dict:
        return await asyncio.wait_for(self.outbound.get(), timeout)

    async def send(self, message: dict) -> None:
        await self.inbound.put({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive(self, timeout: float = 5.0) -> dict:
        """The next message; Closed when the app closed the socket."""
        message = await self._next(timeout)
        if message["type"] == "websocket.close":
            raise Closed(message.get("code", 1000), message.get("reason") or "")
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def init(self, token: str | None) -> dict:
        """connection_init with the token; the server's answer (connection_ack)."""
        await self.send({"type": "connection_init",
                         "payload": {"authorization": f"Bearer {token}"} if token else {}})
        return await self.receive()
