"""A real browser against a real server: the app served by uvicorn on a free port of this
machine, over the test's own database, and Debian's Chromium driven by Playwright.

Chromium is the system's (`make install` installs Debian's package as root): browser downloads
do not work on these machines. Where there is none, the browser tests are skipped, saying why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn

from app import create_app
from config import Settings

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags the closed network refuses Chromium's own calls
# home, which slows every launch; Playwright adds --headless and a fresh --user-data-dir.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def why_no_browser() -> str | None:
    """None when the browser tests can run, else the reason they cannot."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "browser tests skipped: the playwright package is missing (run `make install`)"
    if not os.access(CHROMIUM, os.X_OK):
        return (f"browser tests skipped: no Chromium at {CHROMIUM} (`make install` installs "
                "Debian's chromium package when run as root with apt-get)")
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """The app (`create_app(settings)`, its own ORM over the test's database) served by
    uvicorn in a thread on a free port; yields its base URL. A thread, not a subprocess:
    importing the app costs seconds, and the browser tests start a server each."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"uvicorn:{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
