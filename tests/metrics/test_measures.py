"""Metrics are exact: random lives of dossiers checked against a brute-force recount."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from models import Dossier, Procedure, UnitDailyStats, UnitProcedureMonthlyStats
from models.errors import DomainError
from policies import SYSTEM
from resolvers import clock, deadlines
from resolvers.deadlines import ClockRules, PaymentClock, SupplementClock
from resolvers.dossiers import Applicant, Reception, receive_dossier, transition_dossier
from resolvers.lifecycle import allowed_actions
from resolvers.metrics import rollups, service
from tests.graphql import execute
from tests.world import at, build_world

UNIT_PROCEDURES = {"20335": "1.001193", "20341": "2.000908", "20401": "1.001193",
                   "502": "1.001612", "49": "1.004227"}
FIRST, LAST = date(2026, 3, 1), date(2026, 6, 30)


def brute_force(rows: list[Dossier], path: str, first: date, last: date, now: datetime) -> Counter:
    """The measures recomputed from the rows, in plain Python."""
    c: Counter[str] = Counter()
    local = clock.local_date
    for d in rows:
        if not d.unit_path.startswith(path) or d.received_at is None:
            continue
        if first <= local(d.received_at) <= last:
            c["received"] += 1
            c[f"received_{d.channel.value.lower()}"] += 1
            c["received_with_fee"] += d.fee > 0
            c["paid_online"] += d.paid_online
            c["components_digitized"] += d.components_digitized
        if d.ended_at is not None and first <= local(d.ended_at) <= last:
            c["resolved"] += 1
            c[f"resolved_{d.timeliness.value.lower()}"] += 1
            c["processing_days_sum"] += d.processing_days or 0
        if d.ended_at is None:
            c["in_progress"] += 1
            reference = d.paused_at or now
            c["overdue"] += reference > d.legal_due_at
    return c


async def random_lives(monkeypatch, seed: int, count: int) -> None:
    rng = random.Random(seed)
    for i in range(count):
        unit = rng.choice(list(UNIT_PROCEDURES))
        moment = at("2026-03-02 08:00") + timedelta(days=rng.randint(0, 110), hours=rng.randint(0, 9))
        monkeypatch.setattr(clock, "now", lambda moment=moment: moment)
        dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
            procedure_code=UNIT_PROCEDURES[unit], unit_code=unit,
            channel=rng.choice(["IN_PERSON", "ONLINE", "POSTAL"]),
            applicant=Applicant(name=f"Người nộp {i}"), components_digitized=rng.random() < 0.5,
            # some paper dossiers are checked at the desk first (refused, guided, accepted)
            accepted=False if rng.random() < 0.2 else None))
        for _ in range(rng.randint(0, 6)):
            allowed = allowed_actions(dossier.status, dossier.received_at is not None)
            if not allowed:
                break
            moment += timedelta(days=rng.choice([0, 1, 2, 5, 9]), hours=rng.randint(0, 5))
            monkeypatch.setattr(clock, "now", lambda moment=moment: moment)
            try:
                dossier = await transition_dossier(actor=SYSTEM, code=dossier.code,
                                                   action=rng.choice(allowed), note="Lý do")
            except DomainError:
                break


# The law's clock (restart after a supplement, payments stop it only in land procedures) and
# the other one a province may choose (resume, every payment stops it).
RULES = {"law": ClockRules(), "province": ClockRules(supplement=SupplementClock.RESUME,
                                                     payment=PaymentClock.PAUSE)}


@pytest.mark.parametrize("rules", sorted(RULES))
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_every_measure_matches_a_recount_from_the_rows(db, monkeypatch, seed, rules):
    monkeypatch.setattr(deadlines._State, "rules", RULES[rules])
    world = await build_world()
    await Procedure.filter(code="1.004227").update(payment_pauses_clock=True)  # a land-like one
    await random_lives(monkeypatch, seed, 40)
    now = at("2026-07-15 10:00")
    monkeypatch.setattr(clock, "now", lambda: now)
    rows = await Dossier.all()
    for code in ("49", "502", "20335", "503"):
        report = await service.compute(actor=SYSTEM, unit_code=code, first=FIRST, last=LAST)
        expected = brute_force(rows, world.units[code].path, FIRST, LAST, now)
        got = report.totals.counts
        for name in set(expected) | {"received", "resolved", "in_progress", "overdue"}:
            assert got[name] == expected[name], (code, name)
    # and the incremental rollups equal ones rebuilt from scratch
    live = await rollup_rows()
    await rollups.rebuild()
    assert live == await rollup_rows()


async def rollup_rows() -> tuple[list, list]:
    counters = rollups.ROLLUP_COUNTERS

    def nonzero(row) -> bool:
        return any(getattr(row, c) for c in counters)

    daily = sorted((r.unit_id, r.day, *[getattr(r, c) for c in counters])
                   for r in await UnitDailyStats.all() if nonzero(r))
    monthly = sorted((r.unit_id, r.procedure_id, r.month, *[getattr(r, c) for c in counters])
                     for r in await UnitProcedureMonthlyStats.all() if nonzero(r))
    return daily, monthly


@pytest.mark.parametrize(("first", "last"), [
    (date(2026, 3, 1), date(2026, 6, 30)),   # whole months: the monthly rollup only
    (date(2026, 3, 15), date(2026, 6, 10)),  # ragged edges: rollup plus the rows at the edges
    (date(2026, 4, 3), date(2026, 4, 20)),   # inside one month: the rows only
])
async def test_procedure_breakdown_matches_a_recount(db, monkeypatch, first, last):
    world = await build_world()
    await random_lives(monkeypatch, 5, 40)
    rows = await Dossier.all()
    report = await service.compute(actor=SYSTEM, unit_code="49", first=first, last=last)
    got = {key: m.counts for key, _, m in await service.breakdown(report, service.BreakdownBy.PROCEDURE)}
    codes = {p.id: p.code for p in await Procedure.all()}
    expected: dict[str, Counter] = {}
    for d in rows:
        counts = brute_force([d], world.units["49"].path, first, last, clock.now())
        counts.pop("in_progress", None), counts.pop("overdue", None)
        if any(counts.values()):
            expected.setdefault(codes[d.procedure_id], Counter()).update(counts)
    assert set(got) == set(expected)
    for code, counts in expected.items():
        for name, value in counts.items():
            assert got[code][name] == value, (code, name)


async def test_province_totals_equal_the_sum_of_its_children(db, monkeypatch):
    await build_world()
    await random_lives(monkeypatch, 7, 30)
    report = await service.compute(actor=SYSTEM, unit_code="49", first=FIRST, last=LAST)
    rows = await service.breakdown(report, service.BreakdownBy.UNIT)
    # the province's own dossiers are a row of their own, keyed by its code
    assert rows[0][0] == "49" and rows[0][2].counts == report.per_unit.get(
        report.unit.id, service.Measures()).counts
    summed = sum((m for _, _, m in rows), service.Measures())
    assert summed.counts == report.totals.counts
    months = await service.breakdown(report, service.BreakdownBy.MONTH)
    assert sum(m.received for _, _, m in months) == report.totals.received
    by_procedure = await service.breakdown(report, service.BreakdownBy.PROCEDURE)
    assert sum(m.resolved for _, _, m in by_procedure) == report.totals.resolved


METRICS = """query M($u: String, $f: Date!, $t: Date!) { metrics(unitCode: $u, from: $f, to: $t) {
  received resolved inProgress onTimeRate receivedByChannel { channel count }
  breakdown(by: UNIT) { key metrics { received } }
  scorecard { total maxTotal band groups { key score maxScore } ranking { rank unit { code } total } }
} }"""


async def test_a_transition_shows_in_the_very_next_query(db):
    world = await build_world()
    leader = world.actor("hung", ("LEADER", "502"))
    today = clock.local_date(clock.now()).isoformat()
    before = await execute(METRICS, leader, u="502", f=today, t=today)
    assert before.errors == []
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code="20335", channel="ONLINE",
        applicant=Applicant(name="Mai")))
    await transition_dossier(actor=SYSTEM, code=dossier.code, action="ACCEPT")
    after = await execute(METRICS, leader, u="502", f=today, t=today)
    assert after.data["metrics"]["received"] == before.data["metrics"]["received"] + 1
    assert after.data["metrics"]["inProgress"] == before.data["metrics"]["inProgress"] + 1
    await transition_dossier(actor=SYSTEM, code=dossier.code, action="WITHDRAW")
    final = await execute(METRICS, leader, u="502", f=today, t=today)
    assert final.data["metrics"]["resolved"] == 1 and final.data["metrics"]["inProgress"] == 0


async def test_metrics_respect_jurisdiction(db):
    world = await build_world()
    ward_leader = world.actor("lan", ("LEADER", "20335"))
    neighbour = await execute(METRICS, ward_leader, u="20341", f="2026-01-01", t="2026-12-31")
    assert neighbour.codes == ["FORBIDDEN"]
    upward = await execute(METRICS, ward_leader, u="502", f="2026-01-01", t="2026-12-31")
    assert upward.codes == ["FORBIDDEN"]
    own = await execute(METRICS, ward_leader, f="2026-01-01", t="2026-12-31")  # defaults to 20335
    assert own.errors == []
    specialist = await execute(METRICS, world.actor("s", ("SPECIALIST", "20335")), u="20335",
                               f="2026-01-01", t="2026-12-31")
    assert specialist.codes == ["FORBIDDEN"]  # no metrics:read in the default policy


async def test_metrics_refuse_an_inverted_period(db):
    world = await build_world()
    result = await execute(METRICS, world.actor("l", ("LEADER", "49")), u="49",
                           f="2026-12-31", t="2026-01-01")
    assert result.codes == ["BAD_USER_INPUT"] and result.errors[0]["extensions"]["field"] == "to"


async def test_scorecard_adds_up_and_ranks_children(db, monkeypatch):
    world = await build_world()
    await random_lives(monkeypatch, 11, 25)
    result = await execute(METRICS, world.actor("l", ("LEADER", "49")), u="49",
                           f=FIRST.isoformat(), t=LAST.isoformat())
    card = result.data["metrics"]["scorecard"]
    assert card["maxTotal"] == 100
    assert [g["maxScore"] for g in card["groups"]] == [18, 20, 12, 10, 22, 18]
    assert card["total"] == pytest.approx(sum(g["score"] for g in card["groups"]), abs=0.05)
    assert card["band"] in {"GREEN", "YELLOW", "ORANGE", "RED"}
    totals = [r["total"] for r in card["ranking"]]
    assert totals == sorted(totals, reverse=True)
    assert {r["unit"]["code"] for r in card["ranking"]} == {"502", "503"}


def test_bands_come_from_configuration():
    from resolvers.metrics import scorecard

    saved = scorecard._Bands.thresholds
    try:
        scorecard.configure([("RED", 0), ("GREEN", 90), ("AMBER", 60)])
        assert [scorecard.band(t) for t in (95, 89.9, 60, 10)] == ["GREEN", "AMBER", "AMBER", "RED"]
    finally:
        scorecard._Bands.thresholds = saved
