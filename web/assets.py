"""Pages and their files served by the app itself (the inspector console, GraphiQL's assets).

A route, not a mount, so the edge covers these paths like every other (rate limits, a bad
token refused and recorded). Starlette's `StaticFiles` does the careful part: a path that
leaves the directory, a symbolic link out of it or a null byte is 404; ETag and
Last-Modified with 304 answers. Each response carries the page's own Content-Security-Policy
(only this origin's scripts, styles and connections; no inline script), which the edge keeps
instead of its production default (`default-src 'none'`, which would block the page).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).resolve().parent

# Scripts, styles, fetches and images from this origin only; nothing inline, no frames, forms
# submit nowhere (the pages post with fetch), no <base> tricks.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")
# The console's files change with the code and have no hashed names: revalidate each time
# (a 304 is cheap). Vendored files sit under a versioned folder and never change.
REVALIDATE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"


class Assets:
    """GET/HEAD `/<prefix>/{<param>:path}` from one directory; the empty path is index.html."""

    def __init__(self, directory: Path, *, param: str = "file", csp: str = PAGE_CSP,
                 cache: dict[str, str] | None = None) -> None:
        self.files = StaticFiles(directory=directory, html=True)
        self.param = param
        self.csp = csp
        # Cache-Control by the first folder of the path; REVALIDATE for the rest.
        self.cache = cache or {}

    async def serve(self, request: Request) -> Response:
        asked = request.path_params.get(self.param, "")
        path = os.path.normpath(os.path.join(*asked.split("/"))) if asked else "."
        response = await self.files.get_response(path, request.scope)
        response.headers["Content-Security-Policy"] = self.csp
        top = asked.split("/", 1)[0] if "/" in asked else ""
        response.headers["Cache-Control"] = self.cache.get(top, REVALIDATE)
        return response


# Route endpoints are bound methods: Starlette would take a callable object for a raw ASGI app.
def console() -> Callable[[Request], Awaitable[Response]]:
    """The inspector console: plain ES modules, no build step."""
    return Assets(HERE / "console").serve


def graphiql() -> Callable[[Request], Awaitable[Response]]:
    """GraphiQL's page script and its vendored, pinned assets (development only)."""
    return Assets(HERE / "graphiql", param="asset", cache={"vendor": IMMUTABLE}).serve
