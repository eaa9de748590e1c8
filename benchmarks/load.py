"""The load generator of `make bench`: one process (pinned to its own core by the caller) that
keeps `concurrency` requests in flight for a while and prints what it saw as JSON.

    python -m benchmarks.load SPEC.json   →   {"latencies_ms": [...], "completed": n,
                                               "warmup_completed": n, ...}

SPEC: {"url", "concurrency", "seconds", "warmup", and either "requests": [{"body", "headers"}]
(sent in turn, each worker starting at its own offset) or "path": {"receive": {...},
"steps": [{"action", "headers"}]} (a complete path per iteration: receive, then each step on
the dossier received; the latency is the whole path's)}. aiohttp, keep-alive connections.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp


class Failed(Exception):
    pass


async def _post(session: aiohttp.ClientSession, url: str, body: bytes, headers: dict) -> bytes:
    async with session.post(url, data=body, headers=headers) as response:
        text = await response.read()
        if response.status != 200 or b'"errors":[' in text:  # a partial answer counts as failed
            raise Failed(f"HTTP {response.status}: {text[:300]!r}")
        return text


def _prepared(request: dict) -> tuple[bytes, dict]:
    return json.dumps(request["body"]).encode(), {"content-type": "application/json",
                                                   **request.get("headers", {})}


async def _requests(session: aiohttp.ClientSession, spec: dict, worker: int, until: float,
                    record: bool, out: dict) -> None:
    requests = [_prepared(r) for r in spec["requests"]]
    i = worker * 7
    while (now := time.perf_counter()) < until:
        body, headers = requests[i % len(requests)]
        i += 1
        try:
            await _post(session, spec["url"], body, headers)
        except (Failed, aiohttp.ClientError) as failure:
            out["errors"] += 1
            out["error"] = out["error"] or str(failure)
            continue
        if record:
            out["latencies_ms"].append((time.perf_counter() - now) * 1000)


async def _paths(session: aiohttp.ClientSession, spec: dict, worker: int, until: float,
                 record: bool, out: dict) -> None:
    receive, steps = spec["path"]["receive"], spec["path"]["steps"]
    body, headers = _prepared(receive)
    while (now := time.perf_counter()) < until:
        try:
            answer = json.loads(await _post(session, spec["url"], body, headers))
            code = next(iter(answer["data"].values()))["dossier"]["code"]
            for step in steps:
                request = {"body": {**step["body"], "variables": {"code": code, "action": step["action"]}},
                           "headers": step["headers"]}
                await _post(session, spec["url"], *_prepared(request))
        except (Failed, aiohttp.ClientError, KeyError, ValueError) as failure:
            out["errors"] += 1
            out["error"] = out["error"] or str(failure)
            continue
        if record:
            out["latencies_ms"].append((time.perf_counter() - now) * 1000)


async def run(spec: dict) -> dict[str, Any]:
    work = _paths if "path" in spec else _requests
    out: dict[str, Any] = {"latencies_ms": [], "errors": 0, "error": None}
    warm: dict[str, Any] = {"latencies_ms": [], "errors": 0, "error": None}
    connector = aiohttp.TCPConnector(limit=spec["concurrency"], force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(work(session, spec, w, start + spec["warmup"], True, warm)
                               for w in range(spec["concurrency"])))
        start = time.perf_counter()
        await asyncio.gather(*(work(session, spec, w, start + spec["seconds"], True, out)
                               for w in range(spec["concurrency"])))
        out["seconds"] = time.perf_counter() - start
    out["completed"] = len(out["latencies_ms"])
    out["warmup_completed"] = len(warm["latencies_ms"])  # for the CPU per request (bench.py)
    out["errors"] += warm["errors"]
    out["error"] = out["error"] or warm["error"]
    return out


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    print(json.dumps(asyncio.run(run(spec))))
