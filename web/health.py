"""`/healthz` (the process answers), `/readyz` (it can serve: database, migrations, audit
chain) and `/health` (the same as `/readyz`, kept for existing probes)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from resolvers import health


async def alive(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    state = await health.ready()
    if state.ready:
        return JSONResponse({"status": "ok", "checks": state.checks})
    retry = getattr(request.app.state, "retry_after", 5)
    # Shaped like every other failure (errors[].extensions.code), with the checks beside it.
    return JSONResponse({"status": "unavailable", "checks": state.checks, "errors": [{
        "message": "not ready: " + "; ".join(f"{k}: {v}" for k, v in state.checks.items() if v != "ok"),
        "extensions": {"code": "SERVICE_UNAVAILABLE"}}]},
        status_code=503, headers={"Retry-After": str(retry)})
