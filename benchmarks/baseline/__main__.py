"""`python -m benchmarks.baseline --port P [--workers W]` (settings from the environment).

uvicorn runs as `app.py serve` runs motcua, so that only the application differs."""

from __future__ import annotations

import argparse

import uvicorn

parser = argparse.ArgumentParser(description="the hand-written baseline of make bench")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8100)
parser.add_argument("--workers", type=int, default=1)
args = parser.parse_args()
uvicorn.run("benchmarks.baseline.app:from_env", factory=True, host=args.host, port=args.port,
            workers=args.workers, proxy_headers=False, server_header=False)
