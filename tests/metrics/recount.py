"""The scorecard's indicators recounted by brute force from the rows, in plain Python: the
sets of docs/scorecard.md written out once more, independently of the SQL and the rollup."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from models import Dossier, Feedback, Procedure
from models.units import UnitLevel
from resolvers import clock

LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)


def _in(instant: datetime | None, first: date, last: date) -> bool:
    return instant is not None and first <= clock.local_date(instant) <= last


def indicators(dossiers: list[Dossier], feedback: list[Feedback], procedures: list[Procedure],
               path: str, level: UnitLevel, first: date, last: date,
               now: datetime) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of every indicator for the unit at `path` and the period."""
    local = clock.local_date
    judged_on = min(last, local(now))
    c: Counter[str] = Counter()
    for d in dossiers:
        if not d.unit_path.startswith(path) or d.received_at is None:
            continue
        if _in(d.received_at, first, last):
            c.update(received=1, online=d.channel == "ONLINE", synced=d.synced_to_portal_at is not None,
                     with_fee=d.fee > 0, paid=d.paid_online, digitized=d.components_digitized,
                     certified=d.certified_copies_electronic, reused=d.reused_digitized_data)
        if _in(d.ended_at, first, last):
            c.update(resolved=1, in_time=d.timeliness in ("EARLY", "ON_TIME"),
                     electronic=d.result_electronic)
        if local(d.received_at) <= judged_on and (d.ended_at is None
                                                  or local(d.ended_at) > judged_on):
            overdue = d.legal_due_at is not None and local(d.legal_due_at) < judged_on
            c.update(open=1, open_in_time=not overdue)
    unsatisfied: set[int] = set()
    for f in feedback:
        if not f.unit_path.startswith(path):
            continue
        if _in(f.submitted_at, first, last) and f.dossier_id is not None and (
                f.kind == "COMPLAINT" or f.satisfaction == "NOT_SATISFIED"):
            unsatisfied.add(f.dossier_id)
        if f.kind == "COMPLAINT" and _in(f.due_at, first, last):
            c.update(due=1, on_time=f.handled_at is not None and f.handled_at <= f.due_at)
        if f.kind == "COMPLAINT" and _in(f.handled_at, first, last):
            late = f.due_at is not None and f.handled_at > f.due_at
            c.update(handled=1, handled_badly=late or f.satisfied is False)
    p: Counter[str] = Counter()
    applying = LEVELS[LEVELS.index(level):]
    for proc in procedures:
        if proc.level in applying:
            p.update(total=1, published=proc.published_on_time, updated=proc.updated_on_time,
                     complete=proc.content_complete, online=proc.online_level != "NONE",
                     with_fee=proc.fee > 0, payable=proc.fee > 0 and proc.payable_online)
    return {
        "procedures_published_on_time": (p["published"], p["total"]),
        "procedures_updated_on_time": (p["updated"], p["total"]),
        "procedures_content_complete": (p["complete"], p["total"]),
        "dossiers_synced_to_portal": (c["synced"], c["received"]),
        "dossiers_resolved_on_time": (c["in_time"] + c["open_in_time"], c["resolved"] + c["open"]),
        "procedures_online": (p["online"], p["total"]),
        "dossiers_filed_online": (c["online"], c["received"]),
        "procedures_payable_online": (p["payable"], p["with_fee"]),
        "dossiers_paid_online": (c["paid"], c["with_fee"]),
        "results_electronic": (c["electronic"], c["resolved"]),
        "components_digitized": (c["digitized"], c["received"]),
        "certified_copies_electronic": (c["certified"], c["received"]),
        "digitized_data_reused": (c["reused"], c["received"]),
        "complaints_handled_on_time": (c["on_time"], c["due"]),
        "complaint_handling_satisfaction": (c["handled"] - c["handled_badly"], c["handled"]),
        "dossier_handling_satisfaction": (max(0, c["resolved"] - len(unsatisfied)), c["resolved"]),
    }


# (group, max points, ((indicator, max points, full points from), …)) of the 2024 method,
# written out again so that a slip in resolvers/metrics/methods.py shows.
METHOD_2024 = (
    ("PUBLICITY", 18, (("procedures_published_on_time", 4, 1), ("procedures_updated_on_time", 4, 1),
                       ("procedures_content_complete", 4, 1), ("dossiers_synced_to_portal", 6, 1))),
    ("PROGRESS", 20, (("dossiers_resolved_on_time", 20, 1),)),
    ("ONLINE_SERVICE", 12, (("procedures_online", 6, 1), ("dossiers_filed_online", 6, 0.5))),
    ("ONLINE_PAYMENT", 10, (("procedures_payable_online", 5, 1), ("dossiers_paid_online", 5, 1))),
    ("DIGITISATION", 22, (("results_electronic", 6, 1), ("components_digitized", 6, 0.8),
                          ("certified_copies_electronic", 5, 0.8),
                          ("digitized_data_reused", 5, 0.8))),
    ("SATISFACTION", 18, (("complaints_handled_on_time", 6, 1),
                          ("complaint_handling_satisfaction", 6, 1),
                          ("dossier_handling_satisfaction", 6, 1))),
)


def group_scores(values: dict[str, tuple[int, int]]) -> dict[str, float]:
    """Each group's points: judged indicators rescaled to the group's maximum, 0 if none."""
    scores = {}
    for group, points, items in METHOD_2024:
        judged = [(w, min(1.0, n / d / full)) for key, w, full in items
                  for n, d in [values[key]] if d]
        weight = sum(w for w, _ in judged)
        scores[group] = points * sum(w * r for w, r in judged) / weight if weight else 0.0
    return scores
