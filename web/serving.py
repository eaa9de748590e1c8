"""uvicorn's HTTP protocol with TCP_NODELAY on every accepted socket (uvloop, the event
loop uvicorn picks when it is installed, sets it itself; asyncio's does not always).

asyncio turns Nagle's algorithm off only on sockets whose protocol number says TCP; the
socket uvicorn binds for `--workers N` is made without one, so the workers' connections kept
Nagle on, and a response written in two parts waited for the client's delayed ACK: about
45 ms per request (issue 15). With one worker asyncio already sets it; setting it again costs
nothing.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

PROTOCOL = "web.serving:NoDelayHttpToolsProtocol"  # for uvicorn.run(http=…): workers import it


def no_delay(transport: Any) -> None:
    """Turn Nagle's algorithm off on the transport's TCP socket (not on a Unix socket)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (C parser; what its "auto" picks), Nagle off."""

    def connection_made(self, transport: Any) -> None:
        no_delay(transport)
        super().connection_made(transport)
