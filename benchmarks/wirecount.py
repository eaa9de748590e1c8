"""A TCP proxy in front of PostgreSQL that counts the statements each client connection sends.

It reads the frontend protocol: a simple query (`Q`) counts as one statement, and so does each
`Execute` (`E`) of the extended protocol (asyncpg's prepared statements: `Parse` alone runs
nothing). `BEGIN` and `COMMIT` are statements like any other, so a count here is what the
server executes, whatever the driver or the ORM logs. The SQL of each statement is kept (from
the `Q` text, or the `Parse` behind the executed portal), with the connection that sent it.

Used by the shape tests (statements and connections per request) and by `make bench`
(statements per request of each system). An `SSLRequest` is answered "no" by the proxy itself,
so every client talks plain protocol through it (the local server has SSL off anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


@dataclass
class Statement:
    connection: int
    sql: str


@dataclass
class Window:
    """What was sent between two moments (see `WireCounter.window`)."""

    statements: list[Statement] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def resets(self) -> int:
        """asyncpg's reset of a connection given back to its pool (`… RESET ALL;`): one round
        trip per release, so a request that takes a connection per statement pays one each."""
        return sum(1 for s in self.statements if "RESET ALL" in s.sql)

    @property
    def connections(self) -> set[int]:
        return {s.connection for s in self.statements}

    def sql(self) -> list[str]:
        return [s.sql for s in self.statements]


class WireCounter:
    """`await WireCounter(host, port).start()`; then connect to 127.0.0.1:`.port`."""

    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5432) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.log: list[Statement] = []
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, port: int = 0) -> WireCounter:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    @property
    def count(self) -> int:
        return len(self.log)

    @contextlib.contextmanager
    def window(self) -> Iterator[Window]:
        """The statements sent inside the `with` block (filled in when it ends)."""
        start, result = len(self.log), Window()
        try:
            yield result
        finally:
            result.statements = self.log[start:]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, upstream_writer))
        link = next(self._ids)
        await asyncio.gather(self._frontend(link, reader, writer, upstream_writer),
                             self._pipe(upstream_reader, writer), return_exceptions=True)
        self._writers.difference_update((writer, upstream_writer))

    async def _frontend(self, link: int, reader: asyncio.StreamReader,
                        client: asyncio.StreamWriter, upstream: asyncio.StreamWriter) -> None:
        prepared: dict[bytes, str] = {}
        portals: dict[bytes, str] = {}
        try:
            while True:  # the untyped start-up packets: SSL / GSS requests, then StartupMessage
                head = await reader.readexactly(8)
                length, code = struct.unpack("!II", head)
                body = await reader.readexactly(length - 8)
                if code in (SSL_REQUEST, GSSENC_REQUEST):
                    client.write(b"N")  # no encryption through the proxy
                    await client.drain()
                    continue
                upstream.write(head + body)
                await upstream.drain()
                break
            while True:
                kind = await reader.readexactly(1)
                size = struct.unpack("!I", await reader.readexactly(4))[0]
                body = await reader.readexactly(size - 4)
                if kind == b"Q":
                    self.log.append(Statement(link, body[:-1].decode(errors="replace")))
                elif kind == b"P":
                    name, rest = body.split(b"\0", 1)
                    prepared[name] = rest.split(b"\0", 1)[0].decode(errors="replace")
                elif kind == b"B":
                    portal, rest = body.split(b"\0", 1)
                    portals[portal] = prepared.get(rest.split(b"\0", 1)[0], "?")
                elif kind == b"E":
                    portal = body.split(b"\0", 1)[0]
                    self.log.append(Statement(link, portals.get(portal, "?")))
                upstream.write(kind + struct.pack("!I", size) + body)
                await upstream.drain()
                if kind == b"X":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                upstream.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
