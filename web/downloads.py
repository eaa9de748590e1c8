"""Downloads behind the same edge, permissions and audit as GraphQL: the audit trail as CSV
and the weekly report as XLSX or CSV. Refusals raise; the edge answers and records them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import request_response

from policies import Actor, ActorKind
from resolvers import audit_log, clock, reads
from resolvers.audit_log import AuditOutcome
from resolvers.errors import BadInput
from resolvers.metrics.report import weekly_report


class LagTolerant:
    """A download whose reads may come from the read replica (resolvers/reads.py), for the
    whole response, streamed rows included; its audit entry is written on the primary."""

    def __init__(self, endpoint: Any) -> None:
        self.app = request_response(endpoint)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        with reads.reads_from_replica():
            await self.app(scope, receive, send)


def _actor(request: Request) -> Actor:
    return request.state.actor if hasattr(request.state, "actor") else Actor(kind=ActorKind.ANONYMOUS)


def _outcome(value: str | None) -> AuditOutcome | None:
    if value is None:
        return None
    try:
        return AuditOutcome(value)
    except ValueError:
        raise BadInput(f"outcome must be one of {', '.join(o.value for o in AuditOutcome)}",
                       field="outcome") from None


async def audit_csv(request: Request) -> Any:
    """GET /audit/export.csv?from=&to=&actor=&action=&objectType=&objectId=&unitCode=&outcome=
    (`from` and `to` are dates, whole local days, or ISO date-times)."""
    request.state.audit_action = "audit:export"
    params = request.query_params
    flt = audit_log.AuditFilter(
        actor=params.get("actor"), action=params.get("action"),
        object_type=params.get("objectType"), object_id=params.get("objectId"),
        unit_code=params.get("unitCode"), outcome=_outcome(params.get("outcome")),
        at_from=clock.parse_instant(params["from"], field="from") if "from" in params else None,
        at_to=clock.parse_instant(params["to"], field="to") if "to" in params else None)
    rows = await audit_log.export_csv(actor=_actor(request), flt=flt)
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="audit.csv"'})


async def weekly(request: Request) -> Any:
    """GET /reports/weekly.{xlsx,csv}?unitCode=&weekEnding=YYYY-MM-DD (default: today, local)."""
    request.state.audit_action = "report:weekly"
    params = request.query_params
    week_ending = None
    if "weekEnding" in params:
        week_ending = clock.parse_instant(params["weekEnding"], field="weekEnding")
    content, filename, media_type = await weekly_report(
        actor=_actor(request), unit_code=params.get("unitCode"), week_ending=week_ending,
        fmt=request.path_params["format"])
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
