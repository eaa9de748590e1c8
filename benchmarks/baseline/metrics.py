"""(c) A unit's measures for a period with the breakdown by child unit, from the rollup, as
resolvers/metrics computes them (sums per unit in SQL, subtrees added up in Python)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from benchmarks.baseline.auth import Caller, Policy, covers

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
COUNTERS = ("received", "received_in_person", "received_online", "received_postal",
            "received_with_fee", "paid_online", "components_digitized", "certified_copies_electronic",
            "reused_digitized_data", "synced_to_portal", "resolved", "resolved_early",
            "resolved_on_time", "resolved_late", "processing_days_sum", "results_electronic",
            "fallen_due", "fallen_due_ended")
# The version in force today (codes are re-used across reorganisations), as motcua asks.
UNIT = ('SELECT * FROM administrative_units WHERE ("valid_from" IS NULL OR "valid_from" <= $1) '
        'AND ("valid_to" IS NULL OR "valid_to" > $1) AND "code" = $2 LIMIT $3')
ROLLUP = (f"SELECT unit_id, {', '.join(f'SUM({c}) AS {c}' for c in COUNTERS)} FROM unit_daily_stats "
          "WHERE unit_path LIKE $1 AND day >= $2 AND day <= $3 GROUP BY unit_id")
OPEN = ("SELECT unit_id, COUNT(*) AS in_progress, SUM(CASE WHEN (paused_at IS NULL AND "
        "legal_due_at < $2) OR (paused_at IS NOT NULL AND legal_due_at < paused_at) "
        "THEN 1 ELSE 0 END) AS overdue FROM dossiers WHERE unit_path LIKE $1 "
        "AND ended_at IS NULL AND received_at IS NOT NULL GROUP BY unit_id")
FEEDBACK = """SELECT unit_id,
  SUM(CASE WHEN kind = 'RATING' AND submitted_at >= $2 AND submitted_at < $3 THEN 1 ELSE 0 END) AS ratings,
  SUM(CASE WHEN kind = 'RATING' AND submitted_at >= $2 AND submitted_at < $3 AND rating >= 4
      THEN 1 ELSE 0 END) AS ratings_satisfied,
  SUM(CASE WHEN kind = 'COMPLAINT' AND due_at >= $2 AND due_at < $3 THEN 1 ELSE 0 END) AS complaints_due,
  SUM(CASE WHEN kind = 'COMPLAINT' AND due_at >= $2 AND due_at < $3 AND handled_at IS NOT NULL
      AND handled_at <= due_at THEN 1 ELSE 0 END) AS complaints_on_time,
  SUM(CASE WHEN kind = 'COMPLAINT' AND handled_at >= $2 AND handled_at < $3 AND satisfied IS NOT NULL
      THEN 1 ELSE 0 END) AS complaints_answered,
  SUM(CASE WHEN kind = 'COMPLAINT' AND handled_at >= $2 AND handled_at < $3 AND satisfied
      THEN 1 ELSE 0 END) AS complaints_satisfied
FROM feedback WHERE unit_path LIKE $1 GROUP BY unit_id"""
SUBTREE = 'SELECT * FROM administrative_units WHERE CAST("path" AS VARCHAR) LIKE $1 ESCAPE \'\\\''


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def measures(c: Counter[str]) -> dict:
    """The document's measures, in its order (in progress and overdue: live counts)."""
    return {
        "received": c["received"], "resolved": c["resolved"], "resolvedEarly": c["resolved_early"],
        "resolvedOnTime": c["resolved_on_time"], "resolvedLate": c["resolved_late"],
        "onTimeRate": _ratio(c["resolved_early"] + c["resolved_on_time"], c["resolved"]),
        "inProgress": c["in_progress"], "overdue": c["overdue"],
        "onlineRate": _ratio(c["received_online"], c["received"]),
        "digitizationRate": _ratio(c["components_digitized"], c["received"]),
        "averageProcessingDays": _ratio(c["processing_days_sum"], c["resolved"]),
    }


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


async def metrics(conn, policy: Policy, caller: Caller, unit_code: str, first: date,  # noqa: ANN001
                  last: date) -> dict:
    today = datetime.now(LOCAL_TZ).date()
    unit = await conn.fetchrow(UNIT, today, unit_code, 1) if 0 < len(unit_code) <= 16 else None
    if unit is None or last < first or not covers(policy.scope(caller, "metrics", "read"), unit["path"]):
        raise NotImplementedError("the baseline answers the bench's one metrics request")
    prefix = unit["path"] + "%"
    per_unit: dict[int, Counter[str]] = {}
    sources = ((ROLLUP, (first, last)), (OPEN, (datetime.now(UTC),)),
               (FEEDBACK, (_start(first), _start(last + timedelta(days=1)))))
    for sql, args in sources:
        for row in await conn.fetch(sql, prefix, *args):
            per_unit.setdefault(row["unit_id"], Counter()).update(
                {k: int(v or 0) for k, v in row.items() if k != "unit_id"})
    subtree = await conn.fetch(SUBTREE, prefix)
    # No scorecard is asked: motcua reads neither the catalogue nor the open-at-end counts.
    paths = {u["id"]: u["path"] for u in subtree}
    children = sorted((u for u in subtree if u["parent_id"] == unit["id"]), key=lambda u: u["code"])
    totals = sum(per_unit.values(), Counter())
    # the unit's own dossiers first, as motcua's breakdown by unit lists them
    own = sum((c for uid, c in per_unit.items() if not any(
        paths.get(uid, "").startswith(child["path"]) for child in children)), Counter())
    rows = [{"key": unit["code"], "label": f"{unit['name']} (tiếp nhận tại đơn vị)",
             "metrics": measures(own)}]
    for child in children:
        counts = sum((c for uid, c in per_unit.items()
                      if paths.get(uid, "").startswith(child["path"])), Counter())
        rows.append({"key": child["code"], "label": child["name"], "metrics": measures(counts)})
    return {"metrics": {"unit": {"code": unit["code"]}, **measures(totals), "breakdown": rows}}
