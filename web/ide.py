"""GraphiQL as served by `GET /graphql` in a browser (development only), working offline.

The page loads React, ReactDOM and GraphiQL from `/graphiql/vendor/…`: the published files of
the versions pinned in `web/graphiql/package.json`, committed (`make graphiql-assets` refreshes
them), each with its Subresource Integrity hash from `vendor/manifest.json`. Its own script
(`/graphiql/page.js`) adds a sign-in bar that sends the token and renews it, and opens one
tab per example operation in `web/graphiql/examples/` (`NN-name.graphql`, with variables in
`NN-name.json` beside it). The examples travel in a JSON data block, which a strict
Content-Security-Policy allows (it is never executed), so the page needs no inline script.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from web.assets import PAGE_CSP

ROOT = Path(__file__).resolve().parent / "graphiql"
VENDOR = ROOT / "vendor" / "manifest.json"
PAGE = ROOT / "graphiql.html"


@dataclass(frozen=True)
class Example:
    name: str
    query: str
    variables: str | None


def examples(folder: Path = ROOT / "examples") -> list[Example]:
    """The example operations, in the order of their file names."""
    found = []
    for document in sorted(folder.glob("*.graphql")):
        variables = document.with_suffix(".json")
        found.append(Example(name=document.stem, query=document.read_text(encoding="utf-8"),
                             variables=variables.read_text(encoding="utf-8").strip()
                             if variables.exists() else None))
    return found


class GraphiQLPage:
    """The page's HTML, built once per process from the template, manifest and examples."""

    headers = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"}

    @cached_property
    def html(self) -> str:
        vendor = json.loads(VENDOR.read_text(encoding="utf-8"))

        def asset(name: str) -> dict[str, str]:
            entry = vendor[name]
            return {"src": "/graphiql/" + html.escape(entry["path"]),
                    "integrity": html.escape(entry["integrity"])}

        data = json.dumps([{"query": e.query, "variables": e.variables} for e in examples()],
                          ensure_ascii=False)
        # Nothing in the data block may close it: "<" never appears raw inside it.
        data = data.replace("<", "\\u003c")
        page = PAGE.read_text(encoding="utf-8")
        for name in ("react", "react-dom", "graphiql", "graphiql-css"):
            for key, value in asset(name).items():
                page = page.replace("{{" + f"{name}.{key}" + "}}", value)
        return page.replace("{{examples}}", data)
