"""(d) The write path: receive an in-person dossier, then START_PROCESSING, FINISH and
RETURN_RESULT, with motcua's statements, rollups and chained entries (other actions and
channels are not part of the bench and are refused)."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from benchmarks.baseline import trail
from benchmarks.baseline.auth import Caller, Policy, covers
from benchmarks.baseline.metrics import COUNTERS, LOCAL_TZ
from benchmarks.baseline.reads import timeliness
from resolvers.calendar import WorkingCalendar, calendar_for
from resolvers.dossiers.snapshot import AUDITED
from resolvers.dossiers.timing import start
from resolvers.timelimits import terms

STATUSES = ("NEW", "RECEIVED", "NOT_ACCEPTED", "IN_PROCESSING", "SUPPLEMENT_REQUESTED",
            "PAYMENT_REQUESTED", "WITHDRAWN", "STOPPED", "FINISHED", "RETURNED")
END_STATES = {"NOT_ACCEPTED", "WITHDRAWN", "STOPPED", "FINISHED", "RETURNED"}
# The actions of the bench's path, from the status each starts at.
PATH = {("RECEIVED", "START_PROCESSING"): "IN_PROCESSING", ("IN_PROCESSING", "FINISH"): "FINISHED",
        ("FINISHED", "RETURN_RESULT"): "RETURNED"}
# The version in force today (codes are re-used across reorganisations), as motcua asks.
UNIT = ('SELECT * FROM administrative_units WHERE ("valid_from" IS NULL OR "valid_from" <= $1) '
        'AND ("valid_to" IS NULL OR "valid_to" > $1) AND "code" = $2 LIMIT $3')
PROCEDURE = 'SELECT * FROM procedures WHERE "code" = $1 LIMIT $2'
PROCEDURE_BY_ID = 'SELECT * FROM procedures WHERE "id" = $1 LIMIT $2'
AGENCY = 'SELECT * FROM agencies WHERE "unit_id" = $1 ORDER BY "id" ASC LIMIT $2'
OVERRIDES = 'SELECT "day", "note", "is_working_day" FROM calendar_overrides'
COUNTER = ("INSERT INTO dossier_code_counters (agency_id, day, last_sequence) VALUES ($1, $2, 1) "
           "ON CONFLICT (agency_id, day) DO UPDATE "
           "SET last_sequence = dossier_code_counters.last_sequence + 1 RETURNING last_sequence")
INSERTED = ("code", "procedure_id", "unit_id", "agency_id", "unit_path", "channel", "status",
            "national_status_code", "applicant_name", "applicant_kind", "applicant_id_number",
            "applicant_phone", "applicant_address", "search_text", "submitted_at", "received_at",
            "time_amount", "time_unit", "clock_started_at", "legal_due_at", "due_at", "finished_at",
            "returned_at", "ended_at", "timeliness",
            "supplement_count", "paused_at", "extension_reason", "extended_at", "fee", "paid_online",
            "paid_at", "components_digitized", "result_electronic", "certified_copies_electronic",
            "reused_digitized_data", "synced_to_portal_at", "processing_days", "idempotency_key",
            "idempotency_fingerprint", "version", "created_at", "updated_at", "received_unit_id",
            "unit_history", "desk_unit_id", "desk_path")
INSERT = (f"INSERT INTO dossiers ({', '.join(INSERTED)}) "
          f"VALUES ({', '.join(f'${i}' for i in range(1, len(INSERTED) + 1))}) RETURNING id")
EVENT = ('INSERT INTO dossier_events ("at", "action", "from_status", "to_status", "actor_username", '
         '"note", "dossier_id") VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING "id"')
BY_CODE = 'SELECT * FROM dossiers WHERE "code" = $1 LIMIT $2'
BY_ID = 'SELECT * FROM dossiers WHERE "id" = $1 LIMIT $2'


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(str.maketrans({"đ": "d", "Đ": "d"})))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def local_date(instant: datetime) -> date:
    return instant.astimezone(LOCAL_TZ).date()


async def calendar(conn) -> WorkingCalendar:  # noqa: ANN001
    rows = await conn.fetch(OVERRIDES)
    return calendar_for(frozenset((r["day"], bool(r["is_working_day"])) for r in rows))


def snapshot(d: dict[str, Any], *, masked: bool = False) -> dict[str, Any]:
    values = {}
    for name in AUDITED:
        value = d[name]
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        if masked and name in trail.MASKED and value is not None:
            value = "***"
        values[name] = value
    return values


def contribution(d: Any) -> dict[date, Counter[str]]:
    days: dict[date, Counter[str]] = {}
    if d["received_at"] is None:
        return days
    days.setdefault(local_date(d["received_at"]), Counter()).update({
        "received": 1, f"received_{d['channel'].lower()}": 1, "received_with_fee": int(d["fee"] > 0),
        "paid_online": int(d["paid_online"]), "components_digitized": int(d["components_digitized"]),
        "certified_copies_electronic": int(d["certified_copies_electronic"]),
        "reused_digitized_data": int(d["reused_digitized_data"]),
        "synced_to_portal": int(d["synced_to_portal_at"] is not None)})
    if d["ended_at"] is not None:
        days.setdefault(local_date(d["ended_at"]), Counter()).update({
            "resolved": 1, f"resolved_{d['timeliness'].lower()}": 1,
            "processing_days_sum": d["processing_days"] or 0,
            "results_electronic": int(d["result_electronic"])})
    if d["legal_due_at"] is not None:  # as resolvers/metrics/rollups.py counts deadlines
        past_due = local_date(d["legal_due_at"]) + timedelta(days=1)
        days.setdefault(past_due, Counter()).update({"fallen_due": 1})
        if d["ended_at"] is not None:
            days.setdefault(max(past_due, local_date(d["ended_at"])), Counter()).update(
                {"fallen_due_ended": 1})
    return days


def delta(before: dict, after: dict) -> dict[date, Counter[str]]:
    changes = {}
    for day in set(before) | set(after):
        change = Counter(after.get(day, Counter()))
        change.subtract(before.get(day, Counter()))
        if change := Counter({k: v for k, v in change.items() if v}):
            changes[day] = change
    return changes


async def _upsert(conn, table: str, keys: dict[str, Any], counters: Counter[str]) -> None:  # noqa: ANN001
    names = [n for n in COUNTERS if counters.get(n)]
    if not names:
        return
    columns = [*keys, *COUNTERS]
    conflict = ", ".join(k for k in keys if k != "unit_path")
    updates = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in names)
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        f"({', '.join(f'${i}' for i in range(1, len(columns) + 1))}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
        *keys.values(), *(counters.get(n, 0) for n in COUNTERS))


async def rollups(conn, d: Any, changes: dict[date, Counter[str]]) -> None:  # noqa: ANN001
    months: dict[date, Counter[str]] = {}
    for day, counters in sorted(changes.items()):
        await _upsert(conn, "unit_daily_stats",
                      {"unit_id": d["unit_id"], "unit_path": d["unit_path"], "day": day}, counters)
        months.setdefault(day.replace(day=1), Counter()).update(counters)
    for month, counters in sorted(months.items()):
        if any(counters.values()):
            await _upsert(conn, "unit_procedure_monthly_stats",
                          {"unit_id": d["unit_id"], "procedure_id": d["procedure_id"],
                           "unit_path": d["unit_path"], "month": month}, counters)


def _answer(root: str, d: dict[str, Any], fields: tuple[str, ...]) -> dict:
    values = {"code": d["code"], "status": d["status"], "version": d["version"],
              "dueAt": d["due_at"].astimezone(LOCAL_TZ).isoformat() if d["due_at"] else None,
              "timeliness": timeliness(d, datetime.now(UTC))}
    return {root: {"dossier": {name: values[name] for name in fields}}}


async def receive(conn, policy: Policy, caller: Caller, key: bytes, given: dict) -> dict:  # noqa: ANN001
    applicant = given["applicant"]
    unit = await conn.fetchrow(UNIT, local_date(datetime.now(UTC)), given["unitCode"], 1)
    if unit is None or given["channel"] != "IN_PERSON" or \
            not covers(policy.scope(caller, "dossier", "receive"), unit["path"]):
        raise NotImplementedError("the baseline receives in-person dossiers in jurisdiction")
    procedure = await conn.fetchrow(PROCEDURE, given["procedureCode"], 2)
    agency = await conn.fetchrow(AGENCY, unit["id"], 1)
    if procedure is None or procedure["level"] != unit["level"] or agency is None:
        raise NotImplementedError("the baseline receives the bench's valid dossiers only")
    now = datetime.now(UTC)
    # The channel's limit and the clock's start, by the same pure functions motcua uses.
    fields = dict(procedure)
    if isinstance(fields.get("channel_terms"), str):
        fields["channel_terms"] = json.loads(fields["channel_terms"])
    limit_terms = terms(SimpleNamespace(**fields), "IN_PERSON")
    clock = {k: v.astimezone(UTC) for k, v in  # as the ORM stores them
             start(now, limit_terms.limit, await calendar(conn)).items()}
    name = unicodedata.normalize("NFC", applicant["name"]).strip()
    async with conn.transaction():
        sequence = await conn.fetchval(COUNTER, agency["id"], local_date(now))
        code = f"{agency['code']}-{local_date(now):%y%m%d}-{sequence:04d}"
        d: dict[str, Any] = dict(
            code=code, procedure_id=procedure["id"], unit_id=unit["id"], agency_id=agency["id"],
            unit_path=unit["path"], channel="IN_PERSON", status="RECEIVED", national_status_code=2,
            applicant_name=name, applicant_kind=applicant.get("kind", "CITIZEN"),
            applicant_id_number=applicant.get("idNumber"), applicant_phone=applicant.get("phone"),
            applicant_address=applicant.get("address"), search_text=fold(f"{code} {name}"),
            submitted_at=now, received_at=now, time_amount=limit_terms.limit.amount,
            time_unit=limit_terms.limit.unit.value, **clock, finished_at=None,
            returned_at=None, ended_at=None, timeliness=None, supplement_count=0, paused_at=None,
            extension_reason=None, extended_at=None, fee=limit_terms.fee, paid_online=False,
            paid_at=None, components_digitized=False, result_electronic=False,
            certified_copies_electronic=False, reused_digitized_data=False,
            synced_to_portal_at=None, processing_days=None, idempotency_key=None,
            idempotency_fingerprint=None, version=1, created_at=datetime.now(UTC),
            # The bench receives at the unit's own desk: received under it, handled there.
            received_unit_id=unit["id"], unit_history=str(unit["id"]), desk_unit_id=unit["id"],
            desk_path=unit["path"])
        d["updated_at"] = d["created_at"]
        d["id"] = await conn.fetchval(INSERT, *(d[c] for c in INSERTED))
        await conn.fetchval(EVENT, now, "RECEIVE", None, "RECEIVED", caller.username, None, d["id"])
        await rollups(conn, d, contribution(d))
        # As motcua writes it: only the fields the reception sets.
        changes = {**{k: [None, v] for k, v in snapshot(d, masked=True).items() if v is not None},
                   "desk": [None, unit["code"]]}
        await trail.seal(conn, key, trail.entry(caller, "dossier:receive", "Receive",
                                                object_type="Dossier", object_id=code,
                                                unit_path=unit["path"], changes=changes))
    return _answer("receiveDossier", d, ("code", "status", "version", "dueAt", "timeliness"))


async def transition(conn, policy: Policy, caller: Caller, key: bytes, code: str,  # noqa: ANN001
                     action: str) -> dict:
    row = await conn.fetchrow(BY_CODE, code, 2) if 0 < len(code) <= 48 else None
    if row is None or not covers(policy.scope(caller, "dossier", "read"), row["unit_path"]) or \
            not covers(policy.scope(caller, "dossier", action), row["unit_path"]) or \
            (row["status"], action) not in PATH or row["paused_at"] is not None:
        raise NotImplementedError("the baseline moves the bench's dossiers along its path")
    dossier, target = dict(row), PATH[(row["status"], action)]
    procedure = await conn.fetchrow(PROCEDURE_BY_ID, dossier["procedure_id"], 2)  # noqa: F841 (as motcua)
    cal, at = await calendar(conn), datetime.now(UTC)
    changes: dict[str, Any] = {}
    if action == "RETURN_RESULT":
        changes["returned_at"] = at
    if target in END_STATES and dossier["ended_at"] is None:
        legal_due = dossier["legal_due_at"]
        late = dossier["supplement_count"] > 1 or (legal_due is not None and at > legal_due)
        judged = "ON_TIME" if legal_due is None else "LATE" if late else \
            "EARLY" if local_date(at) < local_date(legal_due) else "ON_TIME"
        changes.update(ended_at=at, timeliness=judged)
        if dossier["received_at"] is not None:
            changes["processing_days"] = cal.working_days_between(local_date(dossier["received_at"]),
                                                                  local_date(at))
        if target == "FINISHED":
            changes["finished_at"] = at
    fields = {**changes, "status": target, "national_status_code": STATUSES.index(target) + 1,
              "updated_at": datetime.now(UTC)}
    assignments = ", ".join(f'"{k}" = ${i}' for i, k in enumerate(fields, 1))
    n = len(fields)
    async with conn.transaction():
        updated = await conn.execute(
            f'UPDATE dossiers SET {assignments}, "version" = "version" + ${n + 1} '
            f'WHERE "id" = ${n + 2} AND "version" = ${n + 3}',
            *fields.values(), 1, dossier["id"], dossier["version"])
        if updated != "UPDATE 1":
            raise NotImplementedError("a concurrent change: the bench never makes one")
        await conn.fetchval(EVENT, fields["updated_at"], action, dossier["status"], target,
                            caller.username, None, dossier["id"])
        fresh = dict(await conn.fetchrow(BY_ID, dossier["id"], 2))
        await rollups(conn, fresh, delta(contribution(dossier), contribution(fresh)))
        await trail.seal(conn, key, trail.entry(
            caller, f"dossier:{action}", "Transition", object_type="Dossier", object_id=code,
            unit_path=dossier["unit_path"], changes=trail.diff(snapshot(dossier), snapshot(fresh))))
    return _answer("transitionDossier", fresh, ("code", "status", "version", "timeliness"))
