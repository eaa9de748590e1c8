"""Downloads over HTTP with the API's authentication, jurisdiction and audit: the audit
trail as CSV and the weekly report as XLSX or CSV."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from audit import record
from models.audit import AuditOutcome
from models.errors import DomainError, Unauthenticated
from policies import Actor
from resolvers import audit_log
from resolvers.metrics.report import weekly_report
from schema.http import Edge, authenticate, error, unauthenticated

STATUS = {"FORBIDDEN": 403, "BAD_USER_INPUT": 400, "NOT_FOUND": 404}


async def _caller(request: Request, edge: Edge) -> Actor | Response:
    try:
        return await authenticate(request, edge.keys)
    except Unauthenticated as failure:
        return unauthenticated(failure.message)


async def _refused(actor: Actor, action: str, failure: DomainError) -> Response:
    if failure.code == "FORBIDDEN":
        await record(actor=actor, action=action, outcome=AuditOutcome.DENIED, reason=failure.message)
    return error(STATUS.get(failure.code, 400), failure.code, failure.message)


async def audit_csv(request: Request, edge: Edge) -> Any:
    """GET /audit/export.csv?from=&to=&actor=&action=&objectType=&objectId=&unitCode=&outcome="""
    actor = await _caller(request, edge)
    if isinstance(actor, Response):
        return actor
    params = request.query_params
    try:
        flt = audit_log.AuditFilter(
            actor=params.get("actor"), action=params.get("action"),
            object_type=params.get("objectType"), object_id=params.get("objectId"),
            unit_code=params.get("unitCode"),
            outcome=AuditOutcome(params["outcome"]) if "outcome" in params else None,
            at_from=datetime.fromisoformat(params["from"]) if "from" in params else None,
            at_to=datetime.fromisoformat(params["to"]) if "to" in params else None)
        rows = await audit_log.export_csv(actor=actor, flt=flt)
    except ValueError as failure:
        return error(400, "BAD_USER_INPUT", f"bad query parameter: {failure}")
    except DomainError as failure:
        return await _refused(actor, "audit:export", failure)
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="audit.csv"'})


async def weekly(request: Request, edge: Edge) -> Any:
    """GET /reports/weekly.{xlsx,csv}?unitCode=&weekEnding=YYYY-MM-DD (default: today)."""
    actor = await _caller(request, edge)
    if isinstance(actor, Response):
        return actor
    params = request.query_params
    try:
        week_ending = date.fromisoformat(params["weekEnding"]) if "weekEnding" in params \
            else date.today()
    except ValueError:
        return error(400, "BAD_USER_INPUT", "weekEnding must be a date (YYYY-MM-DD)")
    try:
        content, filename, media_type = await weekly_report(
            actor=actor, unit_code=params.get("unitCode"), week_ending=week_ending,
            fmt=request.path_params["format"])
    except DomainError as failure:
        return await _refused(actor, "report:weekly", failure)
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
