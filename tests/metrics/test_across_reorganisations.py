"""Metrics across reorganisations are exact: random lives of dossiers interleaved with a
merge + abolished district level and a split (applied late, i.e. retroactively, and followed
by assignments), checked against a brute-force recount that follows each dossier's history.

The recount is the definition: a period is reported on the tree in force on its last day
(or today); each dossier counts under the version that handled it that day.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from models import AdministrativeUnit, Dossier, Procedure, UnitLevel
from models.errors import DomainError
from policies import SYSTEM
from resolvers import clock, lookups
from resolvers.dossiers import Applicant, Reception, receive_dossier, transition_dossier
from resolvers.lifecycle import TRANSITIONS
from resolvers.metrics import rollups, service
from resolvers.metrics.rollup_sql import PERIOD_COUNTERS
from resolvers.metrics.rollups import ROLLUP_COUNTERS, contribution, history_of
from resolvers.units import assign_dossier, parse_csv, reorganize
from tests.metrics.test_measures import rollup_rows
from tests.world import at, build_world

PROCEDURES = {UnitLevel.COMMUNE: "1.001193", UnitLevel.DISTRICT: "1.001612",
              UnitLevel.PROVINCE: "1.004227"}
PLANS = [
    # Applied on 20 March, effective 1 March: three weeks of dossiers at the old units move.
    (at("2026-03-20 10:00"), "old_code,new_code,effective_date,new_name\n"
     "20335,20335,2026-03-01,Phường Tam Kỳ\n20341,20335,2026-03-01,\n502,,2026-03-01,\n"),
    # A split with a rule for one part only: the rest waits for an administrator.
    (at("2026-05-05 10:00"), "old_code,new_code,effective_date,new_name,dossier_rule\n"
     "20401,20401,2026-05-01,Phường Hội An,address:Khóm 1\n"
     "20401,20402,2026-05-01,Phường Hội An Đông,address:Khóm 9\n"),
]
NOW = at("2026-07-15 10:00")
QUERIES = [  # (unit code, first, last): old tree, new tree, spanning, ragged
    ("49", date(2026, 2, 1), date(2026, 2, 28)), ("502", date(2026, 2, 1), date(2026, 2, 28)),
    ("20341", date(2026, 2, 1), date(2026, 2, 28)), ("20335", date(2026, 2, 1), date(2026, 2, 28)),
    ("49", date(2026, 3, 1), date(2026, 4, 30)), ("20335", date(2026, 3, 1), date(2026, 4, 30)),
    ("49", date(2026, 2, 1), date(2026, 7, 14)), ("20335", date(2026, 2, 1), date(2026, 7, 14)),
    ("503", date(2026, 2, 1), date(2026, 7, 14)), ("20402", date(2026, 2, 1), date(2026, 7, 14)),
    ("20401", date(2026, 3, 15), date(2026, 4, 30)), ("20401", date(2026, 2, 10), date(2026, 6, 20)),
    ("503", date(2026, 4, 10), date(2026, 5, 20)), ("49", date(2026, 2, 16), date(2026, 6, 10)),
]
ADDRESSES = ("Khóm 1, Minh An", "Khóm 9, Minh An", "Tổ 3, Minh An")


async def lives(monkeypatch, seed: int, steps: int) -> None:
    """Receptions, transitions, the plans at their time, and assignments, in time order."""
    rng = random.Random(seed)
    moment, plans = at("2026-02-02 08:00"), list(PLANS)
    codes = ["49", "502", "503", "20335", "20341", "20401", "20402"]
    for i in range(steps):
        moment += timedelta(hours=rng.choice([3, 9, 20, 30]))
        while plans and plans[0][0] <= moment:
            monkeypatch.setattr(clock, "now", lambda t=plans[0][0]: t)
            await reorganize(actor=SYSTEM, rows=parse_csv(plans.pop(0)[1]))
        monkeypatch.setattr(clock, "now", lambda t=moment: t)
        choice = rng.random()
        if choice < 0.4:
            unit = await lookups.unit_by_code(rng.choice(codes))
            if unit is not None:
                await receive_dossier(actor=SYSTEM, reception=Reception(
                    procedure_code=PROCEDURES[unit.level], unit_code=unit.code,
                    channel=rng.choice(["IN_PERSON", "ONLINE", "POSTAL"]),
                    applicant=Applicant(name=f"Người {i}", address=rng.choice(ADDRESSES)),
                    components_digitized=rng.random() < 0.5))
        elif choice < 0.95:
            dossier = await Dossier.filter(ended_at__isnull=True).order_by("id").offset(
                rng.randint(0, max(0, await Dossier.filter(ended_at__isnull=True).count() - 1))).first()
            if dossier is not None and TRANSITIONS[dossier.status]:
                try:
                    await transition_dossier(actor=SYSTEM, code=dossier.code,
                                             action=rng.choice(list(TRANSITIONS[dossier.status])))
                except DomainError:
                    pass
        else:
            waiting = await Dossier.filter(awaiting_assignment=True).first()
            if waiting is not None:
                await assign_dossier(actor=SYSTEM, code=waiting.code,
                                     unit_code=rng.choice(["20401", "20402"]))


def recount(rows: list[Dossier], units: dict[int, AdministrativeUnit], path: str, day: date,
            first: date, last: date) -> Counter:
    """The rollup measures by definition, from each dossier's history."""
    counts: Counter[str] = Counter()
    for dossier in rows:
        handler = next((units[i] for i in history_of(dossier) if units[i].in_force_on(day)), None)
        if handler is None or not handler.path.startswith(path):
            continue
        for when, values in contribution(dossier).items():
            if first <= when <= last:
                counts.update(values)
    return counts


@pytest.mark.parametrize("seed", [11, 12, 13])
async def test_every_measure_on_any_tree_matches_a_recount(db, monkeypatch, seed):
    await build_world()
    await lives(monkeypatch, seed, 160)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    rows = await Dossier.all()
    units = {u.id: u for u in await AdministrativeUnit.all()}
    assert sum(len(history_of(d)) > 1 for d in rows) > 10  # the plans moved dossiers
    for code, first, last in QUERIES:
        report = await service.compute(actor=SYSTEM, unit_code=code, first=first, last=last)
        expected = recount(rows, units, report.unit.path, min(last, NOW.date()), first, last)
        got = report.totals.counts
        assert {n: got[n] for n in ROLLUP_COUNTERS} == {n: expected[n] for n in ROLLUP_COUNTERS}, (
            code, first, last)
        by_month = await service.breakdown(report, service.BreakdownBy.MONTH)
        assert sum((m.counts for _, _, m in by_month), Counter())["received"] == expected["received"]
        per_procedure = await service.breakdown(report, service.BreakdownBy.PROCEDURE)
        procedures = {p.code: p.id for p in await Procedure.all()}
        for key, _, measures in per_procedure:
            mine = recount([d for d in rows if d.procedure_id == procedures[key]], units,
                           report.unit.path, min(last, NOW.date()), first, last)
            assert {n: measures.counts[n] for n in PERIOD_COUNTERS} == {
                n: mine[n] for n in PERIOD_COUNTERS}, (code, first, last, key)
    # and the rollups kept incrementally (receptions, transitions, moves, assignments) equal
    # those rebuilt from the rows
    live = await rollup_rows()
    await rollups.rebuild()
    assert live == await rollup_rows()


async def test_metrics_of_a_dissolved_unit_for_a_later_period_name_its_successor(db, monkeypatch):
    await build_world()
    monkeypatch.setattr(clock, "now", lambda: PLANS[0][0])
    await reorganize(actor=SYSTEM, rows=parse_csv(PLANS[0][1]))

    with pytest.raises(DomainError) as refused:
        await service.compute(actor=SYSTEM, unit_code="502", first=date(2026, 3, 1),
                              last=date(2026, 3, 10))

    assert refused.value.message == ("unit 502 (Thành phố Tam Kỳ) ended on 2026-03-01: report a "
                                     "period ending before that day, or on its successors 49")
    assert refused.value.field == "unitCode"
