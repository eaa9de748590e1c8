"""`/health`: the process answers (readiness with the database comes with the operations work)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


async def health(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})
