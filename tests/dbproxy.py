"""A TCP proxy in front of PostgreSQL that a test can take down or freeze.

`down()` closes every connection and refuses new ones (a stopped server); `freeze()` keeps
connections open but forwards nothing (a server that stopped answering); `up()` restores
normal service. Real sockets and a real server, so the driver sees what it would in production.
"""

from __future__ import annotations

import asyncio
import contextlib


class DatabaseProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.state = "up"
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._resumed = asyncio.Event()
        self._resumed.set()

    async def start(self) -> DatabaseProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        self.up()
        self._drop_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def up(self) -> None:
        self.state = "up"
        self._resumed.set()

    def down(self) -> None:
        self.state = "down"
        self._resumed.set()
        self._drop_all()

    def freeze(self) -> None:
        self.state = "frozen"
        self._resumed.clear()

    def _drop_all(self) -> None:
        for writer in list(self._links):
            writer.close()
        self._links.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.state == "down":
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._links.update((writer, upstream_writer))
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer),
                             return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                await self._resumed.wait()  # frozen: hold the bytes until resumed
                if self.state == "down":
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._links.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()
