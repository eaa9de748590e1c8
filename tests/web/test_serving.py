"""TCP_NODELAY on the sockets of `serve --workers N` (issue 15: +45 ms per request without)."""

from __future__ import annotations

import socket

from web.serving import NoDelayHttpToolsProtocol, no_delay


class _Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str) -> object:
        return self.sock if name == "socket" else None


def test_an_accepted_socket_of_a_listener_made_as_uvicorn_binds_it_gets_no_delay():
    # given a listener made as uvicorn makes it for several workers (no protocol number, so
    # asyncio leaves Nagle on for what it accepts)
    listener = socket.socket(family=socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        assert accepted.proto == 0
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        # when the protocol takes the connection
        no_delay(_Transport(accepted))
        # then Nagle is off
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        for s in (client, accepted, listener):
            s.close()


def test_serve_uses_the_protocol(monkeypatch):
    import uvicorn

    import cli

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    args = cli.parser().parse_args(["serve", "--workers", "1"])
    cli.serve(args, cli.Settings.from_env())
    module, _, name = seen["http"].partition(":")
    assert getattr(__import__(module, fromlist=[name]), name) is NoDelayHttpToolsProtocol
