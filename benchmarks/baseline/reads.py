"""The reads of the bench, as motcua answers them: (a) a page, (b) one dossier, (e) the audit
trail by actor. Each returns the `data` of the GraphQL answer, fields in the document's order."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from benchmarks.baseline.auth import Caller, Policy, covers
from benchmarks.baseline.metrics import LOCAL_TZ

COLUMNS_LIKE = 'CAST("unit_path" AS VARCHAR) LIKE $1 ESCAPE \'\\\''
PAGE = f'SELECT * FROM dossiers WHERE {COLUMNS_LIKE} ORDER BY "id" DESC LIMIT $2'
ONE = f'SELECT * FROM dossiers WHERE "code" = $2 AND {COLUMNS_LIKE} LIMIT $3'
PROCEDURES = 'SELECT * FROM procedures WHERE "id" IN ({})'
UNITS = 'SELECT * FROM administrative_units WHERE "id" IN ({})'
EVENTS = 'SELECT * FROM dossier_events WHERE "dossier_id" IN ({}) ORDER BY "id" ASC'
AUDIT = ('SELECT * FROM audit_entries WHERE (' + COLUMNS_LIKE + ' OR "unit_path" IS NULL) '
         'AND "actor_username" = $2 ORDER BY "id" DESC LIMIT $3')


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(LOCAL_TZ).isoformat()  # as the API answers


def cursor(kind: str, key: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def mask(value: str | None) -> str | None:
    return None if value is None else "*" * max(len(value) - 3, 0) + value[-3:]


def timeliness(row: Any, now: datetime) -> str:
    if row["timeliness"] is not None:
        return row["timeliness"]
    if row["status"] == "NEW" or row["legal_due_at"] is None:
        return "PENDING"
    return "OVERDUE" if (row["paused_at"] or now) > row["legal_due_at"] else "PENDING"


def like(prefixes: tuple[str, ...] | None) -> str:
    """The one prefix the bench's callers have (motcua ORs several; none of them has two)."""
    if prefixes is None or len(prefixes) != 1:
        raise NotImplementedError("the baseline serves callers with one jurisdiction prefix")
    return prefixes[0].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _in(sql: str, keys: list[int]) -> tuple[str, list[int]]:
    """An IN list with one parameter per key, as the DataLoaders send it."""
    return sql.format(",".join(f"${i}" for i in range(1, len(keys) + 1))), keys


async def _relations(conn, rows: list[Any]) -> tuple[dict, dict, dict]:  # noqa: ANN001
    if not rows:
        return {}, {}, {}
    sql, keys = _in(PROCEDURES, list(dict.fromkeys(r["procedure_id"] for r in rows)))
    procedures = {r["id"]: r for r in await conn.fetch(sql, *keys)}
    sql, keys = _in(UNITS, list(dict.fromkeys(r["unit_id"] for r in rows)))
    units = {r["id"]: r for r in await conn.fetch(sql, *keys)}
    events: dict[int, list[Any]] = {}
    sql, keys = _in(EVENTS, [r["id"] for r in rows])
    for event in await conn.fetch(sql, *keys):
        events.setdefault(event["dossier_id"], []).append(event)
    return procedures, units, events


def _events(rows: list[Any]) -> list[dict]:
    return [{"at": iso(e["at"]), "action": e["action"], "fromStatus": e["from_status"],
             "toStatus": e["to_status"], "actor": {"username": e["actor_username"]}, "note": e["note"]}
            for e in rows]


async def page(conn, policy: Policy, caller: Caller, first: int) -> dict:  # noqa: ANN001
    rows = await conn.fetch(PAGE, like(policy.scope(caller, "dossier", "read")), first + 1)
    shown, now = rows[:first], datetime.now(UTC)
    procedures, units, events = await _relations(conn, shown)
    edges = []
    for row in shown:
        procedure, unit = procedures[row["procedure_id"]], units[row["unit_id"]]
        edges.append({"cursor": cursor("dossier", row["id"]), "node": {
            "code": row["code"], "status": row["status"], "channel": row["channel"],
            "receivedAt": iso(row["received_at"]), "dueAt": iso(row["due_at"]),
            "timeliness": timeliness(row, now), "applicant": {"name": row["applicant_name"]},
            "procedure": {"code": procedure["code"], "name": procedure["name"]},
            "unit": {"code": unit["code"], "name": unit["name"]},
            "events": _events(events.get(row["id"], []))}})
    info = {"hasNextPage": len(rows) > first, "endCursor": edges[-1]["cursor"] if edges else None}
    return {"dossiers": {"edges": edges, "pageInfo": info}}


async def one(conn, policy: Policy, caller: Caller, code: str) -> dict:  # noqa: ANN001
    if not 0 < len(code) <= 48:
        return {"dossier": None}
    row = await conn.fetchrow(ONE, like(policy.scope(caller, "dossier", "read")), code, 1)
    if row is None:
        return {"dossier": None}
    procedures, units, events = await _relations(conn, [row])
    procedure, unit = procedures[row["procedure_id"]], units[row["unit_id"]]
    clear = covers(policy.scope(caller, "dossier", "read_pii"), row["unit_path"])
    address = row["applicant_address"]
    return {"dossier": {
        "code": row["code"], "status": row["status"],
        "nationalStatusCode": row["national_status_code"], "channel": row["channel"],
        "receivedAt": iso(row["received_at"]), "dueAt": iso(row["due_at"]),
        "legalDueAt": iso(row["legal_due_at"]), "finishedAt": iso(row["finished_at"]),
        "returnedAt": iso(row["returned_at"]), "timeliness": timeliness(row, datetime.now(UTC)),
        "fee": row["fee"], "paidOnline": row["paid_online"], "version": row["version"],
        "applicant": {
            "name": row["applicant_name"], "kind": row["applicant_kind"],
            "idNumber": row["applicant_id_number"] if clear else mask(row["applicant_id_number"]),
            "phone": row["applicant_phone"] if clear else mask(row["applicant_phone"]),
            "address": address if clear else (address and "***")},
        "procedure": {"code": procedure["code"], "name": procedure["name"],
                      "processingDays": procedure["processing_days"]},
        "unit": {"code": unit["code"], "name": unit["name"]},
        "events": _events(events.get(row["id"], []))}}


def _audit_like(prefixes: tuple[str, ...] | None) -> str:
    # An entry tied to no unit is visible to province-level auditors only (`/49/`).
    if prefixes is None or len(prefixes) != 1 or prefixes[0].count("/") != 2:
        raise NotImplementedError("the baseline serves province-level auditors")
    return like(prefixes)


async def audit_log(conn, policy: Policy, caller: Caller, actor: str, first: int) -> dict:  # noqa: ANN001
    if ("INSPECTOR", "audit", "read") not in policy.allowed:
        raise NotImplementedError("the baseline serves inspectors")
    rows = await conn.fetch(AUDIT, _audit_like(policy.scope(caller, "audit", "read")), actor[:150],
                            first + 1)
    edges = [{"cursor": cursor("audit", r["id"]), "node": {
        "id": r["id"], "at": iso(r["at"]), "action": r["action"], "outcome": r["outcome"],
        "objectType": r["object_type"], "objectId": r["object_id"],
        "operationName": r["operation_name"],
        "actor": {"kind": r["actor_kind"], "username": r["actor_username"]}}} for r in rows[:first]]
    info = {"hasNextPage": len(rows) > first, "endCursor": edges[-1]["cursor"] if edges else None}
    return {"auditLog": {"edges": edges, "pageInfo": info}}
