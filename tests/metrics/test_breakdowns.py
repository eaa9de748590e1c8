"""Breakdowns whose rows add up to the totals, and a scorecard that stays on the rollups."""

from __future__ import annotations

from models import Dossier
from resolvers import clock, kept
from tests.graphql import execute
from tests.metrics.test_measures import random_lives
from tests.sqlcount import count_queries
from tests.world import at, build_world

COUNTS = ("received", "resolved", "resolvedEarly", "resolvedOnTime", "resolvedLate", "inProgress",
          "overdue")
FIELDS = " ".join(COUNTS) + " receivedByChannel { channel count }"
BREAKDOWN = ("query B($u: String, $f: Date!, $t: Date!, $by: BreakdownBy!) { "
             f"metrics(unitCode: $u, from: $f, to: $t) {{ {FIELDS} "
             f"breakdown(by: $by) {{ key label metrics {{ {FIELDS} }} }} }} }}")
NOW = at("2026-07-15 10:00")


def channels(measures: dict) -> dict[str, int]:
    return {c["channel"]: c["count"] for c in measures["receivedByChannel"]}


async def test_rows_by_unit_add_up_to_the_totals_with_the_units_own_row(db, monkeypatch):
    world = await build_world()
    await random_lives(monkeypatch, 21, 40)  # some dossiers filed at 49 and 502 themselves
    monkeypatch.setattr(clock, "now", lambda: NOW)
    assert await Dossier.filter(unit_id=world.units["502"].id).exists()
    leader = world.actor("tuan", ("LEADER", "49"))
    for code in ("49", "502", "20335"):
        result = await execute(BREAKDOWN, leader, u=code, f="2026-03-01", t="2026-06-30", by="UNIT")
        metrics = result.data["metrics"]
        rows = metrics["breakdown"]
        assert rows[0]["key"] == code and "tiếp nhận tại đơn vị" in rows[0]["label"]
        for name in COUNTS:
            assert sum(r["metrics"][name] for r in rows) == metrics[name], (code, name)
        for channel, count in channels(metrics).items():
            assert sum(channels(r["metrics"])[channel] for r in rows) == count, (code, channel)
    city = await execute(BREAKDOWN, leader, u="502", f="2026-03-01", t="2026-06-30", by="UNIT")
    own = city.data["metrics"]["breakdown"][0]["metrics"]
    assert own["received"] > 0  # the city's desk is not lost between its wards


async def test_rows_by_month_and_procedure_add_up_for_the_period_counts(db, monkeypatch):
    world = await build_world()
    await random_lives(monkeypatch, 22, 40)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    leader = world.actor("tuan", ("LEADER", "49"))
    for by in ("MONTH", "PROCEDURE", "FIELD"):
        result = await execute(BREAKDOWN, leader, u="49", f="2026-03-10", t="2026-06-20", by=by)
        metrics = result.data["metrics"]
        for name in ("received", "resolved", "resolvedEarly", "resolvedOnTime", "resolvedLate"):
            assert sum(r["metrics"][name] for r in metrics["breakdown"]) == metrics[name], (by, name)


SCORECARD = """query S($u: String, $f: Date!, $t: Date!) { metrics(unitCode: $u, from: $f, to: $t) {
  rank rankedAmong scorecard { total grade groups { score indicators { numerator } }
  ranking { rank total } } } }"""


async def statements_of_a_scorecard(leader) -> list[str]:
    kept.forget_catalogue()  # the unit looked up, whether or not a lookup kept it (resolvers/kept.py)
    with count_queries() as statements:
        result = await execute(SCORECARD, leader, u="502", f="2026-03-01", t="2026-06-30")
    assert result.errors == []
    return statements


async def test_the_scorecard_reads_the_rollups_not_the_dossiers(db, monkeypatch):
    world = await build_world()
    leader = world.actor("tuan", ("LEADER", "502"))
    await random_lives(monkeypatch, 23, 10)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    await statements_of_a_scorecard(leader)  # the jurisdiction's history is remembered after
    few = await statements_of_a_scorecard(leader)
    await random_lives(monkeypatch, 24, 40)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    many = await statements_of_a_scorecard(leader)
    # as many statements whatever the number of dossiers, and the dossiers table read once:
    # the open-now count `metrics` always made (the scorecard itself reads none of it)
    assert len(few) == len(many)
    on_dossiers = [s for s in many if " dossiers " in s.replace('"', " ").lower()]
    assert len(on_dossiers) == 1 and "ended_at IS NULL" in on_dossiers[0]



MEASURES_ONLY = """query M($u: String, $f: Date!, $t: Date!) { metrics(unitCode: $u, from: $f, to: $t) {
  received inProgress breakdown(by: UNIT) { key metrics { received } } } }"""
BY_FRAGMENT = """query F($u: String, $f: Date!, $t: Date!) { metrics(unitCode: $u, from: $f, to: $t) {
  received ...Card } } fragment Card on Metrics { scorecard { total } }"""


async def test_measures_alone_skip_what_only_the_scorecard_reads(db, monkeypatch):
    world = await build_world()
    leader = world.actor("tuan", ("LEADER", "502"))
    await random_lives(monkeypatch, 25, 20)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    variables = {"u": "502", "f": "2026-03-01", "t": "2026-06-30"}
    await execute(MEASURES_ONLY, leader, **variables)  # the jurisdiction's history remembered

    def scorecard_reads(statements: list[str]) -> list[str]:
        return [s for s in statements if "open_at_end" in s or "FROM procedures" in s
                or 'FROM "procedures"' in s]

    with count_queries() as alone:
        result = await execute(MEASURES_ONLY, leader, **variables)
    assert result.errors == [] and result.data["metrics"]["received"] > 0
    assert scorecard_reads(alone) == []
    # Selected through a fragment, the scorecard reads them, and scores what a document
    # selecting it directly scores.
    with count_queries() as scored:
        through = await execute(BY_FRAGMENT, leader, **variables)
    direct = await execute(SCORECARD, leader, **variables)
    assert through.errors == [] and len(scorecard_reads(scored)) == 2
    assert through.data["metrics"]["scorecard"]["total"] == \
        direct.data["metrics"]["scorecard"]["total"]
    # The open-at-end counts are a part of the measures' one statement, the facts one more.
    assert len(scored) == len(alone) + 1
